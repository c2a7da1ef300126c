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

# Benchmark (not a test): a burst of new flows.  N UDP frames, each with
# its own source port, are sent at once (utilities/ovs-xdp-pktgen) into a
# bridge whose rule copies the source port into a register, so that every
# frame needs a megaflow of its own; how many megaflows get installed
# shows how many misses reached userspace.  ovs-xdp's ovs-vswitchd
# (datapath_type=xdp) and OVS's own (datapath_type=netdev, OVS's afxdp
# ports, a busy-polling PMD thread) alternate in rounds, side by side.
#
# usage: ovs-xdp-bench-burst.sh [N [ROUNDS]]    (default 10000 3; as root)

set -e
top=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-10000}
rounds=${2:-3}
export OVS_BUILDDIR=${OVS_BUILDDIR:-$top/ovs}
. "$top/utilities/ovs-xdp-sandbox.sh"
burst_links=
trap 'sandbox_cleanup; for l in $burst_links; do ip link del $l 2>/dev/null; done' EXIT

burst_run() {
    local name=$1 dptype=$2 mac t0 t1 installed

    sandbox_namespaces=
    sandbox_links=
    sandbox_start
    ovs-vsctl add-br brburst -- set bridge brburst datapath_type="$dptype" \
        fail-mode=secure
    ip link add bgen type veth peer name ovs-bgen
    burst_links=ovs-bgen
    ip link set bgen up
    ip link set ovs-bgen up
    sandbox_add_ns nsburst bsink 10.0.0.2/24
    ovs-vsctl add-port brburst ovs-bgen -- set interface ovs-bgen type=afxdp
    ovs-vsctl add-port brburst ovs-bsink -- set interface ovs-bsink type=afxdp
    ovs-ofctl add-flow brburst "priority=10,in_port=ovs-bgen,udp,actions=\
move:NXM_OF_UDP_SRC[]->NXM_NX_REG0[0..15],output:ovs-bsink"
    ovs-ofctl add-flow brburst "priority=0,actions=drop"
    sleep 2
    mac=$(ip netns exec nsburst cat /sys/class/net/bsink/address)
    t0=$(date +%s.%N)
    "$top/utilities/ovs-xdp-pktgen" gen --dev bgen --flows "$n" \
        --count "$n" --sport 1024 --dst 10.0.0.2 --dst-mac "$mac" > /dev/null
    t1=$(date +%s.%N)
    sleep 3
    installed=$(ovs-appctl dpctl/dump-flows | grep -c 'udp' || true)
    printf '%-8s %6d frames in %.3f s: %6d megaflows installed (%.2f)\n' \
        "$name" "$n" "$(echo "$t1 - $t0" | bc)" "$installed" \
        "$(echo "$installed / $n" | bc -l)"
    sandbox_cleanup
    ip link del bgen 2>/dev/null || true
    burst_links=
}

printf 'kernel %s, %s CPUs, %d new UDP source ports per burst\n' \
    "$(uname -r)" "$(nproc)" "$n"
for round in $(seq "$rounds"); do
    burst_run ovs-xdp xdp
    VSWITCHD=$OVS_BUILDDIR/vswitchd/ovs-vswitchd burst_run upstream netdev
done
