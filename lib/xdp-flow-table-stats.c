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

/* Statistics of the XDP flow table's flows.  The program counts packets,
 * bytes and TCP flags per flow and per CPU in 'flow_stats'; dpif-netdev
 * asks for them flow by flow, every second or so for every flow.  Reading
 * them one by one would cost a syscall per flow: instead a read reads
 * every flow in use with bpf_map_lookup_batch(), and the reads of the same
 * burst (a dump: each within XDP_FLOW_TABLE_STATS_GAP_US of the one
 * before, for at most XDP_FLOW_TABLE_STATS_MAX_AGE_MS) are answered from
 * that.  A flow's final statistics (when it is removed) are read alone,
 * fresh, and so are those of a flow added since the last read of all.
 * Nothing is allocated per read. */

#include <config.h>

#include <bpf/bpf.h>
#include <errno.h>
#include <string.h>

#include "coverage.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"
#include "xdp-flow-table.h"
#include "xdp-flow-table-private.h"
#include "xdp-map.h"

VLOG_DEFINE_THIS_MODULE(xdp_flow_table_stats);

COVERAGE_DEFINE(xdp_flow_stats_batch);
COVERAGE_DEFINE(xdp_flow_stats_single);

/* Flows per bpf_map_lookup_batch() call. */
#define XFT_STATS_BATCH 1024

void
xft_stats_init(struct xdp_flow_table *t)
{
    t->percpu = xcalloc(XFT_STATS_BATCH * t->n_cpus,
                        sizeof(struct xdp_flow_stats));
    t->batch_keys = xcalloc(XFT_STATS_BATCH, sizeof *t->batch_keys);
    t->stats_time = LLONG_MIN;
}

void
xft_stats_destroy(struct xdp_flow_table *t)
{
    free(t->percpu);
    free(t->batch_keys);
    free(t->stats);
}

/* Notes that 'flow' was just added: batches read before this moment hold
 * what an earlier flow with the same id counted. */
void
xft_stats_added(struct xdp_flow_table *t, struct xft_flow *flow)
{
    flow->stats_from = t->n_stats_reads + 1;
}

/* Adds the per-CPU values at 'percpu' into 's'. */
static void
xft_stats_sum(const struct xdp_flow_table *t,
              const struct xdp_flow_stats *percpu, struct xft_stats *s)
{
    memset(s, 0, sizeof *s);
    for (int cpu = 0; cpu < t->n_cpus; cpu++) {
        s->packets += percpu[cpu].packets;
        s->bytes += percpu[cpu].bytes;
        s->tcp_flags |= percpu[cpu].tcp_flags;
    }
}

/* Reads the statistics of flow id 'id' alone into 's'.  Returns 0 or a
 * positive errno value. */
static int
xft_stats_read_one(struct xdp_flow_table *t, uint32_t id,
                   struct xft_stats *s)
{
    COVERAGE_INC(xdp_flow_stats_single);
    if (bpf_map_lookup_elem(t->maps.flow_stats, &id, t->percpu)) {
        memset(s, 0, sizeof *s);
        return errno;
    }
    xft_stats_sum(t, t->percpu, s);
    return 0;
}

/* Reads the statistics of every flow id below 't->id_limit' into
 * 't->stats', in batches. */
static void
xft_stats_read_all(struct xdp_flow_table *t)
    OVS_REQUIRES(t->mutex)
{
    uint32_t n = t->id_limit, done = 0, in = 0, out = 0;
    bool batches = true;

    if (n > t->n_stats) {
        t->stats = xrealloc(t->stats, n * sizeof *t->stats);
        t->n_stats = n;
    }
    memset(t->stats, 0, n * sizeof *t->stats);
    COVERAGE_INC(xdp_flow_stats_batch);
    while (done < n && batches) {
        uint32_t count = MIN(XFT_STATS_BATCH, n - done);
        int error = bpf_map_lookup_batch(t->maps.flow_stats,
                                         done ? &in : NULL, &out,
                                         t->batch_keys, t->percpu, &count,
                                         NULL);

        if (error && errno != ENOENT) {
            /* A kernel without batch operations on this map: one by one
             * (both read the same counters). */
            break;
        }
        for (uint32_t i = 0; i < count; i++) {
            const struct xdp_flow_stats *percpu = t->percpu;
            uint32_t id = t->batch_keys[i];

            if (id < n) {
                xft_stats_sum(t, &percpu[i * t->n_cpus], &t->stats[id]);
            }
        }
        done += count;
        in = out;
        batches = !error && count;
    }
    for (uint32_t id = done; id < n; id++) {
        xft_stats_read_one(t, id, &t->stats[id]);
    }
    t->n_stats_reads++;
    t->stats_time = t->stats_last_read = time_usec();
}

/* Reads the statistics of 'flow': from the last batch, refreshed if it is
 * not of this burst of reads (see the top of this file) or does not cover
 * the flow, or alone if 'fresh'.
 *
 * The program keeps no time of use, which would cost every packet a clock
 * read: a flow was last used when a read first saw its packet count grow,
 * as OVS takes it from hardware offloads whose counters it polls.
 * Revalidators read every flow at least once a second or so, which bounds
 * the error. */
void
xft_read_stats(struct xdp_flow_table *t, struct xft_flow *flow, bool fresh,
               struct xdp_flow_table_stats *stats)
    OVS_REQUIRES(t->mutex)
{
    struct xft_stats s;

    if (fresh) {
        xft_stats_read_one(t, flow->id, &s);
    } else {
        long long int now = time_usec();

        if (now - t->stats_last_read > XDP_FLOW_TABLE_STATS_GAP_US
            || (now - t->stats_time
                > XDP_FLOW_TABLE_STATS_MAX_AGE_MS * 1000LL)) {
            xft_stats_read_all(t);
        }
        if (flow->stats_from > t->n_stats_reads || flow->id >= t->n_stats) {
            /* Added since the last read of all flows: read alone.  A read
             * of all for it would read the whole table for each new flow
             * that a dump meets while flows come in (minutes at tens of
             * thousands of flows). */
            xft_stats_read_one(t, flow->id, &s);
        } else {
            s = t->stats[flow->id];
        }
        t->stats_last_read = now;
    }
    stats->n_packets = s.packets;
    stats->n_bytes = s.bytes;
    stats->tcp_flags = s.tcp_flags;
    if (stats->n_packets != flow->seen_packets) {
        flow->seen_packets = stats->n_packets;
        flow->used = time_msec();
    }
    stats->used = flow->used;
}

/* Zeroes the counters of flow id 'id', before a new flow takes it. */
int
xft_zero_stats(struct xdp_flow_table *t, uint32_t id)
{
    memset(t->percpu, 0, t->n_cpus * sizeof(struct xdp_flow_stats));
    return xdp_map_update(t->maps.flow_stats, "flow_stats", &id, t->percpu,
                          0);
}
