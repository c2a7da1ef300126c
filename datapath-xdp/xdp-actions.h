/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Copyright (c) 2026 The ovs-xdp authors. */

/* Action execution of the XDP program: output, VLAN push/pop, (masked)
 * field sets with incremental checksum updates, byte for byte as OVS's
 * odp_execute_actions().  It runs what xdp-classify.h found on the offsets
 * that xdp-parse.h recorded; translating ODP actions into these is
 * userspace's (lib/xdp-odp-actions.c).  Included once, by ovs-xdp.bpf.c:
 * it defines the 'tx_ports' map. */

#ifndef XDP_ACTIONS_H
#define XDP_ACTIONS_H 1

#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/icmpv6.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xdp-flow-abi.h"
#include "xdp-parse.h"
#include "xdp-police.h"

/* Egress devices for XDP_FLOW_ACT_OUTPUT, keyed by ifindex.  Userspace adds
 * every port that can take a redirect. */
struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
    __uint(max_entries, XDP_ABI_MAX_PORTS);
    __type(key, __u32);
    __type(value, struct bpf_devmap_val);
} tx_ports SEC(".maps");

/* True if the program can output to 'ifindex'. */
static __always_inline int
xdp_tx_port_ok(__u32 ifindex)
{
    return bpf_map_lookup_elem(&tx_ports, &ifindex) != NULL;
}

/* Verdict while actions continue. */
#define XDP_ACT_CONTINUE (-1)

/* Outputs the packet to 'ifindex': XDP_TX to the ingress port, a redirect
 * to any other.  XDP_ABORTED, with the packet untouched, if the port is not
 * in 'tx_ports'.  The ingress port too: XDP_TX into a veth is lost, like a
 * redirect, unless its peer has NAPI; userspace lists only ports that
 * deliver.  XDP_DROP if the port's egress policer (xdp-police.h) drops
 * the packet. */
static __always_inline int
xdp_output(const struct xdp_md *ctx, __u32 ifindex)
{
    int verdict;

    if (ifindex == ctx->ingress_ifindex) {
        verdict = (bpf_map_lookup_elem(&tx_ports, &ifindex)
                   ? XDP_TX : XDP_ABORTED);
    } else {
        /* Flags 0: XDP_ABORTED if 'ifindex' is not in the map. */
        verdict = bpf_redirect_map(&tx_ports, ifindex, 0);
    }
    return xdp_police_output(ctx, ifindex, verdict);
}

/* The actions follow OVS's odp_execute_actions() on a packet whose offsets
 * miniflow_extract() set, byte for byte (tests/test-xdp-actions.c compares
 * them): a field is rewritten, and checksums are updated, where OVS does,
 * and only if the field's value changes, as OVS does (an update by the
 * same value can turn a checksum of 0xffff into 0). */
struct xdp_act_loop {
    struct xdp_md *ctx;
    const struct xdp_flow_entry *entry;
    __u32 l3_off;
    __u32 l4_off;
    __u32 l4_size;              /* As OVS's dp_packet_l4_size(). */
    __u16 dl_type;              /* Host order. */
    __u8 nw_proto;
    __u8 ip6_l4_csum;           /* IPv6 address changes update the L4
                                 * checksum (see struct xdp_parse_info). */
    int verdict;
};

/* One edit: up to XDP_EDIT_MAX_WORDS 16-bit words at 'off', under 'mask'
 * (an IPv6 address at most). */
#define XDP_EDIT_MAX_WORDS (sizeof(struct in6_addr) / 2)

struct xdp_edit {
    __u32 off;
    __u32 n_words;
    __u16 value[XDP_EDIT_MAX_WORDS];
    __u16 mask[XDP_EDIT_MAX_WORDS];
};

/* Checksums that an edit updates. */
#define XDP_CSUM_IP 1           /* IPv4 header checksum. */
#define XDP_CSUM_L4 2           /* The L4 checksum over the pseudo-header,
                                 * as OVS's packet_set_ipv4_addr() and
                                 * packet_update_csum128() pick it. */
#define XDP_CSUM_TCP 4          /* TCP checksum (port rewrites). */
#define XDP_CSUM_UDP 8          /* UDP checksum (port rewrites). */

#define XDP_TCP_CSUM_OFF offsetof(struct tcphdr, check)
#define XDP_UDP_CSUM_OFF offsetof(struct udphdr, check)
#define XDP_ICMP6_CSUM_OFF offsetof(struct icmp6hdr, icmp6_cksum)
/* OVS updates the ICMPv6 checksum if L4 holds it. */
#define XDP_ICMP6_CSUM_END (XDP_ICMP6_CSUM_OFF + sizeof(__sum16))

static __always_inline __u32
xdp_csum_fold(__u32 sum)
{
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

/* Adds 'delta' (the one's complement sum of ~old + new words) to the
 * checksum at 'off'.  With 'udp', a zero checksum stays zero and a result of
 * zero is written as 0xffff. */
static __always_inline void
xdp_csum_apply(struct xdp_md *ctx, __u32 off, __u32 delta, int udp)
{
    __u16 *p = xdp_pkt(ctx, off, 2);
    __u16 csum;

    if (!p) {
        return;
    }
    if (udp && !*p) {
        return;
    }
    csum = ~xdp_csum_fold((__u16) ~*p + delta);
    if (udp && !csum) {
        csum = 0xffff;
    }
    *p = csum;
}

/* Adds 'delta' (folded) to the checksums 'csum_flags' names. */
static __always_inline void
xdp_edit_csums(struct xdp_act_loop *loop, __u32 delta, int csum_flags)
{
    struct xdp_md *ctx = loop->ctx;

    if (csum_flags & XDP_CSUM_IP) {
        xdp_csum_apply(ctx, loop->l3_off + offsetof(struct iphdr, check), delta,
                       0);
    }
    if (csum_flags & XDP_CSUM_L4) {
        if (loop->nw_proto == IPPROTO_TCP
            && loop->l4_size >= sizeof(struct tcphdr)) {
            xdp_csum_apply(ctx, loop->l4_off + XDP_TCP_CSUM_OFF, delta, 0);
        } else if (loop->nw_proto == IPPROTO_UDP
                   && loop->l4_size >= sizeof(struct udphdr)) {
            xdp_csum_apply(ctx, loop->l4_off + XDP_UDP_CSUM_OFF, delta, 1);
        } else if (loop->nw_proto == IPPROTO_ICMPV6
                   && loop->dl_type == ETH_P_IPV6
                   && loop->l4_size >= XDP_ICMP6_CSUM_END) {
            xdp_csum_apply(ctx, loop->l4_off + XDP_ICMP6_CSUM_OFF, delta, 0);
        }
    }
    if (csum_flags & XDP_CSUM_TCP) {
        xdp_csum_apply(ctx, loop->l4_off + XDP_TCP_CSUM_OFF, delta, 0);
    }
    if (csum_flags & XDP_CSUM_UDP) {
        xdp_csum_apply(ctx, loop->l4_off + XDP_UDP_CSUM_OFF, delta, 1);
    }
}

/* XDP_EDIT_CHANGED | the folded checksum delta, from xdp_edit_write(). */
#define XDP_EDIT_CHANGED 0x10000
#define XDP_EDIT_DELTA 0xffff

/* Writes 'edit' into the packet.  Returns -1 if the packet is too short
 * (nothing written), otherwise the folded checksum delta of the words,
 * with XDP_EDIT_CHANGED if one changed (words that did not each add
 * 0xffff: an update by the same value, as OVS's recalc_csum*() make). */
static __always_inline long
xdp_edit_write(struct xdp_act_loop *loop, const struct xdp_edit *edit)
{
    struct xdp_md *ctx = loop->ctx;
    __u32 delta = 0;
    int changed = 0;
    __u16 *p;
    int i;

    p = xdp_pkt(ctx, edit->off, sizeof edit->value);
    if (!p) {
        /* Shorter than an edit's most from 'off': check word by word. */
        p = xdp_pkt(ctx, edit->off, 2 * edit->n_words);
        if (!p) {
            return -1;
        }
    }
#pragma unroll
    for (i = 0; i < XDP_EDIT_MAX_WORDS; i++) {
        void *end = (void *) (long) ctx->data_end;
        __u16 old, new;

        if (i >= edit->n_words) {
            break;
        }
        if ((void *) (p + i + 1) > end) {
            return -1;
        }
        old = p[i];
        new = (old & ~edit->mask[i]) | (edit->value[i] & edit->mask[i]);
        p[i] = new;
        changed |= old != new;
        delta += (__u16) ~old + new;
    }
    return (changed ? XDP_EDIT_CHANGED : 0) | xdp_csum_fold(delta);
}

/* Writes 'edit' and, if that changed the packet, updates the checksums
 * 'csum_flags' names. */
static __always_inline int
xdp_apply_edit(struct xdp_act_loop *loop, const struct xdp_edit *edit,
               int csum_flags)
{
    long r = xdp_edit_write(loop, edit);

    if (r >= 0 && r & XDP_EDIT_CHANGED) {
        xdp_edit_csums(loop, r & XDP_EDIT_DELTA, csum_flags);
    }
    return 0;
}

static __always_inline void
xdp_edit_bytes(struct xdp_edit *edit, const struct xdp_flow_action *act,
               __u32 off, __u32 n_words)
{
    edit->off = off;
    edit->n_words = n_words;
    __builtin_memcpy(edit->value, act->value, sizeof edit->value);
    __builtin_memcpy(edit->mask, act->mask, sizeof edit->mask);
}

/* An edit of the byte at 'field_off' in the header at 'hdr_off', as one
 * 16-bit word of the header (the unit of its checksum). */
static __always_inline void
xdp_edit_byte(struct xdp_edit *edit, const struct xdp_flow_action *act,
              __u32 hdr_off, __u32 field_off)
{
    __u8 *v = (__u8 *) edit->value;
    __u8 *m = (__u8 *) edit->mask;
    __u32 second = field_off & 1;

    edit->off = hdr_off + field_off - second;
    edit->n_words = 1;
    edit->value[0] = 0;
    edit->mask[0] = 0;
    v[second] = act->value[0];
    m[second] = act->mask[0];
}

/* An edit of the first 32-bit word of the IPv6 header: 'value' and 'mask'
 * are host order. */
static __always_inline void
xdp_edit_ip6_word(struct xdp_edit *edit, __u32 off, __u32 value, __u32 mask)
{
    __be32 v = bpf_htonl(value & mask);
    __be32 m = bpf_htonl(mask);

    edit->off = off;
    edit->n_words = 2;
    __builtin_memcpy(edit->value, &v, 4);
    __builtin_memcpy(edit->mask, &m, 4);
}

/* Whether OVS's odp_set_tcp() rewrites TCP ports of this packet: an L4
 * offset with a TCP header and a data offset that fits
 * (dp_packet_get_tcp_payload()), whatever the IP protocol or fragment. */
static __always_inline int
xdp_tcp_ports_ok(const struct xdp_act_loop *loop)
{
    const struct tcphdr *tcp;
    __u32 hlen;

    if (loop->l4_size < sizeof *tcp) {
        return 0;
    }
    tcp = xdp_pkt(loop->ctx, loop->l4_off, sizeof *tcp);
    if (!tcp) {
        return 0;
    }
    hlen = tcp->doff * 4;
    return hlen >= sizeof *tcp && hlen <= loop->l4_size;
}

static __always_inline int
xdp_set_field(struct xdp_act_loop *loop, const struct xdp_flow_action *act)
{
    struct xdp_edit edit;
    __u32 l3 = loop->l3_off;
    __u32 l4 = loop->l4_off;
    int ip4 = loop->dl_type == ETH_P_IP;
    int ip6 = loop->dl_type == ETH_P_IPV6;
    int csum = 0;
    __u32 hdr;

    switch (act->field) {
    case XDP_FLOW_FIELD_ETH_DST:
        xdp_edit_bytes(&edit, act, offsetof(struct ethhdr, h_dest),
                       ETH_ALEN / 2);
        break;
    case XDP_FLOW_FIELD_ETH_SRC:
        xdp_edit_bytes(&edit, act, offsetof(struct ethhdr, h_source),
                       ETH_ALEN / 2);
        break;
    case XDP_FLOW_FIELD_IPV4_SRC:
    case XDP_FLOW_FIELD_IPV4_DST:
        if (!ip4) {
            return 0;
        }
        xdp_edit_bytes(&edit, act,
                       l3 + (act->field == XDP_FLOW_FIELD_IPV4_SRC
                             ? offsetof(struct iphdr, saddr)
                             : offsetof(struct iphdr, daddr)),
                       sizeof(__be32) / 2);
        csum = XDP_CSUM_IP | XDP_CSUM_L4;
        break;
    case XDP_FLOW_FIELD_IPV4_TOS:
        if (!ip4) {
            return 0;
        }
        xdp_edit_byte(&edit, act, l3, offsetof(struct iphdr, tos));
        csum = XDP_CSUM_IP;
        break;
    case XDP_FLOW_FIELD_IPV4_TTL:
        if (!ip4) {
            return 0;
        }
        xdp_edit_byte(&edit, act, l3, offsetof(struct iphdr, ttl));
        csum = XDP_CSUM_IP;
        break;
    case XDP_FLOW_FIELD_IPV6_SRC:
    case XDP_FLOW_FIELD_IPV6_DST:
        if (!ip6) {
            return 0;
        }
        xdp_edit_bytes(&edit, act,
                       l3 + (act->field == XDP_FLOW_FIELD_IPV6_SRC
                             ? offsetof(struct ipv6hdr, saddr)
                             : offsetof(struct ipv6hdr, daddr)),
                       sizeof(struct in6_addr) / 2);
        csum = loop->ip6_l4_csum ? XDP_CSUM_L4 : 0;
        break;
    case XDP_FLOW_FIELD_IPV6_TCLASS:
        if (!ip6) {
            return 0;
        }
        xdp_edit_ip6_word(&edit, l3,
                          (__u32) act->value[0] << XDP_IP6_TCLASS_SHIFT,
                          (__u32) act->mask[0] << XDP_IP6_TCLASS_SHIFT);
        break;
    case XDP_FLOW_FIELD_IPV6_LABEL: {
        __be32 v, m;

        if (!ip6) {
            return 0;
        }
        __builtin_memcpy(&v, act->value, 4);
        __builtin_memcpy(&m, act->mask, 4);
        xdp_edit_ip6_word(&edit, l3, bpf_ntohl(v),
                          bpf_ntohl(m) & IPV6_FLOWINFO_FLOWLABEL);
        break;
    }
    case XDP_FLOW_FIELD_IPV6_HLIMIT:
        if (!ip6) {
            return 0;
        }
        xdp_edit_byte(&edit, act, l3, offsetof(struct ipv6hdr, hop_limit));
        break;
    case XDP_FLOW_FIELD_TP_SRC:
    case XDP_FLOW_FIELD_TP_DST:
        hdr = act->arg;
        if (hdr != XDP_FLOW_SET_TCP && hdr != XDP_FLOW_SET_UDP) {
            hdr = (loop->nw_proto == IPPROTO_TCP ? XDP_FLOW_SET_TCP
                   : loop->nw_proto == IPPROTO_UDP ? XDP_FLOW_SET_UDP : 0);
        }
        if (hdr == XDP_FLOW_SET_TCP) {
            if (!xdp_tcp_ports_ok(loop)) {
                return 0;
            }
            csum = XDP_CSUM_TCP;
        } else if (hdr == XDP_FLOW_SET_UDP) {
            if (loop->l4_size < 8) {
                return 0;
            }
            csum = XDP_CSUM_UDP;
        } else {
            return 0;
        }
        /* TCP and UDP have their ports at the same offsets. */
        xdp_edit_bytes(&edit, act,
                       l4 + (act->field == XDP_FLOW_FIELD_TP_SRC
                             ? offsetof(struct udphdr, source)
                             : offsetof(struct udphdr, dest)),
                       sizeof(__be16) / 2);
        break;
    default:
        return 0;
    }
    return xdp_apply_edit(loop, &edit, csum);
}

/* Whether the packet holds what the actions of 'entry' rewrite, as OVS's
 * actions expect (they write the IP header at the L3 offset even when the
 * packet ends before its end: the result would depend on bytes past the
 * packet), and whether the program can reach all of it: an L4 header
 * behind long IPv6 extension headers may lie past XDP_PARSE_MAX_OFF, where
 * a port or its checksum could not be rewritten.  If not, the packet must
 * go to userspace untouched. */
static __always_inline int
xdp_actions_fit(const struct xdp_md *ctx, const struct xdp_flow_entry *entry,
                __u32 l3_off, __u32 l4_off)
{
    __u32 len = ctx->data_end - ctx->data;

    if (entry->l4_reach && l4_off + entry->l4_reach > XDP_PARSE_MAX_OFF) {
        return 0;
    }

    if (entry->flags & XDP_FLOW_ENTRY_SETS_IPV4
        && len < l3_off + sizeof(struct iphdr)) {
        return 0;
    }
    if (entry->flags & XDP_FLOW_ENTRY_SETS_IPV6
        && len < l3_off + sizeof(struct ipv6hdr)) {
        return 0;
    }
    return 1;
}

/* The MAC addresses, which move when a VLAN header comes or goes. */
#define XDP_ETH_ADDRS_LEN offsetof(struct ethhdr, h_proto)
#define XDP_VLAN_HLEN sizeof(struct xdp_vlan_hdr)

/* A VLAN header right after the MAC addresses: the frame's Ethernet header
 * with the VLAN header in its type. */
struct xdp_eth_vlan_hdr {
    __u8 addrs[XDP_ETH_ADDRS_LEN];
    struct xdp_vlan_hdr vlan;
    __be16 type;
};

static __always_inline int
xdp_push_vlan(struct xdp_act_loop *loop, __u32 arg)
{
    struct xdp_md *ctx = loop->ctx;
    struct xdp_eth_vlan_hdr *hdr;
    __u8 macs[XDP_ETH_ADDRS_LEN];

    if (bpf_xdp_adjust_head(ctx, -(int) XDP_VLAN_HLEN)) {
        return -1;
    }
    hdr = xdp_pkt(ctx, 0, sizeof *hdr);
    if (!hdr) {
        return -1;
    }
    __builtin_memcpy(macs, (__u8 *) hdr + XDP_VLAN_HLEN, sizeof macs);
    __builtin_memcpy(hdr->addrs, macs, sizeof macs);
    hdr->vlan.tpid = bpf_htons(arg >> 16);
    hdr->vlan.tci = bpf_htons(arg & 0xffff);
    loop->l3_off += XDP_VLAN_HLEN;
    loop->l4_off += XDP_VLAN_HLEN;
    return 0;
}

static __always_inline int
xdp_pop_vlan(struct xdp_act_loop *loop)
{
    struct xdp_md *ctx = loop->ctx;
    struct xdp_eth_vlan_hdr *hdr;
    __u8 macs[XDP_ETH_ADDRS_LEN];

    hdr = xdp_pkt(ctx, 0, sizeof *hdr);
    if (!hdr || !xdp_eth_type_vlan(hdr->vlan.tpid)) {
        return 0;
    }
    __builtin_memcpy(macs, hdr->addrs, sizeof macs);
    __builtin_memcpy((__u8 *) hdr + XDP_VLAN_HLEN, macs, sizeof macs);
    if (bpf_xdp_adjust_head(ctx, XDP_VLAN_HLEN)) {
        return -1;
    }
    loop->l3_off -= XDP_VLAN_HLEN;
    loop->l4_off -= XDP_VLAN_HLEN;
    return 0;
}

static long
xdp_act_step(__u32 i, void *data)
{
    struct xdp_act_loop *loop = data;
    const struct xdp_flow_action *act;

    if (i >= XDP_FLOW_MAX_ACTIONS) {
        return 1;
    }
    act = &loop->entry->actions[i];
    switch (act->type) {
    case XDP_FLOW_ACT_OUTPUT:
        loop->verdict = xdp_output(loop->ctx, act->arg);
        return 1;
    case XDP_FLOW_ACT_PUSH_VLAN:
        if (xdp_push_vlan(loop, act->arg)) {
            loop->verdict = XDP_ABORTED;
            return 1;
        }
        break;
    case XDP_FLOW_ACT_POP_VLAN:
        if (xdp_pop_vlan(loop)) {
            loop->verdict = XDP_ABORTED;
            return 1;
        }
        break;
    case XDP_FLOW_ACT_SET_FIELD:
        xdp_set_field(loop, act);
        break;
    case XDP_FLOW_ACT_CT_CLEAR:
    case XDP_FLOW_ACT_CT:
        /* Done before the actions (ovs-xdp.bpf.c). */
        break;
    default:
        loop->verdict = XDP_ABORTED;
        return 1;
    }
    return 0;
}

#endif /* xdp-actions.h */
