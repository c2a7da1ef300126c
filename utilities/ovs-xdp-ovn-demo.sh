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

# ovs-xdp as an OVN chassis: builds what is missing, then an OVN central and
# two chassis on this machine (each its own network namespace with its own
# ovsdb-server, ovs-xdp's ovs-vswitchd and ovn-controller, joined by a veth
# underlay that geneve crosses), a logical network across them, and shows it
# at work; removes everything it created.  Run as root.

set -e
top=$(cd "$(dirname "$0")/.." && pwd)

usage() {
    cat <<EOF
usage: $0 [--compare] [--time SECONDS] [--no-build]

Builds an OVN deployment of two chassis on datapath_type=xdp on this
machine and shows ping, TCP, the router, the ACL and the load balancer at
work, ovn-sbctl show, ovn-trace, each chassis's megaflows with what runs in
XDP, and removes everything.  See Documentation/howto/ovn.rst.

  --compare       then measure TCP (iperf3) same-chassis and cross-chassis
                  on ovs-xdp and on OVS 3.1's own ovs-vswitchd
                  (datapath_type=netdev, OVS's afxdp ports), one after the
                  other, and print them side by side with the flow counts
  --time SECONDS  length of each iperf3 run (default 5)
  --no-build      do not run utilities/ovs-xdp-build.sh first
  -h, --help      this help
EOF
}

compare=false
secs=5
build=true
while [ $# -gt 0 ]; do
    case $1 in
        --compare) compare=true ;;
        --time) secs=$2; shift ;;
        --no-build) build=false ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 1 ;;
    esac
    shift
done

[ "$(id -u)" = 0 ] || { echo "$0: run as root" >&2; exit 1; }
if $build; then
    "$top/utilities/ovs-xdp-build.sh"
fi

OVS_BUILDDIR=${OVS_BUILDDIR:-$top/ovs}
# Our ovs-vswitchd and OVS's tools first: Debian's openvswitch-switch,
# which ovn-host pulls in, has its own in /usr/bin and /usr/sbin.
PATH=$top/vswitchd:$OVS_BUILDDIR/utilities:$OVS_BUILDDIR/ovsdb:$PATH
export PATH
. "$top/utilities/ovs-xdp-ovn-lib.sh"
ovn_have_ovn || {
    echo "$0: OVN is not installed (ovn-central, ovn-host)" >&2
    exit 1
}

say() { printf 'ovs-xdp-ovn-demo: %s\n' "$*"; }
step() { printf '\n=== %s\n' "$*"; }

work=$(mktemp -d /tmp/ovs-xdp-ovn.XXXXXX)
cleanup() {
    ovn_cleanup
    rm -rf "$work"
}
trap cleanup EXIT

# iperf VM_FROM IP VM_TO: TCP throughput from VM_FROM to IP (in VM_TO), in
# Gbit/s, measured by the receiver.
iperf() {
    local pidfile=$work/iperf3.pid
    ovn_vm $3 iperf3 -s -1 -D -B $2 --pidfile "$pidfile"
    ovn_wait 5 ovn_listening $3 "$2:5201"
    ovn_vm $1 iperf3 -c $2 -t $secs -J > "$work/iperf.json"
    kill "$(cat "$pidfile" 2> /dev/null)" 2> /dev/null || true
    python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
print("%.2f" % (j["end"]["sum_received"]["bits_per_second"] / 1e9))' \
        "$work/iperf.json"
}

# layers N: chassis N's megaflows, counted by where they run.
layers() {
    ovn_env $1 ovs-appctl dpctl/dump-flows -m ${dp_name:-xdp@ovs-xdp} \
        | sed -n 's/.*\(offloaded:[a-z]*\), dp:\([a-z]*\).*/\1 dp:\2/p;
                  /offloaded:/!s/.* dp:\([a-z]*\),.*/userspace-only dp:\1/p' \
        | sort | uniq -c
}

# flows N: chassis N's megaflows, shortened: match (without the fields
# OVS prints wildcarded), layer, actions.
flows() {
    ovn_env $1 ovs-appctl dpctl/dump-flows -m xdp@ovs-xdp \
        | sed 's/^ufid:[^ ]* //; s/skb_priority(0\/0),//; s/skb_mark(0\/0),//;
               s/ct_zone(0\/0),//; s/ct_mark(0\/0),//; s/ct_label(0\/0),//;
               s/dp_hash(0\/0),//; s/packet_type(ns=0,id=0),//;
               s/, dp-extra-info.*//' \
        | grep -v '^flow-dump'
}

if ! $compare; then
    step "OVN central and two chassis (datapath_type=xdp, afxdp ports)"
    ovn_init "$work/ovn"
    ovn_setup
    ovn-nbctl show
    step "ovn-sbctl show"
    ovn-sbctl show
    step "chassis hv1: ovs-vsctl show"
    ovn_env 1 ovs-vsctl show

    step "ping: vm1 -> vm2 (hv1, same chassis), vm1 -> vm3 (hv1 -> hv2, geneve)"
    ovn_vm vm1 ping -c 3 -i 0.2 10.0.1.12 | tail -n 2
    ovn_vm vm1 ping -c 3 -i 0.2 10.0.1.13 | tail -n 2
    step "ping through the logical router: vm3 (ls1, hv2) -> vm5 (ls2, hv1)"
    ovn_vm vm3 ping -c 3 -i 0.2 10.0.2.15 | tail -n 2

    step "TCP (iperf3, $secs s): same chassis, vm1 -> vm2"
    echo "$(iperf vm1 10.0.1.12 vm2) Gbit/s"
    step "TCP (iperf3, $secs s): across chassis, vm1 -> vm3"
    echo "$(iperf vm1 10.0.1.13 vm3) Gbit/s"

    step "load balancer 10.0.0.100:80 -> vm2:80, vm3:80, from vm5"
    head -c 1000000 /dev/urandom > "$work/payload"
    for vm in 2 3; do
        ip netns exec ovn-vm$vm nc -l 10.0.1.1$vm 80 > "$work/lb.vm$vm" &
        echo $! > "$work/lb$vm.pid"
        ovn_wait 5 ovn_listening vm$vm 10.0.1.1$vm:80
    done
    ovn_vm vm5 nc -N -w 5 10.0.0.100 80 < "$work/payload"
    for vm in 2 3; do
        if cmp -s "$work/payload" "$work/lb.vm$vm"; then
            echo "1000000 bytes arrived unchanged at vm$vm"
        fi
        kill "$(cat "$work/lb$vm.pid")" 2> /dev/null || true
    done

    step "ACL on vm4: TCP port 80 in (allow-related), nothing else"
    ip netns exec ovn-vm4 nc -l -N 10.0.2.14 80 < "$work/payload" &
    ovn_wait 5 ovn_listening vm4 10.0.2.14:80
    ovn_vm vm1 nc -w 5 10.0.2.14 80 < /dev/null > "$work/got"
    cmp "$work/payload" "$work/got" \
        && echo "vm1 -> vm4:80: 1000000 bytes back from vm4 (reply traffic)"
    ovn_vm vm1 nc -z -w 2 10.0.2.14 8080 \
        || echo "vm1 -> vm4:8080: no answer (dropped)"
    ovn_vm vm1 ping -c 1 -W 1 10.0.2.14 > /dev/null \
        || echo "vm1 -> vm4 ping: no answer (dropped)"
    ip netns exec ovn-vm1 nc -l 10.0.1.11 80 > /dev/null &
    echo $! > "$work/nc1.pid"
    ovn_wait 5 ovn_listening vm1 10.0.1.11:80
    ovn_vm vm4 nc -z -w 2 10.0.1.11 80 \
        || echo "vm4 -> vm1:80 (a new connection from the server): dropped"
    kill "$(cat "$work/nc1.pid")" 2> /dev/null || true

    step "ovn-trace: vm1 -> vm4, TCP port 80, through the router"
    ovn-trace --minimal ls1 'inport == "vm1" && eth.src == 00:00:00:00:00:11 &&
        eth.dst == 00:00:00:00:ff:01 && ip4.src == 10.0.1.11 &&
        ip4.dst == 10.0.2.14 && ip.ttl == 64 && tcp && tcp.dst == 80'

    step "ping again, 200 packets vm1 -> vm2, once the megaflows are in XDP"
    ovn_vm vm1 ping -q -c 200 -i 0.005 10.0.1.12 | tail -n 2

    for n in 1 2; do
        step "chassis hv$n: ovs-appctl dpctl/dump-flows -m"
        flows $n
        step "chassis hv$n: megaflows by layer"
        layers $n
        step "chassis hv$n: ovs-appctl xdp/show"
        ovn_env $n ovs-appctl xdp/show
    done
    step "ERR and WARN in the logs, beyond the documented list"
    ovn_check_logs && echo "none"
    step "cleaning up"
    exit 0
fi

# --compare: the same set-up on ovs-xdp, then on OVS 3.1's own
# ovs-vswitchd with datapath_type=netdev and OVS's afxdp ports.
results=$work/results
: > "$results"
for variant in ovs-xdp upstream; do
    if [ $variant = ovs-xdp ]; then
        OVN_DP_TYPE=xdp OVN_VSWITCHD=$top/vswitchd/ovs-vswitchd
        dp_name=xdp@ovs-xdp
    else
        OVN_DP_TYPE=netdev
        OVN_VSWITCHD=$OVS_BUILDDIR/vswitchd/ovs-vswitchd
        dp_name=netdev@ovs-netdev
    fi
    export OVN_DP_TYPE OVN_VSWITCHD
    step "$variant: $OVN_VSWITCHD, datapath_type=$OVN_DP_TYPE"
    ovn_init "$work/ovn-$variant"
    ovn_setup
    ovn_vm vm1 ping -q -c 3 -i 0.2 10.0.1.12 > /dev/null
    ovn_vm vm1 ping -q -c 3 -i 0.2 10.0.1.13 > /dev/null
    same=$(iperf vm1 10.0.1.12 vm2)
    cross=$(iperf vm1 10.0.1.13 vm3)
    routed=$(iperf vm3 10.0.2.15 vm5)
    echo "same-chassis $same Gbit/s, cross-chassis $cross Gbit/s," \
        "routed cross-chassis $routed Gbit/s"
    echo "$variant $same $cross $routed" >> "$results"
    for n in 1 2; do
        echo "chassis hv$n megaflows:"
        layers $n
    done
    ovn_cleanup
done

step "TCP throughput (iperf3, $secs s each, Gbit/s)"
printf '%-10s %13s %14s %22s\n' "" same-chassis cross-chassis \
    "routed cross-chassis"
while read -r v s c r; do
    printf '%-10s %13s %14s %22s\n' "$v" "$s" "$c" "$r"
done < "$results"
