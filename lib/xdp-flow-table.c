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

#include "bitmap.h"
#include "coverage.h"
#include "hash.h"
#include "id-pool.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "timeval.h"
#include "util.h"
#include "uuid.h"
#include "xdp-flow.h"
#include "xdp-map.h"
#include "xdp-odp-actions.h"

VLOG_DEFINE_THIS_MODULE(xdp_flow_table);

COVERAGE_DEFINE(xdp_flow_table_rollback);
COVERAGE_DEFINE(xdp_flow_table_unremoved);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* Names of the maps, for the log and xdp/check. */
static const char *const xft_flows_names[XDP_FLOW_N_WIDTHS] = {
    [XDP_FLOW_TINY] = "flows_tiny",
    [XDP_FLOW_NARROW] = "flows_narrow",
    [XDP_FLOW_MEDIUM] = "flows_medium",
    [XDP_FLOW_WIDE] = "flows_wide",
};

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

/* Writes the lookup order from rank 'from' on, and the end marker.
 * Returns 0 or the first positive errno value; after a failure the whole
 * order is rewritten at the next ranking. */
static int
xft_write_order(struct xdp_flow_table *t, uint32_t from)
    OVS_REQUIRES(t->mutex)
{
    int error = 0;

    for (uint32_t rank = from; rank < t->maps.max_masks; rank++) {
        uint32_t value = rank < t->n_order ? t->order[rank] + 1 : 0;
        int retval = xdp_map_update(t->maps.mask_order, "mask_order", &rank,
                                    &value, 0);

        if (retval) {
            t->order_dirty = true;
            error = error ? error : retval;
        }
        if (rank >= t->n_order) {
            break;
        }
    }
    return error;
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

static void xft_mask_unref(struct xdp_flow_table *, struct xft_mask *);

/* Sets '*mp' to the mask equal to 'value', adding it if there is room.
 * Returns 0, ENOSPC if every mask is taken, or another positive errno
 * value if the maps could not be written (nothing is left of the new mask
 * then). */
static int
xft_mask_get(struct xdp_flow_table *t, const struct xdp_flow_key *value,
             struct xft_mask **mp)
    OVS_REQUIRES(t->mutex)
{
    uint32_t hash = xft_mask_hash(value);
    struct xft_mask *m;
    uint32_t index;
    int error;

    *mp = NULL;
    HMAP_FOR_EACH_WITH_HASH (m, node, hash, &t->masks_by_value) {
        if (!memcmp(&m->compiled.mask, value, sizeof *value)) {
            *mp = m;
            return 0;
        }
    }
    for (index = 0; index < t->maps.max_masks; index++) {
        if (!t->masks[index]) {
            break;
        }
    }
    if (index >= t->maps.max_masks) {
        return ENOSPC;
    }

    m = xzalloc(sizeof *m);
    xdp_flow_mask_compile(value, &m->compiled);
    error = xdp_map_update(t->maps.masks, "masks", &index, &m->compiled, 0);
    if (error) {
        free(m);
        return error;
    }
    m->index = index;
    m->hits = xft_mask_hits(t, index);
    t->masks[index] = m;
    hmap_insert(&t->masks_by_value, &m->node, hash);

    /* A new mask is probed last until the next ranking. */
    t->order[t->n_order++] = index;
    error = xft_write_order(t, t->n_order - 1);
    if (error) {
        /* Not in the order: its flows would never match.  Take it out. */
        m->n_flows = 1;
        xft_mask_unref(t, m);
        return error;
    }
    *mp = m;
    return 0;
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

    /* On failure the mask stays in the map, with no flow that userspace
     * knows of; it is rewritten when its index is used again, and xdp/check
     * clears it. */
    memset(&map_value, 0, sizeof map_value);
    xdp_map_update(t->maps.masks, "masks", &m->index, &map_value, 0);
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
    int error = xdp_map_update(t->maps.flow_stats, "flow_stats", &id, percpu,
                               0);

    free(percpu);
    return error;
}

/* Sets the generation of flow id 'id' in 'flow_gens': cached lookups of the
 * id with another generation stop at once (0: every one does). */
static int
xft_set_gen(const struct xdp_flow_table *t, uint32_t id, uint32_t generation)
{
    return xdp_map_update(t->maps.flow_gens, "flow_gens", &id, &generation,
                          0);
}

/* A new generation: never 0, and not taken again before 2**32 more. */
static uint32_t
xft_next_generation(struct xdp_flow_table *t)
    OVS_REQUIRES(t->mutex)
{
    if (!++t->generation) {
        ++t->generation;
    }
    return t->generation;
}

/* Takes 'flow' out of the program's maps, so that no packet matches it any
 * more, and lets go of its mask. */
static void
xft_flow_unlink(struct xdp_flow_table *t, struct xft_flow *flow)
    OVS_REQUIRES(t->mutex)
{
    struct xft_mask *m = t->masks[flow->lookup.mask_index];
    uint32_t width = m->compiled.width;
    int error;

    if (flow->withdrawn) {
        return;
    }
    /* 'flow_gens' first: from then on no cache hit finds the flow; after
     * 'flows_*', no lookup at all. */
    xft_set_gen(t, flow->id, 0);
    error = xdp_map_delete(t->maps.flows[width], xft_flows_names[width],
                           &flow->lookup);
    xdp_map_delete(t->maps.flow_table, "flow_table", &flow->id);
    if (error && error != ENOENT) {
        /* The entry may still match.  Its id is not given to another flow,
         * whose statistics it would count in, until xdp/check removes it
         * (and rebuilds the ids in use). */
        COVERAGE_INC(xdp_flow_table_unremoved);
        VLOG_ERR_RL(&rl, "flow "UUID_FMT" (id %"PRIu32"): its entry in %s "
                    "could not be removed and may still match; "
                    "\"ovs-appctl xdp/check\" removes it",
                    UUID_ARGS((struct uuid *) &flow->ufid), flow->id,
                    xft_flows_names[width]);
        flow->unremoved = true;
    }
    xft_mask_unref(t, m);
    flow->withdrawn = true;
}

static void
xft_flow_remove(struct xdp_flow_table *t, struct xft_flow *flow,
                struct xdp_flow_table_stats *stats)
    OVS_REQUIRES(t->mutex)
{
    xft_flow_unlink(t, flow);
    if (stats) {
        xft_read_stats(t, flow, stats);
    }
    if (!flow->unremoved) {
        id_pool_free_id(t->ids, flow->id);
    }
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

/* Gives installed 'flow' the actions and mark of 'entry', keeping its id
 * (and statistics).  The new content has a new generation, and 'flow_gens'
 * gets it first: the cache holds what a flow does, and no cached lookup of
 * the old content may run once this returns.  Returns 0 or an errno
 * value. */
static int
xft_flow_rewrite(struct xdp_flow_table *t, struct xft_flow *flow,
                 const struct xdp_flow_entry *entry)
    OVS_REQUIRES(t->mutex)
{
    struct xft_mask *m = t->masks[flow->lookup.mask_index];
    struct xdp_flow_megaflow mf;
    struct xdp_flow_entry e = *entry;

    e.generation = xft_next_generation(t);
    xft_megaflow_init(&mf, flow, m, &e);
    int error = xft_set_gen(t, flow->id, e.generation);
    if (!error) {
        error = xdp_map_update(t->maps.flow_table, "flow_table", &flow->id,
                               &mf.entry, 0);
    }
    if (!error) {
        uint32_t width = m->compiled.width;

        error = xdp_map_update(t->maps.flows[width], xft_flows_names[width],
                               &flow->lookup, &mf, BPF_EXIST);
    }
    if (!error) {
        flow->entry = mf.entry;
    }
    return error;
}

/* Installs flow 'ufid', matching 'key' under 'mask', with the actions and
 * mark in 'entry' (its generation is ignored).  Replaces the actions of an
 * existing flow with the same UFID, keeping its statistics; a new match for
 * an existing UFID replaces the flow.  Returns 0, or a positive errno value
 * with a reason in '*reason': ENOSPC if the flow or mask table is full,
 * EEXIST if another flow has the same match, the errno of a map write that
 * failed.  After a failure the flow is not in XDP at all, even if it was
 * before: whatever was written of it is taken out again. */
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
    if (flow && flow->withdrawn) {
        xft_flow_remove(t, flow, NULL);
        flow = NULL;
    }
    if (flow) {
        m = t->masks[flow->lookup.mask_index];
        xdp_flow_lookup_make(&m->compiled, m->index, key, &lookup);
        if (!memcmp(&m->compiled.mask, mask, sizeof *mask)
            && !memcmp(&lookup, &flow->lookup, sizeof lookup)) {
            /* Same match: new actions, same id and statistics. */
            error = xft_flow_rewrite(t, flow, entry);
            if (error) {
                /* Cache hits may see the new actions and megaflow hits the
                 * old ones: neither may run.  The flow leaves XDP. */
                *reason = "cannot write the XDP flow maps";
                COVERAGE_INC(xdp_flow_table_rollback);
                xft_flow_remove(t, flow, NULL);
            }
            goto out;
        }
        xft_flow_remove(t, flow, NULL);
    }

    error = xft_mask_get(t, mask, &m);
    if (error) {
        *reason = (error == ENOSPC
                   ? "every mask of the XDP flow table is in use"
                   : "cannot write the XDP mask maps");
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
    flow->entry.generation = xft_next_generation(t);
    xft_megaflow_init(&mf, flow, m, &flow->entry);

    /* 'flows_*' last: until then nothing matches the flow, so a failure
     * leaves nothing that could. */
    error = xft_zero_stats(t, flow->id);
    if (!error) {
        error = xdp_map_update(t->maps.flow_table, "flow_table", &flow->id,
                               &flow->entry, 0);
    }
    if (!error) {
        error = xft_set_gen(t, flow->id, flow->entry.generation);
    }
    if (!error) {
        uint32_t width = m->compiled.width;

        error = xdp_map_update(t->maps.flows[width], xft_flows_names[width],
                               &flow->lookup, &mf, BPF_NOEXIST);
        if (error == EEXIST) {
            *reason = "another flow with the same match is in XDP";
        } else if (error == E2BIG || error == ENOMEM) {
            *reason = "the XDP flow table is full";
            error = ENOSPC;
        }
    }
    if (error) {
        if (error != EEXIST && error != ENOSPC) {
            COVERAGE_INC(xdp_flow_table_rollback);
        }
        xft_set_gen(t, flow->id, 0);
        xdp_map_delete(t->maps.flow_table, "flow_table", &flow->id);
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

/* Takes flow 'ufid' out of the program at once: no packet matches it
 * after this returns.  ovs-vswitchd deletes a megaflow in the userspace
 * datapath first and reads its final statistics right after, but the flow
 * API provider hears of the deletion only later, from another thread; so
 * the flow keeps its statistics for the next xdp_flow_table_get() or
 * xdp_flow_table_del() of it, which removes it for good.  Returns 0, or
 * ENOENT if there is no such flow in the program. */
int
xdp_flow_table_withdraw(struct xdp_flow_table *t, const ovs_u128 *ufid)
{
    struct xft_flow *flow;
    int error = 0;

    ovs_mutex_lock(&t->mutex);
    flow = xft_flow_find(t, ufid);
    if (flow && !flow->withdrawn) {
        xft_flow_unlink(t, flow);
    } else {
        error = ENOENT;
    }
    ovs_mutex_unlock(&t->mutex);
    return error;
}

/* Makes flow 'ufid' partial at once: its packets go to userspace with the
 * flow's mark, where the flow's new actions run, until the flow API
 * provider puts the new actions in.  Returns 0, ENOENT if there is no such
 * flow in the program, or another errno value. */
int
xdp_flow_table_demote(struct xdp_flow_table *t, const ovs_u128 *ufid)
{
    struct xft_flow *flow;
    int error = ENOENT;

    ovs_mutex_lock(&t->mutex);
    flow = xft_flow_find(t, ufid);
    if (flow && !flow->withdrawn) {
        struct xdp_flow_entry e;

        error = 0;
        if (!xdp_flow_entry_is_partial(&flow->entry)) {
            e = flow->entry;
            xdp_flow_entry_make_partial(&e);
            error = xft_flow_rewrite(t, flow, &e);
            if (error) {
                /* Never leave the old actions in: take the flow out. */
                xft_flow_unlink(t, flow);
            }
        }
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
        if (flow->withdrawn) {
            /* The read that follows a deletion: the last one.  dpif-netdev
             * adds these statistics to its own only if the read succeeds,
             * so it gets the flow as it was. */
            xft_flow_remove(t, flow, NULL);
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
        if (!flow->withdrawn
            && (in_port == XDP_FLOW_TABLE_ALL_PORTS
                || flow->in_port == in_port)) {
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
    HMAP_FOR_EACH (flow, node, &t->flows) {
        n += (!flow->withdrawn
              && (in_port == XDP_FLOW_TABLE_ALL_PORTS
                  || flow->in_port == in_port));
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
    return xdp_map_update(t->maps.classifier, "classifier", &zero, &c, 0);
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
    if (t->order_dirty) {
        t->order_dirty = false;
        xft_write_order(t, 0);
    } else {
        for (rank = 0; rank < t->n_order; rank++) {
            if (old[rank] != t->order[rank]) {
                uint32_t value = t->order[rank] + 1;

                if (xdp_map_update(t->maps.mask_order, "mask_order", &rank,
                                   &value, 0)) {
                    t->order_dirty = true;
                }
            }
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

/* xdp/check: the maps against the table. */

#define XFT_UFID_FMT "ufid:"UUID_FMT
#define XFT_UFID_ARGS(FLOW) UUID_ARGS((struct uuid *) &(FLOW)->ufid)

static void
xft_check_masks(struct xdp_flow_table *t, struct xdp_check *check)
    OVS_REQUIRES(t->mutex)
{
    for (uint32_t i = 0; i < t->maps.max_masks; i++) {
        const struct xft_mask *m = t->masks[i];
        struct xdp_flow_mask expected, value;
        int error;

        memset(&expected, 0, sizeof expected);
        if (m) {
            expected = m->compiled;
        }
        if (bpf_map_lookup_elem(t->maps.masks, &i, &value)) {
            xdp_check_diff(check, errno, "mask %"PRIu32": cannot read masks",
                           i);
            continue;
        }
        if (!memcmp(&value, &expected, sizeof value)) {
            continue;
        }
        error = xdp_map_update(t->maps.masks, "masks", &i, &expected, 0);
        if (!m) {
            xdp_check_diff(check, error, "stale entry in masks: mask %"PRIu32
                           " not in userspace table", i);
        } else {
            xdp_check_diff(check, error, "mask %"PRIu32": in userspace table, "
                           "%s in masks", i,
                           value.in_use ? "differs" : "missing");
        }
    }
}

static const char *
xft_rank_string(uint32_t value, char *buf, size_t size)
{
    if (!value) {
        return "end";
    }
    snprintf(buf, size, "mask %"PRIu32, value - 1);
    return buf;
}

static void
xft_check_order(struct xdp_flow_table *t, struct xdp_check *check)
    OVS_REQUIRES(t->mutex)
{
    bool ok = true;

    /* The program reads up to the first 0; what follows is never read. */
    for (uint32_t rank = 0; rank <= t->n_order && rank < t->maps.max_masks;
         rank++) {
        uint32_t expected = rank < t->n_order ? t->order[rank] + 1 : 0;
        char buf1[32], buf2[32];
        uint32_t value;
        int error;

        if (bpf_map_lookup_elem(t->maps.mask_order, &rank, &value)) {
            xdp_check_diff(check, errno, "mask_order rank %"PRIu32": cannot "
                           "read it", rank);
            ok = false;
            continue;
        }
        if (value == expected) {
            continue;
        }
        error = xdp_map_update(t->maps.mask_order, "mask_order", &rank,
                               &expected, 0);
        xdp_check_diff(check, error, "mask_order rank %"PRIu32": %s, in "
                       "userspace table %s", rank,
                       xft_rank_string(value, buf1, sizeof buf1),
                       xft_rank_string(expected, buf2, sizeof buf2));
        ok = ok && !error;
    }
    if (ok) {
        t->order_dirty = false;
    }
}

static int
xft_compare_u32(const void *a_, const void *b_)
{
    const uint32_t *a = a_, *b = b_;

    return *a < *b ? -1 : *a > *b;
}

/* Checks 'flow_table' against the flows in 'by_id'.  Returns true if it
 * changed the map. */
static bool
xft_check_flow_table(struct xdp_flow_table *t, struct xft_flow **by_id,
                     struct xdp_check *check)
    OVS_REQUIRES(t->mutex)
{
    unsigned long *seen = bitmap_allocate(t->maps.max_flows);
    bool changed = false;
    uint32_t *ids;
    size_t n;

    n = xdp_map_keys(t->maps.flow_table, sizeof *ids, t->maps.max_flows,
                     (void **) &ids);
    qsort(ids, n, sizeof *ids, xft_compare_u32);
    for (size_t i = 0; i < n; i++) {
        uint32_t id = ids[i];
        struct xft_flow *flow = id < t->maps.max_flows ? by_id[id] : NULL;
        struct xdp_flow_entry value;
        int error;

        if (bpf_map_lookup_elem(t->maps.flow_table, &id, &value)) {
            continue;           /* Gone meanwhile. */
        }
        if (!flow) {
            error = xdp_map_delete(t->maps.flow_table, "flow_table", &id);
            error = error == ENOENT ? 0 : error;
            xdp_check_diff(check, error, "stale entry in flow_table: id "
                           "%"PRIu32" not in userspace table", id);
            changed = true;
            continue;
        }
        bitmap_set1(seen, id);
        if (memcmp(&value, &flow->entry, sizeof value)) {
            error = xdp_map_update(t->maps.flow_table, "flow_table", &id,
                                   &flow->entry, 0);
            xdp_check_diff(check, error, "flow "XFT_UFID_FMT": differs in "
                           "flow_table", XFT_UFID_ARGS(flow));
            changed = true;
        }
    }
    free(ids);

    for (uint32_t id = 0; id < t->maps.max_flows; id++) {
        struct xft_flow *flow = by_id[id];

        if (flow && !bitmap_is_set(seen, id)) {
            int error = xdp_map_update(t->maps.flow_table, "flow_table", &id,
                                       &flow->entry, 0);

            xdp_check_diff(check, error, "flow "XFT_UFID_FMT": in userspace "
                           "table, missing in flow_table",
                           XFT_UFID_ARGS(flow));
            changed = true;
        }
    }
    bitmap_free(seen);
    return changed;
}

static int
xft_compare_lookups(const void *a_, const void *b_, void *size_)
{
    const struct xft_flow *const *a = a_;
    const struct xft_flow *const *b = b_;

    return memcmp(&(*a)->lookup, &(*b)->lookup, *(size_t *) size_);
}

/* Checks the 'flows_*' map of 'width' against the flows in 'by_id'.
 * Returns true if it changed the map. */
static bool
xft_check_flows(struct xdp_flow_table *t, enum xdp_flow_width width,
                struct xft_flow **by_id, struct xdp_check *check)
    OVS_REQUIRES(t->mutex)
{
    const char *name = xft_flows_names[width];
    int fd = t->maps.flows[width];
    size_t size = xdp_flow_lookup_size(width);
    struct xft_flow **expected;
    size_t n_expected = 0, n_keys, i, j;
    bool changed = false;
    uint8_t *keys;

    /* The flows of this width and the map's keys, both in memcmp() order:
     * one walk through both finds every difference. */
    expected = xmalloc(MAX(1, hmap_count(&t->flows)) * sizeof *expected);
    for (uint32_t id = 0; id < t->maps.max_flows; id++) {
        struct xft_flow *flow = by_id[id];

        if (flow
            && t->masks[flow->lookup.mask_index]->compiled.width == width) {
            expected[n_expected++] = flow;
        }
    }
    qsort_r(expected, n_expected, sizeof *expected, xft_compare_lookups,
            &size);
    n_keys = xdp_map_keys(fd, size, t->maps.max_flows, (void **) &keys);

    i = j = 0;
    while (i < n_keys || j < n_expected) {
        const uint8_t *key = i < n_keys ? keys + i * size : NULL;
        struct xft_flow *flow = j < n_expected ? expected[j] : NULL;
        int cmp = (!key ? 1
                   : !flow ? -1
                   : memcmp(key, &flow->lookup, size));
        struct xdp_flow_megaflow mf, value;
        int error;

        if (cmp < 0) {
            /* In the map, not in the table. */
            uint32_t id = UINT32_MAX;

            if (!bpf_map_lookup_elem(fd, key, &value)) {
                id = value.ref.flow_id;
            }
            error = xdp_map_delete(fd, name, key);
            error = error == ENOENT ? 0 : error;
            if (id < t->maps.max_flows && by_id[id]) {
                xdp_check_diff(check, error, "stale entry in %s: id %"PRIu32
                               " under a match that is not its flow's", name,
                               id);
            } else {
                xdp_check_diff(check, error, "stale entry in %s: id %"PRIu32
                               " not in userspace table", name, id);
            }
            changed = true;
            i++;
            continue;
        }

        xft_megaflow_init(&mf, flow, t->masks[flow->lookup.mask_index],
                          &flow->entry);
        if (cmp > 0) {
            /* In the table, not in the map. */
            error = xdp_map_update(fd, name, &flow->lookup, &mf, 0);
            xdp_check_diff(check, error, "flow "XFT_UFID_FMT": in userspace "
                           "table, missing in %s", XFT_UFID_ARGS(flow), name);
            changed = true;
            j++;
            continue;
        }

        if (bpf_map_lookup_elem(fd, key, &value)
            || memcmp(&value, &mf, sizeof value)) {
            error = xdp_map_update(fd, name, &flow->lookup, &mf, 0);
            xdp_check_diff(check, error, "flow "XFT_UFID_FMT": differs in %s",
                           XFT_UFID_ARGS(flow), name);
            changed = true;
        }
        i++;
        j++;
    }
    free(keys);
    free(expected);
    return changed;
}

/* Empties the exact-match cache, which may hold lookups that came from
 * entries that xdp/check removed or rewrote. */
static void
xft_flush_emc(struct xdp_flow_table *t)
    OVS_REQUIRES(t->mutex)
{
    struct xdp_flow_key *keys;
    size_t n;

    if (t->maps.emc < 0) {
        return;
    }
    n = xdp_map_keys(t->maps.emc, sizeof *keys, XDP_FLOW_DEFAULT_EMC * 4,
                     (void **) &keys);
    for (size_t i = 0; i < n; i++) {
        xdp_map_delete(t->maps.emc, "emc", &keys[i]);
    }
    free(keys);
}

/* Compares the flow maps of 't' ('masks', 'mask_order', 'flow_table',
 * 'flows_*') with the table: notes each difference in 'check' and repairs
 * it, writing what is missing or differs and deleting what the table does
 * not have.  Holds the table's lock throughout, so that flows put or
 * deleted meanwhile wait. */
void
xdp_flow_table_check(struct xdp_flow_table *t, struct xdp_check *check)
{
    struct xft_flow **by_id;
    struct xft_flow *flow;
    uint32_t unrepaired;
    bool changed;

    ovs_mutex_lock(&t->mutex);
    check->n_flows += hmap_count(&t->flows);
    check->n_masks += t->n_order;
    unrepaired = check->n_unrepaired;

    by_id = xcalloc(MAX(1, t->maps.max_flows), sizeof *by_id);
    HMAP_FOR_EACH (flow, node, &t->flows) {
        by_id[flow->id] = flow;
    }

    /* Masks first: flows are useless without them. */
    xft_check_masks(t, check);
    xft_check_order(t, check);
    changed = xft_check_flow_table(t, by_id, check);
    for (int width = 0; width < XDP_FLOW_N_WIDTHS; width++) {
        changed |= xft_check_flows(t, width, by_id, check);
    }
    if (changed) {
        xft_flush_emc(t);
    }

    /* Ids that flows whose entries could not be removed kept out of use
     * are free now that no map has them, unless a repair failed. */
    if (check->n_unrepaired == unrepaired) {
        id_pool_destroy(t->ids);
        t->ids = id_pool_create(0, t->maps.max_flows);
        HMAP_FOR_EACH (flow, node, &t->flows) {
            id_pool_add(t->ids, flow->id);
        }
    }
    free(by_id);
    ovs_mutex_unlock(&t->mutex);
}
