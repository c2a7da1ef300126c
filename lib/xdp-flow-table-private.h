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

#ifndef XDP_FLOW_TABLE_PRIVATE_H
#define XDP_FLOW_TABLE_PRIVATE_H 1

/* The XDP flow table's own data, shared by its parts: xdp-flow-table.c
 * (flows and masks in and out of the maps), xdp-flow-table-rank.c (mask
 * order, cache decision, parser settings), xdp-flow-table-stats.c (flow
 * statistics, read in batches) and xdp-flow-table-check.c (xdp/check).
 * Nothing else includes it. */

#include <stdbool.h>
#include <stdint.h>

#include "openvswitch/hmap.h"
#include "ovs-thread.h"
#include "xdp-flow.h"
#include "xdp-flow-table.h"

struct id_pool;

extern const char *const xft_flows_names[XDP_FLOW_N_WIDTHS];

/* A mask of installed flows, at index 'index' of the 'masks' map. */
struct xft_mask {
    struct hmap_node node;      /* In 'masks_by_value'. */
    struct xdp_flow_mask compiled;  /* 'masks' value; compiled.mask is the
                                     * mask. */
    uint32_t index;
    uint32_t n_flows;
    uint32_t n_pass_flows[2];   /* Flows by pass (bit i of
                                 * XDP_FLOW_MASK_*). */
    uint64_t hits;              /* 'mask_hits' at the last ranking. */
    uint64_t score;             /* Recent hits, halved at every ranking. */
};

/* An installed flow. */
struct xft_flow {
    struct hmap_node node;      /* In 'flows', by UFID. */
    ovs_u128 ufid;
    struct xdp_flow_lookup lookup;  /* Key in flows[width]. */
    struct xdp_flow_key key;        /* Masked. */
    struct xdp_flow_key mask;
    uint32_t id;
    uint32_t in_port;
    struct xdp_flow_entry entry;
    uint64_t seen_packets;      /* Packet count at the last read. */
    uint64_t stats_from;        /* First batch read that covers it. */
    long long int used;         /* time_msec() when it last grew, or 0. */
    bool withdrawn;             /* Out of the program's maps: kept only for
                                 * its final statistics. */
    bool unremoved;             /* A map delete failed: keep the id. */
};

struct xdp_flow_table {
    struct ovs_mutex mutex;
    struct xdp_flow_table_maps maps;
    int n_cpus;
    struct hmap flows OVS_GUARDED;
    struct hmap masks_by_value OVS_GUARDED;
    struct xft_mask **masks OVS_GUARDED;    /* By index; NULL if free. */
    uint32_t *order OVS_GUARDED;            /* Mask indexes, by rank. */
    uint32_t n_order OVS_GUARDED;
    struct id_pool *ids OVS_GUARDED;
    uint32_t generation OVS_GUARDED;
    bool emc_off OVS_GUARDED;
    double probes OVS_GUARDED;
    bool order_dirty OVS_GUARDED;   /* 'mask_order' may differ from
                                     * 'order': rewrite it all. */
    uint32_t vlan_limit OVS_GUARDED;        /* As in 'classifier'. */
    uint32_t id_limit OVS_GUARDED;  /* 1 + the largest flow id handed out. */

    /* Statistics of every flow, as the last batch read saw them
     * (xdp-flow-table-stats.c). */
    struct xft_stats *stats OVS_GUARDED;    /* By flow id. */
    uint32_t n_stats OVS_GUARDED;
    uint64_t n_stats_reads OVS_GUARDED;     /* Batch reads so far. */
    long long int stats_time OVS_GUARDED;   /* time_usec() of the last. */
    long long int stats_last_read OVS_GUARDED;  /* time_usec() of the last
                                                 * read answered. */
    void *percpu OVS_GUARDED;               /* Buffer for the reads. */
    uint32_t *batch_keys OVS_GUARDED;
};

/* Sums of one flow's per-CPU statistics. */
struct xft_stats {
    uint64_t packets;
    uint64_t bytes;
    uint16_t tcp_flags;
};

/* xdp-flow-table.c. */
uint64_t xft_mask_hits(const struct xdp_flow_table *, uint32_t index);
int xft_write_order(struct xdp_flow_table *t, uint32_t from)
    OVS_REQUIRES(t->mutex);
void xft_megaflow_init(struct xdp_flow_megaflow *, const struct xft_flow *,
                       const struct xft_mask *,
                       const struct xdp_flow_entry *);
void xft_flush_emc(struct xdp_flow_table *t) OVS_REQUIRES(t->mutex);

/* xdp-flow-table-stats.c. */
void xft_stats_init(struct xdp_flow_table *);
void xft_stats_destroy(struct xdp_flow_table *);
void xft_stats_added(struct xdp_flow_table *, struct xft_flow *);
void xft_read_stats(struct xdp_flow_table *, struct xft_flow *,
                    bool fresh, struct xdp_flow_table_stats *);
int xft_zero_stats(struct xdp_flow_table *, uint32_t id);

#endif /* xdp-flow-table-private.h */
