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

# Runs the tests: builds whatever is missing, then "make check" (unit
# tests), "make check-kernel" (every BPF program loads and runs on this
# machine's kernel and on Debian 12's 6.1, in a virtual machine) and "make
# check-afxdp" (system tests: OVS's system-traffic.at and ovs-xdp's own, on
# datapath_type=xdp with afxdp ports), and ends with one line that sums
# them: "N passed, M failed, K skipped" (check-kernel counts one test per
# program and kernel).  Run as root.
# Extra arguments go to both testsuites (e.g. TESTSUITEFLAGS=-k ping).

set -e
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/utilities/ovs-xdp-build.sh"
cd "$top"

log=$(mktemp /tmp/ovs-xdp-check.XXXXXX)
trap 'rm -f "$log"' EXIT

# libxdp, which OVS links for AF_XDP, makes an empty state directory in
# bpffs when ovs-vswitchd exits: remove it afterwards if it is new.
libxdp_dir=/sys/fs/bpf/xdp
[ -e $libxdp_dir ] && libxdp_dir=

status=0
start=$(date +%s)
# A pipeline's status is its last command's (tee): take make's.
make check "$@" 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" = 0 ] || status=1
make check-kernel 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" = 0 ] || status=1
make check-afxdp "$@" 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" = 0 ] || status=1
end=$(date +%s)
[ -z "$libxdp_dir" ] || rmdir $libxdp_dir 2> /dev/null || true

# Autotest prints one line per test: "  N: name   ok|skipped (...)|FAILED".
passed=$(grep -Ec '^ *[0-9]+: .* (ok|expected failure)$' "$log" || true)
failed=$(grep -Ec '^ *[0-9]+: .* (FAILED|UNEXPECTED PASS)( \(.*\))?$' \
         "$log" || true)
skipped=$(grep -Ec '^ *[0-9]+: .* skipped( \(.*\))?$' "$log" || true)
# check-kernel: "ovs-xdp-kernel-check: PASS|FAIL PROGRAM (OBJECT) on KERNEL".
passed=$((passed + $(grep -c '^ovs-xdp-kernel-check: PASS ' "$log" || true)))
failed=$((failed + $(grep -c '^ovs-xdp-kernel-check: FAIL ' "$log" || true)))
if [ "$status" != 0 ] && [ "$failed" = 0 ]; then
    failed=1                    # A testsuite that could not run at all.
fi
echo
echo "tests took $((end - start)) s"
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
