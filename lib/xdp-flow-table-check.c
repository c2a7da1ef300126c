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

/* xdp/check for the XDP flow table: reads the program's flow maps back
 * ('masks', 'mask_order', 'flow_table', 'flows_*'), compares them with the
 * table that userspace keeps, reports each difference and repairs it. */

#include <config.h>

#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bitmap.h"
#include "id-pool.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "util.h"
#include "uuid.h"
#include "xdp-flow-table.h"
#include "xdp-flow-table-private.h"
#include "xdp-map.h"

VLOG_DEFINE_THIS_MODULE(xdp_flow_table_check);

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
