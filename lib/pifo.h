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

#ifndef PIFO_H
#define PIFO_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* PIFO: a push-in first-out queue of packets by integer rank, for a
 * datapath.
 *
 * Packets are opaque pointers; the PIFO never looks at them.  Each carries
 * a rank (smaller leaves first) and a 32-bit tag that comes back with it
 * (a scheduler keeps, say, the queue number there).  All memory is
 * allocated by pifo_create(): a pool of 'capacity' 32-byte nodes, the
 * buckets and their bitmaps.  Pushing and popping allocate nothing.
 *
 * Structure (Eiffel, NSDI 2019): ranks map to buckets of 2^granularity_shift
 * consecutive ranks; each bucket is a FIFO (doubly linked through node
 * indexes), so packets of equal rank, or of ranks in the same bucket, leave
 * in arrival order.  A hierarchy of 64-bit bitmaps (one bit per bucket, one
 * bit per non-zero word of the level below) finds the first non-empty
 * bucket with one __builtin_ctzll() per level: 1 level up to 64 buckets, 2
 * up to 4096, 3 up to 262144.  Push and pop are O(levels), i.e. O(1).
 *
 * Circular form: there are two halves of 'n_buckets' buckets each.  The
 * primary half covers ranks [base, base + W) and the secondary half
 * [base + W, base + 2W), where W = n_buckets << granularity_shift.  When the
 * primary half is empty at a pop or peek, the halves swap roles and 'base'
 * moves up by W.  Ranks compare modulo 2^rank_bits (32 or 64), as serial
 * numbers: the ranks in the PIFO at one time, and the window, must span less
 * than 2^(rank_bits - 1), and everything keeps working across the wrap of
 * the rank space.  When the PIFO is empty, the window re-anchors on the
 * next rank pushed (or on the last rank popped, if the new rank is less than
 * W above it), so that ranks which grow without bound (virtual times,
 * departure times in ns) always land inside it.
 *
 * Ranks outside the window are clamped, and counted:
 *   - below 'base' (a rank "in the past"): into the first bucket of the
 *     primary half, i.e. ahead of every packet except those already in
 *     that bucket;
 *   - at or above base + 2W: into the last bucket of the secondary half,
 *     FIFO with whatever is there.  Order among such packets, and against
 *     packets pushed later into the window, is only approximate: they leave
 *     after everything in the window that was pushed before the rotations
 *     that bring them into it.
 * A non-circular PIFO (circular = false) has base 0 forever and 2 *
 * n_buckets buckets in one range: suitable for small fixed ranks such as
 * strict priorities.
 *
 * Order within a bucket is FIFO, not by rank: with a granularity above 1 a
 * packet may leave before a packet of slightly smaller rank that arrived
 * later into the same bucket.  pifo_pop_due() still never releases a packet
 * before its own rank: it looks at the head's exact rank.
 *
 * Full PIFO ('capacity' packets queued): see enum pifo_drop_policy.  Every
 * drop is counted in struct pifo_stats and handed back to the caller, who
 * owns (and frees) the packet. */

/* What a full PIFO drops. */
enum pifo_drop_policy {
    /* The arriving packet (tail drop). */
    PIFO_DROP_ARRIVING,

    /* The packet that would leave last: the newest packet of the last
     * non-empty bucket.  If the arriving packet would leave after it (its
     * bucket is that bucket or a later one), the arriving packet is dropped
     * instead.  So the PIFO always keeps the 'capacity' packets that leave
     * first. */
    PIFO_DROP_LAST,
};

struct pifo_config {
    uint32_t capacity;          /* Packets, 1 to 2^31. */
    uint32_t n_buckets;         /* Per half, power of 2, 1 to 2^18. */
    unsigned int granularity_shift; /* Bucket width is 2^shift ranks. */
    unsigned int rank_bits;     /* 32 or 64 (0 means 64). */
    bool circular;              /* Circular window (see above). */
    enum pifo_drop_policy drop_policy;
};

/* A packet as it goes in and out. */
struct pifo_entry {
    void *data;                 /* The packet, NULL if none. */
    uint64_t rank;
    uint32_t tag;
};

struct pifo_stats {
    uint64_t n_pushed;          /* Packets accepted. */
    uint64_t n_popped;          /* Packets that left by pop. */
    uint64_t n_removed;         /* Packets taken out by pifo_remove(). */
    uint64_t n_dropped;         /* Every drop: arriving + evicted. */
    uint64_t n_dropped_arriving; /* Arriving packets dropped (full). */
    uint64_t n_evicted;         /* Queued packets dropped (PIFO_DROP_LAST). */
    uint64_t n_clamped_low;     /* Ranks below the window. */
    uint64_t n_clamped_high;    /* Ranks above the window. */
    uint64_t n_rotations;       /* Window moves (halves swapped). */
};

/* Returned by pifo_push() when the arriving packet was dropped. */
#define PIFO_NONE UINT32_MAX

struct pifo;

struct pifo *pifo_create(const struct pifo_config *, char **errorp);
void pifo_destroy(struct pifo *);

uint32_t pifo_push(struct pifo *, uint64_t rank, void *data, uint32_t tag,
                   struct pifo_entry *dropped);
bool pifo_peek(struct pifo *, struct pifo_entry *);
bool pifo_pop(struct pifo *, struct pifo_entry *);
bool pifo_pop_due(struct pifo *, uint64_t now, struct pifo_entry *);
size_t pifo_pop_batch(struct pifo *, uint64_t now, struct pifo_entry *,
                      size_t max);
bool pifo_remove(struct pifo *, uint32_t handle, struct pifo_entry *);
void pifo_set_floor(struct pifo *, uint64_t rank);

uint32_t pifo_count(const struct pifo *);
uint32_t pifo_capacity(const struct pifo *);
bool pifo_is_full(const struct pifo *);
uint64_t pifo_window_base(const struct pifo *);
void pifo_get_stats(const struct pifo *, struct pifo_stats *);

/* Serial-number comparison of ranks modulo 2^bits: true if 'a' comes before
 * 'b', i.e. (b - a) mod 2^bits is in [1, 2^(bits-1)). */
static inline bool
pifo_rank_before(uint64_t a, uint64_t b, unsigned int bits)
{
    uint64_t mask = bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
    uint64_t d = (b - a) & mask;

    return d && d <= mask >> 1;
}

#endif /* pifo.h */
