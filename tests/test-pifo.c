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

/* Unit tests of the PIFO (lib/pifo.c): order, FIFO ties, the rank window
 * and its wrap, overflow, and a randomised comparison with a reference.
 * Each command prints what it checked on stdout and every failed check on
 * stderr, and exits with status 1 if a check failed. */

#include <config.h>

#undef NDEBUG
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovstest.h"
#include "pifo.h"
#include "test-pifo.h"
#include "random.h"
#include "util.h"

int n_failures;
char test_pifo_packets[1 << 20];

/* Order by rank, FIFO among equal ranks and within a bucket. */
static void
test_order(void)
{
    struct pifo *p = make_pifo(64, 64, 0, 64, false, PIFO_DROP_ARRIVING);
    static const uint64_t ranks[] = { 5, 3, 9, 3, 0, 127, 5, 64, 3, 1 };
    static const uint32_t order[] = { 4, 9, 1, 3, 8, 0, 6, 2, 7, 5 };

    for (uint32_t i = 0; i < ARRAY_SIZE(ranks); i++) {
        push(p, ranks[i], i);
    }
    CHECK(pifo_count(p) == ARRAY_SIZE(ranks), "count %"PRIu32,
          pifo_count(p));
    struct pifo_entry e;
    CHECK(pifo_peek(p, &e) && e.rank == 0 && e.tag == 4, "peek");
    expect_tags(p, order, ARRAY_SIZE(order), "order");
    pifo_destroy(p);

    /* Granularity 16: ranks 1 and 15 share a bucket: FIFO between them. */
    p = make_pifo(64, 64, 4, 64, false, PIFO_DROP_ARRIVING);
    push(p, 15, 0);
    push(p, 1, 1);
    push(p, 16, 2);
    push(p, 0, 3);
    static const uint32_t order2[] = { 0, 1, 3, 2 };
    expect_tags(p, order2, ARRAY_SIZE(order2), "granularity");
    pifo_destroy(p);

    /* A thousand equal ranks leave in arrival order. */
    p = make_pifo(1000, 64, 0, 64, true, PIFO_DROP_ARRIVING);
    uint32_t *fifo = xmalloc(1000 * sizeof *fifo);
    for (uint32_t i = 0; i < 1000; i++) {
        push(p, UINT64_C(1) << 40, i);
        fifo[i] = i;
    }
    expect_tags(p, fifo, 1000, "ties");
    free(fifo);

    /* pifo_remove() anywhere in a bucket. */
    uint32_t h[5];
    for (uint32_t i = 0; i < 5; i++) {
        h[i] = pifo_push(p, 7, pkt(i), i, NULL);
    }
    CHECK(pifo_remove(p, h[2], &e) && e.tag == 2, "remove middle");
    CHECK(pifo_remove(p, h[0], &e) && e.tag == 0, "remove head");
    CHECK(pifo_remove(p, h[4], &e) && e.tag == 4, "remove tail");
    CHECK(!pifo_remove(p, h[4], &e), "remove twice");
    static const uint32_t order3[] = { 1, 3 };
    expect_tags(p, order3, ARRAY_SIZE(order3), "remove");
    pifo_destroy(p);
    printf("order: ok\n");
}

/* The window moves: 4 buckets per half, granularity 1. */
static void
test_rotation(void)
{
    struct pifo *p = make_pifo(64, 4, 0, 64, true, PIFO_DROP_ARRIVING);
    struct pifo_stats s;
    struct pifo_entry e;
    uint64_t next = 1000;

    /* Ever-growing ranks, 4 queued at a time: every 4 pops rotate. */
    for (uint32_t i = 0; i < 4; i++) {
        push(p, next++, i);
    }
    for (uint32_t i = 0; i < 10000; i++) {
        CHECK(pifo_pop(p, &e) && e.rank == 1000 + i && e.tag == i % 64,
              "pop %"PRIu32": rank %"PRIu64, i, e.rank);
        push(p, next, (next - 1000) % 64);
        next++;
    }
    pifo_get_stats(p, &s);
    CHECK(s.n_rotations >= 2499 && s.n_rotations <= 2501,
          "%"PRIu64" rotations", s.n_rotations);
    CHECK(!s.n_clamped_low && !s.n_clamped_high, "clamped %"PRIu64" %"PRIu64,
          s.n_clamped_low, s.n_clamped_high);
    while (pifo_pop(p, &e)) {
        continue;
    }

    /* Beyond the window: the last bucket, after what is there.  Below the
     * window: the first bucket, after what is there. */
    uint64_t old_base = pifo_window_base(p);
    push(p, old_base + 100, 1);
    uint64_t base = pifo_window_base(p);
    CHECK(base == old_base + 100, "not anchored on the rank pushed");
    push(p, base + 7, 2);
    push(p, base + 6, 3);
    push(p, base + 1000, 4);
    push(p, base + 2, 5);
    push(p, base - 5, 6);
    pifo_get_stats(p, &s);
    CHECK(s.n_clamped_high == 1, "clamped high %"PRIu64, s.n_clamped_high);
    CHECK(s.n_clamped_low == 1, "clamped low %"PRIu64, s.n_clamped_low);
    static const uint32_t order[] = { 1, 6, 5, 3, 2, 4 };
    expect_tags(p, order, ARRAY_SIZE(order), "clamped");

    /* Empty: the window re-anchors on the next rank, however far. */
    push(p, UINT64_C(1) << 50, 7);
    push(p, (UINT64_C(1) << 50) + 3, 8);
    pifo_get_stats(p, &s);
    CHECK(s.n_clamped_high == 1, "re-anchor clamped");
    CHECK(pifo_pop(p, &e) && e.tag == 7, "re-anchored");
    CHECK(pifo_pop(p, &e) && e.tag == 8, "re-anchored");
    pifo_destroy(p);
    printf("rotation: ok\n");
}

/* Across the wrap of 2^64 and 2^32. */
static void
test_wrap(void)
{
    for (unsigned int bits = 32; bits <= 64; bits += 32) {
        uint64_t mask = bits == 64 ? UINT64_MAX : UINT32_MAX;
        struct pifo *p = make_pifo(16, 4, 0, bits, true, PIFO_DROP_ARRIVING);
        static const uint32_t order[] = { 0, 1, 2, 3, 4, 5 };
        struct pifo_entry e;

        push(p, mask - 1, 0);
        push(p, 2, 4);
        push(p, mask, 1);
        push(p, 0, 2);
        push(p, 1, 3);
        push(p, 3, 5);
        CHECK(pifo_peek(p, &e) && e.rank == mask - 1, "peek at wrap");
        expect_tags(p, order, ARRAY_SIZE(order), "wrap");

        /* Times: released at the wrap, never before. */
        push(p, mask - 1, 0);
        push(p, 1, 1);
        CHECK(!pifo_pop_due(p, mask - 2, &e), "released early");
        CHECK(pifo_pop_due(p, mask - 1, &e) && e.tag == 0, "not released");
        CHECK(!pifo_pop_due(p, mask, &e), "released early at wrap");
        CHECK(!pifo_pop_due(p, 0, &e), "released early after wrap");
        CHECK(pifo_pop_due(p, 1, &e) && e.tag == 1, "not released");
        pifo_destroy(p);

        CHECK(pifo_rank_before(mask, 0, bits), "rank_before wrap");
        CHECK(!pifo_rank_before(0, mask, bits), "rank_before wrap");
        CHECK(!pifo_rank_before(5, 5, bits), "rank_before equal");
    }

    /* 64-bit ranks do not pass for 32-bit ones. */
    struct pifo *p = make_pifo(4, 4, 0, 32, true, PIFO_DROP_ARRIVING);
    push(p, (UINT64_C(1) << 32) + 2, 0);
    struct pifo_entry e;
    CHECK(pifo_pop(p, &e) && e.rank == 2, "32-bit rank %"PRIu64, e.rank);
    pifo_destroy(p);
    printf("wrap: ok\n");
}

/* Full PIFO: both policies, every drop counted and handed back. */
static void
test_overflow(void)
{
    struct pifo *p = make_pifo(8, 64, 0, 64, false, PIFO_DROP_ARRIVING);
    struct pifo_stats s;
    struct pifo_entry d;
    uint32_t n_back = 0;

    for (uint32_t i = 0; i < 20; i++) {
        uint32_t h = pifo_push(p, 20 - i, pkt(i), i, &d);

        if (h == PIFO_NONE) {
            CHECK(d.data == pkt(i) && d.tag == i, "arriving not returned");
            n_back++;
        } else {
            CHECK(!d.data, "dropped while not full");
        }
    }
    pifo_get_stats(p, &s);
    CHECK(pifo_is_full(p) && pifo_count(p) == 8, "count %"PRIu32,
          pifo_count(p));
    CHECK(s.n_dropped == 12 && s.n_dropped_arriving == 12 && !s.n_evicted
          && n_back == 12 && s.n_pushed == 8,
          "drops %"PRIu64" %"PRIu64" %"PRIu64, s.n_dropped,
          s.n_dropped_arriving, s.n_evicted);
    static const uint32_t order[] = { 7, 6, 5, 4, 3, 2, 1, 0 };
    expect_tags(p, order, ARRAY_SIZE(order), "drop arriving");
    pifo_destroy(p);

    p = make_pifo(4, 64, 0, 64, false, PIFO_DROP_LAST);
    push(p, 5, 0);
    push(p, 1, 1);
    push(p, 7, 2);
    push(p, 7, 3);
    CHECK(pifo_push(p, 2, pkt(4), 4, &d) != PIFO_NONE && d.tag == 3
          && d.rank == 7, "evicted %"PRIu32, d.tag);
    CHECK(pifo_push(p, 7, pkt(5), 5, &d) == PIFO_NONE && d.tag == 5,
          "arriving last not dropped");
    CHECK(pifo_push(p, 6, pkt(6), 6, &d) != PIFO_NONE && d.tag == 2,
          "evicted %"PRIu32, d.tag);
    pifo_get_stats(p, &s);
    CHECK(s.n_dropped == 3 && s.n_evicted == 2 && s.n_dropped_arriving == 1,
          "drops %"PRIu64" %"PRIu64" %"PRIu64, s.n_dropped,
          s.n_dropped_arriving, s.n_evicted);
    static const uint32_t order2[] = { 1, 4, 0, 6 };
    expect_tags(p, order2, ARRAY_SIZE(order2), "drop last");
    pifo_destroy(p);
    printf("overflow: ok\n");
}

/* Randomised comparison with a reference: an array, popped by linear search
 * for the smallest (bucket, arrival), and a final sort. */
struct ref_item {
    uint64_t key;               /* Bucket, counted from 'origin'. */
    uint64_t seq;
    uint64_t rank;
    uint32_t tag;
};

static int
ref_cmp(const void *a_, const void *b_)
{
    const struct ref_item *a = a_, *b = b_;

    return (a->key != b->key ? (a->key < b->key ? -1 : 1)
            : a->seq < b->seq ? -1 : a->seq > b->seq);
}

static size_t
ref_min(const struct ref_item *items, size_t n, bool last)
{
    size_t best = 0;

    for (size_t i = 1; i < n; i++) {
        int c = ref_cmp(&items[i], &items[best]);

        if (last ? c > 0 : c < 0) {
            best = i;
        }
    }
    return best;
}

static void
test_random(uint32_t n_ops, uint32_t seed)
{
    static const unsigned int shifts[] = { 0, 3 };
    static const uint32_t n_buckets[] = { 2, 64, 256, 8192 };
    uint64_t n_compared = 0, n_rotations = 0, n_drops = 0;
    int n_wraps = 0;

    random_set_seed(seed);
    for (int cfg = 0; cfg < 32; cfg++) {
        enum pifo_drop_policy policy = cfg & 1;
        unsigned int bits = cfg & 2 ? 64 : 32;
        unsigned int shift = shifts[(cfg >> 2) & 1];
        size_t bi = cfg >> 3;
        uint64_t mask = bits == 64 ? UINT64_MAX : UINT32_MAX;
        uint64_t w = (uint64_t) n_buckets[bi] << shift;
        uint32_t capacity = 200 + random_range(400);
        struct pifo *p = make_pifo(capacity, n_buckets[bi], shift, bits,
                                   true, policy);
        struct ref_item *ref = xmalloc(capacity * sizeof *ref);
        size_t n = 0;
        uint64_t seq = 0;

        /* Start close enough to the wrap that the ranks cross it. */
        uint64_t origin = (mask - 2 * w) & ~((UINT64_C(1) << shift) - 1);
        uint64_t last = origin;
        bool wrapped = false;

        for (uint32_t op = 0; op < n_ops; op++) {
            /* Phases that fill up (and overflow) and phases that drain. */
            bool fill = (op / 997) % 2 == 0;

            if (random_range(100) < (fill ? 70 : 30)) {
                uint64_t rank = !seq ? origin : (last + (random_range(4) == 0
                                         ? random_range(MIN(2, w))
                                         : random_uint64() % w)) & mask;
                uint32_t tag = random_uint32();
                struct ref_item it = {
                    .key = ((rank - origin) & mask) >> shift,
                    .seq = seq++, .rank = rank, .tag = tag,
                };
                struct pifo_entry d;
                uint32_t h = pifo_push(p, rank, pkt(tag), tag, &d);
                bool ref_drop = false;

                if (n < capacity) {
                    ref[n++] = it;
                } else if (policy == PIFO_DROP_LAST) {
                    size_t m = ref_min(ref, n, true);

                    if (ref_cmp(&it, &ref[m]) < 0
                        && it.key < ref[m].key) {
                        CHECK(h != PIFO_NONE && d.data
                              && d.tag == ref[m].tag,
                              "evicted the wrong packet");
                        ref[m] = it;
                    } else {
                        ref_drop = true;
                    }
                    n_drops++;
                } else {
                    ref_drop = true;
                    n_drops++;
                }
                if (ref_drop) {
                    CHECK(h == PIFO_NONE && d.tag == tag, "not dropped");
                }
            } else if (n) {
                size_t m = ref_min(ref, n, false);
                struct pifo_entry e;

                if (!pifo_pop(p, &e)) {
                    CHECK(false, "PIFO empty, reference has %"PRIuSIZE, n);
                    break;
                }
                CHECK(e.tag == ref[m].tag && e.rank == ref[m].rank,
                      "policy %d bits %u shift %u buckets %"PRIu32
                      " op %"PRIu32": popped rank %"PRIu64" tag %"PRIu32
                      ", reference rank %"PRIu64" tag %"PRIu32,
                      policy, bits, shift, n_buckets[bi],
                      op, e.rank, e.tag, ref[m].rank, ref[m].tag);
                if (e.rank < last) {
                    wrapped = true;
                }
                last = ref[m].rank;
                ref[m] = ref[--n];
                n_compared++;
            }
            if (n_failures > 10) {
                break;
            }
        }

        /* What is left must come out as a sort of the reference. */
        qsort(ref, n, sizeof *ref, ref_cmp);
        for (size_t i = 0; i < n; i++) {
            struct pifo_entry e;

            CHECK(pifo_pop(p, &e) && e.tag == ref[i].tag,
                  "final pop %"PRIuSIZE, i);
            n_compared++;
        }
        CHECK(!pifo_count(p), "left %"PRIu32, pifo_count(p));

        struct pifo_stats s;
        pifo_get_stats(p, &s);
        CHECK(!s.n_clamped_high && !s.n_clamped_low, "clamped");
        n_rotations += s.n_rotations;
        n_wraps += wrapped;
        CHECK(wrapped || n_ops < 10000, "rank space not wrapped");
        free(ref);
        pifo_destroy(p);
    }
    printf("random: %"PRIu64" pops compared, %"PRIu64" drops, rotations %s, "
           "%d of 32 runs wrapped\n", n_compared, n_drops,
           n_rotations ? "yes" : "no", n_wraps);
}



static void
test_pifo_main(int argc, char *argv[])
{
    const char *cmd = argc > 1 ? argv[1] : "";

    if (!strcmp(cmd, "order")) {
        test_order();
    } else if (!strcmp(cmd, "rotation")) {
        test_rotation();
    } else if (!strcmp(cmd, "wrap")) {
        test_wrap();
    } else if (!strcmp(cmd, "overflow")) {
        test_overflow();
    } else if (!strcmp(cmd, "random")) {
        test_random(argc > 2 ? atoi(argv[2]) : 20000,
                    argc > 3 ? atoi(argv[3]) : 1);
    } else {
        ovs_fatal(0, "usage: %s order|rotation|wrap|overflow|"
                  "random [N [SEED]]", argv[0]);
    }
    if (n_failures) {
        fprintf(stderr, "%d checks failed\n", n_failures);
        exit(1);
    }
}

OVSTEST_REGISTER("test-pifo", test_pifo_main);
