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

/* The commands of the xdp datapath, for ovs-appctl: xdp/show (the program,
 * its counters, the flow table's use, the ports), xdp/dump-flows (the XDP
 * flow table) and xdp/check (the program's maps against userspace).  What
 * they show is asked of the layers below; nothing here changes state but
 * xdp/check's repairs, which xdp-prog makes. */

#include <config.h>

#include <string.h>

#include "dpif.h"
#include "dpif-xdp.h"
#include "netdev-offload-xdp.h"
#include "netdev-xdp.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/vlog.h"
#include "unixctl.h"
#include "util.h"
#include "xdp-conntrack.h"
#include "xdp-flow-table.h"
#include "xdp-map.h"
#include "xdp-prog.h"

VLOG_DEFINE_THIS_MODULE(dpif_xdp_unixctl);

/* The conntrack cache of 'prog' and what the program did with it ('c', its
 * counters); if 'verbose', its connections. */
static void
dpif_xdp_unixctl_format_ct(struct ds *s, const struct xdp_prog *prog,
                           const uint64_t c[XDP_ABI_N_COUNTERS], bool verbose)
{
    struct xdp_conntrack *xc;
    struct xdp_conntrack_stats st;

    xc = xdp_conntrack_find_by_cookie(xdp_prog_meta_cookie(prog));
    if (!xc) {
        return;
    }
    xdp_conntrack_get_stats(xc, &st);
    ds_put_format(s, "  conntrack: %"PRIu64" ct hits (answered in XDP), "
                  "%"PRIu64" ct misses, %"PRIu64" handed back; "
                  "%"PRIu64" recirculations (%"PRIu64" over the limit)\n",
                  c[XDP_ABI_CNT_CT_HIT], c[XDP_ABI_CNT_CT_MISS],
                  c[XDP_ABI_CNT_CT_HANDED_BACK], c[XDP_ABI_CNT_RECIRC],
                  c[XDP_ABI_CNT_RECIRC_LIMIT]);
    ds_put_format(s, "  conntrack cache: cached connections: %"PRIu32"/%"
                  PRIu32", left in userspace: %"PRIu64" (offers refused, "
                  "cache full)", st.n_conns, st.max_conns, st.n_full);
    if (st.n_errors) {
        ds_put_format(s, ", %"PRIu64" map errors", st.n_errors);
    }
    ds_put_char(s, '\n');
    if (verbose) {
        xdp_conntrack_format_conns(xc, s);
    }
}

/* xdp/show [-m]: the XDP program of each datapath, what it did, its
 * ports. */
static void
dpif_xdp_unixctl_show(struct unixctl_conn *conn, int argc,
                      const char *argv[], void *aux OVS_UNUSED)
{
    bool verbose = argc > 1 && !strcmp(argv[1], "-m");
    struct ds s = DS_EMPTY_INITIALIZER;
    struct xdp_prog **progs;
    size_t n;

    progs = xdp_prog_find_all(&n);
    for (size_t i = 0; i < n; i++) {
        struct xdp_prog *prog = progs[i];
        uint64_t c[XDP_ABI_N_COUNTERS];

        xdp_prog_get_counters(prog, c);
        ds_put_format(&s, "%s:\n  program: id %"PRIu32", maps in %s\n",
                      xdp_prog_dp_name(prog), xdp_prog_id(prog),
                      xdp_prog_pin_dir(prog));
        ds_put_format(&s, "  packets: %"PRIu64" received, %"PRIu64" handled "
                      "in XDP, %"PRIu64" dropped, %"PRIu64" to the kernel\n",
                      c[XDP_ABI_CNT_RX], c[XDP_ABI_CNT_HANDLED],
                      c[XDP_ABI_CNT_DROPPED], c[XDP_ABI_CNT_PASS]);
        ds_put_format(&s, "  to userspace: %"PRIu64" (miss %"PRIu64", "
                      "partial %"PRIu64", unparsed %"PRIu64")\n",
                      c[XDP_ABI_CNT_TO_XSK], c[XDP_ABI_CNT_UPCALL_MISS],
                      c[XDP_ABI_CNT_UPCALL_PARTIAL],
                      c[XDP_ABI_CNT_UPCALL_UNPARSED]);
        uint64_t lookups = c[XDP_ABI_CNT_EMC_HIT] + c[XDP_ABI_CNT_EMC_MISS];
        ds_put_format(&s, "  cache: %"PRIu64" hits, %"PRIu64" misses "
                      "(hit rate %.1f%%); megaflow hits %"PRIu64"\n",
                      c[XDP_ABI_CNT_EMC_HIT], c[XDP_ABI_CNT_EMC_MISS],
                      lookups ? 100.0 * c[XDP_ABI_CNT_EMC_HIT] / lookups : 0,
                      c[XDP_ABI_CNT_MEGAFLOW_HIT]);
        ds_put_format(&s, "  output not possible in XDP: %"PRIu64", header "
                      "to rewrite truncated or out of reach: %"PRIu64", "
                      "failed actions: %"PRIu64", no metadata room: "
                      "%"PRIu64"\n",
                      c[XDP_ABI_CNT_NO_TX_PORT], c[XDP_ABI_CNT_SHORT_HEADER],
                      c[XDP_ABI_CNT_ACTION_ERROR], c[XDP_ABI_CNT_META_FAIL]);
        if (c[XDP_ABI_CNT_POLICED_INGRESS] || c[XDP_ABI_CNT_POLICED_EGRESS]) {
            ds_put_format(&s, "  policed: %"PRIu64" dropped on ingress, "
                          "%"PRIu64" on egress\n",
                          c[XDP_ABI_CNT_POLICED_INGRESS],
                          c[XDP_ABI_CNT_POLICED_EGRESS]);
        }

        dpif_xdp_unixctl_format_ct(&s, prog, c, verbose);

        struct xdp_flow_table *table = xdp_prog_flow_table(prog);
        struct xdp_flow_table_usage u;
        xdp_flow_table_get_usage(table, &u);
        ds_put_format(&s, "  flows: %"PRIu32"/%"PRIu32", masks: %"PRIu32
                      "/%"PRIu32"\n", u.n_flows, u.max_flows, u.n_masks,
                      u.max_masks);
        ds_put_format(&s, "  parser: vlan-limit %"PRIu32"\n", u.vlan_limit);
        if (verbose) {
            ds_put_format(&s, "  exact-match cache: %s (%.2f masks probed "
                          "per megaflow hit)\n",
                          u.emc_off ? "skipped" : "in use", u.probes);
        }
        if (verbose) {
            xdp_flow_table_format_masks(table, &s);
        }
        netdev_xdp_format_ports(&s, prog, verbose);
        xdp_prog_unref(prog);
    }
    free(progs);
    netdev_xdp_format_errors(&s);
    if (n) {
        struct ds reasons = DS_EMPTY_INITIALIZER;

        netdev_offload_xdp_format_reasons(&reasons);
        if (reasons.length) {
            ds_put_format(&s, "flows not fully in XDP, by reason:\n%s",
                          ds_cstr(&reasons));
        }
        ds_destroy(&reasons);
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

/* A megaflow of the datapath: its UFID, by the UFID under which dpif-netdev
 * gives it to the flow API provider. */
struct dpif_xdp_ufid {
    struct hmap_node node;      /* In a map by 'mega_ufid'. */
    ovs_u128 mega_ufid;
    ovs_u128 ufid;
};

static bool
dpif_xdp_ufid_of(const ovs_u128 *mega_ufid, ovs_u128 *ufid, void *map_)
{
    const struct hmap *map = map_;
    const struct dpif_xdp_ufid *u;

    HMAP_FOR_EACH_WITH_HASH (u, node, mega_ufid->u32[0], map) {
        if (ovs_u128_equals(u->mega_ufid, *mega_ufid)) {
            *ufid = u->ufid;
            return true;
        }
    }
    return false;
}

/* Fills 'map' with the megaflows of datapath 'dp_name', by megaflow UFID. */
static void
dpif_xdp_collect_ufids(const char *dp_name, struct hmap *map)
{
    struct dpif_flow_dump_thread *thread;
    struct dpif_flow_dump *dump;
    struct dpif_flow flows[50];
    struct dpif *dpif;
    int n;

    if (dpif_open(dp_name, DPIF_XDP_TYPE, &dpif)) {
        return;
    }
    dump = dpif_flow_dump_create(dpif, false, NULL);
    thread = dpif_flow_dump_thread_create(dump);
    while ((n = dpif_flow_dump_next(thread, flows, ARRAY_SIZE(flows))) > 0) {
        for (int i = 0; i < n; i++) {
            struct dpif_xdp_ufid *u = xmalloc(sizeof *u);

            if (dpif_xdp_mega_ufid(flows[i].key, flows[i].key_len,
                                   flows[i].mask, flows[i].mask_len,
                                   &u->mega_ufid)) {
                u->ufid = flows[i].ufid;
                hmap_insert(map, &u->node, u->mega_ufid.u32[0]);
            } else {
                free(u);
            }
        }
    }
    dpif_flow_dump_thread_destroy(thread);
    dpif_flow_dump_destroy(dump);
    dpif_close(dpif);
}

/* xdp/dump-flows [-m]: the flows in the XDP flow table, with -m under the
 * UFIDs that dpctl/dump-flows shows. */
static void
dpif_xdp_unixctl_dump_flows(struct unixctl_conn *conn, int argc,
                            const char *argv[], void *aux OVS_UNUSED)
{
    bool verbose = argc > 1 && !strcmp(argv[1], "-m");
    struct ds s = DS_EMPTY_INITIALIZER;
    struct dpif_xdp_ufid *u;
    struct hmap map;

    hmap_init(&map);
    if (verbose) {
        char *dp_name = xdp_prog_dp_name_for_type(DPIF_XDP_TYPE);

        dpif_xdp_collect_ufids(dp_name, &map);
        free(dp_name);
    }
    netdev_offload_xdp_format_flows(&s, verbose, dpif_xdp_ufid_of, &map);
    HMAP_FOR_EACH_POP (u, node, &map) {
        free(u);
    }
    hmap_destroy(&map);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

/* xdp/check [dp]: compares the maps of the XDP program of datapath 'dp'
 * (of every datapath without it) with the flow table and the ports that
 * userspace keeps, reports each difference and repairs it. */
static void
dpif_xdp_unixctl_check(struct unixctl_conn *conn, int argc,
                          const char *argv[], void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct xdp_check check = { .out = &s };
    struct xdp_prog **progs;
    size_t n;

    if (argc > 1) {
        /* "xdp@ovs-xdp", as dpif/show says, or "ovs-xdp". */
        const char *name = argv[1];
        const char *type_end = strchr(name, '@');
        struct xdp_prog *prog;

        if (type_end) {
            name = type_end + 1;
        }
        prog = xdp_prog_find(name);
        if (!prog) {
            unixctl_command_reply_error(conn, "no datapath with an XDP "
                                        "program by that name");
            return;
        }
        progs = xmemdup(&prog, sizeof prog);
        n = 1;
    } else {
        progs = xdp_prog_find_all(&n);
    }
    for (size_t i = 0; i < n; i++) {
        xdp_prog_check(progs[i], &check);
        xdp_prog_unref(progs[i]);
    }
    free(progs);
    xdp_check_format_summary(&check, &s);
    if (check.n_repaired || check.n_unrepaired) {
        VLOG_WARN("xdp/check: %"PRIu32" differences between the XDP maps "
                  "and userspace, %"PRIu32" repaired", check.n_repaired
                  + check.n_unrepaired, check.n_repaired);
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

void
dpif_xdp_unixctl_register(void)
{
    unixctl_command_register("xdp/show", "[-m]", 0, 1,
                             dpif_xdp_unixctl_show, NULL);
    unixctl_command_register("xdp/dump-flows", "[-m]", 0, 1,
                             dpif_xdp_unixctl_dump_flows, NULL);
    unixctl_command_register("xdp/check", "[dp]", 0, 1,
                             dpif_xdp_unixctl_check, NULL);
}
