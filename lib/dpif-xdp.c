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

#include "conntrack.h"
#include "dpif-netdev.h"
#include "dpif-provider.h"
#include "flow.h"
#include "coverage.h"
#include "netdev.h"
#include "netdev-offload.h"
#include "netdev-offload-xdp.h"
#include "netdev-xdp.h"
#include "odp-util.h"
#include "openvswitch/match.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/shash.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "smap.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"
#include "xdp-bpffs.h"
#include "xdp-conntrack.h"
#include "xdp-flow-table.h"
#include "xdp-flow.h"
#include "xdp-prog.h"
#include "xdp-xsk.h"

VLOG_DEFINE_THIS_MODULE(dpif_xdp);

COVERAGE_DEFINE(xdp_flow_withdrawn);
COVERAGE_DEFINE(xdp_flow_demoted);
COVERAGE_DEFINE(xdp_flow_withdraw_miss);

static struct dpif_class dpif_xdp_class;

/* Datapath options: keys of the Open_vSwitch table's other_config that
 * start with "xdp-". */
static const char *const dpif_xdp_options[] = {
    "xdp-bpffs",                /* Where bpffs is mounted. */
    "xdp-max-flows",            /* Size of the XDP flow table. */
    "xdp-max-masks",            /* Masks the XDP flow table can hold. */
    "xdp-max-conns",            /* Size of the XDP conntrack cache. */
};

static char *bpffs_root;        /* Value of other_config:xdp-bpffs. */

/* Sizes of the XDP flow table, applied when the program is loaded. */
static uint32_t max_flows = XDP_FLOW_DEFAULT_FLOWS;
static uint32_t max_masks = XDP_FLOW_DEFAULT_MASKS;
#define DPIF_XDP_FLOWS_LIMIT (4 * 1024 * 1024)
#define DPIF_XDP_MASKS_LIMIT 4096
static uint32_t max_conns = XDP_CT_DEFAULT_MAX_CONNS;
#define DPIF_XDP_CONNS_LIMIT (4 * 1024 * 1024)
static struct sset warned_options = SSET_INITIALIZER(&warned_options);

bool
dpif_is_xdp(const struct dpif *dpif)
{
    return dpif->dpif_class == &dpif_xdp_class;
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
                      "xdp-max-flows, xdp-max-masks, xdp-max-conns)",
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

/* Sets '*valuep' from other_config:'key', between 1 and 'limit', 'dflt' if
 * unset. */
static void
dpif_xdp_set_size(const struct smap *other_config, const char *key,
                  uint32_t dflt, uint32_t limit, uint32_t *valuep)
{
    const char *s = smap_get(other_config, key);
    unsigned long long int n = dflt;

    if (s && (!str_to_ullong(s, 10, &n) || !n || n > limit)) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);

        VLOG_WARN_RL(&rl, "other_config:%s=%s is not a number between 1 and "
                     "%"PRIu32"; using %"PRIu32, key, s, limit, dflt);
        n = dflt;
    }
    if (*valuep != n) {
        *valuep = n;
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
    dpif_xdp_set_size(other_config, "xdp-max-conns", XDP_CT_DEFAULT_MAX_CONNS,
                      DPIF_XDP_CONNS_LIMIT, &max_conns);
    xdp_conntrack_set_max_conns(max_conns);
    xdp_prog_configure(bpffs_root, max_flows, max_masks);
    xdp_prog_set_vlan_limit(flow_vlan_limit);
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
    /* The program that the port may load must parse as OVS does. */
    xdp_prog_set_vlan_limit(flow_vlan_limit);
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

/* Work done about once a second, from the main thread: re-ranks the masks
 * of the XDP flow tables, and the ports' upkeep. */
static long long int dpif_xdp_next_upkeep;
static long long int dpif_xdp_next_ct_sync;
#define DPIF_XDP_UPKEEP_MSEC 1000

/* dpif-netdev's run takes one batch from each rx queue of the ports
 * without a PMD thread, ours, and the main loop then does everything else
 * (OpenFlow, OVSDB, revalidation) before it takes the next: under a flood
 * of frames for userspace (partial flows, misses), they wait in the rings
 * and are lost when a ring fills, while the CPU idles between loops.  So
 * while batches come in full, take more, within a budget that keeps the
 * rest of the loop responsive. */
#define DPIF_XDP_RX_PASSES 64
#define DPIF_XDP_RX_BUDGET_USEC 1000

static bool
dpif_xdp_run_rx(struct dpif *dpif)
{
    long long int deadline = time_usec() + DPIF_XDP_RX_BUDGET_USEC;
    unsigned int full = netdev_xdp_full_batches();
    bool need_revalidate = dpif_netdev_class.run(dpif);

    for (int pass = 1; pass < DPIF_XDP_RX_PASSES; pass++) {
        if (netdev_xdp_full_batches() == full || time_usec() >= deadline) {
            break;
        }
        full = netdev_xdp_full_batches();
        need_revalidate |= dpif_netdev_class.run(dpif);
    }
    return need_revalidate;
}

static struct xdp_prog *dpif_xdp_find_prog(const struct dpif *);

/* The conntrack cache keeper of 'dpif', made on first use. */
static struct xdp_conntrack *
dpif_xdp_conntrack(const struct dpif *dpif)
{
    return xdp_conntrack_get(dpif_netdev_get_conntrack(dpif));
}

/* Keeps the conntrack cache of 'dpif' bound to the maps of its program
 * (the program is loaded and unloaded with the afxdp ports), and syncs it,
 * every XDP_CONNTRACK_SYNC_MSEC. */
static void
dpif_xdp_conntrack_run(struct dpif *dpif)
{
    if (time_msec() < dpif_xdp_next_ct_sync) {
        return;
    }
    dpif_xdp_next_ct_sync = time_msec() + XDP_CONNTRACK_SYNC_MSEC;

    struct xdp_conntrack *xc = dpif_xdp_conntrack(dpif);
    struct xdp_prog *prog = dpif_xdp_find_prog(dpif);
    struct xdp_ct_maps maps;

    if (prog && xdp_prog_ct_maps(prog, &maps)) {
        xdp_conntrack_bind(xc, &maps, xdp_prog_meta_cookie(prog));
    } else {
        xdp_conntrack_bind(xc, NULL, 0);
    }
    xdp_prog_unref(prog);
    xdp_conntrack_sync(xc, false);
}

/* dpctl/dump-conntrack: XDP's counters and last use brought in first. */
static int
dpif_xdp_ct_dump_start(struct dpif *dpif, struct ct_dpif_dump_state **dump,
                       const uint16_t *zone, int *ptot_bkts)
{
    xdp_conntrack_sync(dpif_xdp_conntrack(dpif), true);
    return dpif_netdev_class.ct_dump_start(dpif, dump, zone, ptot_bkts);
}

static bool
dpif_xdp_run(struct dpif *dpif)
{
    dpif_xdp_conntrack_run(dpif);
    /* other_config:vlan-limit may have changed since the last run. */
    xdp_prog_set_vlan_limit(flow_vlan_limit);
    if (time_msec() >= dpif_xdp_next_upkeep) {
        dpif_xdp_next_upkeep = time_msec() + DPIF_XDP_UPKEEP_MSEC;
        xdp_prog_rerank_all();
        netdev_xdp_upkeep();
    }
    netdev_xdp_run();
    return dpif_xdp_run_rx(dpif);
}

static void
dpif_xdp_wait(struct dpif *dpif)
{
    if (xdp_prog_any_loaded()) {
        poll_timer_wait_until(dpif_xdp_next_upkeep);
        poll_timer_wait_until(dpif_xdp_next_ct_sync);
    }
    netdev_xdp_wait();
    dpif_netdev_class.wait(dpif);
}

/* Returns a new reference to the XDP program of 'dpif' (xdp_prog_unref()
 * it), or NULL if no afxdp port has loaded it. */
static struct xdp_prog *
dpif_xdp_find_prog(const struct dpif *dpif)
{
    char *dp_name = xdp_prog_dp_name_for_type(dpif_type(dpif));
    struct xdp_prog *prog = xdp_prog_find(dp_name);

    free(dp_name);
    return prog;
}

/* Computes the UFID under which dpif-netdev hands the megaflow with 'key'
 * and 'mask' (ODP attributes) to the flow API provider: a hash of the
 * masked flow, made as dpif_netdev_flow_put() and dp_netdev_flow_add() make
 * it.  Returns false if the attributes do not parse. */
bool
dpif_xdp_mega_ufid(const struct nlattr *key, size_t key_len,
                   const struct nlattr *mask, size_t mask_len,
                   ovs_u128 *mega_ufid)
{
    struct flow masked;
    struct match match;

    if (odp_flow_key_to_flow(key, key_len, &match.flow, NULL)
        || odp_flow_key_to_mask(mask, mask_len, &match.wc, &match.flow,
                                NULL)) {
        return false;
    }
    /* As dpif-netdev: no VLAN tag in a key matches exactly on having
     * none. */
    if (!match.wc.masks.vlans[0].tci) {
        match.wc.masks.vlans[0].tci = htons(VLAN_VID_MASK | VLAN_CFI);
    }
    masked = match.flow;
    flow_zero_wildcards(&masked, &match.wc);
    odp_flow_key_hash(&masked, sizeof masked, mega_ufid);
    return true;
}

/* Finds the megaflow UFID of the datapath flow that 'del' deletes, by
 * reading the flow back from dpif-netdev. */
static bool
dpif_xdp_del_mega_ufid(struct dpif *dpif, const struct dpif_flow_del *del,
                       ovs_u128 *mega_ufid)
{
    uint64_t stub[DPIF_FLOW_BUFSIZE / 8];
    struct dpif_flow flow;
    struct ofpbuf buf;
    struct dpif_op op, *opp = &op;
    bool ok;

    ofpbuf_use_stub(&buf, stub, sizeof stub);
    memset(&op, 0, sizeof op);
    op.type = DPIF_OP_FLOW_GET;
    op.flow_get.key = del->key;
    op.flow_get.key_len = del->key_len;
    op.flow_get.ufid = del->ufid;
    op.flow_get.pmd_id = del->pmd_id;
    op.flow_get.buffer = &buf;
    op.flow_get.flow = &flow;
    dpif_netdev_class.operate(dpif, &opp, 1, DPIF_OFFLOAD_NEVER);
    ok = (!op.error
          && dpif_xdp_mega_ufid(flow.key, flow.key_len, flow.mask,
                                flow.mask_len, mega_ufid));
    ofpbuf_uninit(&buf);
    return ok;
}

/* dpif-netdev tells the flow API provider of deleted and modified flows
 * from its offload thread, which sleeps up to 64 ms between looks at its
 * queue: XDP would go on running a deleted flow that long.  So the datapath
 * takes such flows out of XDP itself, before dpif-netdev deletes or
 * modifies them: a deleted flow is withdrawn (its statistics stay for the
 * read that follows), a modified one turns partial, so that userspace runs
 * its new actions until the provider puts them in XDP. */
static void
dpif_xdp_withdraw_flows(struct dpif *dpif, struct dpif_op **ops,
                        size_t n_ops)
{
    struct xdp_flow_table *table;
    struct xdp_prog *prog;
    size_t i;

    /* Most batches only put and get: they need no program. */
    for (i = 0; i < n_ops; i++) {
        if (ops[i]->type == DPIF_OP_FLOW_DEL
            || (ops[i]->type == DPIF_OP_FLOW_PUT
                && ops[i]->flow_put.flags & DPIF_FP_MODIFY)) {
            break;
        }
    }
    prog = i < n_ops ? dpif_xdp_find_prog(dpif) : NULL;
    if (!prog) {
        return;
    }
    table = xdp_prog_flow_table(prog);
    for (; i < n_ops; i++) {
        struct dpif_op *op = ops[i];
        ovs_u128 mega_ufid;

        if (op->type == DPIF_OP_FLOW_DEL) {
            if (dpif_xdp_del_mega_ufid(dpif, &op->flow_del, &mega_ufid)
                && !xdp_flow_table_withdraw(table, &mega_ufid)) {
                COVERAGE_INC(xdp_flow_withdrawn);
            } else {
                COVERAGE_INC(xdp_flow_withdraw_miss);
            }
        } else if (op->type == DPIF_OP_FLOW_PUT
                   && op->flow_put.flags & DPIF_FP_MODIFY
                   && dpif_xdp_mega_ufid(op->flow_put.key,
                                         op->flow_put.key_len,
                                         op->flow_put.mask,
                                         op->flow_put.mask_len,
                                         &mega_ufid)
                   && !xdp_flow_table_demote(table, &mega_ufid)) {
            COVERAGE_INC(xdp_flow_demoted);
        }
    }
    xdp_prog_unref(prog);
}

static void
dpif_xdp_operate(struct dpif *dpif, struct dpif_op **ops, size_t n_ops,
                 enum dpif_offload_type offload_type)
{
    dpif_xdp_withdraw_flows(dpif, ops, n_ops);
    dpif_netdev_class.operate(dpif, ops, n_ops, offload_type);
}

/* Empties the XDP flow table at once, for the reason above. */
static int
dpif_xdp_flow_flush(struct dpif *dpif)
{
    struct xdp_prog *prog = dpif_xdp_find_prog(dpif);

    if (prog) {
        xdp_flow_table_flush(xdp_prog_flow_table(prog),
                             XDP_FLOW_TABLE_ALL_PORTS);
        xdp_prog_unref(prog);
    }
    return dpif_netdev_class.flow_flush(dpif);
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
    dpif_xdp_class.operate = dpif_xdp_operate;
    dpif_xdp_class.flow_flush = dpif_xdp_flow_flush;
    dpif_xdp_class.ct_dump_start = dpif_xdp_ct_dump_start;
    xdp_xsk_set_ct_slot_cb(xdp_conntrack_hand_back_by_cookie);

    dp_register_provider(&dpif_xdp_class);
}
