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

/* The "xdp" datapath class.
 *
 * It is OVS's userspace datapath class under another type, as OVS's own
 * dummy datapath is, so that every feature of dpif-netdev keeps working on
 * an xdp bridge; the XDP tier plugs in underneath through the flow offload
 * API.  dpif-netdev treats every class but its own as a test double; the
 * members overridden here undo the two effects of that which users would
 * see. */

#include <config.h>

#include "dpif-xdp.h"

#include <errno.h>
#include <string.h>

#include "dpif-provider.h"
#include "netdev.h"
#include "netdev-offload.h"
#include "netdev-xdp.h"
#include "odp-util.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "smap.h"
#include "sset.h"
#include "util.h"
#include "ovs-atomic.h"
#include "xdp-bpffs.h"
#include "xdp-flow.h"
#include "xdp-prog.h"

VLOG_DEFINE_THIS_MODULE(dpif_xdp);

static struct dpif_class dpif_xdp_class;

/* Datapath options: keys of the Open_vSwitch table's other_config that
 * start with "xdp-". */
static const char *const dpif_xdp_options[] = {
    "xdp-bpffs",                /* Where bpffs is mounted. */
    "xdp-max-flows",            /* Size of the XDP flow table. */
    "xdp-max-masks",            /* Masks the XDP flow table can hold. */
};

static char *bpffs_root;        /* Value of other_config:xdp-bpffs. */

/* Sizes of the XDP flow table, applied when the program is loaded. */
static atomic_uint32_t max_flows = XDP_FLOW_DEFAULT_FLOWS;
static atomic_uint32_t max_masks = XDP_FLOW_DEFAULT_MASKS;
#define DPIF_XDP_FLOWS_LIMIT (4 * 1024 * 1024)
#define DPIF_XDP_MASKS_LIMIT 4096
static struct sset warned_options = SSET_INITIALIZER(&warned_options);

bool
dpif_is_xdp(const struct dpif *dpif)
{
    return dpif->dpif_class == &dpif_xdp_class;
}

/* Returns the bpffs mount point that xdp datapaths pin their maps under. */
const char *
dpif_xdp_bpffs_root(void)
{
    return bpffs_root ? bpffs_root : XDP_BPFFS_DEFAULT;
}

static bool
dpif_xdp_is_option(const char *key)
{
    for (size_t i = 0; i < ARRAY_SIZE(dpif_xdp_options); i++) {
        if (!strcmp(key, dpif_xdp_options[i])) {
            return true;
        }
    }
    return false;
}

static void
dpif_xdp_check_options(const struct smap *other_config)
{
    struct smap_node *node;

    SMAP_FOR_EACH (node, other_config) {
        if (!strncmp(node->key, "xdp-", 4) && !dpif_xdp_is_option(node->key)
            && sset_add(&warned_options, node->key)) {
            VLOG_WARN("unknown datapath option other_config:%s ignored "
                      "(options of datapath_type=xdp: xdp-bpffs, "
                      "xdp-max-flows, xdp-max-masks)",
                      node->key);
        }
    }
}

/* Sets the bpffs mount point from other_config:xdp-bpffs ('root', null if
 * unset).  A mount point the user names is checked at once; the default one
 * is mounted when first needed. */
static void
dpif_xdp_set_bpffs_root(const char *root)
{
    char *error_msg;

    if (nullable_string_is_equal(root, bpffs_root)) {
        return;
    }
    free(bpffs_root);
    bpffs_root = nullable_xstrdup(root);
    if (bpffs_root && xdp_bpffs_check(bpffs_root, &error_msg)) {
        VLOG_ERR("%s", error_msg);
        free(error_msg);
    }
}

uint32_t
dpif_xdp_max_flows(void)
{
    uint32_t n;

    atomic_read_relaxed(&max_flows, &n);
    return n;
}

uint32_t
dpif_xdp_max_masks(void)
{
    uint32_t n;

    atomic_read_relaxed(&max_masks, &n);
    return n;
}

/* Sets '*valuep' from other_config:'key', between 1 and 'limit', 'dflt' if
 * unset. */
static void
dpif_xdp_set_size(const struct smap *other_config, const char *key,
                  uint32_t dflt, uint32_t limit, atomic_uint32_t *valuep)
{
    const char *s = smap_get(other_config, key);
    unsigned long long int n = dflt;
    uint32_t old;

    if (s && (!str_to_ullong(s, 10, &n) || !n || n > limit)) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);

        VLOG_WARN_RL(&rl, "other_config:%s=%s is not a number between 1 and "
                     "%"PRIu32"; using %"PRIu32, key, s, limit, dflt);
        n = dflt;
    }
    atomic_read_relaxed(valuep, &old);
    if (old != n) {
        atomic_store_relaxed(valuep, n);
        if (xdp_prog_any_loaded()) {
            VLOG_INFO("other_config:%s=%llu takes effect when the XDP "
                      "program is next loaded (when ovs-vswitchd restarts "
                      "or the datapath's last afxdp port is removed)",
                      key, n);
        }
    }
}

/* dpif-netdev gives flows to a flow API provider only while the flow API
 * is enabled; the xdp datapath needs it whatever hw-offload says. */
static void
dpif_xdp_enable_flow_api(const struct smap *other_config)
{
    struct smap config;

    smap_clone(&config, other_config);
    smap_replace(&config, "hw-offload", "true");
    netdev_set_flow_api_enabled(&config);
    smap_destroy(&config);
}

static int
dpif_xdp_set_config(struct dpif *dpif, const struct smap *other_config)
{
    /* Said here rather than at registration, which runs while ovs-vswitchd
     * still writes INFO to the console. */
    VLOG_INFO_ONCE("ovs-xdp %s on Open vSwitch %s", OVS_XDP_VERSION,
                   OVS_XDP_OVS_VERSION);
    dpif_xdp_check_options(other_config);
    dpif_xdp_set_bpffs_root(smap_get(other_config, "xdp-bpffs"));
    dpif_xdp_set_size(other_config, "xdp-max-flows", XDP_FLOW_DEFAULT_FLOWS,
                      DPIF_XDP_FLOWS_LIMIT, &max_flows);
    dpif_xdp_set_size(other_config, "xdp-max-masks", XDP_FLOW_DEFAULT_MASKS,
                      DPIF_XDP_MASKS_LIMIT, &max_masks);
    dpif_xdp_enable_flow_api(other_config);
    return dpif_netdev_class.set_config(dpif, other_config);
}

/* dpif-netdev opens the internal ports of classes other than its own as
 * "dummy-internal"; the bridges of an xdp datapath need real tap devices. */
static const char *
dpif_xdp_port_open_type(const struct dpif_class *class OVS_UNUSED,
                        const char *type)
{
    return strcmp(type, "internal") ? type : "tap";
}

/* dpif-netdev numbers the ports of classes other than its own after the
 * digits in their names, for predictable unit tests.  Number ours as the
 * userspace datapath does: the lowest free number. */
static int
dpif_xdp_port_add(struct dpif *dpif, struct netdev *netdev,
                  odp_port_t *port_nop)
{
    if (*port_nop == ODPP_NONE) {
        uint32_t port_no;

        for (port_no = 1; port_no < odp_to_u32(ODPP_NONE); port_no++) {
            if (dpif_netdev_class.port_query_by_number(
                    dpif, u32_to_odp(port_no), NULL) == ENODEV) {
                break;
            }
        }
        if (port_no >= odp_to_u32(ODPP_NONE)) {
            return EFBIG;
        }
        *port_nop = u32_to_odp(port_no);
    }
    /* dpif_port_add() records the datapath type only once the port is in;
     * afxdp ports need it while dpif-netdev configures them, to find their
     * datapath's XDP program. */
    netdev_set_dpif_type(netdev, DPIF_XDP_TYPE);
    netdev_xdp_set_odp_port(netdev, *port_nop);
    netdev_xdp_set_adding(netdev, true);
    int error = dpif_netdev_class.port_add(dpif, netdev, port_nop);
    netdev_xdp_set_adding(netdev, false);
    if (error) {
        /* dpif-netdev says EINVAL for any port that failed to configure;
         * the bridge shows the errno in the interface's error column. */
        int setup_error = netdev_xdp_get_setup_error(netdev);
        if (setup_error) {
            error = setup_error;
        }
    }
    return error;
}

static bool
dpif_xdp_run(struct dpif *dpif)
{
    /* other_config:vlan-limit may have changed since the last run. */
    xdp_prog_sync_vlan_limit();
    netdev_xdp_run();
    return dpif_netdev_class.run(dpif);
}

static void
dpif_xdp_wait(struct dpif *dpif)
{
    netdev_xdp_wait();
    dpif_netdev_class.wait(dpif);
}

/* Registers the "xdp" datapath class.  Call once, before the bridge opens
 * datapaths. */
void
dpif_xdp_register(void)
{
    dpif_xdp_class = dpif_netdev_class;
    dpif_xdp_class.type = DPIF_XDP_TYPE;
    dpif_xdp_class.port_open_type = dpif_xdp_port_open_type;
    dpif_xdp_class.port_add = dpif_xdp_port_add;
    dpif_xdp_class.set_config = dpif_xdp_set_config;
    dpif_xdp_class.run = dpif_xdp_run;
    dpif_xdp_class.wait = dpif_xdp_wait;

    dp_register_provider(&dpif_xdp_class);
}
