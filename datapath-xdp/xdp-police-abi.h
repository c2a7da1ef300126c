/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Copyright (c) 2026 The ovs-xdp authors. */

/* The policers of the XDP program, as the program and userspace share them:
 * map layouts, and the arithmetic of a bucket, which both sides run on the
 * same memory (see Documentation/topics/qos.rst, "Policing in XDP").
 * Included by BPF C and by userspace C, so it uses only kernel types and
 * builtins that clang and GCC both have.
 *
 * Maps:
 *
 *   policers          ARRAY (BPF_F_MMAPABLE),
 *                     u32 slot * XDP_POLICE_PER_PORT + point
 *                     -> struct xdp_police_entry
 *   police_stats      PERCPU_ARRAY, same index -> struct xdp_police_count
 *   police_ports      ARRAY, u32 ifindex < XDP_ABI_PORT_INDEX_SIZE
 *                     -> struct xdp_police_port
 *   police_ports_big  HASH, u32 ifindex (the others)
 *                     -> struct xdp_police_port
 *   .bss police_active  nonzero while some port has a policer
 *
 * Each bucket is a GCRA (the virtual scheduling form of a token bucket): a
 * single 64-bit "theoretical arrival time" ('tat'), in ticks of
 * 2^-XDP_POLICE_TICK_SHIFT ns of CLOCK_MONOTONIC (bpf_ktime_get_ns() in the
 * program, clock_gettime() in userspace), that moves by 'inc' ticks per
 * byte or packet a packet takes.  A packet fits if the new 'tat' stays
 * within 'tau' (the burst, in ticks) of now.  Both sides update 'tat' by
 * compare-and-swap, so XDP's packets and userspace's sends take from one
 * bucket. */

#ifndef XDP_POLICE_ABI_H
#define XDP_POLICE_ABI_H 1

#include <linux/types.h>

#include "xdp-abi.h"

/* A tick is 2^-10 ns: fine enough that rounding the cost of a byte to a
 * whole tick changes a rate by at most rate / 2.048e12 (0.06% at
 * 10 Gbit/s), coarse enough that an idle bucket is told from a full one for
 * 104 days (2^63 ticks); see xdp_police_gcra() for longer. */
#define XDP_POLICE_TICK_SHIFT 10

/* How far 'tat' may seem ahead of a reader's now beyond the burst, because
 * the reader's clock was read earlier than a writer's (other CPUs, a
 * userspace thread preempted between reading the clock and deciding):
 * 1 s.  Anything further ahead is a 'tat' from long ago, seen modulo 2^64.
 */
#define XDP_POLICE_SKEW (1000000000ULL << XDP_POLICE_TICK_SHIFT)

/* Largest 'tau' (and 'inc' * bytes) userspace accepts: sums of two stay
 * below 2^63. */
#define XDP_POLICE_MAX_TAU (1ULL << 61)

/* Compare-and-swap attempts for one bucket before a packet is taken as not
 * fitting.  A failed attempt means that another CPU (or userspace) took
 * from the bucket in between, so a bucket never passes more than its rate;
 * under such contention a packet that would have fitted may be dropped. */
#define XDP_POLICE_CAS_TRIES 4

/* Bytes of a frame that a byte bucket counts: all but the Ethernet header,
 * as OVS-DPDK's policers do. */
#define XDP_POLICE_L2_HLEN 14

/* Queues of a port that can have a policer (OVS queue ids of any value;
 * queue 0 is always the first). */
#define XDP_POLICE_MAX_QUEUES 16

/* The policers of one port (slot), by point: index into its block. */
enum xdp_police_point {
    XDP_POLICE_INGRESS,         /* ingress_policing_rate/burst. */
    XDP_POLICE_INGRESS_PKTS,    /* ingress_policing_kpkts_rate/burst. */
    XDP_POLICE_EGRESS,          /* egress-policer, trtcm-policer's port. */
    XDP_POLICE_QUEUE0,          /* trtcm-policer's queue 0, then the
                                 * other queues. */
    XDP_POLICE_PER_PORT = XDP_POLICE_QUEUE0 + XDP_POLICE_MAX_QUEUES
};

#define XDP_POLICE_ENTRIES (XDP_ABI_MAX_PORTS * XDP_POLICE_PER_PORT)

enum xdp_police_kind {
    XDP_POLICE_NONE,            /* No policer: everything passes. */
    XDP_POLICE_BYTES,           /* One byte bucket ('inc' per byte). */
    XDP_POLICE_PACKETS,         /* One packet bucket ('inc' per packet). */
    XDP_POLICE_TRTCM,           /* RFC 4115: committed and excess byte
                                 * buckets. */
};

/* Colors, as RFC 4115: green fits the committed bucket, yellow the excess
 * one, red neither and is dropped. */
enum xdp_police_color {
    XDP_POLICE_GREEN,
    XDP_POLICE_YELLOW,
    XDP_POLICE_RED,
    XDP_POLICE_N_COLORS
};

/* Packets and bytes (whole frames) by the color a policer gave them. */
struct xdp_police_count {
    __u64 packets[XDP_POLICE_N_COLORS];
    __u64 bytes[XDP_POLICE_N_COLORS];
};

/* 'policers' value: 128 bytes, so that no two policers share a cache line.
 * Userspace writes everything but 'tat' only when the configuration
 * changes: 'kind' to XDP_POLICE_NONE first and to its value last, so that
 * a reader sees a policer whole or none (but for a packet judged while the
 * write is under way, which may see old and new parameters). */
struct xdp_police_entry {
    __u64 tat[2];               /* Committed, excess: GCRA state, CAS. */
    __u64 inc[2];               /* Ticks per byte or packet; 0: no such
                                 * bucket (never fits). */
    __u64 tau[2];               /* Burst in ticks: burst * inc. */
    __u32 kind;                 /* enum xdp_police_kind. */
    __u32 queue_id;             /* Queue entries: the OVS queue id. */
    __u64 pad;
    struct xdp_police_count user;   /* What userspace decided (atomic). */
    __u64 pad2[2];
};

/* 'police_ports' value. */
struct xdp_police_port {
    __u16 slot;                 /* The port's block of 'policers'. */
    __u16 flags;                /* XDP_POLICE_F_*. */
};

#define XDP_POLICE_F_INGRESS 1  /* Ingress or ingress_pkts has a kind. */
#define XDP_POLICE_F_EGRESS 2   /* Egress or queue 0 has a kind. */

#ifdef __bpf__
#define XDP_POLICE_INLINE static __inline__ __attribute__((always_inline))
#define XDP_POLICE_UNROLL _Pragma("unroll")
#else
#define XDP_POLICE_INLINE static inline
#define XDP_POLICE_UNROLL
#endif

/* The GCRA test of one bucket: whether 'cost' ticks fit a bucket of
 * tolerance 'tau' whose theoretical arrival time is 'tat' at time 'now'.
 * If so, returns 1 with the new theoretical arrival time in '*new_tat'.
 *
 * A bucket that filled up long ago has 'tat' in the past; all such are the
 * same (full).  Time is in 64-bit ticks, so 'tat' is compared with 'now'
 * modulo 2^64: a 'tat' ahead of now by more than 'tau' + XDP_POLICE_SKEW
 * cannot have been written (a packet fits only if 'tat' stays within 'tau'
 * of the writer's now) and is taken as one from the past too.  Only a
 * bucket idle for a multiple of 2^64 ticks (208 days) give or take
 * 'tau' + XDP_POLICE_SKEW looks otherwise, as not yet refilled. */
XDP_POLICE_INLINE int
xdp_police_gcra(__u64 tat, __u64 now, __u64 cost, __u64 tau, __u64 *new_tat)
{
    __u64 ahead = tat - now;

    if ((__s64) ahead <= 0 || ahead > tau + XDP_POLICE_SKEW) {
        ahead = 0;
        tat = now;
    }
    if (ahead + cost > tau) {
        return 0;
    }
    *new_tat = tat + cost;
    return 1;
}

/* Takes 'cost' ticks from the bucket at '*tatp' if they fit.  Returns 1 if
 * they did.  At most XDP_POLICE_CAS_TRIES attempts: see there. */
XDP_POLICE_INLINE int
xdp_police_take(__u64 *tatp, __u64 now, __u64 cost, __u64 tau)
{
    int i;

    XDP_POLICE_UNROLL
    for (i = 0; i < XDP_POLICE_CAS_TRIES; i++) {
        __u64 old = *(volatile __u64 *) tatp;
        __u64 new;

        if (!xdp_police_gcra(old, now, cost, tau, &new)) {
            return 0;
        }
        if (__sync_val_compare_and_swap(tatp, old, new) == old) {
            return 1;
        }
    }
    return 0;
}

/* The color that policer 'e', of kind 'kind' (read once by the caller, not
 * XDP_POLICE_NONE), gives a frame of 'len' bytes that arrives with color
 * 'color' at 'now' (ticks), taking from its buckets.  Color-aware as
 * RFC 4115: a green frame is green if it fits the committed bucket; a green
 * or yellow one that does not is yellow if it fits the excess bucket; the
 * rest is red.  A color-blind policer is given green frames. */
XDP_POLICE_INLINE int
xdp_police_color(struct xdp_police_entry *e, __u32 kind, __u64 now,
                 __u32 len, int color)
{
    __u64 units;

    if (kind == XDP_POLICE_PACKETS) {
        units = 1;
    } else {
        units = len > XDP_POLICE_L2_HLEN ? len - XDP_POLICE_L2_HLEN : 0;
        /* Keeps units * inc below 2^62 (inc < 2^40: 1 byte/s). */
        units &= 0x3fffff;
    }
    if (color == XDP_POLICE_GREEN && e->inc[0]
        && xdp_police_take(&e->tat[0], now, units * e->inc[0], e->tau[0])) {
        return XDP_POLICE_GREEN;
    }
    if (color != XDP_POLICE_RED && kind == XDP_POLICE_TRTCM && e->inc[1]
        && xdp_police_take(&e->tat[1], now, units * e->inc[1], e->tau[1])) {
        return XDP_POLICE_YELLOW;
    }
    return XDP_POLICE_RED;
}

#endif /* xdp-police-abi.h */
