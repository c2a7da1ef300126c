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

/* The XDP flow table's mask order and settings: masks ranked by their
 * recent hits, as dpcls ranks its subtables, the decision to skip the
 * exact-match cache when it does not pay, and the program's 'classifier'
 * value (cache setting, VLAN limit), of which the table is the only
 * writer. */

#include <config.h>

#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "util.h"
#include "xdp-flow-table.h"
#include "xdp-flow-table-private.h"
#include "xdp-map.h"

VLOG_DEFINE_THIS_MODULE(xdp_flow_table_rank);

/* Below this many megaflow hits a second, the cache setting stays. */
#define XFT_EMC_MIN_HITS 1000
/* The cache is skipped while megaflow hits take at most this many probes
 * on average: probing the first mask costs about as much as the cache. */
#define XFT_EMC_MAX_PROBES 1.5


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
