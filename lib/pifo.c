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

#include "pifo.h"

#include <string.h>

#include "util.h"

#define PIFO_MAX_LEVELS 3
#define PIFO_MAX_BUCKETS (1u << 18)
#define PIFO_NIL UINT32_MAX

/* 32 bytes: two nodes per cache line. */
struct pifo_node {
    void *data;
    uint64_t rank;
    uint32_t next;              /* In bucket, or in free list. */
    uint32_t prev;              /* In bucket. */
    uint32_t tag;
    uint32_t bucket;            /* Physical bucket: half * n_buckets + i. */
};

struct pifo_bucket {
    uint32_t head;
    uint32_t tail;
};

/* One half: its buckets' bitmaps, level 0 (one bit per bucket) first. */
struct pifo_half {
    uint64_t *bits[PIFO_MAX_LEVELS];
    uint32_t n;                 /* Packets in this half. */
};

struct pifo {
    /* Hot. */
    struct pifo_node *nodes;
    struct pifo_bucket *buckets;        /* 2 * n_buckets. */
    struct pifo_half halves[2];
    uint64_t base;              /* First rank of the primary half. */
    uint64_t mask;              /* Rank space: 2^rank_bits - 1. */
    uint32_t primary;           /* 0 or 1. */
    uint32_t count;
    uint32_t free;              /* Free list of nodes. */
    uint32_t n_buckets;         /* Per half. */
    uint32_t bucket_mask;       /* n_buckets - 1. */
    unsigned int shift;
    unsigned int bucket_bits;   /* log2(n_buckets). */
    int n_levels;
    bool circular;
    bool have_last;             /* 'last_popped' valid. */
    uint64_t last_popped;

    /* Cold. */
    uint32_t capacity;
    enum pifo_drop_policy drop_policy;
    unsigned int rank_bits;
    uint64_t *bitmap_mem;
    struct pifo_stats stats;
};

static uint32_t
level_words(uint32_t n_buckets, int level)
{
    uint32_t words = n_buckets >> (6 * (level + 1));

    return words ? words : 1;
}

struct pifo *
pifo_create(const struct pifo_config *cfg, char **errorp)
{
    unsigned int rank_bits = cfg->rank_bits ? cfg->rank_bits : 64;
    uint64_t mask = rank_bits == 64 ? UINT64_MAX : (UINT64_C(1) << 32) - 1;

    *errorp = NULL;
    if (rank_bits != 32 && rank_bits != 64) {
        *errorp = xasprintf("rank_bits must be 32 or 64, not %u", rank_bits);
        return NULL;
    }
    if (!cfg->capacity || cfg->capacity > (UINT32_C(1) << 31)) {
        *errorp = xasprintf("capacity %"PRIu32" out of range",
                            cfg->capacity);
        return NULL;
    }
    if (!cfg->n_buckets || cfg->n_buckets > PIFO_MAX_BUCKETS
        || cfg->n_buckets & (cfg->n_buckets - 1)) {
        *errorp = xasprintf("n_buckets %"PRIu32" is not a power of 2 from 1 "
                            "to %u", cfg->n_buckets, PIFO_MAX_BUCKETS);
        return NULL;
    }
    unsigned int bucket_bits = __builtin_ctz(cfg->n_buckets);
    if (cfg->granularity_shift + bucket_bits + 1 > rank_bits - 1) {
        *errorp = xasprintf("window of 2 x %"PRIu32" buckets of 2^%u ranks "
                            "must be below 2^%u", cfg->n_buckets,
                            cfg->granularity_shift, rank_bits - 1);
        return NULL;
    }
    if (cfg->drop_policy != PIFO_DROP_ARRIVING
        && cfg->drop_policy != PIFO_DROP_LAST) {
        *errorp = xstrdup("unknown drop policy");
        return NULL;
    }

    struct pifo *p = xzalloc(sizeof *p);
    p->capacity = cfg->capacity;
    p->n_buckets = cfg->n_buckets;
    p->bucket_mask = cfg->n_buckets - 1;
    p->bucket_bits = bucket_bits;
    p->shift = cfg->granularity_shift;
    p->rank_bits = rank_bits;
    p->mask = mask;
    p->circular = cfg->circular;
    p->drop_policy = cfg->drop_policy;

    p->n_levels = 1;
    while (p->n_levels < PIFO_MAX_LEVELS
           && cfg->n_buckets > (UINT32_C(1) << (6 * p->n_levels))) {
        p->n_levels++;
    }

    size_t words_per_half = 0;
    for (int l = 0; l < p->n_levels; l++) {
        words_per_half += level_words(p->n_buckets, l);
    }
    p->bitmap_mem = xzalloc(2 * words_per_half * sizeof *p->bitmap_mem);
    uint64_t *w = p->bitmap_mem;
    for (int h = 0; h < 2; h++) {
        /* Top levels first: a pop reads them first. */
        for (int l = p->n_levels - 1; l >= 0; l--) {
            p->halves[h].bits[l] = w;
            w += level_words(p->n_buckets, l);
        }
    }

    p->buckets = xmalloc(2 * sizeof *p->buckets * p->n_buckets);
    for (uint32_t i = 0; i < 2 * p->n_buckets; i++) {
        p->buckets[i].head = p->buckets[i].tail = PIFO_NIL;
    }

    p->nodes = xzalloc(sizeof *p->nodes * p->capacity);
    for (uint32_t i = 0; i < p->capacity; i++) {
        p->nodes[i].next = i + 1 < p->capacity ? i + 1 : PIFO_NIL;
    }
    p->free = 0;
    return p;
}

void
pifo_destroy(struct pifo *p)
{
    if (p) {
        free(p->nodes);
        free(p->buckets);
        free(p->bitmap_mem);
        free(p);
    }
}

static inline void
bitmap_set(struct pifo *p, struct pifo_half *h, uint32_t i)
{
    for (int l = 0; l < p->n_levels; l++) {
        uint64_t *word = &h->bits[l][i >> 6];
        uint64_t old = *word;

        *word = old | (UINT64_C(1) << (i & 63));
        if (old) {
            break;
        }
        i >>= 6;
    }
}

static inline void
bitmap_clear(struct pifo *p, struct pifo_half *h, uint32_t i)
{
    for (int l = 0; l < p->n_levels; l++) {
        uint64_t *word = &h->bits[l][i >> 6];

        *word &= ~(UINT64_C(1) << (i & 63));
        if (*word) {
            break;
        }
        i >>= 6;
    }
}

/* First non-empty bucket of non-empty 'h'. */
static inline uint32_t
bitmap_first(const struct pifo *p, const struct pifo_half *h)
{
    uint32_t i = 0;

    for (int l = p->n_levels - 1; l >= 0; l--) {
        i = (i << 6) | __builtin_ctzll(h->bits[l][i]);
    }
    return i;
}

/* Last non-empty bucket of non-empty 'h'. */
static inline uint32_t
bitmap_last(const struct pifo *p, const struct pifo_half *h)
{
    uint32_t i = 0;

    for (int l = p->n_levels - 1; l >= 0; l--) {
        i = (i << 6) | (63 - __builtin_clzll(h->bits[l][i]));
    }
    return i;
}

static inline uint64_t
align_rank(const struct pifo *p, uint64_t rank)
{
    return rank & ~((UINT64_C(1) << p->shift) - 1) & p->mask;
}

/* Logical position of 'rank': 0 to 2 * n_buckets - 1, primary half first. */
static inline uint32_t
rank_position(struct pifo *p, uint64_t rank)
{
    uint64_t d = (rank - p->base) & p->mask;

    if (p->circular && d > p->mask >> 1) {
        p->stats.n_clamped_low++;
        return 0;
    }
    d >>= p->shift;
    if (d >= 2 * p->n_buckets) {
        p->stats.n_clamped_high++;
        return 2 * p->n_buckets - 1;
    }
    return d;
}

/* Physical bucket of logical position 'pos'. */
static inline uint32_t
position_bucket(const struct pifo *p, uint32_t pos)
{
    uint32_t half = p->primary ^ (pos >> p->bucket_bits);

    return (half << p->bucket_bits) | (pos & p->bucket_mask);
}

static inline uint32_t
bucket_position(const struct pifo *p, uint32_t bucket)
{
    uint32_t half = bucket >> p->bucket_bits;

    return ((half ^ p->primary) << p->bucket_bits)
           | (bucket & p->bucket_mask);
}

/* Unlinks node 'idx' from its bucket and frees it. */
static void
unlink_node(struct pifo *p, uint32_t idx, struct pifo_entry *e)
{
    struct pifo_node *node = &p->nodes[idx];
    uint32_t bucket = node->bucket;
    struct pifo_bucket *b = &p->buckets[bucket];
    struct pifo_half *h = &p->halves[bucket >> p->bucket_bits];

    if (node->prev == PIFO_NIL) {
        b->head = node->next;
    } else {
        p->nodes[node->prev].next = node->next;
    }
    if (node->next == PIFO_NIL) {
        b->tail = node->prev;
    } else {
        p->nodes[node->next].prev = node->prev;
    }
    if (b->head == PIFO_NIL) {
        bitmap_clear(p, h, bucket & p->bucket_mask);
    }
    h->n--;
    p->count--;

    e->data = node->data;
    e->rank = node->rank;
    e->tag = node->tag;
    node->data = NULL;
    node->next = p->free;
    p->free = idx;
}

/* Physical bucket of the packet that would leave last. */
static uint32_t
last_bucket(const struct pifo *p)
{
    uint32_t secondary = p->primary ^ 1;
    uint32_t half = p->halves[secondary].n ? secondary : p->primary;

    return (half << p->bucket_bits) | bitmap_last(p, &p->halves[half]);
}

/* Queues 'data' (not NULL) with 'rank' and 'tag'.  Returns its handle, for
 * pifo_remove(), valid until it leaves.
 *
 * If the PIFO was full, something is dropped (see enum pifo_drop_policy)
 * and counted: if it is the arriving packet, returns PIFO_NONE.  '*dropped'
 * (if nonnull) receives the dropped packet, or data NULL if none was. */
uint32_t
pifo_push(struct pifo *p, uint64_t rank, void *data, uint32_t tag,
          struct pifo_entry *dropped)
{
    struct pifo_entry victim = { .data = NULL };
    uint32_t pos;

    rank &= p->mask;
    if (OVS_UNLIKELY(p->count == p->capacity)) {
        if (p->drop_policy == PIFO_DROP_LAST) {
            uint32_t last = last_bucket(p);

            pos = rank_position(p, rank);
            if (pos < bucket_position(p, last)) {
                unlink_node(p, p->buckets[last].tail, &victim);
                p->stats.n_evicted++;
                p->stats.n_dropped++;
                goto queue;
            }
        }
        p->stats.n_dropped_arriving++;
        p->stats.n_dropped++;
        if (dropped) {
            dropped->data = data;
            dropped->rank = rank;
            dropped->tag = tag;
        }
        return PIFO_NONE;
    }

    if (OVS_UNLIKELY(!p->count) && p->circular) {
        /* Re-anchor the empty window. */
        uint64_t w = (uint64_t) p->n_buckets << p->shift;

        if (p->have_last && ((rank - p->last_popped) & p->mask) < w) {
            p->base = align_rank(p, p->last_popped);
        } else {
            p->base = align_rank(p, rank);
        }
    }
    pos = rank_position(p, rank);

queue:;
    uint32_t bucket = position_bucket(p, pos);
    struct pifo_bucket *b = &p->buckets[bucket];
    uint32_t idx = p->free;
    struct pifo_node *node = &p->nodes[idx];

    p->free = node->next;
    node->data = data;
    node->rank = rank;
    node->tag = tag;
    node->bucket = bucket;
    node->next = PIFO_NIL;
    node->prev = b->tail;
    if (b->tail == PIFO_NIL) {
        b->head = idx;
        bitmap_set(p, &p->halves[bucket >> p->bucket_bits],
                   bucket & p->bucket_mask);
    } else {
        p->nodes[b->tail].next = idx;
    }
    b->tail = idx;
    p->halves[bucket >> p->bucket_bits].n++;
    p->count++;
    p->stats.n_pushed++;

    if (dropped) {
        *dropped = victim;
    }
    return idx;
}

/* Index of the node that leaves next, PIFO_NIL if empty.  Rotates the
 * window if the primary half is empty. */
static inline uint32_t
head_node(struct pifo *p)
{
    if (OVS_UNLIKELY(!p->count)) {
        return PIFO_NIL;
    }

    uint32_t half = p->primary;
    if (OVS_UNLIKELY(!p->halves[half].n)) {
        half ^= 1;
        if (p->circular) {
            p->primary = half;
            p->base = (p->base + ((uint64_t) p->n_buckets << p->shift))
                      & p->mask;
            p->stats.n_rotations++;
        }
    }

    uint32_t i = bitmap_first(p, &p->halves[half]);
    return p->buckets[(half << p->bucket_bits) | i].head;
}

/* Stores the packet that leaves next in '*e', without removing it.  Returns
 * false if the PIFO is empty. */
bool
pifo_peek(struct pifo *p, struct pifo_entry *e)
{
    uint32_t idx = head_node(p);

    if (idx == PIFO_NIL) {
        return false;
    }
    e->data = p->nodes[idx].data;
    e->rank = p->nodes[idx].rank;
    e->tag = p->nodes[idx].tag;
    return true;
}

static inline void
pop_node(struct pifo *p, uint32_t idx, struct pifo_entry *e)
{
    unlink_node(p, idx, e);
    p->last_popped = e->rank;
    p->have_last = true;
    p->stats.n_popped++;
}

/* Removes the packet that leaves next into '*e' (work-conserving).  Returns
 * false if the PIFO is empty. */
bool
pifo_pop(struct pifo *p, struct pifo_entry *e)
{
    uint32_t idx = head_node(p);

    if (idx == PIFO_NIL) {
        return false;
    }
    pop_node(p, idx, e);
    return true;
}

/* Non-work-conserving pop, for ranks that are times: removes the packet
 * that leaves next into '*e' only if its rank is 'now' or earlier (serial
 * comparison).  Returns false if nothing is due; pifo_peek() then gives
 * the time to wake up at. */
bool
pifo_pop_due(struct pifo *p, uint64_t now, struct pifo_entry *e)
{
    uint32_t idx = head_node(p);

    if (idx == PIFO_NIL
        || pifo_rank_before(now, p->nodes[idx].rank, p->rank_bits)) {
        return false;
    }
    pop_node(p, idx, e);
    return true;
}

/* Pops up to 'max' packets that are due at 'now' into 'e', in order.
 * Returns how many. */
size_t
pifo_pop_batch(struct pifo *p, uint64_t now, struct pifo_entry *e,
               size_t max)
{
    size_t n = 0;

    while (n < max && pifo_pop_due(p, now, &e[n])) {
        n++;
    }
    return n;
}

/* Removes the packet whose handle pifo_push() returned, wherever it is, into
 * '*e'.  Returns false if 'handle' is not a queued packet's. */
bool
pifo_remove(struct pifo *p, uint32_t handle, struct pifo_entry *e)
{
    if (handle >= p->capacity || !p->nodes[handle].data) {
        return false;
    }
    unlink_node(p, handle, e);
    p->stats.n_removed++;
    return true;
}

/* Promises that no rank below 'rank' will be pushed until the next pop: an
 * empty circular PIFO then anchors its window at 'rank' (or at the rank
 * pushed, if that is W or more above it).  For users that take packets out
 * with pifo_remove() rather than by popping, whose PIFO otherwise anchors
 * on whatever rank comes first. */
void
pifo_set_floor(struct pifo *p, uint64_t rank)
{
    p->last_popped = rank & p->mask;
    p->have_last = true;
}

uint32_t
pifo_count(const struct pifo *p)
{
    return p->count;
}

uint32_t
pifo_capacity(const struct pifo *p)
{
    return p->capacity;
}

bool
pifo_is_full(const struct pifo *p)
{
    return p->count == p->capacity;
}

uint64_t
pifo_window_base(const struct pifo *p)
{
    return p->base;
}

void
pifo_get_stats(const struct pifo *p, struct pifo_stats *stats)
{
    *stats = p->stats;
}
