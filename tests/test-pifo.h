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

#ifndef TEST_PIFO_H
#define TEST_PIFO_H 1

/* What the PIFO's tests (test-pifo.c) and its schedulers' tests
 * (test-pifo-sched.c) share: the check macro, fake packets, PIFO set-up. */

#include <inttypes.h>
#include <stdio.h>

#include "pifo.h"
#include "util.h"

extern int n_failures;

#define CHECK(COND, ...)                                        \
    do {                                                        \
        if (!(COND)) {                                          \
            fprintf(stderr, "%s:%d: check failed: %s: ",        \
                    __FILE__, __LINE__, #COND);                 \
            fprintf(stderr, __VA_ARGS__);                       \
            fputc('\n', stderr);                                \
            n_failures++;                                       \
        }                                                       \
    } while (0)

/* A packet: the tests only need distinct non-null pointers. */
extern char test_pifo_packets[1 << 20];

static inline void *
pkt(uint32_t i)
{
    return &test_pifo_packets[i % sizeof test_pifo_packets];
}

static inline uint32_t
pkt_index(const void *p)
{
    return (const char *) p - test_pifo_packets;
}

static inline struct pifo *
make_pifo(uint32_t capacity, uint32_t n_buckets, unsigned int shift,
          unsigned int rank_bits, bool circular,
          enum pifo_drop_policy policy)
{
    struct pifo_config cfg = {
        .capacity = capacity,
        .n_buckets = n_buckets,
        .granularity_shift = shift,
        .rank_bits = rank_bits,
        .circular = circular,
        .drop_policy = policy,
    };
    char *error;
    struct pifo *p = pifo_create(&cfg, &error);

    if (!p) {
        ovs_fatal(0, "pifo_create: %s", error);
    }
    return p;
}

/* Pops everything from 'p' and checks that the tags come out as 'tags'. */
static inline void
expect_tags(struct pifo *p, const uint32_t *tags, size_t n, const char *what)
{
    struct pifo_entry e;

    for (size_t i = 0; i < n; i++) {
        if (!pifo_pop(p, &e)) {
            CHECK(false, "%s: PIFO empty after %"PRIuSIZE" of %"PRIuSIZE,
                  what, i, n);
            return;
        }
        CHECK(e.tag == tags[i], "%s: pop %"PRIuSIZE": tag %"PRIu32", "
              "expected %"PRIu32, what, i, e.tag, tags[i]);
        CHECK(pkt_index(e.data) == e.tag, "%s: data and tag differ", what);
    }
    CHECK(!pifo_pop(p, &e), "%s: PIFO not empty at the end", what);
}

static inline void
push(struct pifo *p, uint64_t rank, uint32_t tag)
{
    struct pifo_entry dropped;
    uint32_t handle = pifo_push(p, rank, pkt(tag), tag, &dropped);

    CHECK(handle != PIFO_NONE && !dropped.data,
          "push of rank %"PRIu64" dropped something", rank);
}

#endif /* test-pifo.h */
