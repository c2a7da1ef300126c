/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Copyright (c) 2026 The ovs-xdp authors. */

/* Flow lookup of the XDP program: a per-CPU exact-match cache in front of a
 * tuple-space search (one hash probe per mask, masks in the order userspace
 * ranks them).  It finds a flow and says what the flow does; the caller
 * runs it (xdp-actions.h).  Writing flows, ranking masks and turning the
 * cache on and off are userspace's (lib/xdp-flow-table.c).  Included once,
 * by ovs-xdp.bpf.c: it defines the flow table's maps. */

#ifndef XDP_CLASSIFY_H
#define XDP_CLASSIFY_H 1

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xdp-ct-abi.h"
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

/* The generation of each flow id's current content (0: none): what makes
 * a cache entry valid, at the cost of an array index. */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, XDP_FLOW_DEFAULT_FLOWS);
    __type(key, __u32);
    __type(value, __u32);
} flow_gens SEC(".maps");

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
    __type(value, struct xdp_flow_cached);
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

/* A connection found for one ct() of a packet (xdp-conntrack.h). */
struct xdp_ct_hit {
    __u32 slot;
    __u32 generation;
    __u32 reply;
};

/* The ct() hits of one packet, to commit once it is known to stay in
 * XDP.  A connection hit twice (ct() in the same zone on two passes) is
 * kept once: conntrack too takes the second from the packet's metadata
 * without a second update. */
struct xdp_ct_hits {
    __u32 n;
    struct xdp_ct_hit hit[XDP_CT_MAX_PASSES];
};

/* No conntrack cache slot: 'ct_slot' and 'ct_last_slot' of struct
 * xdp_scratch, and the metadata of a packet for userspace. */
#define NO_CT_SLOT 0xffffffff

/* Per-CPU working area: keys are too big for the 512-byte stack shared by
 * the program and its bpf_loop() callbacks. */
struct xdp_scratch {
    struct xdp_flow_key key;
    struct xdp_flow_lookup lookup;
    struct xdp_parse_info info;
    __u32 n_passed;             /* Passes that recirculated, */
    __u32 passed[XDP_CT_MAX_PASSES];    /* and their flows, counted once
                                         * the packet stays in XDP. */
    struct xdp_ct_key4 ct_key4; /* ct() lookups (xdp-conntrack.h), */
    struct xdp_ct_key ct_key6;  /* by family. */
    struct xdp_ct_hits ct_hits; /* This packet's ct() hits. */
    __u32 ct_slot;              /* A connection to hand back, or
                                 * 0xffffffff. */
    __u32 ct_last_slot;         /* The connection of the packet's last
                                 * ct(), or 0xffffffff (none, or
                                 * ct_clear since). */
    __u32 ct_nat;               /* XDP_CT_NAT_SRC or _DST: a ct() NATed
                                 * the key: the packet's addresses and
                                 * ports are rewritten to the key's once it
                                 * stays in XDP. */
    __u32 ct_pkt_ok;            /* xdp_ct_packet_ok() of the packet as it
                                 * came: 0 not known yet, 1 true, 2 false
                                 * (a NAT keeps it: conntrack would find
                                 * the NATed packet as valid). */
    __u64 ct_now;               /* The cache's clock for this packet
                                 * (xdp-conntrack.h), 0 until read. */
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
_Static_assert(((XDP_FLOW_WIDE_WORDS + 1) & XDP_FLOW_WIDE_WORDS) == 0,
               "XDP_PACK_WORDS() masks a word index with it");
#define XDP_PACK_WORDS(out, key, mask, from, to)                        \
    _Pragma("unroll")                                                   \
    for (int j_ = (from); j_ < (to); j_++) {                            \
        (out)[1 + j_] = ((key)[(mask)->word_index[j_]                   \
                               & XDP_FLOW_WIDE_WORDS]                   \
                         & (mask)->word_mask[j_]);                      \
    }

/* One lookup call per map: the verifier inlines a hash lookup only where
 * the map is known, and clang would sink calls that differ only in the map
 * into one call with the map chosen at run time ('nomerge' does not stop
 * it).  An empty asm statement with a different constant after each call
 * ends the blocks differently, so that nothing can be sunk. */
#define XDP_LOOKUP_APART(MF, MAP, LOOKUP, TAG)                          \
    do {                                                                \
        (MF) = bpf_map_lookup_elem(&(MAP), (LOOKUP));                   \
        asm volatile("" :: "i"(TAG));                                   \
    } while (0)

static __always_inline const struct xdp_flow_megaflow *
xdp_megaflow_lookup(__u32 width, const struct xdp_flow_lookup *lookup)
{
    const struct xdp_flow_megaflow *mf;

    switch (width) {
    case XDP_FLOW_TINY:
        XDP_LOOKUP_APART(mf, flows_tiny, lookup, XDP_FLOW_TINY);
        break;
    case XDP_FLOW_NARROW:
        XDP_LOOKUP_APART(mf, flows_narrow, lookup, XDP_FLOW_NARROW);
        break;
    case XDP_FLOW_MEDIUM:
        XDP_LOOKUP_APART(mf, flows_medium, lookup, XDP_FLOW_MEDIUM);
        break;
    default:
        XDP_LOOKUP_APART(mf, flows_wide, lookup, XDP_FLOW_WIDE);
        break;
    }
    return mf;
}

/* Probes the mask of rank 'rank' for the key in 's', packing the key into
 * s->lookup, if the mask has flows for the pass 'pass_bit'
 * (XDP_FLOW_MASK_*) .  Returns the megaflow, or NULL with '*end' set if no
 * mask has that rank. */
static __always_inline const struct xdp_flow_megaflow *
xdp_mask_probe(struct xdp_scratch *s, __u32 rank, __u32 pass_bit, int *end)
{
    const struct xdp_flow_mask *mask;
    __u32 *slot, index, width, *out;
    const __u32 *k;

    slot = bpf_map_lookup_elem(&mask_order, &rank);
    if (!slot || !*slot) {
        *end = 1;
        return NULL;
    }
    index = *slot - 1;
    mask = bpf_map_lookup_elem(&masks, &index);
    if (!mask || !(mask->in_use & pass_bit)) {
        return NULL;
    }

    k = (const __u32 *) &s->key;
    out = (__u32 *) &s->lookup;
    out[0] = index;
    width = mask->width;
    XDP_PACK_WORDS(out, k, mask, 0, XDP_FLOW_TINY_WORDS);
    if (width > XDP_FLOW_TINY) {
        XDP_PACK_WORDS(out, k, mask, XDP_FLOW_TINY_WORDS,
                       XDP_FLOW_NARROW_WORDS);
    }
    if (width > XDP_FLOW_NARROW) {
        XDP_PACK_WORDS(out, k, mask, XDP_FLOW_NARROW_WORDS,
                       XDP_FLOW_MEDIUM_WORDS);
    }
    if (width > XDP_FLOW_MEDIUM) {
        XDP_PACK_WORDS(out, k, mask, XDP_FLOW_MEDIUM_WORDS,
                       XDP_FLOW_WIDE_WORDS);
    }
    return xdp_megaflow_lookup(width, &s->lookup);
}

struct xdp_mask_loop {
    struct xdp_scratch *s;
    const struct xdp_flow_megaflow *mf;     /* The hit, if any. */
    __u32 first;                            /* Rank of iteration 0. */
    __u32 pass_bit;                         /* XDP_FLOW_MASK_*. */
};

/* bpf_loop() callback over the ranks from 'first'.  It hands the hit to
 * the caller through 'loop', so that nothing is looked up twice. */
static long
xdp_mask_probe_next(__u32 i, void *data)
{
    struct xdp_mask_loop *loop = data;
    const struct xdp_flow_megaflow *mf;
    int end = 0;

    mf = xdp_mask_probe(loop->s, i + loop->first, loop->pass_bit, &end);
    if (mf) {
        loop->mf = mf;
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

/* A flow found for a packet: what it does ('c') and, for
 * XDP_FLOW_VERDICT_ACTIONS, its entry. */
struct xdp_hit {
    struct xdp_flow_cached c;
    const struct xdp_flow_entry *entry;
};

/* Sets 'c' to what the flow of 'mf' does. */
static __always_inline void
xdp_hit_from_megaflow(struct xdp_flow_cached *c,
                      const struct xdp_flow_megaflow *mf)
{
    const struct xdp_flow_entry *entry = &mf->entry;
    const struct xdp_flow_action *first = &entry->actions[0];

    c->flow_id = mf->ref.flow_id;
    c->generation = mf->ref.generation;
    c->mask_index = mf->ref.mask_index;
    c->mark = entry->mark;
    c->out_ifindex = 0;
    if (!entry->n_actions) {
        c->verdict = XDP_FLOW_VERDICT_DROP;
    } else if (first->type == XDP_FLOW_ACT_UPCALL_PARTIAL) {
        c->verdict = XDP_FLOW_VERDICT_PARTIAL;
    } else if (entry->n_actions == 1 && first->type == XDP_FLOW_ACT_OUTPUT) {
        c->verdict = XDP_FLOW_VERDICT_OUTPUT;
        c->out_ifindex = first->arg;
    } else {
        c->verdict = XDP_FLOW_VERDICT_ACTIONS;
    }
}

/* Looks the key in 's' up in the exact-match cache.  A hit is one hash
 * lookup: the cache entry says what the flow does, and an array index in
 * 'flow_gens' says whether it still may.  Only a flow whose actions need
 * the action list reads it from 'flow_table'.
 *
 * Why a cache entry never runs actions that are gone: an entry is made
 * from a 'flows_*' value, which userspace replaces whole (a hash map
 * without preallocation: a reader sees the old value or the new one), so
 * it holds one content of its flow id, tagged with that content's
 * generation.  Userspace takes a new generation for every content it
 * writes (a new flow, new actions of a flow, a reused id) and sets
 * 'flow_gens' to it, or to 0 when the flow goes, before it returns.  An
 * entry whose generation differs from its id's in 'flow_gens' is stale.
 *
 * The entry is copied before it is checked.  Only this CPU writes its
 * value of a per-CPU entry; another CPU that takes the entry over for
 * another key (LRU) zeroes it.  So a copy holds fields of the entry as it
 * was and zeros: a zero generation or flow id fails the check (generations
 * are never 0 and never repeat), a zero verdict reads the entry from
 * 'flow_table' and checks its generation, a zero port or mark sends the
 * packet to userspace, which runs the flow. */
static __always_inline int
xdp_emc_lookup(const struct xdp_scratch *s, struct xdp_hit *hit)
{
    const struct xdp_flow_cached *cached;
    const struct xdp_flow_entry *entry;
    const __u32 *gen;
    __u32 id;

    cached = bpf_map_lookup_elem(&emc, &s->key);
    if (!cached) {
        return 0;
    }
    hit->c = *cached;
    id = hit->c.flow_id;
    gen = bpf_map_lookup_elem(&flow_gens, &id);
    if (!gen || !hit->c.generation || *gen != hit->c.generation) {
        return 0;
    }
    hit->entry = NULL;
    if (hit->c.verdict == XDP_FLOW_VERDICT_ACTIONS) {
        entry = bpf_map_lookup_elem(&flow_table, &id);
        if (!entry || entry->generation != hit->c.generation) {
            return 0;
        }
        hit->entry = entry;
    }
    return 1;
}

/* Looks up the key in 's', with the exact-match cache if 'emc_on'.  Returns
 * true and fills 'hit' if a flow matches.  Sets '*emc_hit' to 1 for a cache
 * hit, 0 for a miss, -1 if the cache is not in use.  With 'first_inline',
 * the first mask is probed without bpf_loop(): faster, but a copy of the
 * probe's code for the verifier, so only for a packet's first pass. */
static __always_inline int
xdp_classify(struct xdp_scratch *s, int emc_on, int first_inline,
             struct xdp_hit *hit, int *emc_hit)
{
    const struct xdp_flow_megaflow *mf;
    int end = 0;

    *emc_hit = emc_on ? 0 : -1;
    if (emc_on && xdp_emc_lookup(s, hit)) {
        /* Counted for the ranking, which must see every hit to tell
         * whether the cache is worth its cost. */
        xdp_count_mask_hit(hit->c.mask_index);
        *emc_hit = 1;
        return 1;
    }

    /* The first mask without bpf_loop() if asked: with masks ranked by
     * hits, most packets need no other. */
    if (first_inline) {
        mf = xdp_mask_probe(s, 0, XDP_FLOW_MASK_FIRST_PASS, &end);
    } else {
        mf = NULL;
    }
    if (!mf && !end && n_masks > !!first_inline) {
        struct xdp_mask_loop loop = {
            .s = s, .mf = NULL, .first = !!first_inline,
            .pass_bit = (s->key.recirc_id ? XDP_FLOW_MASK_LATER_PASSES
                         : XDP_FLOW_MASK_FIRST_PASS),
        };

        bpf_loop(n_masks - !!first_inline, xdp_mask_probe_next, &loop, 0);
        mf = loop.mf;
    }
    if (!mf) {
        return 0;
    }
    xdp_hit_from_megaflow(&hit->c, mf);
    hit->entry = &mf->entry;
    xdp_count_mask_hit(hit->c.mask_index);
    if (emc_on && (emc_insert_inv_prob <= 1
                    || bpf_get_prandom_u32() % emc_insert_inv_prob == 0)) {
        bpf_map_update_elem(&emc, &s->key, &hit->c, BPF_ANY);
    }
    return 1;
}

#endif /* xdp-classify.h */
