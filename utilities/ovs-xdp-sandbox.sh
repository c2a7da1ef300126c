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

# Functions to run ovsdb-server and ovs-xdp's ovs-vswitchd in a private
# directory, and network namespaces attached to them.  Sourced by the demo
# and the benchmarks; everything started is stopped by sandbox_cleanup.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OVS_BUILDDIR=${OVS_BUILDDIR:-$top/ovs}
PATH=$top/vswitchd:$OVS_BUILDDIR/utilities:$OVS_BUILDDIR/ovsdb:$PATH
export PATH

sandbox_namespaces=
sandbox_links=

# libxdp, which OVS links for AF_XDP, makes an empty state directory in
# bpffs when ovs-vswitchd exits.  Remove it if it was not there before.
libxdp_dir=/sys/fs/bpf/xdp
sandbox_libxdp_dir_new=false
[ -e $libxdp_dir ] || sandbox_libxdp_dir_new=true

sandbox_start() {
    SANDBOX=$(mktemp -d /tmp/ovs-xdp-sandbox.XXXXXX)
    export OVS_RUNDIR=$SANDBOX OVS_LOGDIR=$SANDBOX OVS_DBDIR=$SANDBOX
    export OVS_SYSCONFDIR=$SANDBOX
    ovsdb-tool create "$SANDBOX/conf.db" \
        "$OVS_BUILDDIR/vswitchd/vswitch.ovsschema"
    ovsdb-server --detach --no-chdir --pidfile --log-file -vconsole:off \
        --remote=punix:"$SANDBOX/db.sock" "$SANDBOX/conf.db"
    ovs-vsctl --no-wait init
    # $VSWITCHD: another ovs-vswitchd (OVS's own, for comparisons).
    ${VSWITCHD:-ovs-vswitchd} --detach --no-chdir --pidfile --log-file \
        -vconsole:off "$@"
}

# sandbox_add_ns NS VETH ADDRESS: a namespace with one end of a veth pair,
# the other end (ovs-VETH) left in the root namespace for the bridge.
sandbox_add_ns() {
    ip netns add "$1"
    sandbox_namespaces="$sandbox_namespaces $1"
    ip link add "$2" type veth peer name "ovs-$2"
    sandbox_links="$sandbox_links ovs-$2"
    ip link set "$2" netns "$1"
    ip link set "ovs-$2" up
    ip netns exec "$1" ip addr add "$3" dev "$2"
    ip netns exec "$1" ip link set "$2" up
    ip netns exec "$1" ip link set lo up
    # AF_XDP sees packets as they are on the wire: no checksum offload.
    ip netns exec "$1" ethtool -K "$2" tx off > /dev/null
}

sandbox_stop_daemon() {
    local pidfile=$SANDBOX/$1.pid
    if [ -f "$pidfile" ]; then
        local pid
        pid=$(cat "$pidfile")
        ovs-appctl -t "$SANDBOX/$1.$pid.ctl" exit > /dev/null 2>&1 \
            || kill "$pid" 2> /dev/null
        for _ in $(seq 50); do
            kill -0 "$pid" 2> /dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2> /dev/null || true
    fi
}

sandbox_cleanup() {
    [ -n "${SANDBOX:-}" ] || return 0
    for br in $(ovs-vsctl --timeout=5 list-br 2> /dev/null); do
        ovs-vsctl --timeout=5 del-br "$br" 2> /dev/null || true
    done
    sandbox_stop_daemon ovs-vswitchd
    sandbox_stop_daemon ovsdb-server
    # Other daemons started in the sandbox (iperf3, ...) leave pidfiles.
    for f in "$SANDBOX"/*.pid; do
        case $f in
            */ovs-vswitchd.pid|*/ovsdb-server.pid) ;;
            *) [ -f "$f" ] && kill "$(cat "$f")" 2> /dev/null ;;
        esac
    done
    for l in $sandbox_links; do
        ip link del "$l" 2> /dev/null || true
    done
    for ns in $sandbox_namespaces; do
        ip netns del "$ns" 2> /dev/null || true
    done
    rm -rf "$SANDBOX"
    SANDBOX=
    if $sandbox_libxdp_dir_new; then
        rmdir $libxdp_dir 2> /dev/null || true
    fi
}
