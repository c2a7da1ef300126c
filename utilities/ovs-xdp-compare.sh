#! /bin/bash
# Copyright (c) 2026 The ovs-xdp authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at:
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

# Benchmark (not a test): ovs-xdp beside what users would otherwise run,
# on one topology, in alternating rounds.  See --help and
# Documentation/topics/benchmarks.rst ("ovs-xdp beside the alternatives").

set -e
top=$(cd "$(dirname "$0")/.." && pwd)
bench_name=ovs-xdp-compare

usage() {
    cat <<EOF
usage: $0 [--quick] [--output DIR] [--rounds N] [--seconds S]
          [--scenarios LIST]
Compares, on the same topology and in alternating rounds:
  ovs-xdp    ovs-xdp's ovs-vswitchd, datapath_type=xdp, afxdp ports
  upstream   OVS 3.1's ovs-vswitchd (OVS_BUILDDIR), datapath_type=netdev,
             its afxdp ports, one PMD thread (pmd-cpu-mask: CPU 0)
  bridge     the Linux bridge
  bare       one XDP program that redirects every frame (devmap): the
             ceiling of the path
  generator  the generator into a veth with a counting sink: what it can
             offer (a rate within 10 % of it is "generator-bound")

  ns cmp-X-l                                            ns cmp-X-r
  cmpX0 10.77.N.1 --veth-- cmpX1 =[system X]= cmpX2 --veth-- cmpX3 10.77.N.2

Frames from utilities/ovs-xdp-pktgen (BPF_PROG_RUN live frames, pinned to
the last CPU) leave cmpX0 and are counted at cmpX3 by an XDP program (or
its rx_packets where the scenario needs no XDP program there).  TCP:
iperf3 between the namespaces; first packet: ping after the megaflows are
flushed.  Scenarios (--scenarios, comma-separated; default all):
  udp64-1f udp1500-1f udp64-1k udp64-100k masks8-1k masks32-100k ct-1k
  ctnat-1k grooff tcp ct-tcp ctnat-tcp rtt setup memory
Options:
  --quick        2 rounds of 1 s (about 3 minutes); default 5 rounds of
                 2 s (about 10 minutes)
  --output DIR   where results go (default compare-YYYYmmdd-HHMMSS):
                 results.csv (raw), results.md (table), *.png (plots)
  --rounds N, --seconds S   override the mode's
Environment: OVS_BUILDDIR (OVS's build tree), GEN_CPU (default: the last
CPU), OVS_CPU (default 0), PROFILE=DIR (perf record -a -g of every frame
measurement into DIR/perf-SCENARIO-SYSTEM-ROUND.data), VERBOSE=1.  Needs root; run under the tests' lock:
  flock -o /tmp/ovs-xdp-systest.lock $0 --quick
EOF
    exit "${1:-0}"
}

quick=false
outdir=
rounds=
seconds=
scenarios="udp64-1f,udp1500-1f,udp64-1k,udp64-100k,masks8-1k,masks32-100k"
scenarios="$scenarios,ct-1k,ctnat-1k,grooff,tcp,ct-tcp,ctnat-tcp,rtt,setup"
scenarios="$scenarios,memory"
while [ $# -gt 0 ]; do
    case $1 in
        --quick) quick=true ;;
        --output) outdir=$2; shift ;;
        --output=*) outdir=${1#*=} ;;
        --rounds) rounds=$2; shift ;;
        --seconds) seconds=$2; shift ;;
        --scenarios) scenarios=$2; shift ;;
        -h|--help) usage ;;
        *) echo "$0: unknown option $1" >&2; usage 1 >&2 ;;
    esac
    shift
done
if $quick; then
    rounds=${rounds:-2} seconds=${seconds:-1} warmup=0.3
    tcp_seconds=2 tcp_rounds=1
else
    rounds=${rounds:-5} seconds=${seconds:-2} warmup=0.5
    tcp_seconds=5 tcp_rounds=3
fi
pings=20
outdir=${outdir:-compare-$(date +%Y%m%d-%H%M%S)}
n_cpus=$(nproc)
gen_cpu=${GEN_CPU:-$((n_cpus - 1))}
ovs_cpu=${OVS_CPU:-0}
pktgen=$top/utilities/ovs-xdp-pktgen

# shellcheck source=utilities/ovs-xdp-bench-lib.sh
. "$top/utilities/ovs-xdp-bench-lib.sh"

# OVS's build: ./ovs, or the tree this build was configured with.
if [ -z "$OVS_BUILDDIR" ] && [ ! -x "$top/ovs/vswitchd/ovs-vswitchd" ] \
   && [ -f "$top/Makefile" ]; then
    OVS_BUILDDIR=$(sed -n 's/^OVS_BUILDDIR = //p' "$top/Makefile")
fi
export OVS_BUILDDIR=${OVS_BUILDDIR:-$top/ovs}
PATH=$top/vswitchd:$OVS_BUILDDIR/utilities:$OVS_BUILDDIR/ovsdb:$PATH
upstream_vswitchd=$OVS_BUILDDIR/vswitchd/ovs-vswitchd

[ "$(id -u)" = 0 ] || fail "run as root"
for f in "$pktgen" "$top/vswitchd/ovs-vswitchd" "$upstream_vswitchd"; do
    [ -x "$f" ] || fail "build first ($f is missing)"
done
for f in ovsdb-tool ovsdb-server ovs-vsctl ovs-ofctl ovs-appctl iperf3 \
         bpftool; do
    command -v $f > /dev/null || fail "$f not found (OVS_BUILDDIR?)"
done
for n in x u l b; do
    for i in 0 1 2 3; do
        ! ip link show dev "cmp$n$i" > /dev/null 2>&1 \
            || fail "link cmp$n$i exists already"
    done
    for s in l r; do
        [ ! -e "/run/netns/cmp-$n-$s" ] \
            || fail "network namespace cmp-$n-$s exists already"
    done
done

mkdir -p "$outdir"
csv=$outdir/results.csv
echo "scenario,system,round,metric,value" > "$csv"
work=$(mktemp -d /tmp/ovs-xdp-compare.XXXXXX)
start_time=$(date +%s)

libxdp_dir=/sys/fs/bpf/xdp
libxdp_dir_new=false
[ -e $libxdp_dir ] || libxdp_dir_new=true

say() { printf '[%4ds] %s\n' $(($(date +%s) - start_time)) "$*"; }

# Rows of the CSV.
row() { echo "$1,$2,$3,$4,$5" >> "$csv"; }

# The two Open vSwitch instances, each with its own database and run
# directory: "ovs X CMD..." runs CMD against instance X (x: ovs-xdp,
# u: upstream).
ovs() {
    local d=$work/$1
    shift
    OVS_RUNDIR=$d OVS_LOGDIR=$d OVS_DBDIR=$d OVS_SYSCONFDIR=$d "$@"
}
ovs_pid() { cat "$work/$1/ovs-vswitchd.pid"; }

ovs_start() {  # X VSWITCHD
    mkdir -p "$work/$1"
    ovs "$1" ovsdb-tool create "$work/$1/conf.db" \
        "$OVS_BUILDDIR/vswitchd/vswitch.ovsschema"
    ovs "$1" ovsdb-server --detach --no-chdir --pidfile --log-file \
        -vconsole:off --remote=punix:"$work/$1/db.sock" "$work/$1/conf.db" \
        2> "$work/$1/start.err" || fail "ovsdb-server: $(cat "$work/$1/start.err")"
    ovs "$1" ovs-vsctl --no-wait init
    ovs "$1" "$2" --detach --no-chdir --pidfile --log-file -vconsole:off \
        2> "$work/$1/start.err" || fail "$2: $(cat "$work/$1/start.err")"
    taskset -a -cp "$ovs_cpu" "$(ovs_pid "$1")" > /dev/null
}

ovs_stop_daemon() {  # X NAME [EXIT-OPTION]
    local pidfile=$work/$1/$2.pid pid
    [ -f "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    kill -CONT "$pid" 2> /dev/null
    ovs "$1" ovs-appctl --timeout=10 -t "$work/$1/$2.$pid.ctl" exit $3 \
        > /dev/null 2>&1 \
        || kill "$pid" 2> /dev/null
    for _ in $(seq 50); do
        kill -0 "$pid" 2> /dev/null || break
        sleep 0.1
    done
    kill -9 "$pid" 2> /dev/null || true
}

bench_cleanup_hook() {
    local x
    for x in x u; do
        [ -d "$work/$x" ] || continue
        kill -CONT "$(ovs_pid $x 2> /dev/null)" 2> /dev/null
        # With 10,000s of megaflows ovs-xdp takes minutes to delete a
        # bridge: the daemons are stopped (and killed after 10 s), and the
        # bridges' ports removed below.
        # Upstream's netdev datapath leaves its tap (ovs-netdev) behind
        # unless it exits with --cleanup, which is quick there.
        ovs_stop_daemon $x ovs-vswitchd "$([ $x = u ] && echo --cleanup)"
        ovs_stop_daemon $x ovsdb-server
        mkdir -p "$outdir/logs"
        cp "$work/$x/ovs-vswitchd.log" "$outdir/logs/ovs-vswitchd-$x.log" \
            2> /dev/null
    done
    for l in cmpbrl cmpbrx cmpbru; do
        ip link del $l 2> /dev/null
    done
    rm -rf "$work"
    if $libxdp_dir_new; then
        rmdir $libxdp_dir 2> /dev/null
    fi
}

# Topology ---------------------------------------------------------------

# System X: letter, subnet, ports.
sys_letter() {
    case $1 in
        ovs-xdp) echo x ;; upstream) echo u ;; bridge) echo l ;;
        bare|generator) echo b ;;
    esac
}
sys_net() {
    case $1 in x) echo 1 ;; u) echo 2 ;; l) echo 3 ;; b) echo 4 ;; esac
}

# make_system X: namespaces cmp-X-l and cmp-X-r and the veths between
# them and the root namespace.  The namespaces' ends do not checksum
# (AF_XDP and XDP redirects see frames as they are: TCP needs "tx off" on
# senders) and have GRO on (XDP redirects into a veth need its peer's
# NAPI); static neighbours, so that no ARP disturbs a measurement.
make_system() {
    local x=$1 n
    n=$(sys_net "$x")
    ip netns add "cmp-$x-l"
    bench_ns="$bench_ns cmp-$x-l"
    ip netns add "cmp-$x-r"
    bench_ns="$bench_ns cmp-$x-r"
    ip link add "cmp${x}1" type veth peer name "cmp${x}0"
    bench_links="$bench_links cmp${x}1"
    ip link add "cmp${x}2" type veth peer name "cmp${x}3" netns "cmp-$x-r"
    bench_links="$bench_links cmp${x}2"
    if [ "$x" != b ]; then
        ip link set "cmp${x}0" netns "cmp-$x-l"
        quiet_link ip netns exec "cmp-$x-l" "cmp${x}0"
        ip netns exec "cmp-$x-l" ip addr add "10.77.$n.1/24" dev "cmp${x}0"
        ip netns exec "cmp-$x-l" ip link set lo up
        ip netns exec "cmp-$x-r" ip addr add "10.77.$n.2/24" dev "cmp${x}3"
        ip netns exec "cmp-$x-r" ip link set lo up
        ip netns exec "cmp-$x-l" ethtool -K "cmp${x}0" tx off gro on \
            > /dev/null
        ip netns exec "cmp-$x-r" ethtool -K "cmp${x}3" tx off > /dev/null
    else
        quiet_link "cmp${x}0"
    fi
    quiet_link ip netns exec "cmp-$x-r" "cmp${x}3"
    ip netns exec "cmp-$x-r" ethtool -K "cmp${x}3" gro on > /dev/null
    quiet_link "cmp${x}1"
    quiet_link "cmp${x}2"
    # The bridge's ports have no XDP program: frames redirected into them
    # (the generator's) need GRO for NAPI, as the namespaces' ends.
    ethtool -K "cmp${x}1" gro on > /dev/null
    ethtool -K "cmp${x}2" gro on > /dev/null
    if [ "$x" != b ]; then
        local m0 m3
        m0=$(ip netns exec "cmp-$x-l" cat "/sys/class/net/cmp${x}0/address")
        m3=$(ip netns exec "cmp-$x-r" cat "/sys/class/net/cmp${x}3/address")
        ip netns exec "cmp-$x-l" ip neigh replace "10.77.$n.2" lladdr "$m3" \
            dev "cmp${x}0" nud permanent
        ip netns exec "cmp-$x-r" ip neigh replace "10.77.$n.1" lladdr "$m0" \
            dev "cmp${x}3" nud permanent
        # The source address of the ctnat pipeline's SNAT.
        ip netns exec "cmp-$x-r" ip neigh replace "10.77.$n.9" lladdr "$m0" \
            dev "cmp${x}3" nud permanent
    fi
}

# OpenFlow pipelines -----------------------------------------------------

# flows_for X PIPELINE: the OpenFlow rules of PIPELINE for system X.
#   p1      in_port to the other port, both ways: 1 megaflow mask
#   masksK  a hot rule for the measured traffic and K-1 rules on single
#           bits of nw_src whose megaflows have K-1 distinct masks
#           (primed by prime_masks), then in_port rules
#   ct      a stateful firewall: new connections from the left are
#           committed, established ones pass both ways, the rest dropped
#   ctnat   the same with SNAT: connections from the left leave from
#           10.77.N.9 (ct(nat) in the first table, nat(src) on commit)
#   setup   every UDP 5-tuple its own megaflow (ports and source address
#           copied to registers)
flows_for() {
    local l=cmp${1}1 r=cmp${1}2 k
    case $2 in
        p1)
            echo "priority=10,in_port=$l,actions=output:$r"
            echo "priority=10,in_port=$r,actions=output:$l"
            ;;
        masks*)
            echo "priority=1000,udp,in_port=$l,nw_dst=10.0.0.2,actions=output:$r"
            for k in $(seq 0 $((${2#masks} - 2))); do
                local ip
                ip=$(bit_ip "$k")
                echo "priority=$((500 - k)),ip,in_port=$l,nw_src=$ip/$ip,actions=output:$r"
            done
            echo "priority=10,in_port=$r,actions=output:$l"
            ;;
        ct)
            echo "table=0,priority=10,ip,actions=ct(table=1)"
            echo "table=1,priority=10,ip,in_port=$l,ct_state=+trk+new,actions=ct(commit),output:$r"
            echo "table=1,priority=10,ip,in_port=$l,ct_state=+trk+est,actions=output:$r"
            echo "table=1,priority=10,ip,in_port=$r,ct_state=+trk+est,actions=output:$l"
            ;;
        ctnat)
            local n
            n=$(sys_net "$1")
            echo "table=0,priority=10,ip,actions=ct(table=1,nat)"
            echo "table=1,priority=10,ip,in_port=$l,ct_state=+trk+new,actions=ct(commit,nat(src=10.77.$n.9)),output:$r"
            echo "table=1,priority=10,ip,in_port=$l,ct_state=+trk+est,actions=output:$r"
            echo "table=1,priority=10,ip,in_port=$r,ct_state=+trk+est,actions=output:$l"
            ;;
        setup)
            echo "priority=10,udp,in_port=$l,actions=move:NXM_OF_UDP_SRC[]->NXM_NX_REG0[0..15],move:NXM_OF_IP_SRC[]->NXM_NX_REG1[],output:$r"
            echo "priority=10,in_port=$r,actions=output:$l"
            ;;
    esac
    echo "priority=0,actions=drop"
}

# set_pipeline PIPELINE: installs it on both OVS bridges, megaflows
# flushed, and primes the masks of masksK.  Megaflows are flushed with
# revalidator/purge, which drops the revalidators' ukeys with them:
# dpctl/del-flows leaves the ukeys, and until a revalidator lets go of one
# (up to the 10 s idle time) an upcall for the same flow cannot install
# its megaflow ("ukey installation fails"), so every frame of it would take
# the slow path.
set_pipeline() {
    local x k
    for x in x u; do
        kill -CONT "$(ovs_pid $x)"
        ovs "$x" ovs-ofctl del-flows "cmpbr$x"
        flows_for $x "$1" | ovs "$x" ovs-ofctl add-flows "cmpbr$x" -
        ovs "$x" ovs-appctl revalidator/purge > /dev/null
        case $1 in
            masks*)
                for k in $(seq 0 $((${1#masks} - 2))); do
                    ip netns exec "cmp-$x-l" taskset -c "$gen_cpu" "$pktgen" \
                        gen --dev "cmp${x}0" --count 64 --src "$(bit_ip "$k")" \
                        --dst 10.0.1.2 > /dev/null
                done
                for _ in $(seq 50); do
                    [ "$(count_masks ovs "$x" ovs-appctl)" -ge \
                      $((${1#masks} - 1)) ] && break
                    sleep 0.1
                done
                say "  $x: $(count_flows ovs "$x" ovs-appctl) megaflows," \
                    "$(count_masks ovs "$x" ovs-appctl) masks before the hot flows"
                ;;
        esac
    done
    kill -STOP "$(ovs_pid u)"
}

# Measurements -----------------------------------------------------------

# The upstream ovs-vswitchd is stopped (SIGSTOP) while other systems are
# measured: its PMD thread would otherwise take CPU 0 from them.
sys_begin() { [ "$1" != upstream ] || kill -CONT "$(ovs_pid u)"; }
sys_end() { [ "$1" != upstream ] || kill -STOP "$(ovs_pid u)"; }

# The CPU counters: "TIME VSWITCHD-TICKS SOFTIRQ-TICKS".
cpu_sample() {
    local x=$1 t
    if [ "$x" = x ] || [ "$x" = u ]; then
        t=$(pid_ticks "$(ovs_pid "$x")")
    else
        t=0
    fi
    echo "$(date +%s.%N) $t $(softirq_ticks)"
}

# cpu_rows SCEN SYS ROUND BEFORE AFTER: CPU rows over the interval.
cpu_rows() {
    local a b
    read -ra a <<< "$4"
    read -ra b <<< "$5"
    local dt
    dt=$(awk -v a="${a[0]}" -v b="${b[0]}" 'BEGIN { print b - a }')
    case $2 in
        ovs-xdp|upstream)
            row "$1" "$2" "$3" cpu_vswitchd \
                "$(cpu_percent $((b[1] - a[1])) "$dt")" ;;
    esac
    row "$1" "$2" "$3" cpu_softirq "$(cpu_percent $((b[2] - a[2])) "$dt")"
}

# pkt_run SCEN SYS ROUND SIZE FLOWS [counter]: one measurement of frames
# through SYS, rows appended.  With "counter", the sink has no XDP
# program: the generator only sends, and the sink's rx_packets count.
pkt_run() {
    local scen=$1 sys=$2 r=$3 size=$4 flows=$5 mode=${6:-xdp}
    local x pre=() args=() out=$work/gen.out pid c0 c1 rx0 rx1 inj rx
    x=$(sys_letter "$sys")
    args=(--size "$size" --flows "$flows" --ports 4096)
    case $sys in
        ovs-xdp|upstream|bridge)
            pre=(ip netns exec "cmp-$x-l")
            args+=(--dev "cmp${x}0")
            ;;
        bare)
            args+=(--dev cmpb0 --bare-in cmpb1 --bare-out cmpb2) ;;
        generator)
            args+=(--dev cmpb0) ;;
    esac
    sys_begin "$sys"
    if [ "$mode" = counter ]; then
        local sink=/sys/class/net/cmp${x}3/statistics/rx_packets
        "${pre[@]}" taskset -c "$gen_cpu" "$pktgen" gen "${args[@]}" \
            --seconds "$(awk -v s="$seconds" -v w="$warmup" \
                         'BEGIN { print s + w + 0.2 }')" > "$out" &
        pid=$!
        bench_pids="$bench_pids $pid"
        sleep "$warmup"
        rx0=$(ip netns exec "cmp-$x-r" cat "$sink")
        c0=$(cpu_sample "$x")
        sleep "$seconds"
        rx1=$(ip netns exec "cmp-$x-r" cat "$sink")
        c1=$(cpu_sample "$x")
        wait "$pid" || { sys_end "$sys"; return 1; }
        inj=$(awk '/^injected:/ { gsub(/[(]/, "", $7); print $7 }' "$out")
        rx=$(awk -v n=$((rx1 - rx0)) -v a="${c0%% *}" -v b="${c1%% *}" \
                 'BEGIN { printf "%.0f", n / (b - a) }')
    else
        if [ "$sys" = generator ]; then
            args+=(--sink-dev cmpb1)
        else
            args+=(--sink-netns "cmp-$x-r" --sink-dev "cmp${x}3")
        fi
        "${pre[@]}" taskset -c "$gen_cpu" "$pktgen" run "${args[@]}" \
            --seconds "$seconds" --warmup "$warmup" > "$out" &
        pid=$!
        bench_pids="$bench_pids $pid"
        # The CPU window: inside the measured period (the tool takes about
        # 0.1 s to load and attach).
        sleep "$(awk -v w="$warmup" 'BEGIN { print w + 0.2 }')"
        c0=$(cpu_sample "$x")
        if [ -n "$PROFILE" ]; then
            perf record -q -a -g -o "$PROFILE/perf-$scen-$sys-$r.data" -- \
                sleep "$(awk -v s="$seconds" 'BEGIN { print s - 0.2 }')" \
                > /dev/null 2>&1
        else
            sleep "$(awk -v s="$seconds" 'BEGIN { print s - 0.2 }')"
        fi
        c1=$(cpu_sample "$x")
        wait "$pid" || { sys_end "$sys"; return 1; }
        inj=$(awk '/^injected:/ { gsub(/[(]/, "", $7); print $7 }' "$out")
        rx=$(awk '/^received:/ { gsub(/[(]/, "", $7); print $7 }' "$out")
    fi
    bench_pids=${bench_pids% "$pid"}
    sys_end "$sys"
    row "$scen" "$sys" "$r" mpps "$(awk -v v="$rx" 'BEGIN { printf "%.4f", v / 1e6 }')"
    row "$scen" "$sys" "$r" injected_mpps \
        "$(awk -v v="$inj" 'BEGIN { printf "%.4f", v / 1e6 }')"
    row "$scen" "$sys" "$r" gbps \
        "$(awk -v v="$rx" -v s="$size" 'BEGIN { printf "%.4f", v * s * 8 / 1e9 }')"
    row "$scen" "$sys" "$r" loss \
        "$(awk -v a="$inj" -v b="$rx" 'BEGIN { l = a > 0 ? 1 - b / a : 0;
                                            if (l < 0) l = 0; printf "%.4f", l }')"
    cpu_rows "$scen" "$sys" "$r" "$c0" "$c1"
    if verbose; then
        sed 's/^/      /' "$out" >&2
    fi
    printf '%.2f Mpps' "$(awk -v v="$rx" 'BEGIN { print v / 1e6 }')"
}

# pkt_scenario SCEN SIZE FLOWS PIPELINE MODE SYSTEMS...: ROUNDS rounds,
# the systems' order rotated from round to round.
pkt_scenario() {
    local scen=$1 size=$2 flows=$3 pipeline=$4 mode=$5 r i n line
    shift 5
    local systems=("$@")
    n=${#systems[@]}
    say "$scen: $size-byte frames, $flows flows, pipeline $pipeline"
    set_pipeline "$pipeline"
    for r in $(seq "$rounds"); do
        line="  round $r/$rounds:"
        for i in $(seq 0 $((n - 1))); do
            local sys=${systems[$(((i + r - 1) % n))]}
            line="$line $sys $(pkt_run "$scen" "$sys" "$r" "$size" "$flows" \
                               "$mode")," || fail "$scen: $sys failed"
        done
        say "${line%,}"
    done
}

# tcp_run SCEN SYS ROUND STREAMS: iperf3 through SYS, rows appended.
tcp_run() {
    local scen=$1 sys=$2 r=$3 p=$4 x n c0 c1 g
    x=$(sys_letter "$sys")
    n=$(sys_net "$x")
    sys_begin "$sys"
    c0=$(cpu_sample "$x")
    g=$(ip netns exec "cmp-$x-l" iperf3 -c "10.77.$n.2" -t "$tcp_seconds" \
            -P "$p" -f g 2> /dev/null \
        | awk '/receiver/ { for (i = 2; i <= NF; i++)
                                if ($i == "Gbits/sec") v = $(i - 1) }
               END { print v + 0 }')
    c1=$(cpu_sample "$x")
    sys_end "$sys"
    row "$scen-p$p" "$sys" "$r" tcp_gbps "$g"
    cpu_rows "$scen-p$p" "$sys" "$r" "$c0" "$c1"
    printf '%s Gbit/s' "$g"
}

tcp_scenario() {
    local scen=$1 pipeline=$2 r p i n line
    shift 2
    local systems=("$@")
    n=${#systems[@]}
    say "$scen: iperf3, 1 and 4 streams, pipeline $pipeline"
    set_pipeline "$pipeline"
    for r in $(seq "$tcp_rounds"); do
        for p in 1 4; do
            line="  round $r/$tcp_rounds, $p streams:"
            for i in $(seq 0 $((n - 1))); do
                local sys=${systems[$(((i + r - 1) % n))]}
                line="$line $sys $(tcp_run "$scen" "$sys" "$r" "$p"),"
            done
            say "${line%,}"
        done
    done
}

# rtt SYS: PINGS pings, each after the megaflows were flushed: the first
# packet of a new flow, both ways through the slow path.
rtt() {
    local sys=$1 x n i t all=
    x=$(sys_letter "$sys")
    n=$(sys_net "$x")
    sys_begin "$sys"
    for i in $(seq "$pings"); do
        if [ "$x" = x ] || [ "$x" = u ]; then
            ovs "$x" ovs-appctl revalidator/purge > /dev/null
        fi
        sleep 0.05
        t=$(ip netns exec "cmp-$x-l" ping -c 1 -W 1 "10.77.$n.2" 2> /dev/null \
            | sed -n 's/.*time=\([0-9.]*\).*/\1/p')
        if [ -n "$t" ]; then
            row rtt "$sys" "$i" first_rtt_ms "$t"
            all="$all $t"
        else
            row rtt "$sys" "$i" first_rtt_lost 1
        fi
    done
    sys_end "$sys"
    printf '%s ms' "$(tr ' ' '\n' <<< "$all" | grep . | median %.3f)"
}

# n_megaflows X: the datapath's megaflows, from dpctl/show (dumping them
# takes minutes on ovs-xdp with 10,000s of flows).
n_megaflows() {
    ovs "$1" ovs-appctl dpctl/show 2> /dev/null \
        | awk '/^ *flows:/ { n += $2 } END { print n + 0 }'
}

# setup_rate SYS: frames of 65536 new UDP 5-tuples (4096 source ports
# times 16 source addresses) at the generator's rate for SECONDS+1 s;
# megaflows installed per second.
setup_rate() {
    local sys=$1 x t0 t1 cnt hits
    x=$(sys_letter "$sys")
    sys_begin "$sys"
    ovs "$x" ovs-appctl revalidator/purge > /dev/null
    hits=$(ovs "$x" ovs-appctl coverage/read-counter upcall_flow_limit_hit \
           2> /dev/null || echo 0)
    t0=$(date +%s.%N)
    ip netns exec "cmp-$x-l" taskset -c "$gen_cpu" "$pktgen" gen \
        --dev "cmp${x}0" --flows 65536 --ports 4096 \
        --seconds $((seconds + 1)) > /dev/null
    cnt=$(n_megaflows "$x")
    t1=$(date +%s.%N)
    row setup "$sys" 1 megaflows "$cnt"
    row setup "$sys" 1 setup_rate \
        "$(awk -v n="$cnt" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')"
    row setup "$sys" 1 flow_limit_hits \
        $(($(ovs "$x" ovs-appctl coverage/read-counter upcall_flow_limit_hit \
             2> /dev/null || echo 0) - hits))
    sys_end "$sys"
    printf '%s megaflows in %.1f s' "$cnt" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
}

# memory SYS: resident memory of ovs-vswitchd and memory of the BPF maps
# that it holds (bpftool's bytes_memlock of maps whose owner it is), with
# the megaflows setup_rate left installed.  The maps are those whose file
# descriptors ovs-vswitchd holds (/proc/PID/fdinfo).
memory() {
    local sys=$1 x pid rss maps
    x=$(sys_letter "$sys")
    pid=$(ovs_pid "$x")
    sys_begin "$sys"
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
    maps=$(bpftool -j map show 2> /dev/null | python3 -c '
import json, sys
ids = set(int(i) for i in sys.argv[1:])
print(sum(int(m.get("bytes_memlock", 0)) for m in json.load(sys.stdin)
          if m["id"] in ids) // 1024)' \
        $(cat /proc/"$pid"/fdinfo/* 2> /dev/null \
          | awk '/^map_id:/ { print $2 }' | sort -u))
    row memory "$sys" 1 rss_kb "$rss"
    row memory "$sys" 1 bpf_maps_kb "$maps"
    row memory "$sys" 1 megaflows "$(n_megaflows "$x")"
    sys_end "$sys"
    printf 'ovs-vswitchd %s kB resident, BPF maps %s kB' "$rss" "$maps"
}

want() { [[ ",$scenarios," == *",$1,"* ]]; }

# Set-up -----------------------------------------------------------------

say "kernel $(uname -r), $n_cpus CPUs; $rounds rounds of $seconds s;" \
    "results in $outdir"
say "generator on CPU $gen_cpu; ovs-vswitchd (both) and upstream's PMD on" \
    "CPU $ovs_cpu"
for x in x u l b; do
    make_system $x
done
ip link add cmpbrl type bridge
ip link set cmpbrl up
for p in cmpl1 cmpl2; do
    ip link set $p master cmpbrl
done

ovs_start x ovs-vswitchd
ovs_start u "$upstream_vswitchd"
for x in x u; do
    ovs "$x" ovs-vsctl set Open_vSwitch . other_config:max-idle=600000
done
ovs u ovs-vsctl set Open_vSwitch . other_config:pmd-cpu-mask=$((1 << ovs_cpu))
ovs x ovs-vsctl add-br cmpbrx -- set bridge cmpbrx datapath_type=xdp \
    fail-mode=secure
ovs u ovs-vsctl add-br cmpbru -- set bridge cmpbru datapath_type=netdev \
    fail-mode=secure
for x in x u; do
    for p in "cmp${x}1" "cmp${x}2"; do
        ovs "$x" ovs-vsctl add-port "cmpbr$x" "$p" -- set interface "$p" type=afxdp
        err=$(ovs "$x" ovs-vsctl get interface "$p" error)
        [ "$err" = "[]" ] || fail "$x: $p: $err"
    done
done
# OVS's afxdp netdev takes a while to set its sockets up.
sleep 2
kill -STOP "$(ovs_pid u)"
say "topology up: ovs-xdp pid $(ovs_pid x), upstream pid $(ovs_pid u)"

all=(ovs-xdp upstream bridge bare generator)
ovs2=(ovs-xdp upstream generator)

# Frames -----------------------------------------------------------------

want udp64-1f && pkt_scenario udp64-1f 64 1 p1 xdp "${all[@]}"
want udp1500-1f && pkt_scenario udp1500-1f 1500 1 p1 xdp "${all[@]}"
want udp64-1k && pkt_scenario udp64-1k 64 1000 p1 xdp "${all[@]}"
want udp64-100k && pkt_scenario udp64-100k 64 100000 p1 xdp "${all[@]}"
want masks8-1k && pkt_scenario masks8-1k 64 1000 masks8 xdp "${ovs2[@]}"
want masks32-100k && \
    pkt_scenario masks32-100k 64 100000 masks32 xdp "${ovs2[@]}"
want ct-1k && pkt_scenario ct-1k 64 1000 ct xdp "${ovs2[@]}"
want ctnat-1k && pkt_scenario ctnat-1k 64 1000 ctnat xdp "${ovs2[@]}"
if want grooff; then
    # No XDP program and no GRO on the sink end: XDP cannot redirect to
    # cmpX2, and ovs-xdp outputs there through userspace.
    for x in x u l; do
        ip netns exec "cmp-$x-r" ethtool -K "cmp${x}3" gro off > /dev/null
    done
    for _ in $(seq 50); do
        [ "$(ovs x ovs-vsctl get interface cmpx2 status:xdp-output \
             2> /dev/null)" = '"userspace"' ] && break
        sleep 0.1
    done
    say "grooff: cmpx2 xdp-output=$(ovs x ovs-vsctl get interface cmpx2 \
        status:xdp-output 2> /dev/null)"
    pkt_scenario grooff 64 1 p1 counter ovs-xdp upstream bridge
    for x in x u l; do
        ip netns exec "cmp-$x-r" ethtool -K "cmp${x}3" gro on > /dev/null
    done
    sleep 1.5
fi

# TCP, first packet, setup, memory ----------------------------------------

if want tcp || want ct-tcp || want ctnat-tcp; then
    for x in x u l; do
        ip netns exec "cmp-$x-r" iperf3 -s -D -I "$work/iperf3-$x.pid" \
            > /dev/null
        sleep 0.2
        bench_pids="$bench_pids $(cat "$work/iperf3-$x.pid")"
    done
fi
want tcp && tcp_scenario tcp p1 ovs-xdp upstream bridge
want ct-tcp && tcp_scenario ct-tcp ct ovs-xdp upstream
want ctnat-tcp && tcp_scenario ctnat-tcp ctnat ovs-xdp upstream

if want rtt; then
    say "rtt: first packet of a new flow, $pings pings each (medians)"
    set_pipeline p1
    line=" "
    for sys in ovs-xdp upstream bridge; do
        line="$line $sys $(rtt $sys),"
    done
    say "${line%,}"
fi
if want setup; then
    say "setup: 65536 new UDP 5-tuples at the generator's rate"
    set_pipeline setup
    for sys in ovs-xdp upstream; do
        say "  $sys: $(setup_rate $sys)"
    done
fi
if want memory; then
    say "memory, with the megaflows installed"
    for sys in ovs-xdp upstream; do
        say "  $sys: $(memory $sys)"
    done
fi

say "done measuring; report:"
python3 "$top/utilities/ovs-xdp-compare-report.py" --output "$outdir" "$csv"
say "results in $outdir"
