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

# Proves that the BPF programs load and run on Debian 12's kernel 6.1, not
# only on the kernel of this machine: runs LOADER (the static
# utilities/ovs-xdp-kernel-check) on OBJECTS here, then again in a virtual
# machine that boots Debian 12's kernel with an initramfs of busybox, LOADER
# and OBJECTS.  "make check-kernel" runs it.
#
# usage: ovs-xdp-kernel-check.sh LOADER OBJECT...
#
# Exits 0 only if the loader printed PASS for every program of every OBJECT
# (the global functions of their program sections, listed with readelf
# here, not by the loader) on a kernel whose version starts with 6.1, and on
# this machine's kernel.
#
# Environment:
#   OVS_XDP_KERNEL_CACHE    where the kernel is kept once extracted
#                           (default /var/cache/ovs-xdp/kernel)
#   OVS_XDP_KERNEL_PACKAGE  the Debian package of the kernel (default: the
#                           one linux-image-amd64 depends on, unsigned)
#   OVS_XDP_KERNEL_ACCEL    tcg (software emulation, the default) or kvm
#   OVS_XDP_KERNEL_TIMEOUT  seconds the virtual machine may run (default 300)
#   OVS_XDP_KERNEL_NO_HOST  if set, skips the run on this machine's kernel

set -e -o pipefail

say() { printf 'ovs-xdp-kernel-check.sh: %s\n' "$*"; }
die() { say "FAIL: $*" >&2; exit 1; }

[ $# -ge 2 ] || { echo "usage: $0 LOADER OBJECT..." >&2; exit 2; }
loader=$1
shift
for f in "$loader" "$@"; do
    [ -f "$f" ] || die "$f: no such file (run make first)"
done

cache=${OVS_XDP_KERNEL_CACHE:-/var/cache/ovs-xdp/kernel}
timeout=${OVS_XDP_KERNEL_TIMEOUT:-300}
start=$(date +%s)

tmp=$(mktemp -d /tmp/ovs-xdp-kernel-check.XXXXXX)
chmod 755 "$tmp"                # For apt-get download, run as _apt.
qemu_pid=
cleanup() {
    if [ -n "$qemu_pid" ]; then
        kill "$qemu_pid" 2> /dev/null || true
        wait "$qemu_pid" 2> /dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Debian packages: installed the way utilities/ovs-xdp-build.sh does.
packages="qemu-system-x86 busybox-static cpio binutils"
missing=
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' \
        || missing="$missing $p"
done
if [ -n "$missing" ]; then
    [ "$(id -u)" = 0 ] \
        || die "missing packages:$missing; run as root or install them first"
    say "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q > /dev/null
    apt-get install -y -q --no-install-recommends $missing > /dev/null
fi

# The programs that must pass: the global functions of each object's
# executable sections other than .text (where the subprograms are).
expected=
for obj in "$@"; do
    names=$(readelf -SW "$obj" | sed 's/^ *\[ *\([0-9]*\)\]/\1/' | awk '
        $2 != ".text" && $8 ~ /X/ { secs = secs " " $1 } END { print secs }')
    names=$(readelf -sW "$obj" | awk -v secs=" $names " '
        $4 == "FUNC" && $5 == "GLOBAL" && index(secs, " " $7 " ") {
            print $8 }')
    [ -n "$names" ] || die "$obj: no programs"
    for n in $names; do
        expected="$expected $n:$(basename "$obj")"
    done
done

# Prints file $1 without carriage returns and terminal escapes (the
# firmware's, on the serial console).
clean() {
    tr -d '\r' < "$1" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g'
}

# Checks the loader's output in file $1, from a kernel whose version must
# match the shell pattern $2: prints its lines, returns 0 if it passed.
check_output() {
    local out=$1 pattern=$2 kernel status=0 prog obj

    clean "$out" | sed -n '/^ovs-xdp-kernel-check: /,$p' \
        | grep -v '^ovs-xdp-kernel-check: kernel ' \
        | grep -Ev '^\[ *[0-9]+\.[0-9]+\]|^reboot: ' || true
    kernel=$(clean "$out" \
             | sed -n 's/^ovs-xdp-kernel-check: kernel \(.*\)$/\1/p')
    case $kernel in
        $pattern) ;;
        *) say "FAIL: kernel '$kernel', expected $pattern"; return 1 ;;
    esac
    for e in $expected; do
        prog=${e%%:*}
        obj=${e#*:}
        if ! clean "$out" | grep -Fq \
             "ovs-xdp-kernel-check: PASS $prog ($obj) on $kernel: "; then
            say "FAIL: no PASS for $prog ($obj) on $kernel"
            status=1
        fi
    done
    if clean "$out" | grep -q '^ovs-xdp-kernel-check: FAIL '; then
        status=1
    fi
    if ! clean "$out" \
         | grep -q '^ovs-xdp-kernel-check.sh: loader exit status 0$'; then
        say "FAIL: the loader did not exit with status 0 on $kernel"
        status=1
    fi
    if ! clean "$out" | grep -Eq \
         '^ovs-xdp-kernel-check: [0-9]+ programs: [0-9]+ passed, 0 failed'
    then
        say "FAIL: the loader did not finish with 0 failed on $kernel"
        status=1
    fi
    return $status
}

status=0
host_kernel=
if [ -z "$OVS_XDP_KERNEL_NO_HOST" ]; then
    host_kernel=$(uname -r)
    rc=0
    "$loader" "$@" > "$tmp/host.out" 2>&1 || rc=$?
    echo "ovs-xdp-kernel-check.sh: loader exit status $rc" >> "$tmp/host.out"
    check_output "$tmp/host.out" "$host_kernel" || status=1
fi

# The kernel: Debian 12's, from its package, which is downloaded (not
# installed) and of which only vmlinuz is kept.
pkg=$OVS_XDP_KERNEL_PACKAGE
resolve_package() {
    local image
    image=$(apt-cache depends linux-image-amd64 2> /dev/null \
            | sed -n 's/^ *Depends: \(linux-image-6\.1\.[^ ]*\)$/\1/p' \
            | head -n 1)
    [ -n "$image" ] || return 1
    if apt-cache show "$image-unsigned" > /dev/null 2>&1; then
        echo "$image-unsigned"
    else
        echo "$image"
    fi
}
if [ -z "$pkg" ]; then
    pkg=$(resolve_package) \
        || { apt-get update -q > /dev/null 2>&1 || true
             pkg=$(resolve_package) || true; }
fi
kernel_version=
if [ -n "$pkg" ]; then
    kernel_version=$(echo "$pkg" | sed 's/^linux-image-//; s/-unsigned$//')
fi
vmlinuz=$cache/vmlinuz-$kernel_version
if [ -z "$kernel_version" ]; then
    # No package list (offline): the newest kernel already in the cache.
    vmlinuz=$(ls -1 "$cache"/vmlinuz-6.1.* 2> /dev/null | sort -V | tail -n 1)
    [ -n "$vmlinuz" ] || die "no Debian 6.1 kernel package found by apt-cache"
    kernel_version=${vmlinuz##*/vmlinuz-}
elif [ ! -f "$vmlinuz" ]; then
    say "fetching $pkg into $cache"
    mkdir -p "$tmp/deb" "$cache"
    # apt downloads as _apt when it can write the directory.
    chown _apt "$tmp/deb" 2> /dev/null || true
    (cd "$tmp/deb" && apt-get download -q "$pkg" > /dev/null) \
        || die "apt-get download $pkg failed"
    dpkg-deb --fsys-tarfile "$tmp"/deb/*.deb \
        | tar -x -C "$tmp/deb" "./boot/vmlinuz-$kernel_version"
    rm -f "$cache"/vmlinuz-*
    mv "$tmp/deb/boot/vmlinuz-$kernel_version" "$vmlinuz"
    rm -rf "$tmp/deb"
fi
case $kernel_version in
    6.1.*) ;;
    *) die "$pkg is not a 6.1 kernel" ;;
esac

# The initramfs: busybox, the loader and the objects; /init runs the loader
# and powers the machine off.
root=$tmp/root
mkdir -p "$root/bin" "$root/bpf" "$root/proc" "$root/sys" "$root/dev"
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$loader" "$root/ovs-xdp-kernel-check"
objects=
for obj in "$@"; do
    cp "$obj" "$root/bpf/"
    objects="$objects /bpf/$(basename "$obj")"
done
cat > "$root/init" <<EOF
#! /bin/sh
export PATH=/bin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t bpf bpffs /sys/fs/bpf
ip link set lo up
echo
/ovs-xdp-kernel-check$objects
echo "ovs-xdp-kernel-check.sh: loader exit status \$?"
poweroff -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$tmp/initrd.gz"

# Software emulation by default: it takes seconds, and works where KVM is
# nested in a virtual machine of its own (where Debian's kernel may hang
# right after it is decompressed, as on the machines of this project).
accel=${OVS_XDP_KERNEL_ACCEL:-tcg}
case $accel in
    kvm) [ -w /dev/kvm ] || die "/dev/kvm is not usable"
         accel_args="-accel kvm" ;;
    tcg) accel_args="-accel tcg" ;;
    *) die "OVS_XDP_KERNEL_ACCEL=$accel: kvm or tcg" ;;
esac

say "booting $kernel_version with qemu ($accel, at most $timeout s)"
vm_start=$(date +%s)
timeout -k 10 "$timeout" qemu-system-x86_64 $accel_args -m 2048 -smp 2 \
    -nographic -no-reboot -nic none \
    -kernel "$vmlinuz" -initrd "$tmp/initrd.gz" \
    -append "console=ttyS0 panic=-1 quiet loglevel=3" \
    < /dev/null > "$tmp/vm.out" 2>&1 &
qemu_pid=$!
vm_status=0
wait "$qemu_pid" || vm_status=$?
qemu_pid=
vm_end=$(date +%s)
if [ "$vm_status" = 124 ]; then
    say "FAIL: the virtual machine did not power off within $timeout s"
fi
if ! check_output "$tmp/vm.out" "6.1.*"; then
    status=1
    if ! clean "$tmp/vm.out" | grep -q '^ovs-xdp-kernel-check.sh: loader exit'
    then
        say "last lines of the virtual machine's console:"
        clean "$tmp/vm.out" | tail -n 30
    fi
fi

end=$(date +%s)
n=$(echo $expected | wc -w)
if [ $status = 0 ]; then
    say "PASS: $n programs load and run on $kernel_version${host_kernel:+ and $host_kernel} (virtual machine $((vm_end - vm_start)) s, total $((end - start)) s)"
else
    say "FAIL: see above (total $((end - start)) s)"
fi
exit $status
