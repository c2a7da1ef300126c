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

# Benchmark (not a test): packets per second on live frames through the
# xdp bridge, next to a bare devmap redirect, in one run.
#
#   g0 --veth-- g1 ==[xdp bridge]==========> s1 --veth-- s0 (netns xb-sink)
#   h0 --veth-- h1 ==[bare devmap redirect]==> t1 --veth-- t0 (netns xb-sink)
#
# utilities/ovs-xdp-pktgen generates UDP frames with BPF_PROG_RUN's live
# frames and sends them out of g0 (or h0); they arrive on g1 (h1), are
# forwarded to s1 (t1) and counted and dropped by an XDP program on s0
# (t0).  Cases:
#
#   ovs-xdp, 1 mask        datapath_type=xdp bridge, g1 and s1 afxdp ports,
#                          in_port=g1,actions=output:s1
#   ovs-xdp, 32 masks      the same bridge with 32 OpenFlow rules that make
#                          ovs-vswitchd install megaflows under 32 distinct
#                          masks; the traffic measured hits one of them
#
# Each case runs ROUNDS rounds after a warm-up (in which the megaflow is
# installed); a round sends for SECONDS through the bare path, then for
# SECONDS through the bridge.  The two paths exist side by side, so the
# rounds alternate within seconds of each other: load that comes and goes
# on the machine (these are shared virtual machines) hits both sides of a
# round alike.  The ratio reported is the median of the rounds' ratios;
# the rates are the medians of each side.
# The generator is pinned to the last CPU, ovs-vswitchd to CPU 0: live
# frames run on the CPU that calls BPF_PROG_RUN, and so does everything
# downstream (veth NAPI of g1 and s0), so each rate is one CPU's worth.
#
# usage: ovs-xdp-bench-live.sh [SECONDS [ROUNDS]]
#        (defaults 2 and 5; needs root)
# environment: FLOWS (UDP source ports of the measured traffic, default 8),
#   REPEAT (frames per BPF_PROG_RUN call; default: the generator adapts it,
#   which on kernels whose BPF_PROG_RUN calls wait 10 to 20 ms, as 6.18
#   here, keeps it too small to load the path: set e.g. 262144),
#   SIZE (frame size with FCS, default 64), GEN_CPU, OVS_CPU, VERBOSE=1
#   (show the megaflows and every round).

set -e
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-2}
rounds=${2:-5}
flows=${FLOWS:-8}
size=${SIZE:-64}
n_cpus=$(nproc)
gen_cpu=${GEN_CPU:-$((n_cpus - 1))}
ovs_cpu=${OVS_CPU:-0}
pktgen=$top/utilities/ovs-xdp-pktgen
ns=xb-sink

bench_name=ovs-xdp-bench-live
# shellcheck source=utilities/ovs-xdp-bench-lib.sh
. "$top/utilities/ovs-xdp-bench-lib.sh"

[ "$(id -u)" = 0 ] || fail "run as root"
for f in "$pktgen" "$top/vswitchd/ovs-vswitchd"; do
    [ -x "$f" ] || fail "build first ($f is missing)"
done
for l in g0 g1 s1 h0 h1 t1; do
    ! ip link show dev $l > /dev/null 2>&1 || fail "link $l exists already"
done
[ ! -e /run/netns/$ns ] || fail "network namespace $ns exists already"

# shellcheck source=utilities/ovs-xdp-sandbox.sh
. "$top/utilities/ovs-xdp-sandbox.sh"

ip link add g0 type veth peer name g1
bench_links="g0"
ip netns add $ns
bench_ns=$ns
ip link add s1 type veth peer name s0 netns $ns
bench_links="$bench_links s1"
ip link add h0 type veth peer name h1
bench_links="$bench_links h0"
ip link add t1 type veth peer name t0 netns $ns
bench_links="$bench_links t1"
for l in g0 g1 s1 h0 h1 t1; do
    quiet_link $l
done
quiet_link ip netns exec $ns s0
quiet_link ip netns exec $ns t0
# GRO gives the sink ends NAPI between runs too, when the generator has
# detached its sink program: XDP can redirect to s1 throughout, and the
# bridge never falls back to output through userspace (xdp-output).
for l in s0 t0; do
    ip netns exec $ns ethtool -K $l gro on > /dev/null
done

pin=
if [ "$n_cpus" -gt 1 ]; then
    pin="taskset -c $gen_cpu"
fi

# measure [PKTGEN-OPTION...]: prints the received rate (pps) of one run.
measure() {
    local out
    out=$($pin "$pktgen" run --sink-netns "$ns" --seconds "$seconds" \
              --flows "$flows" --size "$size" ${REPEAT:+--repeat "$REPEAT"} \
              "$@") || return 1
    if [ "${VERBOSE:-0}" = 1 ]; then
        sed 's/^/      /' <<< "$out" >&2
    fi
    awk '/^received:/ { gsub(/[(]/, "", $7); print $7 }' <<< "$out"
}

measure_bare() {
    measure --dev h0 --sink-dev t0 --bare-in h1 --bare-out t1 --warmup 0.2
}

measure_ovs() {
    measure --dev g0 --sink-dev s0 --warmup 0.2
}

# rounds: alternates bare and bridge ROUNDS times and prints
# "BARE-PPS OVS-PPS RATIO", the medians over the rounds.
run_rounds() {
    local r bare ovs bares= ovss= ratios=

    for r in $(seq "$rounds"); do
        bare=$(measure_bare) || return 1
        ovs=$(measure_ovs) || return 1
        printf '    round %d: bare %s pps, ovs-xdp %s pps (%.2f)\n' \
            "$r" "$bare" "$ovs" "$(awk -v a="$ovs" -v b="$bare" \
                                   'BEGIN { print a / b }')" >&2
        bares="$bares $bare"
        ovss="$ovss $ovs"
        ratios="$ratios $(awk -v a="$ovs" -v b="$bare" \
                          'BEGIN { printf "%.4f", a / b }')"
    done
    echo "$(tr ' ' '\n' <<< "$bares" | grep . | median %.0f)" \
         "$(tr ' ' '\n' <<< "$ovss" | grep . | median %.0f)" \
         "$(tr ' ' '\n' <<< "$ratios" | grep . | median %.4f)"
}

# With VERBOSE=1, the megaflows after each case.
show_flows() {
    if [ "${VERBOSE:-0}" = 1 ]; then
        ovs-appctl dpctl/dump-flows | sed 's/^/      /'
        ovs-appctl xdp/show | sed 's/^/      /'
    fi
}

# "RECEIVED HANDLED TO-USERSPACE" from the datapath program's counters.
xdp_counters() {
    ovs-appctl xdp/show 2> /dev/null | awk '
        /^ *packets:/ { rx = $2; handled = $4 }
        /^ *to userspace:/ { user = $3 }
        END { printf "%s %s %s\n", rx + 0, handled + 0, user + 0 }'
}

# xdp_report BEFORE AFTER: what the datapath program did in between.
xdp_report() {
    local a b
    read -ra b <<< "$1"
    read -ra a <<< "$2"
    printf '    datapath program, warm-up and measurement: %d frames, %d handled in XDP, %d to userspace\n' \
        $((a[0] - b[0])) $((a[1] - b[1])) $((a[2] - b[2])) >&2
}

printf 'kernel %s, %d CPUs; %d-byte UDP frames, %d flows; %d rounds of %s s per path and case\n' \
    "$(uname -r)" "$n_cpus" "$size" "$flows" "$rounds" "$seconds"
if [ -n "$pin" ]; then
    echo "generator pinned to CPU $gen_cpu, ovs-vswitchd to CPU $ovs_cpu"
fi

# warm_up: sends through the bridge until the megaflows are in XDP.
warm_up() {
    measure --dev g0 --sink-dev s0 --warmup 2 > /dev/null
}

echo
echo "=== ovs-xdp, 1 mask"
# shellcheck disable=SC2119
sandbox_start
if [ -n "$pin" ]; then
    taskset -a -cp "$ovs_cpu" "$(cat "$SANDBOX/ovs-vswitchd.pid")" > /dev/null
fi
# Megaflows that get no traffic while the hot flow is measured must stay.
ovs-vsctl set Open_vSwitch . other_config:max-idle=600000
ovs-vsctl add-br br0 -- set bridge br0 datapath_type=xdp
for p in g1 s1; do
    ovs-vsctl add-port br0 $p -- set interface $p type=afxdp
    err=$(ovs-vsctl get interface $p error)
    [ "$err" = "[]" ] || fail "$p: $err"
done
ovs-ofctl del-flows br0
ovs-ofctl add-flow br0 priority=10,in_port=g1,actions=output:s1
ovs-ofctl add-flow br0 priority=0,actions=drop

before=$(xdp_counters)
warm_up || fail "warm-up failed"
read -r bare1_pps ovs1_pps ovs1_ratio < <(run_rounds) || fail "rounds failed"
xdp_report "$before" "$(xdp_counters)"
ovs1_masks=$(count_masks)
echo "    $(count_flows) megaflows, $ovs1_masks masks"
show_flows

echo
echo "=== ovs-xdp, 32 masks, hot flows"
# Rule K (0 to 30) matches bit K of nw_src set; frames with nw_src 1 << K
# miss rules 0 to K-1 and hit rule K, so their megaflow's mask is bits 0 to
# K of nw_src: 31 distinct masks.  The hot rule comes first and matches
# the measured traffic only (nw_dst 10.0.0.2): the 32nd mask.  Arbitrary
# bit masks are not prefixes, so the classifier's prefix tries leave them
# alone.
ovs-ofctl del-flows br0
ovs-appctl revalidator/purge > /dev/null
{
    echo "priority=1000,udp,in_port=g1,nw_dst=10.0.0.2,actions=output:s1"
    for k in $(seq 0 30); do
        ip=$(bit_ip "$k")
        echo "priority=$((500 - k)),ip,in_port=g1,nw_src=$ip/$ip,actions=output:s1"
    done
    echo "priority=0,actions=drop"
} | ovs-ofctl add-flows br0 -
for k in $(seq 0 30); do
    $pin "$pktgen" gen --dev g0 --count 64 --src "$(bit_ip "$k")" \
        --dst 10.0.1.2 --size "$size" > /dev/null
done
for _ in $(seq 50); do
    [ "$(count_masks)" -ge 31 ] && break
    sleep 0.1
done
echo "    before the hot flows: $(count_flows) megaflows, $(count_masks) masks"

before=$(xdp_counters)
warm_up || fail "warm-up failed"
read -r bare32_pps ovs32_pps ovs32_ratio < <(run_rounds) \
    || fail "rounds failed"
xdp_report "$before" "$(xdp_counters)"
ovs32_masks=$(count_masks)
echo "    $(count_flows) megaflows, $ovs32_masks masks"
show_flows

echo
row() { printf '%-30s %6s %12s %12s %6s %7s\n' "$@"; }
row case masks "bare pps" "ovs-xdp pps" ratio target
row "ovs-xdp, 1 mask" "$ovs1_masks" "$bare1_pps" "$ovs1_pps" \
    "$(printf %.2f "$ovs1_ratio")" ">=0.60"
row "ovs-xdp, 32 masks, hot flows" "$ovs32_masks" "$bare32_pps" \
    "$ovs32_pps" "$(printf %.2f "$ovs32_ratio")" ">=0.40"
echo "(medians over $rounds rounds; each round runs both paths)"
