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

#include "xdp-flow-table.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "id-pool.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "timeval.h"
#include "util.h"
#include "xdp-flow.h"

VLOG_DEFINE_THIS_MODULE(xdp_flow_table);

/* A mask of installed flows, at index 'index' of the 'masks' map. */
struct xft_mask {
    struct hmap_node node;      /* In 'masks_by_value'. */
    struct xdp_flow_mask compiled;  /* 'masks' value; compiled.mask is the
                                     * mask. */
    uint32_t index;
    uint32_t n_flows;
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
    long long int used;         /* time_msec() when it last grew, or 0. */
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
    uint32_t vlan_limit OVS_GUARDED;        /* As in 'classifier'. */
};

/* Below this many megaflow hits a second, the cache setting stays. */
#define XFT_EMC_MIN_HITS 1000
/* The cache is skipped while megaflow hits take at most this many probes
 * on average: probing the first mask costs about as much as the cache. */
#define XFT_EMC_MAX_PROBES 1.5

struct xdp_flow_table *
xdp_flow_table_create(const struct xdp_flow_table_maps *maps)
{
    struct xdp_flow_table *t = xzalloc(sizeof *t);

    ovs_mutex_init(&t->mutex);
    t->maps = *maps;
    t->n_cpus = libbpf_num_possible_cpus();
    if (t->n_cpus < 1) {
        t->n_cpus = 1;
    }
    hmap_init(&t->flows);
    hmap_init(&t->masks_by_value);
    t->masks = xcalloc(maps->max_masks, sizeof *t->masks);
    t->order = xcalloc(maps->max_masks, sizeof *t->order);
    t->ids = id_pool_create(0, maps->max_flows);
    return t;
}

void
xdp_flow_table_destroy(struct xdp_flow_table *t)
{
    struct xft_flow *flow;

    if (!t) {
        return;
    }
    HMAP_FOR_EACH_POP (flow, node, &t->flows) {
        free(flow);
    }
    hmap_destroy(&t->flows);
    for (uint32_t i = 0; i < t->maps.max_masks; i++) {
        free(t->masks[i]);
    }
    hmap_destroy(&t->masks_by_value);
    free(t->masks);
    free(t->order);
    id_pool_destroy(t->ids);
    ovs_mutex_destroy(&t->mutex);
    free(t);
}

static uint32_t
xft_mask_hash(const struct xdp_flow_key *mask)
{
    return hash_bytes(mask, sizeof *mask, 0);
}

static struct xft_flow *
xft_flow_find(const struct xdp_flow_table *t, const ovs_u128 *ufid)
    OVS_REQUIRES(t->mutex)
{
    struct xft_flow *flow;

    HMAP_FOR_EACH_WITH_HASH (flow, node, ufid->u32[0], &t->flows) {
        if (ovs_u128_equals(flow->ufid, *ufid)) {
            return flow;
        }
    }
    return NULL;
}

/* Writes the lookup order from rank 'from' on, and the end marker. */
static void
xft_write_order(struct xdp_flow_table *t, uint32_t from)
    OVS_REQUIRES(t->mutex)
{
    for (uint32_t rank = from; rank < t->maps.max_masks; rank++) {
        uint32_t value = rank < t->n_order ? t->order[rank] + 1 : 0;

        bpf_map_update_elem(t->maps.mask_order, &rank, &value, 0);
        if (rank >= t->n_order) {
            break;
        }
    }
}

static uint64_t
xft_mask_hits(const struct xdp_flow_table *t, uint32_t index)
{
    uint64_t *percpu = xcalloc(t->n_cpus, sizeof *percpu);
    uint64_t sum = 0;

    if (!bpf_map_lookup_elem(t->maps.mask_hits, &index, percpu)) {
        for (int cpu = 0; cpu < t->n_cpus; cpu++) {
            sum += percpu[cpu];
        }
    }
    free(percpu);
    return sum;
}

/* Returns the mask equal to 'value', adding it if there is room. */
static struct xft_mask *
xft_mask_get(struct xdp_flow_table *t, const struct xdp_flow_key *value)
    OVS_REQUIRES(t->mutex)
{
    uint32_t hash = xft_mask_hash(value);
    struct xft_mask *m;
    uint32_t index;

    HMAP_FOR_EACH_WITH_HASH (m, node, hash, &t->masks_by_value) {
        if (!memcmp(&m->compiled.mask, value, sizeof *value)) {
            return m;
        }
    }
    for (index = 0; index < t->maps.max_masks; index++) {
        if (!t->masks[index]) {
            break;
        }
    }
    if (index >= t->maps.max_masks) {
        return NULL;
    }

    m = xzalloc(sizeof *m);
    xdp_flow_mask_compile(value, &m->compiled);
    if (bpf_map_update_elem(t->maps.masks, &index, &m->compiled, 0)) {
        free(m);
        return NULL;
    }
    m->index = index;
    m->hits = xft_mask_hits(t, index);
    t->masks[index] = m;
    hmap_insert(&t->masks_by_value, &m->node, hash);

    /* A new mask is probed last until the next ranking. */
    t->order[t->n_order++] = index;
    xft_write_order(t, t->n_order - 1);
    return m;
}

static void
xft_mask_unref(struct xdp_flow_table *t, struct xft_mask *m)
    OVS_REQUIRES(t->mutex)
{
    struct xdp_flow_mask map_value;
    uint32_t rank;

    if (--m->n_flows) {
        return;
    }
    for (rank = 0; rank < t->n_order; rank++) {
        if (t->order[rank] == m->index) {
            break;
        }
    }
    ovs_assert(rank < t->n_order);
    memmove(&t->order[rank], &t->order[rank + 1],
            (t->n_order - rank - 1) * sizeof *t->order);
    t->n_order--;
    xft_write_order(t, rank);

    memset(&map_value, 0, sizeof map_value);
    bpf_map_update_elem(t->maps.masks, &m->index, &map_value, 0);
    t->masks[m->index] = NULL;
    hmap_remove(&t->masks_by_value, &m->node);
    free(m);
}

/* Reads the statistics of 'flow'.  The program keeps no time of use, which
 * would cost every packet a clock read: a flow was last used when a read
 * first saw its packet count grow, as OVS takes it from hardware offloads
 * whose counters it polls.  Revalidators read every flow at least once a
 * second or so, which bounds the error. */
static void
xft_read_stats(const struct xdp_flow_table *t, struct xft_flow *flow,
               struct xdp_flow_table_stats *stats)
    OVS_REQUIRES(t->mutex)
{
    struct xdp_flow_stats *percpu = xcalloc(t->n_cpus, sizeof *percpu);

    memset(stats, 0, sizeof *stats);
    if (!bpf_map_lookup_elem(t->maps.flow_stats, &flow->id, percpu)) {
        for (int cpu = 0; cpu < t->n_cpus; cpu++) {
            stats->n_packets += percpu[cpu].packets;
            stats->n_bytes += percpu[cpu].bytes;
            stats->tcp_flags |= percpu[cpu].tcp_flags;
        }
    }
    if (stats->n_packets != flow->seen_packets) {
        flow->seen_packets = stats->n_packets;
        flow->used = time_msec();
    }
    stats->used = flow->used;
    free(percpu);
}

static int
xft_zero_stats(const struct xdp_flow_table *t, uint32_t id)
{
    struct xdp_flow_stats *percpu = xcalloc(t->n_cpus, sizeof *percpu);
    int error = bpf_map_update_elem(t->maps.flow_stats, &id, percpu, 0);

    free(percpu);
    return error ? errno : 0;
}

static void
xft_flow_remove(struct xdp_flow_table *t, struct xft_flow *flow,
                struct xdp_flow_table_stats *stats)
    OVS_REQUIRES(t->mutex)
{
    struct xft_mask *m = t->masks[flow->lookup.mask_index];

    /* 'flows_*' first: from then on no new lookup finds the flow. */
    bpf_map_delete_elem(t->maps.flows[m->compiled.width], &flow->lookup);
    bpf_map_delete_elem(t->maps.flow_table, &flow->id);
    if (stats) {
        xft_read_stats(t, flow, stats);
    }
    id_pool_free_id(t->ids, flow->id);
    xft_mask_unref(t, m);
    hmap_remove(&t->flows, &flow->node);
    free(flow);
}

/* Sets 'mf' to the 'flows_*' value of 'flow', under 'm', with 'entry'. */
static void
xft_megaflow_init(struct xdp_flow_megaflow *mf, const struct xft_flow *flow,
                  const struct xft_mask *m, const struct xdp_flow_entry *entry)
{
    memset(mf, 0, sizeof *mf);
    mf->entry = *entry;
    mf->ref.flow_id = flow->id;
    mf->ref.generation = entry->generation;
    mf->ref.mask_index = m->index;
}

/* Installs flow 'ufid', matching 'key' under 'mask', with the actions and
 * mark in 'entry' (its generation is ignored).  Replaces the actions of an
 * existing flow with the same UFID, keeping its statistics; a new match for
 * an existing UFID replaces the flow.  Returns 0, or a positive errno value
 * with a reason in '*reason': ENOSPC if the flow or mask table is full. */
int
xdp_flow_table_put(struct xdp_flow_table *t, const ovs_u128 *ufid,
                   const struct xdp_flow_key *key,
                   const struct xdp_flow_key *mask,
                   const struct xdp_flow_entry *entry, const char **reason)
{
    struct xdp_flow_megaflow mf;
    struct xdp_flow_lookup lookup;
    struct xft_flow *flow;
    struct xft_mask *m;
    int error = 0;

    *reason = NULL;
    if ((key->recirc_id & mask->recirc_id) || (key->pad & mask->pad)) {
        /* Never seen in XDP, and left out of the packed lookup keys. */
        *reason = "matches on a nonzero recirc_id";
        return EINVAL;
    }
    ovs_mutex_lock(&t->mutex);

    flow = xft_flow_find(t, ufid);
    if (flow) {
        m = t->masks[flow->lookup.mask_index];
        xdp_flow_lookup_make(&m->compiled, m->index, key, &lookup);
        if (!memcmp(&m->compiled.mask, mask, sizeof *mask)
            && !memcmp(&lookup, &flow->lookup, sizeof lookup)) {
            /* Same match: new actions, same id and generation, so that
             * cached lookups stay right. */
            struct xdp_flow_entry e = *entry;

            e.generation = flow->entry.generation;
            xft_megaflow_init(&mf, flow, m, &e);
            if (bpf_map_update_elem(t->maps.flow_table, &flow->id, &mf.entry,
                                    0)
                || bpf_map_update_elem(t->maps.flows[m->compiled.width],
                                       &flow->lookup, &mf, BPF_EXIST)) {
                error = errno;
                *reason = "cannot write the XDP flow table";
            } else {
                flow->entry = mf.entry;
            }
            goto out;
        }
        xft_flow_remove(t, flow, NULL);
    }

    m = xft_mask_get(t, mask);
    if (!m) {
        *reason = "every mask of the XDP flow table is in use";
        error = ENOSPC;
        goto out;
    }
    m->n_flows++;

    flow = xzalloc(sizeof *flow);
    if (!id_pool_alloc_id(t->ids, &flow->id)) {
        free(flow);
        xft_mask_unref(t, m);
        *reason = "the XDP flow table is full";
        error = ENOSPC;
        goto out;
    }
    flow->ufid = *ufid;
    flow->mask = *mask;
    flow->in_port = key->in_port;
    xdp_flow_lookup_make(&m->compiled, m->index, key, &flow->lookup);
    xdp_flow_key_mask(&flow->key, key, mask);
    flow->entry = *entry;
    if (!++t->generation) {
        ++t->generation;
    }
    flow->entry.generation = t->generation;
    xft_megaflow_init(&mf, flow, m, &flow->entry);

    error = xft_zero_stats(t, flow->id);
    if (!error && bpf_map_update_elem(t->maps.flow_table, &flow->id,
                                      &flow->entry, 0)) {
        error = errno;
    }
    if (!error && bpf_map_update_elem(t->maps.flows[m->compiled.width],
                                      &flow->lookup, &mf, BPF_NOEXIST)) {
        error = errno;
        if (error == EEXIST) {
            *reason = "another flow with the same match is in XDP";
        } else if (error == E2BIG || error == ENOMEM) {
            *reason = "the XDP flow table is full";
            error = ENOSPC;
        }
    }
    if (error) {
        bpf_map_delete_elem(t->maps.flow_table, &flow->id);
        id_pool_free_id(t->ids, flow->id);
        xft_mask_unref(t, m);
        free(flow);
        if (!*reason) {
            *reason = "cannot write the XDP flow maps";
        }
        goto out;
    }
    hmap_insert(&t->flows, &flow->node, ufid->u32[0]);

out:
    ovs_mutex_unlock(&t->mutex);
    return error;
}

/* Removes flow 'ufid', with its final statistics in '*stats' if nonnull.
 * Returns 0, or ENOENT if there is no such flow. */
int
xdp_flow_table_del(struct xdp_flow_table *t, const ovs_u128 *ufid,
                   struct xdp_flow_table_stats *stats)
{
    struct xft_flow *flow;
    int error = 0;

    ovs_mutex_lock(&t->mutex);
    flow = xft_flow_find(t, ufid);
    if (flow) {
        xft_flow_remove(t, flow, stats);
    } else {
        error = ENOENT;
    }
    ovs_mutex_unlock(&t->mutex);
    return error;
}

/* Gets flow 'ufid': any of 'key', 'mask', 'entry' and 'stats' may be null.
 * Returns 0, or ENOENT if there is no such flow. */
int
xdp_flow_table_get(struct xdp_flow_table *t, const ovs_u128 *ufid,
                   struct xdp_flow_key *key, struct xdp_flow_key *mask,
                   struct xdp_flow_entry *entry,
                   struct xdp_flow_table_stats *stats)
{
    struct xft_flow *flow;
    int error = 0;

    ovs_mutex_lock(&t->mutex);
    flow = xft_flow_find(t, ufid);
    if (flow) {
        if (key) {
            *key = flow->key;
        }
        if (mask) {
            *mask = flow->mask;
        }
        if (entry) {
            *entry = flow->entry;
        }
        if (stats) {
            xft_read_stats(t, flow, stats);
        }
    } else {
        error = ENOENT;
    }
    ovs_mutex_unlock(&t->mutex);
    return error;
}

/* Removes the flows of 'in_port' (every flow with XDP_FLOW_TABLE_ALL_PORTS)
 * and returns how many. */
size_t
xdp_flow_table_flush(struct xdp_flow_table *t, uint32_t in_port)
{
    struct xft_flow *flow;
    size_t n = 0;

    ovs_mutex_lock(&t->mutex);
    HMAP_FOR_EACH_SAFE (flow, node, &t->flows) {
        if (in_port == XDP_FLOW_TABLE_ALL_PORTS || flow->in_port == in_port) {
            xft_flow_remove(t, flow, NULL);
            n++;
        }
    }
    ovs_mutex_unlock(&t->mutex);
    return n;
}

/* Stores in '*ufids' a new array of the UFIDs of the flows of 'in_port'
 * (all with XDP_FLOW_TABLE_ALL_PORTS) and returns their number. */
size_t
xdp_flow_table_ufids(struct xdp_flow_table *t, uint32_t in_port,
                     ovs_u128 **ufids)
{
    struct xft_flow *flow;
    size_t n = 0;

    ovs_mutex_lock(&t->mutex);
    *ufids = xmalloc(MAX(1, hmap_count(&t->flows)) * sizeof **ufids);
    HMAP_FOR_EACH (flow, node, &t->flows) {
        if (in_port == XDP_FLOW_TABLE_ALL_PORTS || flow->in_port == in_port) {
            (*ufids)[n++] = flow->ufid;
        }
    }
    ovs_mutex_unlock(&t->mutex);
    return n;
}

/* Returns the number of flows of 'in_port' (or all). */
uint32_t
xdp_flow_table_count(struct xdp_flow_table *t, uint32_t in_port)
{
    struct xft_flow *flow;
    uint32_t n = 0;

    ovs_mutex_lock(&t->mutex);
    if (in_port == XDP_FLOW_TABLE_ALL_PORTS) {
        n = hmap_count(&t->flows);
    } else {
        HMAP_FOR_EACH (flow, node, &t->flows) {
            n += flow->in_port == in_port;
        }
    }
    ovs_mutex_unlock(&t->mutex);
    return n;
}

static int
xft_compare_rank(const void *a_, const void *b_, void *t_)
{
    const struct xdp_flow_table *t = t_;
    const uint32_t *ia = a_;
    const uint32_t *ib = b_;
    const struct xft_mask *a = t->masks[ia[0]];
    const struct xft_mask *b = t->masks[ib[0]];

    if (a->score != b->score) {
        return a->score > b->score ? -1 : 1;
    }
    return a->index < b->index ? -1 : a->index > b->index;
}

/* Writes the program's 'classifier' value: the table is its only writer,
 * so that changing one setting never undoes another. */
static int
xft_write_classifier(struct xdp_flow_table *t, bool emc_off,
                     uint32_t vlan_limit)
    OVS_REQUIRES(t->mutex)
{
    struct xdp_flow_classifier c = {
        .emc_off = emc_off,
        .vlan_limit = vlan_limit,
    };
    uint32_t zero = 0;

    if (t->maps.classifier < 0) {
        return EOPNOTSUPP;
    }
    return bpf_map_update_elem(t->maps.classifier, &zero, &c, 0) ? errno : 0;
}

/* Makes the program read at most 'vlan_limit' VLAN headers per packet, as
 * flow_extract() does with OVS's 'flow_vlan_limit' equal to 'vlan_limit'.
 * Returns 0 or a positive errno value. */
int
xdp_flow_table_set_vlan_limit(struct xdp_flow_table *t, uint32_t vlan_limit)
{
    int error;

    ovs_mutex_lock(&t->mutex);
    error = xft_write_classifier(t, t->emc_off, vlan_limit);
    if (!error) {
        t->vlan_limit = vlan_limit;
    }
    ovs_mutex_unlock(&t->mutex);
    return error;
}

/* Orders the masks by their recent hits, most hit first, as dpcls ranks its
 * subtables.  Lookups stay correct while the order is rewritten: at worst a
 * packet misses once and goes to userspace. */
void
xdp_flow_table_rerank(struct xdp_flow_table *t)
{
    uint32_t *old;
    uint32_t rank;

    ovs_mutex_lock(&t->mutex);
    for (rank = 0; rank < t->n_order; rank++) {
        struct xft_mask *m = t->masks[t->order[rank]];
        uint64_t hits = xft_mask_hits(t, m->index);

        m->score = m->score / 2 + (hits - m->hits);
        m->hits = hits;
    }
    old = xmemdup(t->order, t->n_order * sizeof *t->order);
    qsort_r(t->order, t->n_order, sizeof *t->order, xft_compare_rank, t);
    for (rank = 0; rank < t->n_order; rank++) {
        if (old[rank] != t->order[rank]) {
            uint32_t value = t->order[rank] + 1;

            bpf_map_update_elem(t->maps.mask_order, &rank, &value, 0);
        }
    }
    free(old);

    /* How many masks a megaflow hit probes, in the new order: the cache is
     * worth its cost only when that is more than about one. */
    uint64_t hits = 0, probes = 0;
    for (rank = 0; rank < t->n_order; rank++) {
        uint64_t score = t->masks[t->order[rank]]->score;

        hits += score;
        probes += score * (rank + 1);
    }
    if (hits >= XFT_EMC_MIN_HITS) {
        bool emc_off;

        t->probes = (double) probes / hits;
        emc_off = t->probes <= XFT_EMC_MAX_PROBES;
        if (emc_off != t->emc_off && t->maps.classifier >= 0) {
            if (!xft_write_classifier(t, emc_off, t->vlan_limit)) {
                t->emc_off = emc_off;
                VLOG_DBG("exact-match cache %s (%.2f masks probed per hit)",
                         emc_off ? "skipped" : "in use", t->probes);
            }
        }
    }
    ovs_mutex_unlock(&t->mutex);
}

void
xdp_flow_table_get_usage(struct xdp_flow_table *t,
                         struct xdp_flow_table_usage *usage)
{
    ovs_mutex_lock(&t->mutex);
    usage->n_flows = hmap_count(&t->flows);
    usage->max_flows = t->maps.max_flows;
    usage->n_masks = t->n_order;
    usage->max_masks = t->maps.max_masks;
    usage->emc_off = t->emc_off;
    usage->probes = t->probes;
    usage->vlan_limit = t->vlan_limit;
    ovs_mutex_unlock(&t->mutex);
}

/* Appends a line per mask, in lookup order, to 's'. */
void
xdp_flow_table_format_masks(struct xdp_flow_table *t, struct ds *s)
{
    ovs_mutex_lock(&t->mutex);
    for (uint32_t rank = 0; rank < t->n_order; rank++) {
        const struct xft_mask *m = t->masks[t->order[rank]];

        ds_put_format(s, "    rank %"PRIu32": mask %"PRIu32", %"PRIu32
                      " flow%s, %"PRIu64" hits\n", rank, m->index,
                      m->n_flows, m->n_flows == 1 ? "" : "s",
                      xft_mask_hits(t, m->index));
    }
    ovs_mutex_unlock(&t->mutex);
}
