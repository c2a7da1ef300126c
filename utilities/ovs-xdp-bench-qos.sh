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

# Benchmarks (not tests) of egress QoS on afxdp ports
# (Documentation/topics/qos.rst), each comparing its cases side by side in
# one run, in alternating rounds.
#
# forward: the forwarding cost of shaping.  64-byte UDP frames from
#   utilities/ovs-xdp-pktgen go through a partial flow (XDP classifies,
#   userspace outputs) to an afxdp port, with and without a linux-htb QoS
#   row (max-rate 10 Gbit/s, one queue) that shapes far above what the path
#   carries:
#
#     qg0 --veth-- qg1 ==[xdp bridge, in_port=qg1,actions=output:qs1]==>
#         qs1 --veth-- qs0 (netns xq-sink: no XDP program, GRO off)
#
#   qs0 has neither an XDP program nor GRO, so XDP cannot output to qs1
#   (lib/xdp-veth.c): qs1's status says xdp-output=userspace without QoS
#   too, and the flow runs its output in userspace in both cases; with QoS
#   the packets also pass the scheduler.  The received rate is qs0's
#   rx_packets (what the kernel delivered to it), over SECONDS while the
#   generator sends, after 0.5 s of sending.  A round measures both cases;
#   the order alternates from round to round.  Reported: the medians of
#   each case's rate and of the rounds' ratios (QoS / no QoS).
#
# latency: ping through a shaped port that a bulk TCP flow saturates.
#
#     xq-ns0 (10.13.0.1) --veth-- ovs-qb0 ==[xdp bridge, normal]==>
#         ovs-qb1 (linux-htb max-rate RATE) --veth-- xq-ns1 (10.13.0.2)
#
#   Queue 1: priority 0, min-rate 1 Mbit/s (ICMP); queue 2: priority 1
#   (TCP); OpenFlow set_queue picks them.  iperf3 (TCP, ns0 to ns1)
#   saturates ovs-qb1.  Each round pings (PINGS pings, 10 ms apart) idle,
#   then under the bulk with ICMP in queue 1 ("priority") and with ICMP in
#   the bulk's queue 2 ("same queue"), in alternating order.  Reported:
#   p50 and p99 round trips of all the rounds' pings per case, the rounds'
#   p99s, losses, the bulk's rate, ovs-vswitchd's CPU during each loaded
#   case, and its CPU over 10 s with QoS configured and no traffic, next to
#   the same without QoS.
#
# usage: ovs-xdp-bench-qos.sh [forward|latency|all [ROUNDS]]
#        (default all; ROUNDS defaults to 5 for forward, 3 for latency;
#        needs root; run it under the systest lock:
#        flock -o /tmp/ovs-xdp-systest.lock utilities/ovs-xdp-bench-qos.sh)
# environment: SECONDS_PER_RUN (forward, default 2), FLOWS (forward, UDP
#   source ports, default 8), REPEAT (forward, frames per BPF_PROG_RUN,
#   default 262144), GEN_CPU, OVS_CPU (forward pinning), PINGS
#   (latency, default 500), RATE (latency, bit/s, default 100000000),
#   VERBOSE=1 (every measurement, xdp/show, qos/show), OVS_BUILDDIR (OVS's
#   build tree, default ./ovs).
#
# Everything it creates (namespaces, veths, daemons, the sandbox directory)
# is removed when it exits, however it exits.

set -e
top=$(cd "$(dirname "$0")/.." && pwd)
what=${1:-all}
case $what in
    forward|latency|all) ;;
    *) echo "usage: $0 [forward|latency|all [ROUNDS]]" >&2; exit 1 ;;
esac
rounds_arg=${2:-}
seconds=${SECONDS_PER_RUN:-2}
flows=${FLOWS:-8}
# Frames per BPF_PROG_RUN call: a steady stream, rather than bursts that
# overflow the rings between pauses (see --repeat in ovs-xdp-pktgen).
repeat=${REPEAT:-262144}
pings=${PINGS:-500}
rate=${RATE:-100000000}
n_cpus=$(nproc)
gen_cpu=${GEN_CPU:-$((n_cpus - 1))}
ovs_cpu=${OVS_CPU:-0}
pktgen=$top/utilities/ovs-xdp-pktgen
sink_ns=xq-sink
ns0=xq-ns0
ns1=xq-ns1
hz=$(getconf CLK_TCK)

bench_name=ovs-xdp-bench-qos
# shellcheck source=utilities/ovs-xdp-bench-lib.sh
. "$top/utilities/ovs-xdp-bench-lib.sh"

[ "$(id -u)" = 0 ] || fail "run as root"
for f in "$pktgen" "$top/vswitchd/ovs-vswitchd"; do
    [ -x "$f" ] || fail "build first ($f is missing)"
done
for l in qg0 qg1 qs1 ovs-qb0 ovs-qb1; do
    ! ip link show dev $l > /dev/null 2>&1 || fail "link $l exists already"
done
for n in $sink_ns $ns0 $ns1; do
    [ ! -e "/run/netns/$n" ] || fail "network namespace $n exists already"
done
if [ "$what" != forward ]; then
    command -v iperf3 > /dev/null || fail "iperf3 is needed"
fi

# shellcheck source=utilities/ovs-xdp-sandbox.sh
. "$top/utilities/ovs-xdp-sandbox.sh"
for f in ovsdb-tool ovsdb-server ovs-vsctl ovs-ofctl ovs-appctl; do
    command -v $f > /dev/null \
        || fail "$f not found: set OVS_BUILDDIR to OVS's build tree"
done

# Helpers ---------------------------------------------------------------

# ovs-vswitchd's CPU time so far, in clock ticks (user + system, all
# threads).
vswitchd_pid() { cat "$SANDBOX/ovs-vswitchd.pid"; }
cpu_ticks() { pid_ticks "$(vswitchd_pid)"; }
# Times its main thread went to sleep (in poll()) so far.
main_sleeps() {
    awk '/^voluntary_ctxt_switches/ { print $2 }' \
        "/proc/$(vswitchd_pid)/task/$(vswitchd_pid)/status"
}

now() { date +%s.%N; }

# status IFACE KEY: a key of the interface's status column, unquoted.
status() {
    ovs-vsctl --if-exists get interface "$1" "status:$2" 2> /dev/null \
        | tr -d '"'
}

# wait_status IFACE KEY PATTERN: waits up to 5 s for status:KEY to match.
wait_status() {
    local _
    for _ in $(seq 50); do
        status "$1" "$2" | grep -q -- "$3" && return 0
        sleep 0.1
    done
    fail "$1: status:$2 is \"$(status "$1" "$2")\", expected $3"
}

# "RECEIVED HANDLED PARTIAL" from the datapath program's counters.
xdp_counters() {
    ovs-appctl xdp/show 2> /dev/null | awk '
        /^ *packets:/ { rx += $2; handled += $4 }
        /^ *to userspace:/ { gsub(/,/, ""); partial += $7 }
        END { printf "%d %d %d\n", rx, handled, partial }'
}

# Forwarding cost of shaping --------------------------------------------

# sink_count: "TIME RX-PACKETS" of qs0, read in one process.
sink_count() {
    ip netns exec $sink_ns sh -c \
        'echo "$(date +%s.%N) $(cat /sys/class/net/qs0/statistics/rx_packets)"'
}

# forward_measure: "PPS CPU": the rate at qs0 while the generator sends,
# and ovs-vswitchd's CPU meanwhile (% of a core).
forward_measure() {
    local gen_pid a b c0 c1 s0 s1
    $pin "$pktgen" gen --dev qg0 --seconds "$(awk -v s="$seconds" \
            'BEGIN { print s + 1 }')" --flows "$flows" --size 64 \
        --repeat "$repeat" > "$SANDBOX/gen.out" &
    gen_pid=$!
    bench_pids="$bench_pids $gen_pid"
    sleep 0.5
    s0=$(grep '^cpu[0-9]' /proc/stat)
    c0=$(cpu_ticks)
    read -ra a <<< "$(sink_count)"
    sleep "$seconds"
    read -ra b <<< "$(sink_count)"
    c1=$(cpu_ticks)
    s1=$(grep '^cpu[0-9]' /proc/stat)
    wait "$gen_pid" || return 1
    bench_pids=${bench_pids% "$gen_pid"}
    if verbose; then
        sed 's/^/      generator /' "$SANDBOX/gen.out" >&2
        # Busy % of each CPU over the measurement.
        paste <(echo "$s0") <(echo "$s1") | awk '{
            k = NF / 2; t = 0; idle = $(k + 5) + $(k + 6) - $5 - $6
            for (i = 2; i <= 9; i++) { t += $(k + i) - $i }
            printf "      %s busy %.0f%%\n", $1, 100 * (1 - idle / t) }' >&2
    fi
    awk -v n=$((b[1] - a[1])) -v t0="${a[0]}" -v t1="${b[0]}" \
        -v c=$((c1 - c0)) -v hz="$hz" \
        'BEGIN { printf "%.0f %.1f\n", n / (t1 - t0), 100 * c / hz / (t1 - t0) }'
}

forward_set_qos() {
    ovs-vsctl -- set port qs1 qos=@q \
        -- --id=@q create qos type=linux-htb \
             other_config:max-rate=10000000000 queues:0=@q0 \
        -- --id=@q0 create queue other_config:max-rate=10000000000 \
        > /dev/null
    wait_status qs1 xdp-output-reason 'egress QoS linux-htb'
    # The port's QoS is in force: qos/show reports its rate.
    ovs-appctl qos/show qs1 | grep -q '^max-rate: 10000000000' \
        || fail "qos/show qs1 does not show the QoS: $(ovs-appctl qos/show qs1)"
}

forward_clear_qos() {
    ovs-vsctl -- clear port qs1 qos -- --all destroy qos -- --all destroy queue
    wait_status qs1 xdp-output-reason 'veth peer'
}

# forward_case QOS: one measurement, QOS "qos" or "none"; checks that the
# output ran in userspace for the flow's packets (partial in XDP).
forward_case() {
    local before after pps cpu c0 c1
    if [ "$1" = qos ]; then
        forward_set_qos
    else
        forward_clear_qos
    fi
    [ "$(status qs1 xdp-output)" = userspace ] \
        || fail "qs1: xdp-output is $(status qs1 xdp-output)"
    before=$(xdp_counters)
    read -r pps cpu <<< "$(forward_measure)" || return 1
    after=$(xdp_counters)
    read -ra c0 <<< "$before"
    read -ra c1 <<< "$after"
    # Every frame the program saw was partial: classified in XDP, output
    # in userspace; none was sent by XDP.
    if [ $((c1[1] - c0[1])) -ne 0 ] || [ $((c1[2] - c0[2])) -eq 0 ]; then
        fail "$1: not a partial flow: XDP handled $((c1[1] - c0[1])), partial $((c1[2] - c0[2]))"
    fi
    if verbose; then
        printf '      %s: %s pps, ovs-vswitchd %s%% of a core; XDP: %d received, %d partial to userspace\n' \
            "$1" "$pps" "$cpu" $((c1[0] - c0[0])) $((c1[2] - c0[2])) >&2
    fi
    echo "$pps $cpu"
}

run_forward() {
    local rounds=${rounds_arg:-5} r a b ratio qs='' ns='' ratios=''
    local ac bc qcs='' ncs=''

    echo "=== forward: 64-byte frames, partial flow to qs1, linux-htb 10 Gbit/s vs no QoS"
    ip link add qg0 type veth peer name qg1
    bench_links="$bench_links qg0"
    ip netns add $sink_ns
    bench_ns="$bench_ns $sink_ns"
    ip link add qs1 type veth peer name qs0 netns $sink_ns
    bench_links="$bench_links qs1"
    for l in qg0 qg1 qs1; do
        sh -c "echo 1 > /proc/sys/net/ipv6/conf/$l/disable_ipv6"
        ip link set $l up
    done
    ip netns exec $sink_ns sh -c \
        'echo 1 > /proc/sys/net/ipv6/conf/qs0/disable_ipv6'
    ip netns exec $sink_ns ip link set qs0 up
    # No XDP program and no GRO on qs0: XDP cannot output to qs1.
    ip netns exec $sink_ns ethtool -K qs0 gro off > /dev/null

    pin=
    if [ "$n_cpus" -gt 1 ]; then
        pin="taskset -c $gen_cpu"
    fi
    # shellcheck disable=SC2119
    sandbox_start
    if [ -n "$pin" ]; then
        taskset -a -cp "$ovs_cpu" "$(vswitchd_pid)" > /dev/null
        echo "    generator on CPU $gen_cpu, ovs-vswitchd on CPU $ovs_cpu"
    fi
    ovs-vsctl set Open_vSwitch . other_config:max-idle=600000
    ovs-vsctl add-br br0 -- set bridge br0 datapath_type=xdp
    for p in qg1 qs1; do
        ovs-vsctl add-port br0 $p -- set interface $p type=afxdp
        [ "$(ovs-vsctl get interface $p error)" = "[]" ] \
            || fail "$p: $(ovs-vsctl get interface $p error)"
    done
    ovs-ofctl del-flows br0
    ovs-ofctl add-flow br0 priority=10,in_port=qg1,actions=output:qs1
    ovs-ofctl add-flow br0 priority=0,actions=drop
    wait_status qs1 xdp-output userspace
    echo "    qs1 without QoS: xdp-output=$(status qs1 xdp-output)" \
         "($(status qs1 xdp-output-reason))"

    # Warm-up: the megaflow goes into XDP (as a partial flow).
    $pin "$pktgen" gen --dev qg0 --seconds 2 --flows "$flows" \
        --repeat "$repeat" > /dev/null
    if verbose; then
        ovs-appctl dpctl/dump-flows | sed 's/^/      /'
    fi

    for r in $(seq "$rounds"); do
        if [ $((r % 2)) = 1 ]; then
            read -r b bc <<< "$(forward_case none)" || fail "round $r failed"
            read -r a ac <<< "$(forward_case qos)" || fail "round $r failed"
        else
            read -r a ac <<< "$(forward_case qos)" || fail "round $r failed"
            read -r b bc <<< "$(forward_case none)" || fail "round $r failed"
        fi
        [ -n "$a" ] && [ -n "$b" ] || fail "round $r failed"
        ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.4f", a / b }')
        printf '    round %d: no QoS %s pps (ovs-vswitchd %s%%), QoS %s pps (%s%%): %.2f\n' \
            "$r" "$b" "$bc" "$a" "$ac" "$ratio"
        qs="$qs $a"
        ns="$ns $b"
        qcs="$qcs $ac"
        ncs="$ncs $bc"
        ratios="$ratios $ratio"
    done
    echo "    qs1 with QoS: xdp-output=userspace" \
         "(egress QoS linux-htb shapes this port in userspace)"
    if verbose; then
        forward_set_qos
        ovs-appctl qos/show qs1 | sed 's/^/      /'
        ovs-appctl xdp/show | sed 's/^/      /'
    fi
    fwd_none=$(tr ' ' '\n' <<< "$ns" | grep . | median %.0f)
    fwd_qos=$(tr ' ' '\n' <<< "$qs" | grep . | median %.0f)
    fwd_ratio=$(tr ' ' '\n' <<< "$ratios" | grep . | median %.2f)
    fwd_none_cpu=$(tr ' ' '\n' <<< "$ncs" | grep . | median %.0f)
    fwd_qos_cpu=$(tr ' ' '\n' <<< "$qcs" | grep . | median %.0f)
    fwd_rounds=$rounds
    bench_cleanup
}

# Latency under load, with priority --------------------------------------

# ping_rtts OUT: PINGS pings 10 ms apart from ns0 to ns1; the round trips
# (ms), one per line, in OUT; prints the number of lost pings.
ping_rtts() {
    local out sent
    out=$(ip netns exec $ns0 ping -n -c "$pings" -i 0.01 -W 1 10.13.0.2) \
        || true
    sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' <<< "$out" > "$1"
    sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' <<< "$out")
    echo $((${sent:-0} - $(wc -l < "$1")))
}

latency_flows() {  # ICMP-QUEUE
    ovs-ofctl replace-flows br0 - <<EOF
priority=10,icmp,actions=set_queue:$1,normal
priority=10,tcp,actions=set_queue:2,normal
priority=0,actions=normal
EOF
    # Until the megaflows follow: the next ping goes to queue $1.
    sleep 1
}

# queue_tx QUEUE: tx_packets of a queue of ovs-qb1, from qos/show.
queue_tx() {
    ovs-appctl qos/show ovs-qb1 | awk -v q="Queue $1:" '
        $0 == q { inq = 1; next } /^Queue/ { inq = 0 }
        inq && /tx_packets:/ { print $2 }'
}

# latency_case NAME ICMP-QUEUE: pings under the bulk, ICMP in ICMP-QUEUE;
# appends its round trips to $work/NAME.rtt, its p99 to $work/NAME.p99,
# its losses to $work/NAME.lost and ovs-vswitchd's CPU to $work/NAME.cpu.
latency_case() {
    local t0 t1 c0 c1 q0 q1 w0 w1 lost
    latency_flows "$2"
    q0=$(queue_tx "$2")
    c0=$(cpu_ticks)
    w0=$(main_sleeps)
    t0=$(now)
    lost=$(ping_rtts "$work/round.rtt")
    c1=$(cpu_ticks)
    w1=$(main_sleeps)
    t1=$(now)
    q1=$(queue_tx "$2")
    # The pings really went through queue ICMP-QUEUE.
    [ $((q1 - q0)) -ge "$pings" ] \
        || fail "$1: queue $2 sent $((q1 - q0)) packets for $pings pings"
    cat "$work/round.rtt" >> "$work/$1.rtt"
    percentile 99 < "$work/round.rtt" >> "$work/$1.p99"
    echo "$lost" >> "$work/$1.lost"
    cpu_percent $((c1 - c0)) "$(awk -v a="$t0" -v b="$t1" \
                                'BEGIN { print b - a }')" >> "$work/$1.cpu"
    awk -v w=$((w1 - w0)) -v a="$t0" -v b="$t1" \
        'BEGIN { printf "%.0f\n", w / (b - a) }' >> "$work/$1.wakeups"
    printf '      %-11s p50 %7s ms, p99 %7s ms, %d lost, ovs-vswitchd %s%% of a core, main thread %s wake-ups/s\n' \
        "$1" "$(percentile 50 < "$work/round.rtt")" \
        "$(tail -n 1 "$work/$1.p99")" "$lost" "$(tail -n 1 "$work/$1.cpu")" \
        "$(tail -n 1 "$work/$1.wakeups")"
}

# idle_cpu SECONDS: ovs-vswitchd's CPU over SECONDS, % of a core.
idle_cpu() {
    local c0 c1 t0 t1
    sleep 2
    c0=$(cpu_ticks)
    t0=$(now)
    sleep "$1"
    c1=$(cpu_ticks)
    t1=$(now)
    cpu_percent $((c1 - c0)) "$(awk -v a="$t0" -v b="$t1" \
                                'BEGIN { print b - a }')"
}

# latency_row CASE LABEL: a line of the summary.
latency_row() {
    printf '  %-34s %6s %9s %9s %5s %s\n' "$2" "$(wc -l < "$work/$1.rtt")" \
        "$(percentile 50 < "$work/$1.rtt")" \
        "$(percentile 99 < "$work/$1.rtt")" \
        "$(awk '{ s += $1 } END { print s }' "$work/$1.lost")" \
        "$(tr '\n' ' ' < "$work/$1.p99")"
}

run_latency() {
    local rounds=${rounds_arg:-3} r order client bulk_s

    echo "=== latency: ping through ovs-qb1 (linux-htb max-rate $rate) under a TCP bulk"
    # shellcheck disable=SC2119
    sandbox_start
    work=$SANDBOX
    ovs-vsctl add-br br0 -- set bridge br0 datapath_type=xdp
    sandbox_add_ns $ns0 qb0 10.13.0.1/24
    sandbox_add_ns $ns1 qb1 10.13.0.2/24
    # GRO on the namespaces' ends: XDP can output to both ports (the ICMP
    # replies and the ACKs go through XDP), until QoS shapes ovs-qb1.
    ip netns exec $ns0 ethtool -K qb0 gro on > /dev/null
    ip netns exec $ns1 ethtool -K qb1 gro on > /dev/null
    for p in qb0 qb1; do
        ovs-vsctl add-port br0 ovs-$p -- set interface ovs-$p type=afxdp
        [ "$(ovs-vsctl get interface ovs-$p error)" = "[]" ] \
            || fail "ovs-$p: $(ovs-vsctl get interface ovs-$p error)"
    done
    ovs-vsctl -- set port ovs-qb1 qos=@q \
        -- --id=@q create qos type=linux-htb other_config:max-rate="$rate" \
             queues:1=@q1 queues:2=@q2 \
        -- --id=@q1 create queue other_config:priority=0 \
             other_config:min-rate=1000000 \
        -- --id=@q2 create queue other_config:priority=1 > /dev/null
    latency_flows 1
    wait_status ovs-qb0 xdp-output direct
    wait_status ovs-qb1 xdp-output-reason 'egress QoS linux-htb'
    echo "    ovs-qb0: xdp-output=$(status ovs-qb0 xdp-output);" \
         "ovs-qb1: xdp-output=$(status ovs-qb1 xdp-output)" \
         "($(status ovs-qb1 xdp-output-reason))"
    ip netns exec $ns0 ping -q -c 3 -i 0.2 10.13.0.2 > /dev/null \
        || fail "no connectivity"
    ip netns exec $ns1 iperf3 -s -D -B 10.13.0.2 -p 5201 \
        -I "$SANDBOX/iperf3-server.pid"
    for _ in $(seq 50); do
        ip netns exec $ns1 ss -ltn | grep -q 10.13.0.2:5201 && break
        sleep 0.1
    done

    # The bulk runs through both loaded cases of a round.
    bulk_s=$(awk -v n="$pings" 'BEGIN { printf "%d", 2 * (n * 0.012 + 1) + 6 }')
    for r in $(seq "$rounds"); do
        echo "    round $r:"
        latency_flows 1
        lost=$(ping_rtts "$work/round.rtt")
        cat "$work/round.rtt" >> "$work/idle.rtt"
        percentile 99 < "$work/round.rtt" >> "$work/idle.p99"
        echo "$lost" >> "$work/idle.lost"
        printf '      %-11s p50 %7s ms, p99 %7s ms, %d lost\n' idle \
            "$(percentile 50 < "$work/round.rtt")" \
            "$(tail -n 1 "$work/idle.p99")" "$lost"

        ip netns exec $ns0 iperf3 -c 10.13.0.2 -p 5201 -t "$bulk_s" -J \
            > "$work/iperf3-$r.json" &
        client=$!
        echo "$client" > "$SANDBOX/iperf3-client.pid"
        sleep 2
        if [ $((r % 2)) = 1 ]; then
            order="priority same-queue"
        else
            order="same-queue priority"
        fi
        for c in $order; do
            if [ "$c" = priority ]; then
                latency_case priority 1
            else
                latency_case same-queue 2
            fi
        done
        if verbose; then
            ovs-appctl qos/show ovs-qb1 | sed 's/^/        /'
        fi
        wait "$client" || fail "iperf3 failed: $(cat "$work/iperf3-$r.json")"
        rm -f "$SANDBOX/iperf3-client.pid"
        awk -F'[:,]' '/"sum_received"/ { r = 1 }
            r && /"bits_per_second"/ { printf "%.1f\n", $2 / 1e6; exit }' \
            "$work/iperf3-$r.json" >> "$work/bulk.mbps"
        printf '      bulk: TCP %s Mbit/s received over %d s\n' \
            "$(tail -n 1 "$work/bulk.mbps")" "$bulk_s"
    done
    latency_flows 1
    if verbose; then
        ovs-appctl xdp/show | sed 's/^/      /'
    fi

    echo "    ovs-vswitchd CPU over 10 s without traffic:"
    lat_idle_qos=$(idle_cpu 10)
    echo "      QoS on ovs-qb1: $lat_idle_qos% of a core"
    ovs-vsctl -- clear port ovs-qb1 qos -- --all destroy qos \
        -- --all destroy queue
    wait_status ovs-qb1 xdp-output direct
    echo "    QoS removed: ovs-qb1 xdp-output=$(status ovs-qb1 xdp-output)"
    lat_idle_none=$(idle_cpu 10)
    echo "      no QoS:         $lat_idle_none% of a core"

    # The summary, while the sandbox (and $work) is still there.
    lat_rounds=$rounds
    lat_rows=$(latency_row idle idle
               latency_row priority "bulk, ICMP in a higher queue"
               latency_row same-queue "bulk, ICMP in the bulk's queue")
    lat_delta=$(awk -v a="$(percentile 99 < "$work/priority.rtt")" \
                    -v b="$(percentile 99 < "$work/idle.rtt")" \
                    'BEGIN { printf "%.3f", a - b }')
    lat_priority_cpu=$(median %.1f < "$work/priority.cpu")
    lat_same_queue_cpu=$(median %.1f < "$work/same-queue.cpu")
    lat_priority_wakeups=$(median %.0f < "$work/priority.wakeups")
    lat_same_queue_wakeups=$(median %.0f < "$work/same-queue.wakeups")
    lat_bulk=$(median %.1f < "$work/bulk.mbps")
    bench_cleanup
}

printf 'kernel %s, %d CPUs\n' "$(uname -r)" "$n_cpus"
if [ "$what" != latency ]; then
    run_forward
fi
if [ "$what" != forward ]; then
    run_latency
fi

echo
if [ "$what" != latency ]; then
    echo "Forwarding 64-byte frames, partial flow (medians of $fwd_rounds rounds):"
    printf '  %-34s %12s %18s\n' case pps "ovs-vswitchd CPU"
    printf '  %-34s %12s %17s%%\n' "no QoS (output in userspace)" "$fwd_none" \
        "$fwd_none_cpu"
    printf '  %-34s %12s %17s%%\n' "linux-htb max-rate 10 Gbit/s" "$fwd_qos" \
        "$fwd_qos_cpu"
    printf '  ratio %s (target >= 0.90)\n' "$fwd_ratio"
fi
if [ "$what" != forward ]; then
    [ "$what" = latency ] || echo
    echo "Ping through linux-htb max-rate $rate, $lat_rounds rounds of $pings pings per case:"
    printf '  %-34s %6s %9s %9s %5s %s\n' case pings "p50 ms" "p99 ms" lost \
        "round p99s (ms)"
    echo "$lat_rows"
    printf '  loaded p99 - idle p99 = %s ms (target <= 1 ms)\n' "$lat_delta"
    printf '  bulk TCP: %s Mbit/s received (median of rounds)\n' "$lat_bulk"
    printf '  ovs-vswitchd CPU, loaded: %s%% (ICMP priority), %s%% (same queue) of a core\n' \
        "$lat_priority_cpu" "$lat_same_queue_cpu"
    printf '  its main thread, loaded: %s and %s wake-ups/s\n' \
        "$lat_priority_wakeups" "$lat_same_queue_wakeups"
    printf '  ovs-vswitchd CPU, no traffic, 10 s: %s%% with QoS, %s%% without (target < 1%%)\n' \
        "$lat_idle_qos" "$lat_idle_none"
fi
