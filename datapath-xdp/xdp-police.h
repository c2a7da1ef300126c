/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Copyright (c) 2026 The ovs-xdp authors. */

/* Policing in the XDP program: the ingress policers of the port a frame
 * arrives on, before the flow lookup, and the egress policers of the port a
 * flow outputs to (the port's and its queue 0's: a packet's queue is known
 * only in userspace, which polices its own sends with the same buckets).
 * Layout and arithmetic in xdp-police-abi.h; userspace in
 * lib/xdp-policer.c.  Included once, by ovs-xdp.bpf.c: it defines the
 * maps.  Costs one load and a branch per packet while no port has a
 * policer. */

#ifndef XDP_POLICE_H
#define XDP_POLICE_H 1

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xdp-abi.h"
#include "xdp-police-abi.h"

/* Userspace mmaps it: its sends take from the same buckets. */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, XDP_POLICE_ENTRIES);
    __uint(map_flags, BPF_F_MMAPABLE);
    __type(key, __u32);
    __type(value, struct xdp_police_entry);
} policers SEC(".maps");

/* What the program decided, per policer and CPU. */
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, XDP_POLICE_ENTRIES);
    __type(key, __u32);
    __type(value, struct xdp_police_count);
} police_stats SEC(".maps");

/* The slot and policers of each port by ifindex: an array for ifindexes
 * below XDP_ABI_PORT_INDEX_SIZE (as 'port_index'), a hash for the rest.
 * Zero (or absent): no policer. */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, XDP_ABI_PORT_INDEX_SIZE);
    __type(key, __u32);
    __type(value, struct xdp_police_port);
} police_ports SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, XDP_ABI_MAX_PORTS);
    __type(key, __u32);
    __type(value, struct xdp_police_port);
} police_ports_big SEC(".maps");

/* Nonzero while some port has a policer (userspace writes it through the
 * skeleton's mmap of .bss): a load, not a lookup, for every packet. */
__u32 police_active = 0;

/* Returns the policer flags of 'ifindex' and its first policer index in
 * '*base', or 0 if it has none of 'flag'. */
static __always_inline __u32
xdp_police_port(__u32 ifindex, __u32 flag, __u32 *base)
{
    const struct xdp_police_port *p;

    /* 'nomerge': one call per map, so that the verifier inlines the
     * array's. */
    if (ifindex < XDP_ABI_PORT_INDEX_SIZE) {
        __attribute__((nomerge)) p = bpf_map_lookup_elem(&police_ports,
                                                         &ifindex);
    } else {
        __attribute__((nomerge)) p = bpf_map_lookup_elem(&police_ports_big,
                                                         &ifindex);
    }
    if (!p || !(p->flags & flag) || p->slot >= XDP_ABI_MAX_PORTS) {
        return 0;
    }
    *base = p->slot * XDP_POLICE_PER_PORT;
    return p->flags;
}

/* Runs policer 'index' on a frame of 'len' bytes of color 'color' at 'now'
 * (ticks), counting what it decides.  A policer of kind XDP_POLICE_NONE
 * leaves the color alone and counts nothing. */
static __always_inline int
xdp_police_run(__u32 index, __u32 len, __u64 now, int color)
{
    struct xdp_police_entry *e = bpf_map_lookup_elem(&policers, &index);
    struct xdp_police_count *c;
    __u32 kind;

    if (!e) {
        return color;
    }
    kind = *(volatile __u32 *) &e->kind;
    if (kind == XDP_POLICE_NONE) {
        return color;
    }
    color = xdp_police_color(e, kind, now, len, color);
    c = bpf_map_lookup_elem(&police_stats, &index);
    if (c) {
        if (color == XDP_POLICE_GREEN) {
            c->packets[XDP_POLICE_GREEN]++;
            c->bytes[XDP_POLICE_GREEN] += len;
        } else if (color == XDP_POLICE_YELLOW) {
            c->packets[XDP_POLICE_YELLOW]++;
            c->bytes[XDP_POLICE_YELLOW] += len;
        } else {
            c->packets[XDP_POLICE_RED]++;
            c->bytes[XDP_POLICE_RED] += len;
        }
    }
    return color;
}

static __always_inline __u64
xdp_police_now(void)
{
    return bpf_ktime_get_ns() << XDP_POLICE_TICK_SHIFT;
}

/* The ingress policers of the port the frame arrived on, color-blind both
 * (each must pass it).  Returns 0 if the frame must be dropped. */
static __always_inline int
xdp_police_ingress(const struct xdp_md *ctx)
{
    __u32 len, base;
    __u64 now;

    if (!police_active
        || !xdp_police_port(ctx->ingress_ifindex, XDP_POLICE_F_INGRESS,
                            &base)) {
        return 1;
    }
    len = ctx->data_end - ctx->data;
    now = xdp_police_now();
    if (xdp_police_run(base + XDP_POLICE_INGRESS, len, now, XDP_POLICE_GREEN)
        == XDP_POLICE_RED) {
        return 0;
    }
    return xdp_police_run(base + XDP_POLICE_INGRESS_PKTS, len, now,
                          XDP_POLICE_GREEN) != XDP_POLICE_RED;
}

/* The egress policers of port 'ifindex' for a frame that XDP outputs there
 * with 'verdict' (XDP_TX or XDP_REDIRECT; anything else is returned as it
 * is): queue 0's color-blind, then the port's color-aware, as OVS-DPDK's
 * trtcm-policer.  Returns 'verdict', or XDP_DROP if the frame is red. */
static __always_inline int
xdp_police_output(const struct xdp_md *ctx, __u32 ifindex, int verdict)
{
    __u32 len, base;
    __u64 now;
    int color;

    if (!police_active
        || (verdict != XDP_TX && verdict != XDP_REDIRECT)
        || !xdp_police_port(ifindex, XDP_POLICE_F_EGRESS, &base)) {
        return verdict;
    }
    len = ctx->data_end - ctx->data;
    now = xdp_police_now();
    color = xdp_police_run(base + XDP_POLICE_QUEUE0, len, now,
                           XDP_POLICE_GREEN);
    if (color != XDP_POLICE_RED) {
        color = xdp_police_run(base + XDP_POLICE_EGRESS, len, now, color);
    }
    return color == XDP_POLICE_RED ? XDP_DROP : verdict;
}

#endif /* xdp-police.h */
