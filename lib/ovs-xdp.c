/*
 * Copyright (c) 2026 The ovs-xdp authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at:
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

#include <config.h>

#include "ovs-xdp.h"

#include <unistd.h>

#include "dpif-xdp.h"
#include "dummy.h"
#include "netdev.h"
#include "netdev-offload-provider.h"
#include "netdev-offload-xdp.h"
#include "netdev-xdp.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "sset.h"

VLOG_DEFINE_THIS_MODULE(ovs_xdp);

void
ovs_xdp_init(void)
{
    static struct ovsthread_once once = OVSTHREAD_ONCE_INITIALIZER;

    if (!ovsthread_once_start(&once)) {
        return;
    }

    if (geteuid()) {
        VLOG_ERR("not running as root: datapath_type=xdp needs root "
                 "(CAP_NET_ADMIN, CAP_BPF and CAP_NET_RAW) to attach XDP "
                 "programs and open AF_XDP sockets; start ovs-vswitchd as "
                 "root");
    }

    /* dpif-netdev creates the local port of any datapath class but its own
     * as "dummy-internal", and datapath creation fails without that type.
     * ovs-vswitchd --enable-dummy has registered it already. */
    struct sset types = SSET_INITIALIZER(&types);
    netdev_enumerate_types(&types);
    if (!sset_contains(&types, "dummy-internal")) {
        netdev_dummy_register(DUMMY_OVERRIDE_NONE);
    }
    sset_destroy(&types);

    /* The xdp datapath turns the flow API on by itself.  The TC provider
     * would then take any port with an ifindex, afxdp ones included (and
     * add ingress qdiscs to them), before ours is asked: it serves only
     * the kernel datapath, which ovs-xdp's ovs-vswitchd does not offload. */
    netdev_unregister_flow_api_provider("linux_tc");
    netdev_xdp_register();
    netdev_offload_xdp_register();
    dpif_xdp_register();
    dpif_xdp_unixctl_register();
    ovsthread_once_done(&once);
}
