#! /bin/sh
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

# Benchmark of the XDP datapath program through BPF_PROG_RUN (not a test):
# ns/packet for 1, 8, 32 and 64 masks and 1, 1000 and 100000 flows, with
# the exact-match cache hitting and with the cache turned off (tuple-space
# search only), next to a program that only calls bpf_redirect_map(); then
# ns/packet of a two-pass stateful pipeline whose connection is in XDP's
# conntrack cache.  It runs utilities/ovs-xdp-bench-prog
# (ovs-xdp-bench-prog.c).
#
# usage: ovs-xdp-bench.sh [REPEAT]      (default 100000; needs root)

set -e
top=$(cd "$(dirname "$0")/.." && pwd)
repeat=${1:-100000}
bench=$top/utilities/ovs-xdp-bench-prog

if test ! -x "$bench"; then
    echo "ovs-xdp-bench: build first ($bench is missing)" >&2
    exit 1
fi
if ! "$bench" probe >/dev/null; then
    "$bench" probe >&2
    exit 1
fi
printf 'kernel %s, %s CPUs\n' "$(uname -r)" "$(nproc)"
"$bench" "$repeat"
exec "$bench" ct "$repeat"
