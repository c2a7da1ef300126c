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

# Functions that build an OVN deployment on one machine: a central (NB and
# SB ovsdb-servers, ovn-northd) and chassis, each chassis its own network
# namespace "ovn-hvN" with its own ovsdb-server, ovs-vswitchd (in a mount
# namespace of its own with a private bpffs) and ovn-controller, the
# chassis joined by a veth underlay that geneve crosses through OVS's
# userspace tunnelling.  Workloads ("VMs") are namespaces "ovn-NAME" whose
# eth0 is a veth into a chassis, added there as an afxdp port.
#
# Sourced by utilities/ovs-xdp-ovn-demo.sh and by tests/system-xdp-ovn.at.
# Settings (environment, before ovn_init):
#   OVN_DP_TYPE     br-int's and br-phy's datapath type (default xdp)
#   OVN_VSWITCHD    the ovs-vswitchd to run (default: the first in PATH)
#   OVN_PORT_TYPE   the type of the VIF and underlay ports (default afxdp)
# Everything started is recorded under the directory given to ovn_init
# (pidfiles, the list of namespaces) and removed by ovn_cleanup, which
# needs nothing else: it also works from a shell other than the one that
# built the set-up, as in the testsuite's cleanup.

ovn_top=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)
: "${OVS_BUILDDIR:=$ovn_top/ovs}"
: "${OVN_SCHEMADIR:=/usr/share/ovn}"

ovn_say() { printf 'ovs-xdp-ovn: %s\n' "$*"; }

# ovn_have_ovn: whether the OVN binaries and schemas are installed.
ovn_have_ovn() {
    for b in ovn-northd ovn-controller ovn-nbctl ovn-sbctl ovn-trace \
             ovn-appctl; do
        command -v $b > /dev/null || return 1
    done
    [ -f "$OVN_SCHEMADIR/ovn-nb.ovsschema" ] \
        && [ -f "$OVN_SCHEMADIR/ovn-sb.ovsschema" ]
}

# ovn_init DIR: everything goes under DIR (created).
ovn_init() {
    OVN_DIR=$1
    mkdir -p "$OVN_DIR"
    : "${OVN_DP_TYPE:=xdp}"
    : "${OVN_PORT_TYPE:=afxdp}"
    : "${OVN_VSWITCHD:=ovs-vswitchd}"
    export OVN_NB_DB=unix:$OVN_DIR/central/nb.sock
    export OVN_SB_DB=unix:$OVN_DIR/central/sb.sock
}

# ovn_env N CMD...: runs CMD with chassis N's OVS and OVN directories.
ovn_env() {
    local d=$OVN_DIR/hv$1
    shift
    OVS_RUNDIR=$d OVS_LOGDIR=$d OVS_DBDIR=$d OVS_SYSCONFDIR=$d \
        OVN_RUNDIR=$d OVN_LOGDIR=$d OVN_DBDIR=$d OVN_SYSCONFDIR=$d "$@"
}

# ovn_hv N CMD...: runs CMD in chassis N's network namespace, with its
# directories.
ovn_hv() {
    local n=$1
    shift
    ip netns exec ovn-hv$n env OVS_RUNDIR=$OVN_DIR/hv$n \
        OVS_LOGDIR=$OVN_DIR/hv$n OVS_DBDIR=$OVN_DIR/hv$n \
        OVS_SYSCONFDIR=$OVN_DIR/hv$n OVN_RUNDIR=$OVN_DIR/hv$n \
        OVN_LOGDIR=$OVN_DIR/hv$n "$@"
}

# ovn_vm NAME CMD...: runs CMD in workload NAME's namespace.
ovn_vm() {
    local vm=$1
    shift
    ip netns exec ovn-$vm "$@"
}

ovn_netns_add() {
    echo "$1" >> "$OVN_DIR/namespaces"
    ip netns add "$1"
    ip -n "$1" link set lo up
}

# ovn_wait SECONDS CMD...: runs CMD every 0.1 s until it succeeds; fails
# after SECONDS.
ovn_wait() {
    local n=$(($1 * 10))
    shift
    while ! "$@" > /dev/null 2>&1; do
        n=$((n - 1))
        [ $n -gt 0 ] || return 1
        sleep 0.1
    done
}

# ovn_central_start: NB and SB ovsdb-servers and ovn-northd, in the root
# namespace (everything reaches them over unix sockets).
ovn_central_start() {
    local c=$OVN_DIR/central
    mkdir -p "$c"
    for db in nb sb; do
        ovsdb-tool create "$c/$db.db" "$OVN_SCHEMADIR/ovn-$db.ovsschema"
        ovsdb-server --detach --no-chdir --pidfile="$c/$db.pid" \
            -vconsole:off --log-file="$c/$db.log" --unixctl="$c/$db.ctl" \
            --remote=punix:"$c/$db.sock" "$c/$db.db"
    done
    ovn-northd --detach --no-chdir --pidfile="$c/northd.pid" \
        -vconsole:off --log-file="$c/northd.log" --unixctl="$c/northd.ctl" \
        --ovnnb-db="$OVN_NB_DB" --ovnsb-db="$OVN_SB_DB"
    ovn-nbctl --wait=sb sync
}

# ovn_underlay_create: the veth between chassis 1 and 2 (ul1 in ovn-hv1,
# ul2 in ovn-hv2).
ovn_underlay_create() {
    ip -n ovn-hv1 link add ul1 type veth peer name ul2 netns ovn-hv2
    for n in 1 2; do
        ip -n ovn-hv$n link set ul$n up
        ip netns exec ovn-hv$n ethtool -K ul$n tx off > /dev/null
    done
}

# ovn_vswitchd_start N: chassis N's ovs-vswitchd, in its network namespace
# and in a mount namespace of its own with a bpffs of its own: its pinned
# maps are out of every other instance's sight.  Propagation "slave", not
# "private": the namespaces that "ip netns add" mounts later under
# /run/netns must stay visible to it, for it finds the far end of a veth
# (is GRO on there?) through them.
ovn_vswitchd_start() {
    ovn_hv $1 unshare --mount --propagation slave sh -c '
        mount -t bpf bpf /sys/fs/bpf || exit 1
        exec "$@"' sh "$OVN_VSWITCHD" --detach --no-chdir --pidfile \
        -vconsole:off --log-file
}

# ovn_stop_pidfile FILE [CTL]: stops the daemon of pidfile FILE, through
# unixctl socket CTL ("exit") if given, else SIGTERM, and waits for it.
ovn_stop_pidfile() {
    local pid
    [ -f "$1" ] || return 0
    pid=$(cat "$1" 2> /dev/null) || return 0
    [ -n "$pid" ] || return 0
    if [ -n "$2" ]; then
        ovs-appctl -t "$2" exit > /dev/null 2>&1 || kill "$pid" 2> /dev/null
    else
        kill "$pid" 2> /dev/null
    fi
    for _ in $(seq 50); do
        kill -0 "$pid" 2> /dev/null || return 0
        sleep 0.1
    done
    kill -9 "$pid" 2> /dev/null || true
}

# ovn_vswitchd_stop N: stops chassis N's ovs-vswitchd.
ovn_vswitchd_stop() {
    local d=$OVN_DIR/hv$1 pid
    pid=$(cat "$d/ovs-vswitchd.pid" 2> /dev/null) || return 0
    ovn_stop_pidfile "$d/ovs-vswitchd.pid" "$d/ovs-vswitchd.$pid.ctl"
}

# ovn_ovs_start N [OTHER_CONFIG...]: chassis N's ovsdb-server and
# ovs-vswitchd (no OVN), in namespace ovn-hvN, which must exist;
# OTHER_CONFIG (KEY=VALUE) go into Open_vSwitch's other_config first.
ovn_ovs_start() {
    local n=$1 d=$OVN_DIR/hv$1
    shift
    mkdir -p "$d"
    ovsdb-tool create "$d/conf.db" "$OVS_BUILDDIR/vswitchd/vswitch.ovsschema"
    ovn_hv $n ovsdb-server --detach --no-chdir --pidfile -vconsole:off \
        --log-file --remote=punix:"$d/db.sock" "$d/conf.db"
    ovn_env $n ovs-vsctl --no-wait init
    for kv in "$@"; do
        ovn_env $n ovs-vsctl --no-wait set Open_vSwitch . other_config:$kv
    done
    ovn_vswitchd_start $n
}

# ovn_chassis_start N: chassis N, tunnel endpoint 172.31.0.N on br-phy,
# whose afxdp port is the underlay veth ulN.
ovn_chassis_start() {
    local n=$1 d=$OVN_DIR/hv$1
    mkdir -p "$d"
    ovsdb-tool create "$d/conf.db" "$OVS_BUILDDIR/vswitchd/vswitch.ovsschema"
    ovn_hv $n ovsdb-server --detach --no-chdir --pidfile -vconsole:off \
        --log-file --remote=punix:"$d/db.sock" "$d/conf.db"
    ovn_env $n ovs-vsctl --no-wait init
    ovn_env $n ovs-vsctl --no-wait set Open_vSwitch . \
        external_ids:system-id=hv$n \
        external_ids:hostname=hv$n \
        external_ids:ovn-remote="$OVN_SB_DB" \
        external_ids:ovn-encap-type=geneve \
        external_ids:ovn-encap-ip=172.31.0.$n \
        external_ids:ovn-bridge-datapath-type=$OVN_DP_TYPE
    ovn_vswitchd_start $n
    ovn_env $n ovs-vsctl add-br br-phy \
        -- set bridge br-phy datapath_type=$OVN_DP_TYPE \
        -- add-port br-phy ul$n -- set interface ul$n type=$OVN_PORT_TYPE
    ip -n ovn-hv$n addr add 172.31.0.$n/24 dev br-phy
    ip -n ovn-hv$n link set br-phy up
    ovn_hv $n ovn-controller --detach --no-chdir --pidfile -vconsole:off \
        --log-file unix:"$d/db.sock"
}

# ovn_chassis_stop N: stops chassis N's daemons.
ovn_chassis_stop() {
    local d=$OVN_DIR/hv$1 pid
    pid=$(cat "$d/ovn-controller.pid" 2> /dev/null) || true
    [ -z "$pid" ] || ovn_stop_pidfile "$d/ovn-controller.pid" \
        "$d/ovn-controller.$pid.ctl"
    ovn_env $1 ovs-vsctl --timeout=5 del-br br-int > /dev/null 2>&1 || true
    ovn_env $1 ovs-vsctl --timeout=5 del-br br-phy > /dev/null 2>&1 || true
    ovn_vswitchd_stop $1
    pid=$(cat "$d/ovsdb-server.pid" 2> /dev/null) || true
    [ -z "$pid" ] || ovn_stop_pidfile "$d/ovsdb-server.pid" \
        "$d/ovsdb-server.$pid.ctl"
}

# ovn_vm_add NAME CHASSIS MAC IP/PLEN GATEWAY: workload NAME (namespace
# ovn-NAME, eth0) on chassis CHASSIS, port "vif-NAME" there with
# iface-id NAME.  The logical port NAME must have address MAC.
ovn_vm_add() {
    local vm=$1 n=$2 mac=$3 ip=$4 gw=$5
    [ -e /run/netns/ovn-$vm ] || ovn_netns_add ovn-$vm
    ip -n ovn-hv$n link add vif-$vm type veth peer name eth0 netns ovn-$vm
    ip -n ovn-hv$n link set vif-$vm up
    # Room for geneve on the 1500-byte underlay.
    ip -n ovn-$vm link set eth0 address "$mac" mtu 1400
    ip -n ovn-$vm addr add "$ip" dev eth0
    ip -n ovn-$vm link set eth0 up
    ip -n ovn-$vm route add default via "$gw"
    # AF_XDP sees frames as the wire has them: no checksum offload on the
    # sending side.  GRO on: XDP's redirects into eth0 are delivered.
    ovn_vm $vm ethtool -K eth0 tx off > /dev/null
    ovn_vm $vm ethtool -K eth0 gro on > /dev/null
    ovn_env $n ovs-vsctl add-port br-int vif-$vm \
        -- set interface vif-$vm type=$OVN_PORT_TYPE \
           external_ids:iface-id=$vm
}

# ovn_vm_del NAME CHASSIS: removes workload NAME's port from CHASSIS and its
# veth (the namespace stays, for ovn_vm_add elsewhere).
ovn_vm_del() {
    ovn_env $2 ovs-vsctl del-port br-int vif-$1
    ip -n ovn-hv$2 link del vif-$1
}

# ovn_logical_network: the logical topology of the demo and the tests.
#
#   ls1 10.0.1.0/24: vm1 (hv1, .11), vm2 (hv1, .12), vm3 (hv2, .13)
#   ls2 10.0.2.0/24: vm4 (hv2, .14, the web server), vm5 (hv1, .15)
#   lr1: 10.0.1.1 on ls1, 10.0.2.1 on ls2
#   ACL on ls2: to vm4 only TCP port 80 (allow-related), nothing else; vm4
#     opens no connection itself (replies of allowed ones pass)
#   load balancer lb1 on ls2: 10.0.0.100:80 -> vm2:80, vm3:80
ovn_logical_network() {
    ovn-nbctl ls-add ls1 -- ls-add ls2 -- lr-add lr1
    for i in 1 2; do
        ovn-nbctl lrp-add lr1 lr1-ls$i 00:00:00:00:ff:0$i 10.0.$i.1/24 \
            -- lsp-add ls$i ls$i-lr1 \
            -- lsp-set-type ls$i-lr1 router \
            -- lsp-set-addresses ls$i-lr1 router \
            -- lsp-set-options ls$i-lr1 router-port=lr1-ls$i
    done
    for vm in 1 2 3 4 5; do
        local ls=ls1
        [ $vm -le 3 ] || ls=ls2
        ovn-nbctl lsp-add $ls vm$vm \
            -- lsp-set-addresses vm$vm "$(ovn_vm_mac $vm) $(ovn_vm_ip $vm)"
    done
    ovn-nbctl acl-add ls2 to-lport 1002 \
        'outport == "vm4" && ip4 && tcp.dst == 80' allow-related
    ovn-nbctl acl-add ls2 to-lport 1001 'outport == "vm4" && ip' drop
    ovn-nbctl acl-add ls2 from-lport 1001 'inport == "vm4" && ip' drop
    ovn-nbctl lb-add lb1 10.0.0.100:80 10.0.1.12:80,10.0.1.13:80 tcp
    ovn-nbctl ls-lb-add ls2 lb1
}

ovn_vm_mac() { printf '00:00:00:00:00:%02x' $((0x10 + $1)); }
ovn_vm_ip() {
    if [ $1 -le 3 ]; then echo 10.0.1.1$1; else echo 10.0.2.1$1; fi
}
ovn_vm_chassis() { case $1 in 1|2|5) echo 1 ;; *) echo 2 ;; esac; }

# ovn_vms_add: the five workloads of ovn_logical_network on their chassis.
ovn_vms_add() {
    for vm in 1 2 3 4 5; do
        local plen=${OVN_PLEN:-24} gw=10.0.1.1
        [ $vm -le 3 ] || gw=10.0.2.1
        ovn_vm_add vm$vm "$(ovn_vm_chassis $vm)" "$(ovn_vm_mac $vm)" \
            "$(ovn_vm_ip $vm)/$plen" $gw
    done
}

# ovn_setup: central, two chassis, the logical network and the workloads,
# and waits until both chassis have programmed it.
ovn_setup() {
    ovn_central_start
    ovn_netns_add ovn-hv1
    ovn_netns_add ovn-hv2
    ovn_underlay_create
    ovn_chassis_start 1
    ovn_chassis_start 2
    ovn_logical_network
    # Each chassis has its geneve port to the other before any workload
    # sends: a chassis that received geneve before it had a port for its
    # source would log "receive tunnel port not found".
    ovn_wait 30 ovn_has_tunnel 1
    ovn_wait 30 ovn_has_tunnel 2
    ovn_vms_add
    ovn-nbctl --wait=hv --timeout=30 sync
    # Every logical port is up, the tunnels in place.
    for vm in 1 2 3 4 5; do
        ovn_wait 30 ovn_lsp_up vm$vm
    done
}

ovn_has_tunnel() {
    ovn_env $1 ovs-vsctl --bare --columns=name find Interface type=geneve \
        | grep -q .
}

ovn_lsp_up() { [ "$(ovn-nbctl lsp-get-up "$1")" = up ]; }

# ovn_tcp_transfer FROM TO_IP PORT SERVER FILE: sends FILE from workload
# FROM to a server listening in workload SERVER on TO_IP:PORT (nc), and
# checks that the bytes arrived unchanged.
ovn_tcp_transfer() {
    local from=$1 ip=$2 port=$3 server=$4 file=$5 out
    out=$OVN_DIR/received.$server.$port
    rm -f "$out"
    # Not through ovn_vm, a function: "&" would fork a shell, and $! would
    # be that shell's pid, not nc's.
    ip netns exec "ovn-$server" nc -l "$ip" "$port" > "$out" &
    local nc_pid=$!
    ovn_wait 5 ovn_listening "$server" "$ip:$port" || return 1
    ovn_vm "$from" nc -N -w 5 "$ip" "$port" < "$file" || {
        kill $nc_pid 2> /dev/null
        return 1
    }
    wait $nc_pid
    cmp "$file" "$out"
}

ovn_listening() { ovn_vm "$1" ss -ltn | grep -q " $2 "; }

# ovn_cleanup: stops and removes everything ovn_init and the functions
# above created.
ovn_cleanup() {
    [ -n "${OVN_DIR:-}" ] || return 0
    local c=$OVN_DIR/central
    for d in "$OVN_DIR"/hv*; do
        [ -d "$d" ] && ovn_chassis_stop "${d##*/hv}"
    done
    if [ -d "$c" ]; then
        ovn_stop_pidfile "$c/northd.pid" "$c/northd.ctl"
        ovn_stop_pidfile "$c/nb.pid" "$c/nb.ctl"
        ovn_stop_pidfile "$c/sb.pid" "$c/sb.ctl"
    fi
    if [ -f "$OVN_DIR/namespaces" ]; then
        for ns in $(cat "$OVN_DIR/namespaces"); do
            ip netns del "$ns" 2> /dev/null || true
        done
        rm -f "$OVN_DIR/namespaces"
    fi
}

# ovn_check_logs: prints every ERR and WARN line of every log under the
# set-up's directory but those on the list below, and fails if there is
# any.  The list (Documentation/howto/ovn.rst says why each is harmless):
#  - ovn-controller: "vif_plug_provider|WARN|failed to initialize
#    representor VIF plug provider class": Debian's OVN is built with the
#    representor plug provider, which needs devlink ports this machine
#    does not have; OVN goes on without it.
#  - ovn-controller: "rconn|WARN|unix:.../br-int.mgmt: connection failed":
#    ovn-controller starts before it has created br-int.
#  - ovs-vswitchd: "timeval|WARN|Unreasonably long ... poll interval" and
#    the lines after it (faults, disk, context switches), and
#    "ovs_rcu(urcuN)|WARN|blocked 1000 ms waiting for main to quiesce":
#    the kernel's verifier checking the XDP program when the datapath
#    loads it (over a second of the main thread), on this 2-core machine.
#  - the SB ovsdb-server: "jsonrpc|WARN|unix#N: receive error: Connection
#    reset by peer" and "reconnect|WARN|unix#N: connection dropped
#    (Connection reset by peer)", or the same with "send error: Broken
#    pipe" when the server was writing: ovn-trace exits without closing
#    its database connection, with the server's last update unread.
#  Where a test restarts ovs-vswitchd, also ($ovn_restart_allow):
#  - ovn-controller: "rconn|WARN|.../br-int.mgmt: connection dropped" or
#    "connection failed": its OpenFlow connections while ovs-vswitchd is
#    away.
#  - ovs-vswitchd: "ofproto_dpif_xlate|WARN|Invalid Geneve tunnel metadata
#    on bridge br-int": packets that arrive after the restart, before
#    ovn-controller has given the new ovs-vswitchd its Geneve option
#    mapping (tun_metadata); OVS drops them.
ovn_check_logs() {
    local out
    out=$(grep -h '|ERR|\||WARN|\||EMER|' "$OVN_DIR"/*/*.log 2> /dev/null \
        | sed '/vif_plug_provider|WARN|failed to initialize representor/d
               /rconn[^|]*|WARN|unix:.*br-int.mgmt: connection failed/d
               /timeval|WARN|Unreasonably long [0-9]*ms poll interval/d
               /timeval|WARN|faults: /d
               /timeval|WARN|disk: /d
               /timeval|WARN|context switches: /d
               /ovs_rcu(urcu[0-9]*)|WARN|blocked [0-9]* ms waiting for main to quiesce/d
               /jsonrpc|WARN|unix#[0-9]*: receive error: Connection reset by peer/d
               /jsonrpc|WARN|unix#[0-9]*: send error: Broken pipe/d
               /reconnect|WARN|unix#[0-9]*: connection dropped (Connection reset by peer)/d
               /reconnect|WARN|unix#[0-9]*: connection dropped (Broken pipe)/d' \
        | sed "${OVN_LOG_ALLOW:-}")
    [ -z "$out" ] || { printf '%s\n' "$out"; return 1; }
}

# Log lines a restart of ovs-vswitchd or ovn-controller leaves, allowed by
# the tests that restart one: OVN_LOG_ALLOW=$ovn_restart_allow.
ovn_restart_allow='/rconn[^|]*|WARN|.*br-int.mgmt: connection dropped/d
/rconn[^|]*|WARN|.*br-int.mgmt: connection failed/d
/reconnect[^|]*|WARN|.*db.sock: connection dropped/d
/stream_unix[^|]*|ERR|.*br-int.mgmt.*Connection refused/d
/ofproto_dpif_xlate[^|]*|WARN|Invalid Geneve tunnel metadata on bridge br-int/d'
