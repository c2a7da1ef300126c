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

# Benchmark: CPU time of ovs-vswitchd over an idle period, with a bridge of
# two afxdp ports between two namespaces, for ovs-xdp (datapath_type=xdp)
# and, in the same run, for OVS's own afxdp ports (datapath_type=netdev,
# PMD).  Usage: ovs-xdp-bench-idle.sh [SECONDS]   (default 10).  Root.

set -e
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-10}
. "$top/utilities/ovs-xdp-sandbox.sh"
trap sandbox_cleanup EXIT

hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# measure LABEL DATAPATH-TYPE [VSWITCHD]: prints LABEL and % of one core.
measure() {
    VSWITCHD=$3 sandbox_start
    ovs-vsctl add-br br0 -- set bridge br0 datapath_type=$2
    ovs-ofctl add-flow br0 actions=normal
    sandbox_add_ns ovs-xdp-bench0 b0 10.12.0.1/24
    sandbox_add_ns ovs-xdp-bench1 b1 10.12.0.2/24
    for p in b0 b1; do
        ovs-vsctl add-port br0 ovs-$p -- set interface ovs-$p type=afxdp
    done
    ip netns exec ovs-xdp-bench0 ping -q -c 2 -i 0.2 10.12.0.2 > /dev/null
    sleep 2
    local pid t0 t1
    pid=$(cat "$SANDBOX/ovs-vswitchd.pid")
    t0=$(cpu_ticks "$pid")
    sleep "$seconds"
    t1=$(cpu_ticks "$pid")
    awk -v l="$1" -v d=$((t1 - t0)) -v hz="$hz" -v s="$seconds" \
        'BEGIN { printf "%-40s %8.2f%% of a core (%d ticks in %d s)\n",
                 l, 100 * d / hz / s, d, s }'
    sandbox_cleanup
    sandbox_namespaces= sandbox_links=
}

echo "ovs-vswitchd CPU while idle for $seconds s, two afxdp ports:"
measure "ovs-xdp (datapath_type=xdp)" xdp
measure "OVS 3.1 afxdp (datapath_type=netdev, PMD)" netdev \
    "$OVS_BUILDDIR/vswitchd/ovs-vswitchd"
