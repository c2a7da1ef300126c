/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Copyright (c) 2026 The ovs-xdp authors. */

/* The XDP conntrack cache ABI: connections that OVS's userspace conntrack
 * has marked established, for the program to answer ct() for their packets
 * (see Documentation/topics/conntrack-offload.rst).  Shared by the BPF
 * program and userspace (lib/xdp-conntrack.c), so kernel types only.
 *
 * Maps:
 *
 *   ct_keys4    HASH, struct xdp_ct_key4 -> struct xdp_ct_ref (IPv4)
 *   ct_keys6    HASH, struct xdp_ct_key -> struct xdp_ct_ref (IPv6)
 *               (two keys per connection: original and reply direction)
 *   ct_conns    ARRAY, u32 slot -> struct xdp_ct_conn
 *   ct_expire   ARRAY, u32 slot -> u64 (CLOCK_MONOTONIC deadline, ns)
 *
 * Userspace owns the keys, the slots and the deadlines; the program writes
 * only a slot's counters, last use, TCP window and XDP_CT_CONN_HANDED_BACK.
 */

#ifndef XDP_CT_ABI_H
#define XDP_CT_ABI_H 1

#include <linux/types.h>
#include <linux/bpf.h>

/* Default of other_config:xdp-max-conns: connections the cache holds. */
#define XDP_CT_DEFAULT_MAX_CONNS 65536

/* Flow-table lookups ("passes") one packet may make in XDP: the first and
 * up to XDP_CT_MAX_PASSES - 1 recirculations; then userspace. */
#define XDP_CT_MAX_PASSES 4

/* ct_state bits, as OVS's CS_* (lib/packets.h). */
#define XDP_CT_STATE_NEW         0x01
#define XDP_CT_STATE_ESTABLISHED 0x02
#define XDP_CT_STATE_RELATED     0x04
#define XDP_CT_STATE_REPLY_DIR   0x08
#define XDP_CT_STATE_INVALID     0x10
#define XDP_CT_STATE_TRACKED     0x20
#define XDP_CT_STATE_SRC_NAT     0x40
#define XDP_CT_STATE_DST_NAT     0x80

/* A connection in one direction, as that direction's packets carry it:
 * the 'ct_keys6' key, and userspace's key of either family.  Addresses and
 * ports in network byte order; an IPv4 address in word 0, the others
 * zero. */
struct xdp_ct_key {
    __be32 src[4];
    __be32 dst[4];
    __be16 src_port;
    __be16 dst_port;
    __u16 zone;
    __u8 nw_proto;              /* IPPROTO_TCP or IPPROTO_UDP. */
    __u8 ipv6;                  /* 0: IPv4, 1: IPv6. */
};

/* The 'ct_keys4' key: struct xdp_ct_key of an IPv4 connection in 16
 * bytes; hashing 40 costs an IPv4 ct() about 10 ns more. */
struct xdp_ct_key4 {
    __be32 src;
    __be32 dst;
    __be16 src_port;
    __be16 dst_port;
    __u16 zone;
    __u8 nw_proto;
    __u8 pad;                   /* Zero. */
};

/* 'nat' of struct xdp_ct_ref: what a ct(nat) rewrites in a packet of
 * that direction, as conntrack's nat_packet() does. */
#define XDP_CT_NAT_SRC 1        /* The source address to 'nat_addr'. */
#define XDP_CT_NAT_DST 2        /* The destination address to 'nat_addr'. */

/* 'ct_keys4' and 'ct_keys6' value. */
struct xdp_ct_ref {
    __u32 slot;                 /* Index in 'ct_conns' and 'ct_expire'. */
    __u32 generation;           /* The slot's generation when made. */
    __u32 reply;                /* 1: the key is the reply direction. */
    __u32 ct_state;             /* What conntrack answers for this
                                 * direction, but XDP_CT_STATE_TRACKED:
                                 * ESTABLISHED (| REPLY_DIR), or NEW for a
                                 * UDP connection seen one way only. */
    /* NAT, for a ct() with nat: with XDP_CT_NAT_SRC or _DST, the address
     * and both ports are rewritten (to the other direction's key,
     * reversed) and ct_state gains XDP_CT_STATE_SRC_NAT or _DST_NAT
     * alike; 0 for a connection without NAT. */
    __u32 nat;                  /* XDP_CT_NAT_*. */
    __be32 nat_addr[4];         /* IPv4 in word 0. */
    __be16 nat_src_port;
    __be16 nat_dst_port;
};

/* One TCP peer's window, as OVS's struct tcp_peer (conntrack-tcp.c) for a
 * connection established in both directions. */
struct xdp_ct_tcp_peer {
    __u32 seqlo;                /* Highest sequence number sent, + 1. */
    __u32 seqhi;                /* Highest the other end may accept. */
    __u16 max_win;              /* Largest window seen, unscaled. */
    __u8 shift;                 /* Window scale of this peer's packets,
                                 * as tcp_conn_update() derives it. */
    __u8 pad;
};

/* 'flags' of struct xdp_ct_conn. */
#define XDP_CT_CONN_TCP         (1 << 0)    /* Check and track the window. */
#define XDP_CT_CONN_HANDED_BACK (1 << 1)    /* Set by the program when it
                                             * sends a packet of the
                                             * connection to conntrack:
                                             * from then on all go there,
                                             * until userspace syncs the
                                             * slot back and frees it. */

/* 'ct_conns' value.  A slot is in use while 'generation' is nonzero and
 * equal to the generation in its keys. */
struct xdp_ct_conn {
    struct bpf_spin_lock lock;  /* Guards everything below but 'generation'
                                 * and the constants. */
    __u32 generation;
    __u32 flags;                /* XDP_CT_CONN_*. */
    __u32 mark;                 /* ct_mark a hit returns. */
    __u16 zone;
    __u8 nw_proto;
    __u8 pad;
    __u64 packets[2];           /* Seen in XDP: [0] original, [1] reply. */
    __u64 bytes[2];
    __u64 used_ns;              /* CLOCK_MONOTONIC (coarse, ns) of the
                                 * last packet in XDP, 0 for none. */
    struct xdp_ct_tcp_peer peer[2];     /* [0] original direction's sender. */
};

#endif /* xdp-ct-abi.h */
