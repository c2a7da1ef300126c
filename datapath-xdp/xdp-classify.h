/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Copyright (c) 2026 The ovs-xdp authors. */

/* Flow lookup of the XDP program: a per-CPU exact-match cache in front of a
 * tuple-space search (one hash probe per mask, masks in the order userspace
 * ranks them).  Included once, by ovs-xdp.bpf.c: it defines the maps. */

#ifndef XDP_CLASSIFY_H
#define XDP_CLASSIFY_H 1

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xdp-flow.h"
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

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, XDP_FLOW_DEFAULT_FLOWS);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, struct xdp_flow_lookup);
    __type(value, struct xdp_flow_ref);
} flows SEC(".maps");

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

/* Per-CPU working area: keys are too big for the 512-byte stack shared by
 * the program and its bpf_loop() callbacks. */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct xdp_flow_classifier);
} classifier SEC(".maps");

/* True if the exact-match cache is in use: built in, and not turned off by
 * userspace for now. */
static __always_inline int
xdp_emc_on(void)
{
    struct xdp_flow_classifier *c;
    __u32 zero = 0;

    if (!use_emc) {
        return 0;
    }
    c = bpf_map_lookup_elem(&classifier, &zero);
    return !c || !c->emc_off;
}

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

struct xdp_mask_loop {
    struct xdp_flow_ref ref;
    __u32 mask_index;
    __u32 found;
};

static long
xdp_mask_probe(__u32 rank, void *data)
{
    struct xdp_mask_loop *loop = data;
    struct xdp_scratch *s = xdp_get_scratch();
    const struct xdp_flow_mask *mask;
    const struct xdp_flow_ref *ref;
    const __u64 *k, *m;
    __u32 *slot, index;
    __u64 *out;
    int i;

    slot = bpf_map_lookup_elem(&mask_order, &rank);
    if (!slot || !*slot || !s) {
        return 1;
    }
    index = *slot - 1;
    mask = bpf_map_lookup_elem(&masks, &index);
    if (!mask || !mask->in_use) {
        return 0;
    }

    k = (const __u64 *) &s->key;
    m = (const __u64 *) &mask->mask;
    out = (__u64 *) &s->lookup.key;
#pragma unroll
    for (i = 0; i < XDP_FLOW_KEY_U64S; i++) {
        out[i] = k[i] & m[i];
    }
    s->lookup.mask_index = index;
    s->lookup.pad = 0;

    ref = bpf_map_lookup_elem(&flows, &s->lookup);
    if (!ref) {
        return 0;
    }
    loop->ref = *ref;
    loop->mask_index = index;
    loop->found = 1;
    return 1;
}

static __always_inline void
xdp_count_mask_hit(__u32 index)
{
    __u64 *hits = bpf_map_lookup_elem(&mask_hits, &index);

    if (hits) {
        *hits += 1;
    }
}

/* Looks up the key in 's'.  Returns the flow entry and its id in '*flow_id',
 * or NULL.  Sets '*emc_hit'. */
static __always_inline struct xdp_flow_entry *
xdp_classify(struct xdp_scratch *s, __u32 *flow_id, int *emc_hit)
{
    struct xdp_mask_loop loop = { .found = 0 };
    struct xdp_flow_entry *entry;
    struct xdp_flow_ref *cached;

    int emc_on = xdp_emc_on();

    *emc_hit = 0;
    cached = emc_on ? bpf_map_lookup_elem(&emc, &s->key) : NULL;
    if (cached && cached->generation) {
        __u32 id = cached->flow_id;

        entry = bpf_map_lookup_elem(&flow_table, &id);
        if (entry && entry->generation == cached->generation) {
            *flow_id = id;
            *emc_hit = 1;
            return entry;
        }
        /* Stale: the flow was deleted or replaced. */
        cached->generation = 0;
    }

    bpf_loop(n_masks, xdp_mask_probe, &loop, 0);
    if (!loop.found) {
        return NULL;
    }
    entry = bpf_map_lookup_elem(&flow_table, &loop.ref.flow_id);
    if (!entry || entry->generation != loop.ref.generation) {
        return NULL;
    }
    xdp_count_mask_hit(loop.mask_index);
    if (emc_on && (emc_insert_inv_prob <= 1
                    || bpf_get_prandom_u32() % emc_insert_inv_prob == 0)) {
        bpf_map_update_elem(&emc, &s->key, &loop.ref, BPF_ANY);
    }
    *flow_id = loop.ref.flow_id;
    return entry;
}

#endif /* xdp-classify.h */
