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

# The main job: builds whatever is missing, then puts two network
# namespaces on a datapath_type=xdp bridge with afxdp ports, shows ping and a
# TCP transfer through it and what OVS sees, and removes all it created.
# Run as root.

set -e
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/utilities/ovs-xdp-build.sh"

. "$top/utilities/ovs-xdp-sandbox.sh"
trap sandbox_cleanup EXIT

step() { printf '\n=== %s\n' "$*"; }

step "starting ovsdb-server and ovs-xdp's ovs-vswitchd"
sandbox_start
ovs-vswitchd --version

step "ovs-vsctl add-br br0 -- set bridge br0 datapath_type=xdp"
ovs-vsctl add-br br0 -- set bridge br0 datapath_type=xdp
sandbox_add_ns ovs-xdp-ns0 p0 10.11.0.1/24
sandbox_add_ns ovs-xdp-ns1 p1 10.11.0.2/24
# XDP can send to a veth only if the far end has NAPI: GRO on does it.
for i in 0 1; do
    ip netns exec ovs-xdp-ns$i ethtool -K p$i gro on > /dev/null
done
for p in p0 p1; do
    echo "ovs-vsctl add-port br0 ovs-$p -- set interface ovs-$p type=afxdp"
    ovs-vsctl add-port br0 ovs-$p -- set interface ovs-$p type=afxdp
done
for p in p0 p1; do
    printf 'ovs-%s status: ' $p
    ovs-vsctl get interface ovs-$p status
done

step "ping from ovs-xdp-ns0 to ovs-xdp-ns1"
ip netns exec ovs-xdp-ns0 ping -c 5 -i 0.2 10.11.0.2

step "TCP transfer (iperf3, 3 seconds) from ovs-xdp-ns0 to ovs-xdp-ns1"
ip netns exec ovs-xdp-ns1 iperf3 -s -1 -D -B 10.11.0.2 \
    --pidfile "$SANDBOX/iperf3.pid"
sleep 0.5
ip netns exec ovs-xdp-ns0 iperf3 -c 10.11.0.2 -t 3 -f m | tail -n 4

step "ovs-vsctl show"
ovs-vsctl show

step "ovs-appctl dpif/show"
ovs-appctl dpif/show

step "ping again, 200 packets, once the megaflows are in XDP"
ip netns exec ovs-xdp-ns0 ping -q -c 200 -i 0.005 10.11.0.2 | tail -n 2

step "ovs-appctl dpctl/dump-flows -m (IPv4 megaflows)"
ovs-appctl dpctl/dump-flows -m | grep 'eth_type(0x0800)' \
    | sed 's/^ufid:[^ ]* //; s/skb_priority([^)]*),skb_mark([^)]*),//;
           s/ct_[a-z]*([^)]*),//g; s/,dp-extra-info.*//; s/, dp-extra-info.*//'

step "ovs-appctl xdp/show"
ovs-appctl xdp/show

step "AF_XDP forwarding between the two ports (coverage counters)"
ovs-appctl coverage/read-counter afxdp_tx_no_copy \
    | sed 's/^/frames sent without a copy (shared UMEM): /'
ovs-appctl coverage/read-counter afxdp_tx_copy \
    | sed 's/^/frames copied: /'

step "cleaning up"
