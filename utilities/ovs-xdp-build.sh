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

# Builds whatever is missing, in order: Debian packages, the Open vSwitch
# tree (unpacked from openvswitch-source into ./ovs, configured with AF_XDP,
# built), then ovs-xdp itself.  Each step is skipped when already done, so
# running it again is cheap.

set -e
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(($(nproc) + 1))

say() { printf 'ovs-xdp-build: %s\n' "$*"; }

# Build and test dependencies, all from Debian 12.
packages="openvswitch-source build-essential autoconf automake libtool
pkg-config python3 libssl-dev libcap-ng-dev libnuma-dev libbpf-dev
libxdp-dev libelf-dev zlib1g-dev clang llvm bpftool iproute2 ethtool
iputils-ping iputils-arping iperf3 tcpdump netcat-openbsd procps wget curl
lftp python3-pyftpdlib gnuplot-nox ovn-central ovn-host"

# stop_debian_daemons list: prints the pids of Debian's own OVS and OVN
# daemons (from their pidfiles under /var/run) that are running.
# stop_debian_daemons stop PIDS: stops those running now that were not in
# PIDS, by pid, and waits for them to exit.
stop_debian_daemons() {
    pids=
    for f in /var/run/openvswitch/ovsdb-server.pid \
             /var/run/openvswitch/ovs-vswitchd.pid \
             /var/run/ovn/ovn-northd.pid /var/run/ovn/ovn-controller.pid \
             /var/run/ovn/ovsdb-server-nb.pid \
             /var/run/ovn/ovsdb-server-sb.pid; do
        [ -f $f ] || continue
        pid=$(cat $f 2>/dev/null) || continue
        [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || continue
        pids="$pids $pid"
    done
    if [ "$1" = list ]; then
        echo $pids
        return
    fi
    for pid in $pids; do
        case " $2 " in *" $pid "*) continue ;; esac
        say "stopping a daemon the package install started (pid $pid)"
        kill "$pid" 2>/dev/null || true
        for i in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
    done
}

missing=
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' \
        || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        say "missing packages:$missing; run as root or install them first" >&2
        exit 1
    fi
    say "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    # ovn-host pulls Debian's openvswitch-switch, whose maintainer scripts
    # (like ovn-central's) start ovsdb-server, ovs-vswitchd, ovn-northd and
    # ovn-controller with Debian's paths.  Nothing here uses those daemons:
    # forbid starting services for the duration of the install (policy-rc.d,
    # exit 101), and stop any that were started anyway, by their pidfiles.
    policy=/usr/sbin/policy-rc.d
    own_policy=
    if [ ! -e $policy ]; then
        printf '#!/bin/sh\nexit 101\n' > $policy
        chmod 755 $policy
        own_policy=yes
    fi
    before=$(stop_debian_daemons list)
    apt-get update -q
    apt-get install -y -q --no-install-recommends $missing \
        || { [ -z "$own_policy" ] || rm -f $policy; exit 1; }
    [ -z "$own_policy" ] || rm -f $policy
    stop_debian_daemons stop "$before"
fi

# Open vSwitch: a dependency, unpacked and built in the git-ignored ./ovs.
ovs_tar=/usr/src/openvswitch/openvswitch.tar.gz
if [ ! -f ovs/configure ]; then
    say "unpacking $ovs_tar into ovs/"
    rm -rf ovs && mkdir ovs
    tar -xzf "$ovs_tar" -C ovs --strip-components=1
fi
# ovs-xdp's patches to Open vSwitch (ovs-patches/, each explained in its
# header), applied once: ovs/.ovs-xdp-patched holds their checksum.  A tree
# patched with other versions of them is unpacked again.  Patched sources
# are newer than the last build, so the build step below runs.
patches=$(ls ovs-patches/*.patch 2>/dev/null || true)
if [ -n "$patches" ]; then
    sum=$(cat $patches | sha256sum | cut -d' ' -f1)
    if [ -f ovs/.ovs-xdp-patched ] \
       && [ "$(cat ovs/.ovs-xdp-patched)" != "$sum" ]; then
        say "Open vSwitch was patched with other patches: unpacking again"
        rm -rf ovs && mkdir ovs
        tar -xzf "$ovs_tar" -C ovs --strip-components=1
    fi
    if [ ! -f ovs/.ovs-xdp-patched ]; then
        for p in $patches; do
            say "patching Open vSwitch: $p"
            patch -d ovs -p1 --forward --quiet < "$p"
        done
        echo "$sum" > ovs/.ovs-xdp-patched
    fi
fi
if [ ! -f ovs/config.status ]; then
    say "configuring Open vSwitch"
    (cd ovs && ./configure --enable-afxdp PYTHON3=/usr/bin/python3 \
        --prefix=/usr/local --localstatedir=/var --sysconfdir=/etc) \
        > ovs/configure.out 2>&1 \
        || { tail -n 30 ovs/configure.out >&2; exit 1; }
fi
if [ ! -f ovs/.ovs-xdp-built ] \
   || [ -n "$(find ovs/lib ovs/ofproto ovs/vswitchd -name '*.[ch]' \
              -newer ovs/.ovs-xdp-built -print -quit)" ]; then
    say "building Open vSwitch (make -j$jobs, about 10 minutes)"
    make -C ovs -j$jobs > ovs/make.out 2>&1 \
        || { tail -n 30 ovs/make.out >&2; exit 1; }
    touch ovs/.ovs-xdp-built
fi

# ovs-xdp.
if [ ! -f configure ]; then
    say "generating configure"
    ./boot.sh > /dev/null 2>&1 || ./boot.sh
fi
if [ ! -f config.status ]; then
    say "configuring ovs-xdp"
    ./configure --enable-Werror > configure.out 2>&1 \
        || { tail -n 30 configure.out >&2; exit 1; }
fi
say "building ovs-xdp"
make -j$jobs > make.out 2>&1 || { tail -n 40 make.out >&2; exit 1; }
say "done"
