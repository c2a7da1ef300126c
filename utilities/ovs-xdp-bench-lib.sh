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

# Shell code shared by the benchmarks (ovs-xdp-bench-live.sh,
# ovs-xdp-bench-qos.sh, ovs-xdp-compare.sh).  Sourced, after setting
# bench_name:
#
#   bench_name=ovs-xdp-bench-foo
#   . "$top/utilities/ovs-xdp-bench-lib.sh"
#
# It sets up the removal of what the benchmark creates: links named in
# $bench_links, namespaces in $bench_ns, processes in $bench_pids (by PID
# only), the sandbox's daemons and namespaces (if ovs-xdp-sandbox.sh is
# sourced too) and whatever the function bench_cleanup_hook removes, if the
# benchmark defines it.  All of it runs however the script exits (EXIT, and
# INT and TERM turned into an exit).

fail() { echo "${bench_name:-bench}: $*" >&2; exit 1; }
verbose() { [ "${VERBOSE:-0}" = 1 ]; }

bench_links=
bench_ns=
bench_pids=
bench_cleanup() {
    set +e
    local p l n
    if declare -F bench_cleanup_hook > /dev/null; then
        bench_cleanup_hook
    fi
    for p in $bench_pids; do
        kill "$p" 2> /dev/null
    done
    if declare -F sandbox_cleanup > /dev/null; then
        sandbox_cleanup
        # shellcheck disable=SC2034 # the sandbox's lists, for its next start
        sandbox_namespaces='' sandbox_links=''
    fi
    for l in $bench_links; do
        ip link del "$l" 2> /dev/null
    done
    for n in $bench_ns; do
        ip netns del "$n" 2> /dev/null
    done
    bench_links='' bench_ns='' bench_pids=''
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# median FORMAT: the median of the numbers on stdin, one per line ("-" if
# there are none).
median() {
    sort -g | awk -v fmt="$1\n" '{ v[NR] = $1 }
        END { if (!NR) { print "-"; exit }
              if (NR % 2) printf fmt, v[(NR + 1) / 2];
              else printf fmt, (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# percentile P: the P-th percentile (nearest rank) of the numbers on stdin.
percentile() {
    sort -g | awk -v p="$1" '{ v[NR] = $1 }
        END { if (!NR) { print "-"; exit }
              r = int(p / 100 * NR); if (r < p / 100 * NR) r++;
              if (r < 1) r = 1;
              printf "%.3f\n", v[r] }'
}

# quiet_link [ip netns exec NS] LINK: sets LINK up without IPv6, so that
# no router solicitation or MLD report adds frames or megaflows.
quiet_link() {
    local link=${*: -1}
    "${@:1:$#-1}" sh -c "echo 1 > /proc/sys/net/ipv6/conf/$link/disable_ipv6" \
        2> /dev/null || true
    "${@:1:$#-1}" ip link set "$link" up
}

# bit_ip K: the IPv4 address with only bit K set.
bit_ip() {
    local v=$((1 << $1))
    echo "$((v >> 24 & 255)).$((v >> 16 & 255)).$((v >> 8 & 255)).$((v & 255))"
}

# count_masks [OVS-APPCTL...]: distinct masks among the datapath's
# megaflows (each flow's match with its values blanked out, masks kept).
count_masks() {
    "${@:-ovs-appctl}" dpctl/dump-flows 2> /dev/null | grep 'actions:' \
        | sed -e 's/^ufid:[^ ]* //' -e 's/, packets:.*//' \
              -e 's/=[^=,()/]*\//=\//g' -e 's/=[^=,()/]*\([,)]\)/=*\1/g' \
        | sort -u | grep -c . || true
}

# count_flows [OVS-APPCTL...]: the datapath's megaflows.
count_flows() {
    "${@:-ovs-appctl}" dpctl/dump-flows 2> /dev/null | grep -c 'actions:' \
        || true
}

# pid_ticks PID: CPU time of process PID so far (user + system, all
# threads), in clock ticks.
pid_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# softirq_ticks: time all CPUs spent in softirq so far, in clock ticks.
softirq_ticks() { awk '/^cpu / { print $8 }' /proc/stat; }

# cpu_percent TICKS SECONDS: % of one core.
cpu_percent() {
    awk -v t="$1" -v s="$2" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { printf "%.2f\n", 100 * t / hz / s }'
}
