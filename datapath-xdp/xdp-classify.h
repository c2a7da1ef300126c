/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Copyright (c) 2026 The ovs-xdp authors. */

/* Flow lookup of the XDP program: a per-CPU exact-match cache in front of a
 * tuple-space search (one hash probe per mask, masks in the order userspace
 * ranks them).  Included once, by ovs-xdp.bpf.c: it defines the maps. */

#ifndef XDP_CLASSIFY_H
#define XDP_CLASSIFY_H 1

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xdp-flow-abi.h"
#include "xdp-parse.h"

/* Number of masks; userspace sets it (and the sizes of 'masks',
 * 'mask_order' and 'mask_hits' to the same value) before load. */
const volatile __u32 n_masks = XDP_FLOW_DEFAULT_MASKS;

/* Nonzero to use the exact-match cache (userspace may turn it off before
 * load, e.g. to measure the tuple-space search). */
const volatile __u32 use_emc = 1;

/* A megaflow hit goes into the exact-match cache with probability
 * 1 / emc_insert_inv_prob (1: always), as OVS's other_config
 * emc-insert-inv-prob: with many short flows, inserting every one only
 * thrashes the cache. */
const volatile __u32 emc_insert_inv_prob = XDP_FLOW_DEFAULT_EMC_INV_PROB;

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, XDP_FLOW_DEFAULT_MASKS);
    __type(key, __u32);
    __type(value, struct xdp_flow_mask);
} masks SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, XDP_FLOW_DEFAULT_MASKS);
    __type(key, __u32);
    __type(value, __u32);
} mask_order SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, XDP_FLOW_DEFAULT_MASKS);
    __type(key, __u32);
    __type(value, __u64);
} mask_hits SEC(".maps");

/* Megaflows by packed key, one map per width, each with a copy of the
 * flow's entry so that a megaflow hit costs one hash lookup.  Each may hold
 * every flow; userspace keeps the total within the size of 'flow_table'. */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, XDP_FLOW_DEFAULT_FLOWS);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, struct xdp_flow_lookup_tiny);
    __type(value, struct xdp_flow_megaflow);
} flows_tiny SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, XDP_FLOW_DEFAULT_FLOWS);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, struct xdp_flow_lookup_narrow);
    __type(value, struct xdp_flow_megaflow);
} flows_narrow SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, XDP_FLOW_DEFAULT_FLOWS);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, struct xdp_flow_lookup_medium);
    __type(value, struct xdp_flow_megaflow);
} flows_medium SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, XDP_FLOW_DEFAULT_FLOWS);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, struct xdp_flow_lookup);
    __type(value, struct xdp_flow_megaflow);
} flows_wide SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, XDP_FLOW_DEFAULT_FLOWS);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, __u32);
    __type(value, struct xdp_flow_entry);
} flow_table SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, XDP_FLOW_DEFAULT_FLOWS);
    __type(key, __u32);
    __type(value, struct xdp_flow_stats);
} flow_stats SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
    __uint(max_entries, XDP_FLOW_DEFAULT_EMC);
    __type(key, struct xdp_flow_key);
    __type(value, struct xdp_flow_ref);
} emc SEC(".maps");

/* What userspace decides while the program runs (exact-match cache in use,
 * VLAN limit of the parser): looked up once per packet, by the caller of
 * xdp_parse() and xdp_classify(). */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct xdp_flow_classifier);
} classifier SEC(".maps");

static __always_inline const struct xdp_flow_classifier *
xdp_get_classifier(void)
{
    __u32 zero = 0;

    return bpf_map_lookup_elem(&classifier, &zero);
}

/* True if the exact-match cache is in use: built in, and not turned off by
 * userspace for now. */
static __always_inline int
xdp_emc_on(const struct xdp_flow_classifier *c)
{
    return use_emc && !c->emc_off;
}

/* Per-CPU working area: keys are too big for the 512-byte stack shared by
 * the program and its bpf_loop() callbacks. */
struct xdp_scratch {
    struct xdp_flow_key key;
    struct xdp_flow_lookup lookup;
    struct xdp_parse_info info;
    __u32 pad;
};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct xdp_scratch);
} scratch SEC(".maps");

static __always_inline struct xdp_scratch *
xdp_get_scratch(void)
{
    __u32 zero = 0;

    return bpf_map_lookup_elem(&scratch, &zero);
}

/* Packs lookup words 'from' to 'to' - 1 of 'key' under 'mask' into 'out'.
 * The word index is masked so that the verifier sees every read inside the
 * scratch area, whose key is followed by more than a key's worth of room. */
#define XDP_PACK_WORDS(out, key, mask, from, to)                        \
    _Pragma("unroll")                                                   \
    for (int j_ = (from); j_ < (to); j_++) {                            \
        (out)[1 + j_] = ((key)[(mask)->word_index[j_] & 31]             \
                         & (mask)->word_mask[j_]);                      \
    }

/* 'nomerge' keeps one call per map: the verifier inlines a lookup only
 * where the map is known, and clang would otherwise make one call with the
 * map chosen at run time. */
static __always_inline const struct xdp_flow_megaflow *
xdp_megaflow_lookup(__u32 width, const struct xdp_flow_lookup *lookup)
{
    const struct xdp_flow_megaflow *mf;

    if (width == XDP_FLOW_TINY) {
        __attribute__((nomerge)) mf = bpf_map_lookup_elem(&flows_tiny,
                                                          lookup);
    } else if (width == XDP_FLOW_NARROW) {
        __attribute__((nomerge)) mf = bpf_map_lookup_elem(&flows_narrow,
                                                          lookup);
    } else if (width == XDP_FLOW_MEDIUM) {
        __attribute__((nomerge)) mf = bpf_map_lookup_elem(&flows_medium,
                                                          lookup);
    } else {
        __attribute__((nomerge)) mf = bpf_map_lookup_elem(&flows_wide,
                                                          lookup);
    }
    return mf;
}

/* Probes the mask of rank 'rank' for the key in 's', leaving the packed key
 * in s->lookup and the mask's width in '*width'.  Returns the megaflow, or
 * NULL with '*end' set if no mask has that rank. */
static __always_inline const struct xdp_flow_megaflow *
xdp_mask_probe(struct xdp_scratch *s, __u32 rank, __u32 *width, int *end)
{
    const struct xdp_flow_mask *mask;
    const __u32 *k;
    __u32 *slot, index, *out;

    slot = bpf_map_lookup_elem(&mask_order, &rank);
    if (!slot || !*slot) {
        *end = 1;
        return NULL;
    }
    index = *slot - 1;
    mask = bpf_map_lookup_elem(&masks, &index);
    if (!mask || !mask->in_use) {
        return NULL;
    }

    k = (const __u32 *) &s->key;
    out = (__u32 *) &s->lookup;
    out[0] = index;
    *width = mask->width;
    XDP_PACK_WORDS(out, k, mask, 0, XDP_FLOW_TINY_WORDS);
    if (mask->width > XDP_FLOW_TINY) {
        XDP_PACK_WORDS(out, k, mask, XDP_FLOW_TINY_WORDS,
                       XDP_FLOW_NARROW_WORDS);
    }
    if (mask->width > XDP_FLOW_NARROW) {
        XDP_PACK_WORDS(out, k, mask, XDP_FLOW_NARROW_WORDS,
                       XDP_FLOW_MEDIUM_WORDS);
    }
    if (mask->width > XDP_FLOW_MEDIUM) {
        XDP_PACK_WORDS(out, k, mask, XDP_FLOW_MEDIUM_WORDS,
                       XDP_FLOW_WIDE_WORDS);
    }
    return xdp_megaflow_lookup(mask->width, &s->lookup);
}

struct xdp_mask_loop {
    __u32 width;
    __u32 found;
};

/* bpf_loop() callback over the ranks after the first.  It leaves the
 * packed key of the hit in the scratch area: pointers to map values do not
 * cross into the caller. */
static long
xdp_mask_probe_next(__u32 i, void *data)
{
    struct xdp_scratch *s = xdp_get_scratch();
    struct xdp_mask_loop *loop = data;
    int end = 0;

    if (!s) {
        return 1;
    }
    if (xdp_mask_probe(s, i + 1, &loop->width, &end)) {
        loop->found = 1;
        return 1;
    }
    return end;
}

static __always_inline void
xdp_count_mask_hit(__u32 index)
{
    __u64 *hits = bpf_map_lookup_elem(&mask_hits, &index);

    if (hits) {
        *hits += 1;
    }
}

/* Looks up the key in 's', with the exact-match cache if 'emc_on'.  Returns
 * the flow entry and its id in '*flow_id', or NULL.  Sets '*emc_hit' to 1 for
 * a cache hit, 0 for a miss, -1 if the cache is not in use. */
static __always_inline const struct xdp_flow_entry *
xdp_classify(struct xdp_scratch *s, int emc_on, __u32 *flow_id,
             int *emc_hit)
{
    const struct xdp_flow_megaflow *mf;
    struct xdp_flow_entry *entry;
    struct xdp_flow_ref *cached;
    __u32 width = 0;
    int end = 0;

    *emc_hit = emc_on ? 0 : -1;
    cached = emc_on ? bpf_map_lookup_elem(&emc, &s->key) : NULL;
    if (cached && cached->generation) {
        __u32 id = cached->flow_id;

        entry = bpf_map_lookup_elem(&flow_table, &id);
        if (entry && entry->generation == cached->generation) {
            /* Counted for the ranking, which must see every hit to tell
             * whether the cache is worth its cost. */
            xdp_count_mask_hit(cached->mask_index);
            *flow_id = id;
            *emc_hit = 1;
            return entry;
        }
        /* Stale: the flow was deleted or replaced. */
        cached->generation = 0;
    }

    /* The first mask without bpf_loop(): with masks ranked by hits, most
     * packets need no other. */
    mf = xdp_mask_probe(s, 0, &width, &end);
    if (!mf && !end && n_masks > 1) {
        struct xdp_mask_loop loop = { .found = 0 };

        bpf_loop(n_masks - 1, xdp_mask_probe_next, &loop, 0);
        if (!loop.found) {
            return NULL;
        }
        mf = xdp_megaflow_lookup(loop.width, &s->lookup);
    }
    if (!mf) {
        return NULL;
    }
    xdp_count_mask_hit(mf->ref.mask_index);
    if (emc_on && (emc_insert_inv_prob <= 1
                    || bpf_get_prandom_u32() % emc_insert_inv_prob == 0)) {
        bpf_map_update_elem(&emc, &s->key, &mf->ref, BPF_ANY);
    }
    *flow_id = mf->ref.flow_id;
    return &mf->entry;
}

#endif /* xdp-classify.h */
