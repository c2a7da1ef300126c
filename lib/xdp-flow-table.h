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

#ifndef XDP_FLOW_TABLE_H
#define XDP_FLOW_TABLE_H 1

/* The userspace side of one XDP program's flow table: which flow ids,
 * generations and masks are in use, in which order the program probes the
 * masks, and the statistics of each flow.  Flows are named by their
 * megaflow UFID.  Thread safe.  Independent of OVS's offload API. */

#include <stdbool.h>
#include <stdint.h>

#include "openvswitch/types.h"
#include "xdp-flow.h"

struct ds;
struct xdp_check;

/* File descriptors of the program's flow maps, and their sizes. */
struct xdp_flow_table_maps {
    int masks;
    int mask_order;
    int mask_hits;
    int flows[XDP_FLOW_N_WIDTHS];   /* By enum xdp_flow_width. */
    int flow_table;
    int flow_gens;
    int flow_stats;
    int classifier;             /* -1 if none. */
    int emc;                    /* -1 if none. */
    uint32_t max_masks;
    uint32_t max_flows;
};

/* Statistics of a flow, summed over CPUs.  'used' is in milliseconds of
 * OVS's time_msec() clock, 0 if never used. */
/* xdp_flow_table_get() reads statistics for all flows at once, and answers
 * from that the reads that follow it, each within this many microseconds
 * of the one before (a flow dump's reads come in a burst; a read after a
 * pause is fresh), for at most XDP_FLOW_TABLE_STATS_MAX_AGE_MS. */
#define XDP_FLOW_TABLE_STATS_GAP_US 1000
#define XDP_FLOW_TABLE_STATS_MAX_AGE_MS 100

struct xdp_flow_table_stats {
    uint64_t n_packets;
    uint64_t n_bytes;
    long long int used;
    uint16_t tcp_flags;
};

/* Occupancy and limits. */
struct xdp_flow_table_usage {
    uint32_t n_flows;
    uint32_t max_flows;
    uint32_t n_masks;
    uint32_t max_masks;
    bool emc_off;               /* Exact-match cache skipped for now. */
    double probes;              /* Masks probed per megaflow hit, recently. */
    uint32_t vlan_limit;        /* VLAN headers the parser reads (0: not
                                 * set, VLAN packets go to userspace). */
};

struct xdp_flow_table *xdp_flow_table_create(
    const struct xdp_flow_table_maps *);
void xdp_flow_table_destroy(struct xdp_flow_table *);

int xdp_flow_table_put(struct xdp_flow_table *, const ovs_u128 *ufid,
                       const struct xdp_flow_key *key,
                       const struct xdp_flow_key *mask,
                       const struct xdp_flow_entry *,
                       const char **reason);
int xdp_flow_table_del(struct xdp_flow_table *, const ovs_u128 *ufid,
                       struct xdp_flow_table_stats *);
int xdp_flow_table_withdraw(struct xdp_flow_table *, const ovs_u128 *ufid);
int xdp_flow_table_demote(struct xdp_flow_table *, const ovs_u128 *ufid);
int xdp_flow_table_get(struct xdp_flow_table *, const ovs_u128 *ufid,
                       struct xdp_flow_key *key, struct xdp_flow_key *mask,
                       struct xdp_flow_entry *,
                       struct xdp_flow_table_stats *);
size_t xdp_flow_table_flush(struct xdp_flow_table *, uint32_t in_port);
size_t xdp_flow_table_ufids(struct xdp_flow_table *, uint32_t in_port,
                            ovs_u128 **ufids);
uint32_t xdp_flow_table_count(struct xdp_flow_table *, uint32_t in_port);

void xdp_flow_table_rerank(struct xdp_flow_table *);
int xdp_flow_table_set_vlan_limit(struct xdp_flow_table *,
                                  uint32_t vlan_limit);
void xdp_flow_table_get_usage(struct xdp_flow_table *,
                              struct xdp_flow_table_usage *);
void xdp_flow_table_format_masks(struct xdp_flow_table *, struct ds *);
void xdp_flow_table_check(struct xdp_flow_table *, struct xdp_check *);

/* Matches every in_port in xdp_flow_table_flush() and friends. */
#define XDP_FLOW_TABLE_ALL_PORTS UINT32_MAX

#endif /* xdp-flow-table.h */
