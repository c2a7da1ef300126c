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
# program and kernel), after the names of the tests that failed or passed
# only on their recheck.  Run as root.
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
echo "ovs-xdp-check: run testsuite" | tee -a "$log"
make check "$@" 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" = 0 ] || status=1
make check-kernel 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" = 0 ] || status=1
# RECHECK=yes (OVS's convention) runs a failed system test once more: a
# test counts as passed if its second run passes, and is listed below.
ct_hits=tests/system-xdp-gro-testsuite.dir/ct-hits.txt
rm -f "$ct_hits"
make check-afxdp RECHECK="${RECHECK:-yes}" "$@" 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" = 0 ] || status=1
end=$(date +%s)
[ -z "$libxdp_dir" ] || rmdir $libxdp_dir 2> /dev/null || true

# Autotest prints one line per test: "  N: name   ok|skipped (...)|FAILED";
# a recheck prints the failed ones again, and the last result counts.
# check-kernel: "ovs-xdp-kernel-check: PASS|FAIL PROGRAM (OBJECT) on KERNEL".
echo
awk -v took=$((end - start)) -v status="$status" '
    /^(check-afxdp|ovs-xdp-check): (run|recheck) / {
        suite = $3
        sub(/.*\//, "", suite)
        next
    }
    /^ovs-xdp-kernel-check: (PASS|FAIL) / {
        key = "kernel" SUBSEP (++n_kernel)
        order[++n] = key
        result[key] = $2 == "PASS" ? "pass" : "fail"
        line[key] = $0
        next
    }
    /^ *[0-9]+: / {
        if ($0 ~ / (ok|expected failure)$/) {
            r = "pass"
        } else if ($0 ~ / (FAILED|UNEXPECTED PASS)( \(.*\))?$/) {
            r = "fail"
        } else if ($0 ~ / skipped( \(.*\))?$/) {
            r = "skip"
        } else {
            next
        }
        key = suite SUBSEP ($1 + 0)
        if (!(key in result)) {
            order[++n] = key
        } else if (result[key] == "fail" && r == "pass") {
            rechecked[key] = 1
        }
        result[key] = r
        line[key] = suite ": " $0
        sub(/: +/, ": ", line[key])
    }
    END {
        for (i = 1; i <= n; i++) {
            count[result[order[i]]]++
        }
        if (status != 0 && !count["fail"]) {
            count["fail"] = 1       # A testsuite that could not run at all.
        }
        for (i = 1; i <= n; i++) {
            if (order[i] in rechecked) {
                if (!shown++) {
                    print "passed on recheck (failed on the first run):"
                }
                print "  " line[order[i]]
            }
        }
        for (i = 1; i <= n; i++) {
            if (result[order[i]] == "fail") {
                if (!failed++) {
                    print "failed:"
                }
                print "  " line[order[i]]
            }
        }
        print ""
        print "tests took " took " s"
        printf "%d passed, %d failed, %d skipped\n", count["pass"], \
               count["fail"], count["skip"]
    }' "$log"
# OVS's conntrack tests with GRO on, where flows can run in XDP: those
# whose ct() XDP answered (the last run of each counts).  Most of the
# others ping, and ICMP stays in userspace.
if [ -f "$ct_hits" ]; then
    awk -F': ' '/^conntrack/ { hits[$1] = $2 + 0 }
        END {
            for (t in hits) { n++; if (hits[t] > 0) { x++ } }
            printf "OVS conntrack tests, GRO on: %d of %d with ct() " \
                   "answered in XDP\n", x, n
        }' "$ct_hits"
fi
exit $status
