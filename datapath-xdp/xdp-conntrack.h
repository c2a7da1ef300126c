/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Copyright (c) 2026 The ovs-xdp authors. */

/* ct() in XDP: answers for packets of connections that OVS's userspace
 * conntrack has marked established and userspace has put in the cache
 * (xdp-ct-abi.h, lib/xdp-conntrack.c), with what conntrack would answer:
 * +trk+est (+rpl), the zone and the mark.  It answers only where
 * conntrack's answer is sure to be that one: the packet passes the checks
 * conn_key_extract() makes (header lengths, IP and L4 checksums, not a
 * fragment), and a TCP segment has no SYN, FIN or RST and is inside the
 * window as tcp_conn_update() (conntrack-tcp.c) sees it, which the cache
 * then advances as that function does.  Anything else goes to userspace.
 *
 * A packet may go through several ct() (one per pass, xdp-recirc in
 * ovs-xdp.bpf.c).  xdp_ct_lookup() only finds the connection; nothing is
 * written until the last pass is known to run in XDP, when
 * xdp_ct_commit() checks and advances TCP windows and counts: a packet
 * that goes to userspace midway must reach conntrack as if XDP had not
 * seen it.  Included once, by ovs-xdp.bpf.c. */

#ifndef XDP_CONNTRACK_H
#define XDP_CONNTRACK_H 1

#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xdp-ct-abi.h"
#include "xdp-actions.h"
#include "xdp-classify.h"
#include "xdp-flow-abi.h"
#include "xdp-parse.h"

/* Connections; userspace sets the size (other_config:xdp-max-conns)
 * before load: 'ct_conns' and 'ct_expire' hold it, each keys map twice it.
 * The IPv6 map is not preallocated, so that the cache's memory does not
 * double for a family a datapath may never carry. */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 2 * XDP_CT_DEFAULT_MAX_CONNS);
    __type(key, struct xdp_ct_key4);
    __type(value, struct xdp_ct_ref);
} ct_keys4 SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 2 * XDP_CT_DEFAULT_MAX_CONNS);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, struct xdp_ct_key);
    __type(value, struct xdp_ct_ref);
} ct_keys6 SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, XDP_CT_DEFAULT_MAX_CONNS);
    __type(key, __u32);
    __type(value, struct xdp_ct_conn);
} ct_conns SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, XDP_CT_DEFAULT_MAX_CONNS);
    __type(key, __u32);
    __type(value, __u64);
} ct_expire SEC(".maps");

/* TCP flags as the key holds them (host order after bpf_ntohs()). */
#define XDP_CT_TCP_FIN 0x001
#define XDP_CT_TCP_SYN 0x002
#define XDP_CT_TCP_RST 0x004
#define XDP_CT_TCP_ACK 0x010

/* What xdp_ct_lookup() says. */
enum xdp_ct_verdict {
    XDP_CT_ANSWERED,            /* Key updated; a hit recorded. */
    XDP_CT_TO_USERSPACE,        /* Conntrack must decide: no connection,
                                 * or a packet XDP does not judge. */
    XDP_CT_HAND_BACK,           /* As XDP_CT_TO_USERSPACE, and the
                                 * connection is the cache's: userspace
                                 * must sync it first ('*slotp'). */
};

/* bpf_csum_diff() takes at most 512 bytes at a time. */
#define XDP_CT_CSUM_CHUNK 256

/* The clock of the cache, read once per packet: CLOCK_MONOTONIC as of the
 * last tick (bpf_ktime_get_coarse_ns(), a few ns against some tens for
 * bpf_ktime_get_ns()).  It lags by up to a tick (10 ms at HZ=100), so XDP
 * stops answering for a connection this long before conntrack's
 * expiration, and leaves the last moments to conntrack. */
#define XDP_CT_EXPIRE_MARGIN_NS (20ULL * 1000 * 1000)

/* Checksums are summed in 64 bits and folded at the end.  Words read here
 * and bpf_csum_diff()'s partial sums add up alike: both are in the byte
 * order of memory, in which a valid sum, 0xffff, reads the same. */
struct xdp_ct_csum_loop {
    struct xdp_md *ctx;
    __u32 off;
    __u32 end;
    __u64 sum;
};

/* The sum of the 'n' 32-bit words at 'p', which the caller checked are
 * there. */
static __always_inline __u64
xdp_ct_sum_words(const __u32 *p, __u32 n)
{
    __u64 sum = 0;

    for (__u32 i = 0; i < n; i++) {
        sum += p[i];
    }
    return sum;
}

static __always_inline __u32
xdp_ct_csum_fold64(__u64 sum)
{
    sum = (sum & 0xffffffff) + (sum >> 32);
    sum = (sum & 0xffffffff) + (sum >> 32);
    return xdp_csum_fold(sum);
}

/* bpf_loop() callback: adds XDP_CT_CSUM_CHUNK bytes at 'off' to 'sum',
 * while they are before 'end'. */
static long
xdp_ct_csum_chunk(__u32 i, void *data)
{
    struct xdp_ct_csum_loop *loop = data;
    void *p;

    if (loop->off + XDP_CT_CSUM_CHUNK > loop->end) {
        return 1;
    }
    p = xdp_pkt(loop->ctx, loop->off, XDP_CT_CSUM_CHUNK);
    if (!p) {
        return 1;
    }
    loop->sum += bpf_csum_diff(NULL, 0, p, XDP_CT_CSUM_CHUNK, 0);
    loop->off += XDP_CT_CSUM_CHUNK;
    return 0;
}

/* Adds the next 'len' bytes (a power of 2, from 4 to XDP_CT_CSUM_CHUNK / 2)
 * to the sum if that bit is set in what is left before 'end': fewer than
 * XDP_CT_CSUM_CHUNK bytes are left, so the blocks of the bits set, largest
 * first, take them all but the last 0 to 3 bytes, each of a size the
 * verifier knows.  Blocks of up to 16 bytes are added here, word by word:
 * a helper call costs more.  Returns false if the packet is shorter. */
static __always_inline int
xdp_ct_csum_block(struct xdp_ct_csum_loop *loop, __u32 len)
{
    const __u32 *p;

    if (!((loop->end - loop->off) & len)) {
        return 1;
    }
    p = xdp_pkt(loop->ctx, loop->off, len);
    if (!p) {
        return 0;
    }
    if (len > 16) {
        loop->sum += bpf_csum_diff(NULL, 0, (__be32 *) p, len, 0);
    } else {
        loop->sum += xdp_ct_sum_words(p, len / 4);
    }
    loop->off += len;
    return 1;
}

/* True if the L4 checksum of the packet in 's' is valid, as
 * checksum_valid() of conntrack.c computes it: over 'l4_size' bytes and
 * the pseudo-header. */
static __always_inline int
xdp_ct_l4_csum_ok(struct xdp_md *ctx, const struct xdp_scratch *s)
{
    struct xdp_ct_csum_loop loop = { .ctx = ctx };
    __u32 l4_size = s->info.l4_size;
    __u32 left;

    /* The pseudo-header, as its words lie in memory: for IPv4 the
     * addresses, then {0, protocol, length}; for IPv6 the addresses, the
     * 32-bit length, then {0, 0, 0, next header}. */
    if (s->key.dl_type == bpf_htons(ETH_P_IP)) {
        loop.sum = ((__u64) s->key.nw_src + s->key.nw_dst
                    + ((__u32) s->key.nw_proto << 8)
                    + ((__u32) bpf_htons(l4_size) << 16));
    } else {
        for (int i = 0; i < 4; i++) {
            loop.sum += (__u64) s->key.ipv6_src[i] + s->key.ipv6_dst[i];
        }
        loop.sum += (__u64) bpf_htonl(l4_size)
                    + ((__u32) s->key.nw_proto << 24);
    }

    loop.off = s->info.l4_off;
    loop.end = s->info.l4_off + l4_size;
    if (l4_size >= XDP_CT_CSUM_CHUNK) {
        bpf_loop(XDP_PARSE_MAX_OFF / XDP_CT_CSUM_CHUNK + 1,
                 xdp_ct_csum_chunk, &loop, 0);
        if (loop.end - loop.off >= XDP_CT_CSUM_CHUNK) {
            /* The loop stopped short: the packet is not all there. */
            return 0;
        }
    }
    if (!xdp_ct_csum_block(&loop, 128) || !xdp_ct_csum_block(&loop, 64)
        || !xdp_ct_csum_block(&loop, 32) || !xdp_ct_csum_block(&loop, 16)
        || !xdp_ct_csum_block(&loop, 8) || !xdp_ct_csum_block(&loop, 4)) {
        return 0;
    }
    left = loop.end - loop.off;
    /* The last 1 to 3 bytes, zero-padded: they start on a 4-byte boundary
     * of L4, so each keeps its place in its word. */
    if (left) {
        const __u8 *p = xdp_pkt(ctx, loop.off, 1);
        __u8 tail[4] = { 0, 0, 0, 0 };

        if (!p) {
            return 0;
        }
        tail[0] = p[0];
        if (left > 1) {
            p = xdp_pkt(ctx, loop.off + 1, 1);
            if (!p) {
                return 0;
            }
            tail[1] = p[0];
        }
        if (left > 2) {
            p = xdp_pkt(ctx, loop.off + 2, 1);
            if (!p) {
                return 0;
            }
            tail[2] = p[0];
        }
        loop.sum += *(__u32 *) tail;
    }
    return xdp_ct_csum_fold64(loop.sum) == 0xffff;
}

/* True if conntrack's conn_key_extract() would take the packet in 's' as
 * it is: an IPv4 header of 20 bytes (options: userspace) with a valid
 * checksum, or IPv6 without extension headers; TCP or UDP with sane
 * lengths and a valid checksum (zero for UDP over IPv4: none).  Only
 * packets that are not fragments get here. */
static __always_inline int
xdp_ct_packet_ok(struct xdp_md *ctx, const struct xdp_scratch *s)
{
    __u32 l3_off = s->info.l3_off, l4_off = s->info.l4_off;
    __u32 l4_size = s->info.l4_size;

    if (!s->info.l4) {
        return 0;
    }
    if (s->key.dl_type == bpf_htons(ETH_P_IP)) {
        const struct iphdr *ip = xdp_pkt(ctx, l3_off, sizeof *ip);

        if (!ip || ip->ihl != 5 || l4_off != l3_off + sizeof *ip) {
            return 0;
        }
        if (xdp_ct_csum_fold64(xdp_ct_sum_words((const __u32 *) ip,
                                                sizeof *ip / 4))
            != 0xffff) {
            return 0;
        }
    } else if (s->key.dl_type == bpf_htons(ETH_P_IPV6)) {
        if (l4_off != l3_off + sizeof(struct ipv6hdr)) {
            return 0;
        }
    } else {
        return 0;
    }

    if (s->key.nw_proto == IPPROTO_TCP) {
        const struct tcphdr *tcp = xdp_pkt(ctx, l4_off, sizeof *tcp);
        __u32 doff;

        if (!tcp || l4_size < sizeof *tcp) {
            return 0;
        }
        doff = tcp->doff * 4;
        if (doff < sizeof *tcp || doff > l4_size) {
            return 0;
        }
    } else {
        const struct udphdr *udp = xdp_pkt(ctx, l4_off, sizeof *udp);
        __u32 len;

        if (!udp || l4_size < sizeof *udp) {
            return 0;
        }
        len = bpf_ntohs(udp->len);
        if (len < sizeof *udp || len > l4_size) {
            return 0;
        }
        if (!udp->check && s->key.dl_type == bpf_htons(ETH_P_IP)) {
            return 1;
        }
    }
    return xdp_ct_l4_csum_ok(ctx, s);
}

/* Applies the NAT of 'ref' to the key in 's', as conntrack's nat_packet()
 * does to the packet: one address and both ports.  Returns the ct_state
 * bits it adds (+snat or +dnat), 0 for none.  The packet follows in
 * xdp_ct_nat_apply(). */
static __always_inline __u8
xdp_ct_nat_key(struct xdp_scratch *s, const struct xdp_ct_ref *ref)
{
    int ip4 = s->key.dl_type == bpf_htons(ETH_P_IP);
    __u32 ports;

    if (ref->nat & XDP_CT_NAT_SRC) {
        if (ip4) {
            s->key.nw_src = ref->nat_addr[0];
        } else {
            __builtin_memcpy(s->key.ipv6_src, ref->nat_addr,
                             sizeof s->key.ipv6_src);
        }
    } else if (ref->nat & XDP_CT_NAT_DST) {
        if (ip4) {
            s->key.nw_dst = ref->nat_addr[0];
        } else {
            __builtin_memcpy(s->key.ipv6_dst, ref->nat_addr,
                             sizeof s->key.ipv6_dst);
        }
    } else {
        return 0;
    }
    /* Both ports in one store (see xdp_ct_ports_word()). */
    __builtin_memcpy(&ports, &ref->nat_src_port, sizeof ports);
    __builtin_memcpy(&s->key.tp_src, &ports, sizeof ports);
    s->ct_nat = ref->nat & (XDP_CT_NAT_SRC | XDP_CT_NAT_DST);
    return (ref->nat & XDP_CT_NAT_SRC ? XDP_CT_STATE_SRC_NAT
            : XDP_CT_STATE_DST_NAT);
}

/* xdp_ct_packet_ok() of the packet in 's', computed once per packet: the
 * packet does not change until it leaves, and a NAT of the key (whose
 * addresses the L4 checksum's pseudo-header takes) keeps the answer. */
static __always_inline int
xdp_ct_packet_checked(struct xdp_md *ctx, struct xdp_scratch *s)
{
    if (!s->ct_pkt_ok) {
        s->ct_pkt_ok = xdp_ct_packet_ok(ctx, s) ? 1 : 2;
    }
    return s->ct_pkt_ok == 1;
}

/* The ct keys end in two 32-bit words, {src_port, dst_port} and {zone,
 * nw_proto, 0 or ipv6}.  Each is made in a register and stored whole: the
 * kernel's hash reads the key by words, and a word stored in parts cannot
 * be forwarded to that load, which then waits for the stores to reach the
 * cache (measured: 10 ns per lookup). */
static __always_inline __u32
xdp_ct_ports_word(const struct xdp_scratch *s)
{
    __u32 w;

    __builtin_memcpy(&w, &s->key.tp_src, sizeof w);
    return w;
}

static __always_inline __u32
xdp_ct_key_word(__u16 zone, __u8 nw_proto, __u8 last)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return zone | (__u32) nw_proto << 16 | (__u32) last << 24;
#else
    return (__u32) zone << 16 | (__u32) nw_proto << 8 | last;
#endif
}

/* The word of the flow key that holds ct_state, pad0 (zero) and ct_zone. */
static __always_inline __u32
xdp_ct_state_word(__u8 ct_state, __u16 zone)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return ct_state | (__u32) zone << 16;
#else
    return (__u32) ct_state << 24 | zone;
#endif
}

_Static_assert(__builtin_offsetof(struct xdp_flow_key, ct_zone)
               == __builtin_offsetof(struct xdp_flow_key, ct_state) + 2
               && __builtin_offsetof(struct xdp_flow_key, ct_state) % 4 == 0,
               "ct_state, pad0 and ct_zone make one word");
_Static_assert(__builtin_offsetof(struct xdp_flow_key, tp_dst)
               == __builtin_offsetof(struct xdp_flow_key, tp_src) + 2
               && __builtin_offsetof(struct xdp_ct_ref, nat_dst_port)
                  == __builtin_offsetof(struct xdp_ct_ref, nat_src_port) + 2
               && __builtin_offsetof(struct xdp_ct_key4, src_port) == 8
               && __builtin_offsetof(struct xdp_ct_key4, zone) == 12
               && __builtin_offsetof(struct xdp_ct_key, src_port) == 32
               && __builtin_offsetof(struct xdp_ct_key, zone) == 36,
               "the ct keys' last words are as xdp_ct_lookup() writes them");

/* Looks up the connection of the packet in the scratch area for a ct() in
 * 'zone' with XDP_FLOW_CT_* 'ct_flags'.  On XDP_CT_ANSWERED, sets the
 * key's conntrack fields as conntrack would (and, for a ct(nat), the
 * addresses and ports its NAT rewrites) and records the hit in the scratch
 * area's 'ct_hits'; on XDP_CT_HAND_BACK, sets its 'ct_slot' to the slot
 * userspace must sync.  The packet and the cache are left alone.  A global
 * function: the verifier checks it once, not once per pass. */
__noinline int
xdp_ct_lookup(struct xdp_md *ctx, __u32 zone, __u32 ct_flags)
{
    struct xdp_scratch *s = xdp_get_scratch();
    const struct xdp_ct_ref *ref;
    struct xdp_ct_hits *hits;
    struct xdp_ct_conn *conn;
    __u32 slot, tcp_flags, ports;
    const __u64 *expire;
    __u8 state;

    if (!s) {
        return XDP_CT_TO_USERSPACE;
    }
    /* A ct() in the zone of the packet's last ct(), with no ct_clear or
     * NAT since: conntrack takes the connection from the packet's metadata
     * (process_one_fast()), with no lookup and no update, and leaves the
     * state as it is.  So does XDP (the hit is recorded already; the
     * commit checks its generation).  Such is the ct(commit) of a pipeline
     * whose first pass ran ct(table=N) in the same zone. */
    if (s->ct_last_slot != NO_CT_SLOT && zone == s->key.ct_zone
        && !(ct_flags & XDP_FLOW_CT_NAT)) {
        return XDP_CT_ANSWERED;
    }
    hits = &s->ct_hits;
    if (s->key.nw_frag
        || (s->key.nw_proto != IPPROTO_TCP
            && s->key.nw_proto != IPPROTO_UDP)) {
        return XDP_CT_TO_USERSPACE;
    }
    /* After a NAT, conntrack looks the connection up by the reversed key
     * (initial_conn_lookup()), and a NAT in another zone undoes the first
     * one's state: userspace's. */
    if (s->key.ct_state & (XDP_CT_STATE_SRC_NAT | XDP_CT_STATE_DST_NAT)) {
        return XDP_CT_TO_USERSPACE;
    }
    /* A lookup call per map, which the verifier inlines. */
    ports = xdp_ct_ports_word(s);
    if (s->key.dl_type == bpf_htons(ETH_P_IP)) {
        __u32 *w = (__u32 *) &s->ct_key4;

        w[0] = s->key.nw_src;
        w[1] = s->key.nw_dst;
        w[2] = ports;
        w[3] = xdp_ct_key_word(zone, s->key.nw_proto, 0);
        XDP_LOOKUP_APART(ref, ct_keys4, &s->ct_key4, 4);
    } else if (s->key.dl_type == bpf_htons(ETH_P_IPV6)) {
        __u32 *w = (__u32 *) &s->ct_key6;

        __builtin_memcpy(s->ct_key6.src, s->key.ipv6_src,
                         sizeof s->ct_key6.src);
        __builtin_memcpy(s->ct_key6.dst, s->key.ipv6_dst,
                         sizeof s->ct_key6.dst);
        w[8] = ports;
        w[9] = xdp_ct_key_word(zone, s->key.nw_proto, 1);
        XDP_LOOKUP_APART(ref, ct_keys6, &s->ct_key6, 6);
    } else {
        return XDP_CT_TO_USERSPACE;
    }
    if (!ref) {
        return XDP_CT_TO_USERSPACE;
    }
    slot = ref->slot;
    conn = bpf_map_lookup_elem(&ct_conns, &slot);
    expire = bpf_map_lookup_elem(&ct_expire, &slot);
    if (!conn || !expire || !ref->generation
        || conn->generation != ref->generation) {
        return XDP_CT_TO_USERSPACE;
    }
    if (!s->ct_now) {
        s->ct_now = bpf_ktime_get_coarse_ns();
    }
    if (s->ct_now + XDP_CT_EXPIRE_MARGIN_NS >= *expire) {
        /* Conntrack may have expired it already; it decides. */
        return XDP_CT_TO_USERSPACE;
    }
    if (conn->flags & XDP_CT_CONN_TCP) {
        tcp_flags = bpf_ntohs(s->key.tcp_flags);
        if (conn->flags & XDP_CT_CONN_HANDED_BACK
            || tcp_flags & (XDP_CT_TCP_SYN | XDP_CT_TCP_FIN | XDP_CT_TCP_RST)
            || !(tcp_flags & XDP_CT_TCP_ACK)
            || !xdp_ct_packet_checked(ctx, s)) {
            /* Conntrack must see it, on the cache's window; and the later
             * packets too, so that none overtakes it. */
            bpf_spin_lock(&conn->lock);
            conn->flags |= XDP_CT_CONN_HANDED_BACK;
            bpf_spin_unlock(&conn->lock);
            s->ct_slot = slot;
            return XDP_CT_HAND_BACK;
        }
    } else if (!xdp_ct_packet_checked(ctx, s)) {
        /* Conntrack marks it invalid, or judges what XDP does not. */
        return XDP_CT_TO_USERSPACE;
    }
    /* A second NAT (after a ct_clear): each NAT is an incremental update
     * of the checksums in conntrack, one rewrite in XDP, which may differ
     * in 0 against 0xffff.  Userspace's. */
    if (ct_flags & XDP_FLOW_CT_NAT && ref->nat && s->ct_nat) {
        return XDP_CT_TO_USERSPACE;
    }

    /* Conntrack takes a ct() in the zone of the packet's last ct(), with
     * no ct_clear since, from the packet's metadata (process_one_fast()):
     * no update.  Any other is one more update of its connection. */
    if (slot != s->ct_last_slot) {
        struct xdp_ct_hit *h;

        if (hits->n >= XDP_CT_MAX_PASSES) {
            return XDP_CT_TO_USERSPACE;
        }
        /* Two updates of one TCP connection by one packet: xdp_ct_commit()
         * checks each against the window as it was, conntrack the second
         * against the window the first moved.  Userspace's. */
        if (conn->flags & XDP_CT_CONN_TCP) {
            for (__u32 i = 0; i < XDP_CT_MAX_PASSES; i++) {
                if (i >= hits->n) {
                    break;
                }
                if (hits->hit[i & (XDP_CT_MAX_PASSES - 1)].slot == slot) {
                    return XDP_CT_TO_USERSPACE;
                }
            }
        }
        h = &hits->hit[hits->n & (XDP_CT_MAX_PASSES - 1)];
        h->slot = slot;
        h->generation = ref->generation;
        h->reply = ref->reply;
        hits->n++;
        s->ct_last_slot = slot;
    }
    state = XDP_CT_STATE_TRACKED | (ref->ct_state & 0xff);
    if (ct_flags & XDP_FLOW_CT_NAT) {
        state |= xdp_ct_nat_key(s, ref);
        /* A ct() with nat leaves no connection in the packet's metadata
         * (set_cached_conn()): the next ct() updates it again. */
        s->ct_last_slot = NO_CT_SLOT;
    }
    /* {ct_state, pad0, ct_zone} in one store: the next pass's lookup
     * reads the word whole. */
    *(__u32 *) &s->key.ct_state = xdp_ct_state_word(state, zone);
    s->key.ct_mark = conn->mark;
    return XDP_CT_ANSWERED;
}

#define XDP_CT_SEQ_GEQ(a, b) ((__s32) ((a) - (b)) >= 0)
#define XDP_CT_SEQ_GT(a, b) ((__s32) ((a) - (b)) > 0)
#define XDP_CT_MAXACKWINDOW (0xffff + 1500)

/* What tcp_conn_update() reads of a segment. */
struct xdp_ct_segment {
    __u32 seq;
    __u32 ack;
    __u32 end;
    __u32 win;
};

static __always_inline int
xdp_ct_segment_read(struct xdp_md *ctx, const struct xdp_scratch *s,
                    struct xdp_ct_segment *seg)
{
    const struct tcphdr *tcp = xdp_pkt(ctx, s->info.l4_off, sizeof *tcp);
    __u32 doff;

    if (!tcp) {
        return 0;
    }
    doff = tcp->doff * 4;
    seg->seq = bpf_ntohl(tcp->seq);
    seg->ack = bpf_ntohl(tcp->ack_seq);
    seg->win = bpf_ntohs(tcp->window);
    /* dp_packet_get_tcp_payload_length(); xdp_ct_packet_ok() checked
     * 'doff'. */
    seg->end = seg->seq + (s->info.l4_size - doff);
    return 1;
}

/* The established-state branch of tcp_conn_update() for a segment without
 * SYN, FIN or RST and with ACK: returns true, with the window advanced, if
 * conntrack would find it valid; false, with nothing changed, if it would
 * not (then conntrack must see it, with the cache's window). */
static __always_inline int
xdp_ct_tcp_update(struct xdp_ct_conn *conn, __u32 reply,
                  const struct xdp_ct_segment *seg, int update)
{
    struct xdp_ct_tcp_peer *src = &conn->peer[reply ? 1 : 0];
    struct xdp_ct_tcp_peer *dst = &conn->peer[reply ? 0 : 1];
    __u32 sws = src->shift, dws = dst->shift;
    __u32 seq = seg->seq, end = seg->end, ack = seg->ack;
    __u32 win = seg->win;
    __s32 ackskew;

    if (seq == end) {
        /* No data: "ease sequencing restrictions". */
        seq = src->seqlo;
        end = seq;
    }
    ackskew = dst->seqlo - ack;
    if (!(XDP_CT_SEQ_GEQ(src->seqhi, end)
          && XDP_CT_SEQ_GEQ(seq, src->seqlo - ((__u32) dst->max_win << dws))
          && ackskew >= -XDP_CT_MAXACKWINDOW
          && ackskew <= (XDP_CT_MAXACKWINDOW << sws))) {
        return 0;
    }
    if (!update) {
        return 1;
    }
    if (src->max_win < win) {
        src->max_win = win;
    }
    if (XDP_CT_SEQ_GT(end, src->seqlo)) {
        src->seqlo = end;
    }
    if (XDP_CT_SEQ_GEQ(ack + (win << sws), dst->seqhi)) {
        __u32 w = win << sws;

        dst->seqhi = ack + (w > 1 ? w : 1);
    }
    return 1;
}

/* Checks (with 'update' false) or commits (true) hit 'i' of the packet in
 * 's': returns 1 if the connection takes the segment, 0 if its window
 * refuses it or it was handed back (then 's->ct_slot' names it), -1 if it
 * is gone.  Committing advances the TCP window and counts 'ip_len'
 * bytes. */
static __always_inline int
xdp_ct_hit_apply(struct xdp_scratch *s, __u32 i,
                 const struct xdp_ct_segment *seg, __u32 ip_len, int update)
{
    const struct xdp_ct_hit *h = &s->ct_hits.hit[i & (XDP_CT_MAX_PASSES - 1)];
    struct xdp_ct_conn *conn;
    __u32 slot = h->slot, dir = h->reply ? 1 : 0;
    int ok = 1;

    conn = bpf_map_lookup_elem(&ct_conns, &slot);
    if (!conn) {
        return -1;
    }
    if (!(conn->flags & XDP_CT_CONN_TCP)) {
        /* No window: nothing to keep consistent but the counts, which
         * atomic adds keep without the lock. */
        if (conn->generation != h->generation) {
            return -1;
        }
        if (update) {
            __sync_fetch_and_add(&conn->packets[dir], 1);
            __sync_fetch_and_add(&conn->bytes[dir], ip_len);
            conn->used_ns = s->ct_now;
        }
        return 1;
    }
    bpf_spin_lock(&conn->lock);
    if (conn->generation != h->generation) {
        /* Gone meanwhile: nothing of it to sync. */
        ok = -1;
    } else if (conn->flags & XDP_CT_CONN_HANDED_BACK) {
        ok = 0;
    } else if (conn->flags & XDP_CT_CONN_TCP) {
        ok = xdp_ct_tcp_update(conn, dir, seg, update);
        if (!ok && update) {
            conn->flags |= XDP_CT_CONN_HANDED_BACK;
        }
    }
    if (ok > 0 && update) {
        conn->packets[dir] += 1;
        conn->bytes[dir] += ip_len;
    }
    bpf_spin_unlock(&conn->lock);
    if (!ok) {
        s->ct_slot = slot;
    } else if (ok > 0 && update) {
        /* Outside the lock: a time, not a count, and read only by the
         * sync, which tolerates a late one. */
        conn->used_ns = s->ct_now;
    }
    return ok;
}

/* Commits the hits of the packet in the scratch area, which XDP will
 * output: checks and advances TCP windows, counts.  Returns true if all
 * hold; otherwise the packet must go to userspace, and if a connection's
 * window refused the segment, that connection is handed back (the
 * program's later packets of it go to userspace too) and the scratch
 * area's 'ct_slot' names it.  All hits are checked before any is
 * committed, so that a refusal by the second connection leaves the first
 * as conntrack will find it; only a window that moves between the check
 * and the commit (another CPU, the same connection) can still refuse
 * then, and the packet goes up with the first already counted.  A global
 * function: the verifier checks it once. */
__noinline int
xdp_ct_commit(struct xdp_md *ctx)
{
    struct xdp_ct_segment seg = { 0, 0, 0, 0 };
    struct xdp_scratch *s = xdp_get_scratch();
    __u32 ip_len, n;

    if (!s) {
        return 0;
    }
    n = s->ct_hits.n;
    if (n && s->key.nw_proto == IPPROTO_TCP
        && !xdp_ct_segment_read(ctx, s, &seg)) {
        return 0;
    }
    /* Conntrack counts dp_packet_l3_size(): the IP packet, without the
     * Ethernet padding after it. */
    ip_len = s->info.l4_off - s->info.l3_off + s->info.l4_size;

    for (__u32 i = 0; i < XDP_CT_MAX_PASSES; i++) {
        if (i >= n) {
            break;
        }
        if (xdp_ct_hit_apply(s, i, &seg, ip_len, 0) <= 0) {
            return 0;
        }
    }
    for (__u32 i = 0; i < XDP_CT_MAX_PASSES; i++) {
        if (i >= n) {
            break;
        }
        if (xdp_ct_hit_apply(s, i, &seg, ip_len, 1) <= 0) {
            return 0;
        }
    }
    return 1;
}

/* Rewrites the 16-bit words of 'n_words' at 'off' to 'value' with
 * 'csum_flags' checksum updates (see xdp_edit_csums()): if they change, as
 * OVS's packet_set_port(), or with 'always' in any case, as
 * packet_set_ipv4_addr() and packet_set_ipv6_addr(), whose update by the
 * same value turns a checksum of 0xffff into 0. */
static __always_inline void
xdp_ct_nat_edit(struct xdp_act_loop *loop, __u32 off, const void *value,
                __u32 n_words, int csum_flags, int always)
{
    struct xdp_edit edit = { .off = off, .n_words = n_words };
    long r;

    if (n_words == 8) {
        __builtin_memcpy(edit.value, value, 16);
    } else if (n_words == 2) {
        __builtin_memcpy(edit.value, value, 4);
    } else {
        __builtin_memcpy(edit.value, value, 2);
    }
    __builtin_memset(edit.mask, 0xff, sizeof edit.mask);
    r = xdp_edit_write(loop, &edit);
    if (r >= 0 && (always || r & XDP_EDIT_CHANGED)) {
        xdp_edit_csums(loop, r & XDP_EDIT_DELTA, csum_flags);
    }
}

/* Writes the addresses and ports of the key in the scratch area into the
 * packet after a ct(nat) hit (the packet stays in XDP: xdp_ct_commit()
 * took it), with the checksum updates of conntrack's nat_packet():
 * packet_set_ipv4_addr() (IP header and L4 checksums),
 * packet_set_ipv6_addr() (L4), pat_packet() (ports, L4).  xdp_ct_packet_ok()
 * checked the headers.  Returns 0 if the packet is too short for that, and
 * is untouched then.  A global function: checked once. */
__noinline int
xdp_ct_nat_apply(struct xdp_md *ctx)
{
    struct xdp_scratch *s = xdp_get_scratch();
    struct xdp_act_loop loop = { .ctx = ctx };
    __u32 l3, l4, src, dst;
    __be16 port;

    if (!s) {
        return 0;
    }
    /* nat_packet() sets the address it NATs even to the same value,
     * which still updates the checksums; ports only if they change. */
    src = !!(s->ct_nat & XDP_CT_NAT_SRC);
    dst = !!(s->ct_nat & XDP_CT_NAT_DST);
    l3 = s->info.l3_off;
    l4 = s->info.l4_off;
    loop.l3_off = l3;
    loop.l4_off = l4;
    loop.l4_size = s->info.l4_size;
    loop.dl_type = bpf_ntohs(s->key.dl_type);
    loop.nw_proto = s->key.nw_proto;
    loop.ip6_l4_csum = 1;
    if (loop.l4_size < sizeof(struct udphdr)
        || !xdp_pkt(ctx, l4, sizeof(struct udphdr))) {
        return 0;
    }
    if (loop.dl_type == ETH_P_IP) {
        if (!xdp_pkt(ctx, l3, sizeof(struct iphdr))) {
            return 0;
        }
        xdp_ct_nat_edit(&loop, l3 + offsetof(struct iphdr, saddr),
                        &s->key.nw_src, 2, XDP_CSUM_IP | XDP_CSUM_L4, src);
        xdp_ct_nat_edit(&loop, l3 + offsetof(struct iphdr, daddr),
                        &s->key.nw_dst, 2, XDP_CSUM_IP | XDP_CSUM_L4, dst);
    } else {
        if (!xdp_pkt(ctx, l3, sizeof(struct ipv6hdr))) {
            return 0;
        }
        xdp_ct_nat_edit(&loop, l3 + offsetof(struct ipv6hdr, saddr),
                        s->key.ipv6_src, 8, XDP_CSUM_L4, src);
        xdp_ct_nat_edit(&loop, l3 + offsetof(struct ipv6hdr, daddr),
                        s->key.ipv6_dst, 8, XDP_CSUM_L4, dst);
    }
    /* TCP and UDP have their ports at the same offsets; each port is a
     * word of its own, as packet_set_port() updates them one by one. */
    port = s->key.tp_src;
    xdp_ct_nat_edit(&loop, l4 + offsetof(struct udphdr, source), &port, 1,
                    s->key.nw_proto == IPPROTO_TCP ? XDP_CSUM_TCP
                                                   : XDP_CSUM_UDP, 0);
    port = s->key.tp_dst;
    xdp_ct_nat_edit(&loop, l4 + offsetof(struct udphdr, dest), &port, 1,
                    s->key.nw_proto == IPPROTO_TCP ? XDP_CSUM_TCP
                                                   : XDP_CSUM_UDP, 0);
    return 1;
}

#endif /* xdp-conntrack.h */
