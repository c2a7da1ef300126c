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

/* ovs-xdp-pifo bench: the cost of the PIFO (lib/pifo.c) next to OVS's own
 * lib/heap.c doing the same work, side by side in one run.
 *
 * Hold model: N packets stay queued; each operation dequeues the packet of
 * smallest rank and enqueues a new packet of the same queue, as a
 * scheduler does in steady state.  Q queues with weights 1 to 4 (queue q
 * has weight 1 + q % 4) get STFQ-like ranks: a queue's packets are spaced
 * by 12 / weight rank units, so ranks of different queues interleave and,
 * with many queues, tie.  The heap (a max-heap) gets UINT64_MAX - rank.
 *
 * The PIFO has 4096 buckets per half and the smallest bucket width whose
 * window half covers the ranks queued at one time, so nothing is clamped.
 * Within a bucket it is FIFO: with a width above 1, packets of nearby
 * ranks may leave in arrival order rather than by rank (the heap is exact),
 * which the output reports as the bucket width. */

#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "heap.h"
#include "pifo.h"
#include "util.h"

#define BENCH_BUCKETS 4096

struct bench_pkt {
    struct heap_node node;      /* For the heap. */
    uint32_t queue;
};

struct bench_work {
    uint32_t n_queued;
    uint32_t n_queues;
    uint64_t *finish;           /* Per queue: rank of its next packet. */
    uint64_t *cost;             /* Per queue. */
};

static uint64_t
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * UINT64_C(1000000000) + ts.tv_nsec;
}

static void
work_init(struct bench_work *w, uint32_t n_queued, uint32_t n_queues)
{
    w->n_queued = n_queued;
    w->n_queues = n_queues;
    w->finish = xzalloc(n_queues * sizeof *w->finish);
    w->cost = xmalloc(n_queues * sizeof *w->cost);
    for (uint32_t q = 0; q < n_queues; q++) {
        w->cost[q] = 12 / (1 + q % 4);
        w->finish[q] = q;
    }
}

static void
work_destroy(struct bench_work *w)
{
    free(w->finish);
    free(w->cost);
}

static inline uint64_t
work_next_rank(struct bench_work *w, uint32_t queue)
{
    uint64_t rank = w->finish[queue];

    w->finish[queue] += w->cost[queue];
    return rank;
}

static double
bench_pifo(uint32_t n_queued, uint32_t n_queues, uint64_t n_ops,
           unsigned int *shiftp)
{
    struct bench_work w;
    struct bench_pkt *pkts = xzalloc(n_queued * sizeof *pkts);

    work_init(&w, n_queued, n_queues);

    /* Ranks queued at one time span about n_queued / n_queues packets of
     * the slowest queue. */
    uint64_t span = (uint64_t) (n_queued / n_queues + 2) * 12 + n_queues;
    unsigned int shift = 0;
    while (((uint64_t) BENCH_BUCKETS << shift) < span) {
        shift++;
    }
    *shiftp = shift;

    struct pifo_config cfg = {
        .capacity = n_queued,
        .n_buckets = BENCH_BUCKETS,
        .granularity_shift = shift,
        .rank_bits = 64,
        .circular = true,
        .drop_policy = PIFO_DROP_ARRIVING,
    };
    char *error;
    struct pifo *p = pifo_create(&cfg, &error);
    if (!p) {
        ovs_fatal(0, "%s", error);
    }

    for (uint32_t i = 0; i < n_queued; i++) {
        uint32_t q = i % n_queues;

        pkts[i].queue = q;
        pifo_push(p, work_next_rank(&w, q), &pkts[i], q, NULL);
    }

    uint64_t start = now_ns();
    for (uint64_t i = 0; i < n_ops; i++) {
        struct pifo_entry e;

        pifo_pop(p, &e);
        pifo_push(p, work_next_rank(&w, e.tag), e.data, e.tag, NULL);
    }
    uint64_t elapsed = now_ns() - start;

    struct pifo_stats s;
    pifo_get_stats(p, &s);
    if (s.n_clamped_low || s.n_clamped_high || s.n_dropped) {
        ovs_fatal(0, "PIFO clamped or dropped");
    }
    pifo_destroy(p);
    work_destroy(&w);
    free(pkts);
    return (double) elapsed / n_ops;
}

static double
bench_heap(uint32_t n_queued, uint32_t n_queues, uint64_t n_ops)
{
    struct bench_work w;
    struct bench_pkt *pkts = xzalloc(n_queued * sizeof *pkts);
    struct heap heap;

    work_init(&w, n_queued, n_queues);
    heap_init(&heap);
    for (uint32_t i = 0; i < n_queued; i++) {
        uint32_t q = i % n_queues;

        pkts[i].queue = q;
        heap_insert(&heap, &pkts[i].node,
                    UINT64_MAX - work_next_rank(&w, q));
    }

    uint64_t start = now_ns();
    for (uint64_t i = 0; i < n_ops; i++) {
        struct bench_pkt *pkt = CONTAINER_OF(heap_max(&heap),
                                             struct bench_pkt, node);

        heap_remove(&heap, &pkt->node);
        heap_insert(&heap, &pkt->node,
                    UINT64_MAX - work_next_rank(&w, pkt->queue));
    }
    uint64_t elapsed = now_ns() - start;

    heap_destroy(&heap);
    work_destroy(&w);
    free(pkts);
    return (double) elapsed / n_ops;
}

static void
bench(int argc, char *argv[])
{
    static const uint32_t sizes[] = { 1024, 8192, 65536 };
    static const uint32_t queues[] = { 1, 64, 1024 };
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    uint64_t n_ops = argc > 3 ? strtoull(argv[3], NULL, 0) : 4000000;

    printf("PIFO (lib/pifo.c) and OVS's heap (lib/heap.c): enqueue + "
           "dequeue, ns per packet\n");
    printf("(hold model, %"PRIu64" operations, best of %d rounds)\n\n",
           n_ops, rounds);
    printf("%8s %7s %7s %10s %10s %10s\n", "queued", "queues", "width",
           "pifo ns", "heap ns", "heap/pifo");
    for (size_t si = 0; si < ARRAY_SIZE(sizes); si++) {
        for (size_t qi = 0; qi < ARRAY_SIZE(queues); qi++) {
            double best_pifo = 1e9, best_heap = 1e9;
            unsigned int shift = 0;

            for (int r = 0; r < rounds; r++) {
                double t = bench_pifo(sizes[si], queues[qi], n_ops, &shift);

                best_pifo = MIN(best_pifo, t);
                t = bench_heap(sizes[si], queues[qi], n_ops);
                best_heap = MIN(best_heap, t);
            }
            printf("%8"PRIu32" %7"PRIu32" %7u %10.1f %10.1f %9.1fx\n",
                   sizes[si], queues[qi], 1u << shift, best_pifo, best_heap,
                   best_heap / best_pifo);
        }
    }
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    if (argc < 2 || strcmp(argv[1], "bench")) {
        ovs_fatal(0, "usage: %s bench [ROUNDS [OPERATIONS]]", argv[0]);
    }
    bench(argc, argv);
    return 0;
}
