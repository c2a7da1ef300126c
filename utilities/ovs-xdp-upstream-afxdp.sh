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

# Runs OVS's own "make check-afxdp" (upstream ovs-vswitchd, upstream afxdp
# ports, datapath_type=netdev) from the OVS build in ovs/, with this
# machine's log noise allowed, as the baseline for ovs-xdp's check-afxdp.
# It runs in a network and mount namespace of its own, so it can run next to
# ovs-xdp's testsuites.  Arguments go to the testsuite (e.g. -k ping).
# Output: ovs/tests/system-afxdp-cmp-testsuite.log.  Root.

set -e
top=$(cd "$(dirname "$0")/.." && pwd)
ovs=${OVS_BUILDDIR:-$top/ovs}
suite=$ovs/tests/system-afxdp-cmp-testsuite

autom4te --language=autotest -I "$top" -I "$ovs" \
    -o "$suite" "$top/tests/upstream/system-afxdp-cmp.at"

# The testsuite names its namespaces and veths as ovs-xdp's do: give it
# its own /run/netns and its own network namespace.
exec unshare --mount --net --propagation private bash -c '
    mkdir -p /run/netns && mount -t tmpfs tmpfs /run/netns
    ip link set lo up
    cd "$1/tests" && shift 2 && exec bash "$0" -C . \
        AUTOTEST_PATH=utilities:vswitchd:ovsdb:vtep:tests -j1 "$@"
' "$suite" "$ovs" -- "$@"
