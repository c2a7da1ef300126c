/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Copyright (c) 2026 The ovs-xdp authors. */

/* What the XDP program and ovs-vswitchd share about ports, sockets and
 * upcalls: map layouts, sizes, the metadata the program writes in front of
 * packets it sends to userspace, and its counters.  The flow table's part
 * is in xdp-flow-abi.h.  Included by BPF C and by userspace C, so it uses
 * only kernel types. */

#ifndef XDP_ABI_H
#define XDP_ABI_H 1

#include <linux/types.h>

/* Ports of one datapath that carry the program, and rx queues per port:
 * the XSKMAP holds one socket per (port slot, queue). */
#define XDP_ABI_MAX_PORTS 64
#define XDP_ABI_MAX_QUEUES 64
#define XDP_ABI_XSKS (XDP_ABI_MAX_PORTS * XDP_ABI_MAX_QUEUES)

/* Ports with an ifindex below this are in the 'port_index' array, indexed
 * by ifindex, as well as in 'port_map' (HASH by ifindex): an array index
 * costs a fraction of a hash lookup. */
#define XDP_ABI_PORT_INDEX_SIZE 65536

/* 'port_map' and 'port_index' value: everything the program needs of the
 * ingress port, for the fast path (ODP port) and for upcalls (sockets). */
struct xdp_abi_port {
    __u32 slot;                 /* Index of the port's block of XSKs. */
    __u32 n_rxq;                /* Queues that have a socket. */
    __u32 odp_port;             /* The port's number in the datapath. */
    __u32 in_use;               /* 'port_index': nonzero for a port (the
                                 * program ignores it in 'port_map'). */
};

/* Why a packet went to userspace, in the metadata. */
enum xdp_abi_upcall_reason {
    XDP_ABI_UPCALL_MISS,        /* No flow matched (or no table yet). */
    XDP_ABI_UPCALL_PARTIAL,     /* Flow matched; userspace executes it. */
    XDP_ABI_UPCALL_UNPARSED,    /* Headers the parser does not cover. */
};

/* Written with bpf_xdp_adjust_meta() right before the packet data.
 *
 * Userspace takes the flow mark only from a metadata block that carries
 * the cookie of the program that is loaded: a random 64-bit number that
 * userspace chooses for each load ('meta_cookie', read-only data of the
 * program) and that never appears in a packet.  Bytes in front of a packet
 * that the program did not write (a driver without room for metadata,
 * anything a packet put there) therefore never pass for metadata.  The
 * length binds the block to its packet, against a genuine block left in a
 * frame that the kernel reused for a packet without one.  Userspace zeroes
 * the block once read. */
struct xdp_abi_meta {
    __u32 cookie[2];            /* meta_cookie: low word, high word. */
    __u32 flow_mark;            /* Valid with XDP_ABI_UPCALL_PARTIAL. */
    __u16 reason;               /* enum xdp_abi_upcall_reason. */
    __u16 len;                  /* Packet length, low 16 bits. */
    __u32 ct_slot;              /* 0, or 1 + the conntrack cache slot
                                 * (xdp-ct-abi.h) whose connection the
                                 * program handed back with this packet:
                                 * userspace syncs the slot to conntrack
                                 * before conntrack sees the packet. */
};

/* Per-CPU counters: indexes into the 'n' of the 'counters' map's one
 * value. */
enum xdp_abi_counter {
    XDP_ABI_CNT_RX,             /* Packets seen by the program. */
    XDP_ABI_CNT_TO_XSK,         /* Redirected to an AF_XDP socket. */
    XDP_ABI_CNT_PASS,           /* Given to the kernel: no socket. */
    XDP_ABI_CNT_NO_PORT,        /* Ingress port unknown to the datapath. */
    XDP_ABI_CNT_META_FAIL,      /* No room for metadata: sent without. */
    XDP_ABI_CNT_UPCALL_MISS,    /* To userspace: no flow matched. */
    XDP_ABI_CNT_UPCALL_PARTIAL, /* To userspace: flow is partial. */
    XDP_ABI_CNT_UPCALL_UNPARSED,/* To userspace: headers not covered. */
    XDP_ABI_CNT_HANDLED,        /* Output by XDP (XDP_TX or redirect). */
    XDP_ABI_CNT_DROPPED,        /* Dropped by a flow without actions. */
    XDP_ABI_CNT_EMC_HIT,        /* Exact-match cache hits. */
    XDP_ABI_CNT_EMC_MISS,       /* Exact-match cache misses (while in use). */
    XDP_ABI_CNT_MEGAFLOW_HIT,   /* Tuple-space search hits. */
    XDP_ABI_CNT_ACTION_ERROR,   /* Actions failed midway: dropped. */
    XDP_ABI_CNT_NO_TX_PORT,     /* Output port not in tx_ports: partial. */
    XDP_ABI_CNT_SHORT_HEADER,   /* Rewrite of an IP header that the packet
                                 * does not hold in full, or of an L4
                                 * header past the program's reach:
                                 * partial. */
    XDP_ABI_CNT_POLICED_INGRESS,/* Dropped by the ingress port's policer,
                                 * before the flow lookup. */
    XDP_ABI_CNT_POLICED_EGRESS, /* Dropped by the output port's policer. */
    XDP_ABI_CNT_CT_HIT,         /* ct() answered from the conntrack
                                 * cache. */
    XDP_ABI_CNT_CT_MISS,        /* ct() not answered (no cached
                                 * connection, or not one XDP decides):
                                 * the packet went to userspace. */
    XDP_ABI_CNT_CT_HANDED_BACK, /* A cached TCP connection handed back to
                                 * conntrack (flags, window). */
    XDP_ABI_CNT_RECIRC,         /* Passes after the first (recirc). */
    XDP_ABI_CNT_RECIRC_LIMIT,   /* Packets that would recirculate more than
                                 * the program's passes: to userspace. */
    XDP_ABI_N_COUNTERS
};

struct xdp_abi_counters {
    __u64 n[XDP_ABI_N_COUNTERS];
};

#endif /* xdp-abi.h */
