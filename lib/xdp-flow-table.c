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
#include "xdp-flow-table-private.h"

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
const char *const xft_flows_names[XDP_FLOW_N_WIDTHS] = {
    [XDP_FLOW_TINY] = "flows_tiny",
    [XDP_FLOW_NARROW] = "flows_narrow",
    [XDP_FLOW_MEDIUM] = "flows_medium",
    [XDP_FLOW_WIDE] = "flows_wide",
};
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
    xft_stats_init(t);
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
    xft_stats_destroy(t);
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
int
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

/* The hits of mask 'index', summed over the CPUs. */
uint64_t
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

static void xft_mask_unref(struct xdp_flow_table *, struct xft_mask *,
                           uint32_t passes);

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
        xft_mask_unref(t, m, 0);
        return error;
    }
    *mp = m;
    return 0;
}

/* Counts one more flow (or, without 'add', one less) of 'passes'
 * (XDP_FLOW_MASK_*) in 'm', and rewrites the passes the program probes 'm'
 * on when they change.  Before a flow's 'flows_*' entry is written and
 * after it is deleted: a mask probed on a pass it has no flow for costs a
 * probe, and one not probed on a pass it has a flow for would only miss,
 * to userspace. */
static void
xft_mask_count_passes(struct xdp_flow_table *t, struct xft_mask *m,
                      uint32_t passes, bool add)
    OVS_REQUIRES(t->mutex)
{
    uint32_t in_use = 0;

    for (int i = 0; i < ARRAY_SIZE(m->n_pass_flows); i++) {
        if (passes & (1u << i)) {
            m->n_pass_flows[i] += add ? 1 : -1;
        }
        if (m->n_pass_flows[i]) {
            in_use |= 1u << i;
        }
    }
    if (in_use && in_use != m->compiled.in_use) {
        m->compiled.in_use = in_use;
        /* The other fields are rewritten with their own values, so a
         * concurrent probe cannot read a mix. */
        xdp_map_update(t->maps.masks, "masks", &m->index, &m->compiled, 0);
    }
}

/* Drops a flow of 'passes' from 'm', and the mask with its last flow. */
static void
xft_mask_unref(struct xdp_flow_table *t, struct xft_mask *m,
               uint32_t passes)
    OVS_REQUIRES(t->mutex)
{
    struct xdp_flow_mask map_value;
    uint32_t rank;

    if (--m->n_flows) {
        xft_mask_count_passes(t, m, passes, false);
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

/* Sets the generation of flow id 'id' in 'flow_gens': cached lookups of the
 * id with another generation stop at once (0: every one does). */
static int
xft_set_gen(const struct xdp_flow_table *t, uint32_t id, uint32_t generation)
{
    return xdp_map_update(t->maps.flow_gens, "flow_gens", &id, &generation,
                          0);
}

/* Empties the exact-match cache: after xdp/check removed or rewrote
 * entries that cached lookups came from, and when the generation counter
 * wraps, so that no cached {id, generation} outlives its flow until the
 * same pair comes round again. */
void
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

/* A new generation: never 0, and not taken again before 2**32 more. */
static uint32_t
xft_next_generation(struct xdp_flow_table *t)
    OVS_REQUIRES(t->mutex)
{
    if (!++t->generation) {
        ++t->generation;
        xft_flush_emc(t);
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
    xft_mask_unref(t, m, xdp_flow_mask_passes(&flow->mask, &flow->key));
    flow->withdrawn = true;
}

static void
xft_flow_remove(struct xdp_flow_table *t, struct xft_flow *flow,
                struct xdp_flow_table_stats *stats)
    OVS_REQUIRES(t->mutex)
{
    xft_flow_unlink(t, flow);
    if (stats) {
        xft_read_stats(t, flow, true, stats);
    }
    if (!flow->unremoved) {
        id_pool_free_id(t->ids, flow->id);
    }
    hmap_remove(&t->flows, &flow->node);
    free(flow);
}

/* Sets 'mf' to the 'flows_*' value of 'flow', under 'm', with 'entry'. */
void
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
    uint32_t passes;
    int error = 0;

    *reason = NULL;
    if ((key->pad & mask->pad) || (key->pad0 & mask->pad0)) {
        /* Never seen in XDP, and left out of the packed lookup keys. */
        *reason = "matches on padding of the XDP key";
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
    passes = xdp_flow_mask_passes(mask, key);
    xft_mask_count_passes(t, m, passes, true);

    flow = xzalloc(sizeof *flow);
    if (!id_pool_alloc_id(t->ids, &flow->id)) {
        free(flow);
        xft_mask_unref(t, m, passes);
        *reason = "the XDP flow table is full";
        error = ENOSPC;
        goto out;
    }
    t->id_limit = MAX(t->id_limit, flow->id + 1);
    xft_stats_added(t, flow);
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
        xft_mask_unref(t, m, passes);
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
            /* A withdrawn flow's read is its last: it must be exact. */
            xft_read_stats(t, flow, flow->withdrawn, stats);
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
