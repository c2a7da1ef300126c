/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Copyright (c) 2026 The ovs-xdp authors. */

/* Packet parser of the XDP program: fills a struct xdp_flow_key exactly as
 * Open vSwitch's flow_extract() (lib/flow.c, miniflow_extract()) fills
 * struct flow for the fields the key covers, including for truncated and
 * malformed packets, under the datapath's vlan-limit, and notes the header
 * offsets that actions need.  Headers it cannot follow within its bounds
 * make it answer XDP_FLOW_PARSE_UNPARSED, and the packet goes to userspace.
 * It defines no map and changes no packet: looking the key up is
 * xdp-classify.h's, acting on the packet xdp-actions.h's. */

#ifndef XDP_PARSE_H
#define XDP_PARSE_H 1

#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/icmpv6.h>
#include <linux/igmp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xdp-flow-abi.h"

/* Offsets beyond this are never read: packets this long in headers go to
 * userspace. */
#define XDP_PARSE_MAX_OFF 2048
#define XDP_PARSE_OFF_MASK 0xfff

/* IPv6 extension headers followed before giving up. */
#define XDP_PARSE_MAX_EXT 6

/* ND options followed before giving up. */
#define XDP_PARSE_MAX_ND_OPTS 4

/* Headers that the kernel's UAPI lacks, or has only in headers that do not
 * build for the BPF target (linux/icmp.h and linux/if_arp.h pull in libc's
 * sys/socket.h). */

/* An 802.1Q or 802.1ad header, from its TPID. */
struct xdp_vlan_hdr {
    __be16 tpid;
    __be16 tci;
};
#define XDP_VLAN_CFI 0x1000

/* 802.2 LLC with SNAP: with the Ethernet OUI (0), 'type' is an Ethertype. */
struct xdp_llc_snap_hdr {
    __u8 dsap;
    __u8 ssap;
    __u8 ctrl;
    __u8 oui[3];
    __be16 type;
};
#define XDP_LLC_SAP_SNAP 0xaa
#define XDP_LLC_CTRL_UI 0x03

/* ARP for Ethernet and IPv4 (the only ARP flow_extract() looks into). */
struct xdp_arp_eth_hdr {
    __be16 hrd;
    __be16 pro;
    __u8 hln;
    __u8 pln;
    __be16 op;
    __u8 sha[ETH_ALEN];
    __u8 spa[4];
    __u8 tha[ETH_ALEN];
    __u8 tpa[4];
};
#define XDP_ARPHRD_ETHER 1

/* IPv4 fragment bits of 'frag_off', host order. */
#define XDP_IP_MF 0x2000
#define XDP_IP_OFFSET 0x1fff

/* IPv6 fragment header; the offset is in the top 13 bits of 'frag_off'. */
struct xdp_ipv6_frag_hdr {
    __u8 nexthdr;
    __u8 reserved;
    __be16 frag_off;
    __be32 identification;
};
#define XDP_IP6_OFFSET 0xfff8
#define XDP_IP6_MF 0x0001

/* The traffic class in the first word of the IPv6 header (host order),
 * under IPV6_FLOWINFO_PRIORITY. */
#define XDP_IP6_TCLASS_SHIFT 20

/* Every IPv6 extension header is at least 8 bytes; the lengths are in
 * units of 8 bytes past the first 8, or of 4 bytes past the first 8 for
 * AH. */
#define XDP_IPV6_EXT_MIN_LEN 8

struct xdp_icmp_hdr {
    __u8 type;
    __u8 code;
    __sum16 checksum;
    __be32 rest;
};

struct xdp_sctp_hdr {
    __be16 source;
    __be16 dest;
    __be32 vtag;
    __le32 checksum;
};

/* Neighbour discovery (RFC 4861). */
#define XDP_ND_NEIGHBOR_SOLICIT 135
#define XDP_ND_NEIGHBOR_ADVERT 136
#define XDP_ND_OPT_SOURCE_LINKADDR 1
#define XDP_ND_OPT_TARGET_LINKADDR 2
#define XDP_ND_OPT_LEN_UNIT 8   /* The option length counts 8 bytes. */

/* A link-layer address option; other options are at least as long. */
struct xdp_nd_opt {
    __u8 type;
    __u8 len;
    __u8 mac[ETH_ALEN];
};

/* The 12 bits that OVS takes as TCP flags: the 16 bits after the ports and
 * sequence numbers, but the data offset. */
#define XDP_TCP_FLAGS_MASK 0x0fff

struct xdp_parse_info {
    __u32 l3_off;               /* Start of L3 (after VLANs, SNAP). */
    __u32 l4_off;               /* Start of L4, if 'l4' or 'l4_size'. */
    __u32 l4;                   /* Nonzero if the L4 header was parsed. */

    /* What OVS's actions go by: the L4 offset that miniflow_extract()
     * gives the packet, which every IPv4 or IPv6 packet whose headers pass
     * its checks has, later fragments included. */
    __u32 l4_size;              /* dp_packet_l4_size(): from 'l4_off' to the
                                 * end of the IP payload; 0 without an L4
                                 * offset. */
    __u32 ip6_no_l4_csum;       /* IPv6: nonzero if OVS's packet_set_ipv6()
                                 * leaves the L4 checksum alone when an
                                 * address changes (packet_rh_present()): a
                                 * routing header with segments left, or a
                                 * last fragment header that is not a first
                                 * fragment's (offset 0, more fragments). */
};

/* Returns a pointer to 'len' bytes at 'off' in the packet, or NULL. */
static __always_inline void *
xdp_pkt(const struct xdp_md *ctx, __u32 off, __u32 len)
{
    void *data = (void *) (long) ctx->data;
    void *end = (void *) (long) ctx->data_end;

    if (off > XDP_PARSE_MAX_OFF) {
        return NULL;
    }
    /* Make the bound visible to the verifier whatever clang does with the
     * comparison above. */
    barrier_var(off);
    off &= XDP_PARSE_OFF_MASK;
    if (data + off + len > end) {
        return NULL;
    }
    return data + off;
}

static __always_inline int
xdp_eth_type_vlan(__be16 type)
{
    return type == bpf_htons(ETH_P_8021Q) || type == bpf_htons(ETH_P_8021AD);
}

static __always_inline int
xdp_ipv6_is_ext(__u8 proto)
{
    return (proto == IPPROTO_HOPOPTS || proto == IPPROTO_ROUTING
            || proto == IPPROTO_DSTOPTS || proto == IPPROTO_AH
            || proto == IPPROTO_FRAGMENT);
}

static __always_inline int
xdp_mac_is_zero(const __u8 *mac)
{
    return !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
}

static __always_inline void
xdp_copy_mac(__u8 *dst, const __u8 *src)
{
    __builtin_memcpy(dst, src, ETH_ALEN);
}

/* ND after the ICMPv6 header: the target at 'off', then options up to
 * 'end', the end of the IP payload (OVS's parse_icmpv6()). */
static __always_inline int
xdp_parse_nd(const struct xdp_md *ctx, struct xdp_flow_key *key, __u32 off,
             __u32 end)
{
    const struct in6_addr *target;
    __u8 opt_type = 0;
    int i;

    if (end - off < sizeof *target) {
        return XDP_FLOW_PARSE_OK;
    }
    target = xdp_pkt(ctx, off, sizeof *target);
    if (!target) {
        return XDP_FLOW_PARSE_UNPARSED;
    }
    __builtin_memcpy(key->nd_target, target, sizeof *target);
    off += sizeof *target;

#pragma unroll
    for (i = 0; i < XDP_PARSE_MAX_ND_OPTS; i++) {
        const struct xdp_nd_opt *opt;
        __u32 opt_len;

        if (off > end || end - off < sizeof *opt) {
            goto done;
        }
        opt = xdp_pkt(ctx, off, sizeof *opt);
        if (!opt) {
            return XDP_FLOW_PARSE_UNPARSED;
        }
        opt_len = opt->len * XDP_ND_OPT_LEN_UNIT;
        if (!opt_len || opt_len > end - off) {
            goto done;
        }
        if (opt->type == XDP_ND_OPT_SOURCE_LINKADDR
            && opt_len == sizeof *opt) {
            if (!xdp_mac_is_zero(key->arp_sha)) {
                goto invalid;
            }
            xdp_copy_mac(key->arp_sha, opt->mac);
            if (!opt_type) {
                opt_type = opt->type;
            }
        } else if (opt->type == XDP_ND_OPT_TARGET_LINKADDR
                   && opt_len == sizeof *opt) {
            if (!xdp_mac_is_zero(key->arp_tha)) {
                goto invalid;
            }
            xdp_copy_mac(key->arp_tha, opt->mac);
            if (!opt_type) {
                opt_type = opt->type;
            }
        }
        off += opt_len;
    }
    if (off <= end && end - off >= sizeof(struct xdp_nd_opt)) {
        return XDP_FLOW_PARSE_UNPARSED;
    }
    goto done;

invalid:
    /* OVS drops the target and addresses but keeps the option type. */
    __builtin_memset(key->nd_target, 0, sizeof key->nd_target);
    __builtin_memset(key->arp_sha, 0, sizeof key->arp_sha);
    __builtin_memset(key->arp_tha, 0, sizeof key->arp_tha);
done:
    key->tcp_flags = bpf_htons(opt_type);
    return XDP_FLOW_PARSE_OK;
}

/* L4 at 'off', IP payload ending at 'end'.  Each header must be there in
 * full, as miniflow_extract() wants it, or the L4 fields stay zero. */
static __always_inline int
xdp_parse_l4(const struct xdp_md *ctx, struct xdp_flow_key *key,
             struct xdp_parse_info *info, __u32 off, __u32 end)
{
    __u32 size = off <= end ? end - off : 0;

    info->l4_off = off;
    switch (key->nw_proto) {
    case IPPROTO_TCP: {
        const struct tcphdr *tcp;
        __u32 hlen;

        if (size < sizeof *tcp) {
            break;
        }
        tcp = xdp_pkt(ctx, off, sizeof *tcp);
        if (!tcp) {
            return XDP_FLOW_PARSE_UNPARSED;
        }
        hlen = tcp->doff * 4;
        if (hlen >= sizeof *tcp && size >= hlen) {
            key->tp_src = tcp->source;
            key->tp_dst = tcp->dest;
            key->tcp_flags = (*(const __be16 *) &tcp_flag_word(tcp)
                              & bpf_htons(XDP_TCP_FLAGS_MASK));
            info->l4 = 1;
        }
        break;
    }
    case IPPROTO_UDP: {
        const struct udphdr *udp;

        if (size < sizeof *udp) {
            break;
        }
        udp = xdp_pkt(ctx, off, sizeof *udp);
        if (!udp) {
            return XDP_FLOW_PARSE_UNPARSED;
        }
        key->tp_src = udp->source;
        key->tp_dst = udp->dest;
        info->l4 = 1;
        break;
    }
    case IPPROTO_SCTP: {
        const struct xdp_sctp_hdr *sctp;

        if (size < sizeof *sctp) {
            break;
        }
        sctp = xdp_pkt(ctx, off, sizeof *sctp);
        if (!sctp) {
            return XDP_FLOW_PARSE_UNPARSED;
        }
        key->tp_src = sctp->source;
        key->tp_dst = sctp->dest;
        info->l4 = 1;
        break;
    }
    case IPPROTO_ICMP: {
        const struct xdp_icmp_hdr *icmp;

        if (size < sizeof *icmp) {
            break;
        }
        icmp = xdp_pkt(ctx, off, sizeof *icmp);
        if (!icmp) {
            return XDP_FLOW_PARSE_UNPARSED;
        }
        key->tp_src = bpf_htons(icmp->type);
        key->tp_dst = bpf_htons(icmp->code);
        info->l4 = 1;
        break;
    }
    case IPPROTO_IGMP: {
        const struct igmphdr *igmp;

        if (size < sizeof *igmp) {
            break;
        }
        igmp = xdp_pkt(ctx, off, sizeof *igmp);
        if (!igmp) {
            return XDP_FLOW_PARSE_UNPARSED;
        }
        key->tp_src = bpf_htons(igmp->type);
        key->tp_dst = bpf_htons(igmp->code);
        info->l4 = 1;
        break;
    }
    case IPPROTO_ICMPV6: {
        const struct icmp6hdr *icmp6;

        if (size < sizeof *icmp6) {
            break;
        }
        icmp6 = xdp_pkt(ctx, off, sizeof *icmp6);
        if (!icmp6) {
            return XDP_FLOW_PARSE_UNPARSED;
        }
        key->tp_src = bpf_htons(icmp6->icmp6_type);
        key->tp_dst = bpf_htons(icmp6->icmp6_code);
        info->l4 = 1;
        if (icmp6->icmp6_code == 0
            && (icmp6->icmp6_type == XDP_ND_NEIGHBOR_SOLICIT
                || icmp6->icmp6_type == XDP_ND_NEIGHBOR_ADVERT)) {
            /* The reserved word, with the R, S and O flags. */
            key->nd_reserved = icmp6->icmp6_dataun.un_data32[0];
            return xdp_parse_nd(ctx, key, off + sizeof *icmp6, end);
        }
        break;
    }
    }
    return XDP_FLOW_PARSE_OK;
}

static __always_inline int
xdp_parse_ipv4(const struct xdp_md *ctx, struct xdp_flow_key *key,
               struct xdp_parse_info *info, __u32 off, __u32 len)
{
    __u32 size = off <= len ? len - off : 0;
    const struct iphdr *ip;
    __u32 ihl, tot_len;
    __u16 frag_off;

    /* As ipv4_sanity_check(): otherwise no L3 field at all. */
    if (size < sizeof *ip) {
        return XDP_FLOW_PARSE_OK;
    }
    ip = xdp_pkt(ctx, off, sizeof *ip);
    if (!ip) {
        return XDP_FLOW_PARSE_UNPARSED;
    }
    ihl = ip->ihl * 4;
    if (ihl < sizeof *ip || size < ihl) {
        return XDP_FLOW_PARSE_OK;
    }
    tot_len = bpf_ntohs(ip->tot_len);
    if (tot_len > size || ihl > tot_len) {
        return XDP_FLOW_PARSE_OK;
    }
    key->nw_src = ip->saddr;
    key->nw_dst = ip->daddr;
    key->nw_tos = ip->tos;
    key->nw_ttl = ip->ttl;
    key->nw_proto = ip->protocol;
    /* Where OVS's L4 is, later fragments included: actions rewrite it. */
    info->l4_off = off + ihl;
    info->l4_size = tot_len - ihl;
    frag_off = bpf_ntohs(ip->frag_off);
    if (frag_off & (XDP_IP_MF | XDP_IP_OFFSET)) {
        key->nw_frag = XDP_FLOW_FRAG_ANY;
        if (frag_off & XDP_IP_OFFSET) {
            key->nw_frag |= XDP_FLOW_FRAG_LATER;
            return XDP_FLOW_PARSE_OK;
        }
    }
    return xdp_parse_l4(ctx, key, info, off + ihl, off + tot_len);
}

static __always_inline int
xdp_parse_ipv6(const struct xdp_md *ctx, struct xdp_flow_key *key,
               struct xdp_parse_info *info, __u32 off, __u32 len)
{
    __u32 size = off <= len ? len - off : 0;
    const struct ipv6hdr *ip6;
    __u8 proto, frag = 0, rh = 0;
    __u32 end, tc_flow;
    int i;

    /* As ipv6_sanity_check(): otherwise no L3 field at all. */
    if (size < sizeof *ip6) {
        return XDP_FLOW_PARSE_OK;
    }
    ip6 = xdp_pkt(ctx, off, sizeof *ip6);
    if (!ip6) {
        return XDP_FLOW_PARSE_UNPARSED;
    }
    if (sizeof *ip6 + bpf_ntohs(ip6->payload_len) > size) {
        return XDP_FLOW_PARSE_OK;
    }
    end = off + sizeof *ip6 + bpf_ntohs(ip6->payload_len);
    __builtin_memcpy(key->ipv6_src, &ip6->saddr, sizeof key->ipv6_src);
    __builtin_memcpy(key->ipv6_dst, &ip6->daddr, sizeof key->ipv6_dst);
    /* Version, traffic class and flow label. */
    tc_flow = bpf_ntohl(*(const __be32 *) ip6);
    proto = ip6->nexthdr;
    key->nw_ttl = ip6->hop_limit;
    off += sizeof *ip6;

    /* As parse_ipv6_ext_hdrs(). */
#pragma unroll
    for (i = 0; i < XDP_PARSE_MAX_EXT; i++) {
        const struct ipv6_opt_hdr *ext;
        __u32 hlen;

        if (!xdp_ipv6_is_ext(proto)) {
            goto done;
        }
        if (end - off < XDP_IPV6_EXT_MIN_LEN) {
            goto bad;
        }
        ext = xdp_pkt(ctx, off, XDP_IPV6_EXT_MIN_LEN);
        if (!ext) {
            return XDP_FLOW_PARSE_UNPARSED;
        }
        if (proto == IPPROTO_FRAGMENT) {
            const struct xdp_ipv6_frag_hdr *fh = (const void *) ext;
            __u16 offlg = bpf_ntohs(fh->frag_off);

            proto = fh->nexthdr;
            off += sizeof *fh;
            /* OVS updates no L4 checksum behind a fragment header that
             * is not an unfragmented first fragment's. */
            if (!rh) {
                info->ip6_no_l4_csum = ((offlg & (XDP_IP6_OFFSET | XDP_IP6_MF))
                                        != XDP_IP6_MF);
            }
            if (offlg) {
                frag = XDP_FLOW_FRAG_ANY;
                if (offlg & XDP_IP6_OFFSET) {
                    /* A later fragment: nothing beyond it is parsed. */
                    frag |= XDP_FLOW_FRAG_LATER;
                    proto = IPPROTO_FRAGMENT;
                    goto done;
                }
            }
        } else {
            /* Nor behind a routing header with segments left. */
            if (proto == IPPROTO_ROUTING
                && ((const struct ipv6_rt_hdr *) ext)->segments_left) {
                rh = 1;
                info->ip6_no_l4_csum = 1;
            }
            hlen = (proto == IPPROTO_AH
                    ? (ext->hdrlen + 2) * 4
                    : (ext->hdrlen + 1) * 8);
            proto = ext->nexthdr;
            if (end - off < hlen) {
                goto bad;
            }
            off += hlen;
        }
    }
    if (xdp_ipv6_is_ext(proto)) {
        return XDP_FLOW_PARSE_UNPARSED;
    }

done:
    key->nw_tos = (tc_flow & IPV6_FLOWINFO_PRIORITY) >> XDP_IP6_TCLASS_SHIFT;
    key->nw_proto = proto;
    key->nw_frag = frag;
    key->ipv6_label = bpf_htonl(tc_flow & IPV6_FLOWINFO_FLOWLABEL);
    info->l4_off = off;
    info->l4_size = end - off;
    if (frag & XDP_FLOW_FRAG_LATER) {
        return XDP_FLOW_PARSE_OK;
    }
    return xdp_parse_l4(ctx, key, info, off, end);

bad:
    /* flow_extract() keeps the addresses and nothing else of L3. */
    key->nw_ttl = 0;
    return XDP_FLOW_PARSE_OK;
}

static __always_inline void
xdp_parse_arp(const struct xdp_md *ctx, struct xdp_flow_key *key, __u32 off)
{
    const struct xdp_arp_eth_hdr *arp = xdp_pkt(ctx, off, sizeof *arp);
    __u16 op;

    if (!arp || arp->hrd != bpf_htons(XDP_ARPHRD_ETHER)
        || arp->pro != bpf_htons(ETH_P_IP) || arp->hln != ETH_ALEN
        || arp->pln != sizeof arp->spa) {
        return;
    }
    __builtin_memcpy(&key->nw_src, arp->spa, sizeof arp->spa);
    __builtin_memcpy(&key->nw_dst, arp->tpa, sizeof arp->tpa);
    /* OVS matches only the low 8 bits of the opcode, and only if the
     * opcode fits them. */
    op = bpf_ntohs(arp->op);
    if (op <= 0xff) {
        key->nw_proto = op;
    }
    xdp_copy_mac(key->arp_sha, arp->sha);
    xdp_copy_mac(key->arp_tha, arp->tha);
}

/* As parse_vlan() for one header: if 'type', at 'off', is a TPID and the
 * header is there with the type after it (6 bytes), fills 'vlan', moves
 * 'off' and 'type' past it and returns true. */
static __always_inline int
xdp_parse_vlan(const struct xdp_md *ctx, struct xdp_flow_vlan *vlan,
               __u32 *off, __be16 *type)
{
    const struct xdp_vlan_hdr *hdr;

    if (!xdp_eth_type_vlan(*type)) {
        return 0;
    }
    hdr = xdp_pkt(ctx, *off, sizeof *hdr + sizeof *type);
    if (!hdr) {
        return 0;
    }
    vlan->tpid = hdr->tpid;
    vlan->tci = hdr->tci | bpf_htons(XDP_VLAN_CFI);
    *off += sizeof *hdr;
    *type = *(const __be16 *) (hdr + 1);
    return 1;
}

_Static_assert(XDP_FLOW_MAX_VLANS == 2, "xdp_parse() reads two VLAN headers");

/* Parses the packet in 'ctx' into 'key' (zeroed by the caller, with in_port
 * set) and 'info', reading at most 'vlan_limit' VLAN headers (OVS's
 * flow_vlan_limit: 1 or 2; more is 2; 0, not set yet, sends every packet
 * with a VLAN header to userspace). */
static __always_inline int
xdp_parse(const struct xdp_md *ctx, struct xdp_flow_key *key,
          struct xdp_parse_info *info, __u32 vlan_limit)
{
    __u32 len = ctx->data_end - ctx->data;
    __u32 off = offsetof(struct ethhdr, h_proto);
    const struct ethhdr *eth;
    __be16 type;

    info->l3_off = 0;
    info->l4_off = 0;
    info->l4 = 0;
    info->l4_size = 0;
    info->ip6_no_l4_csum = 0;
    eth = xdp_pkt(ctx, 0, sizeof *eth);
    if (!eth) {
        /* Shorter than an Ethernet header: flow_extract() stops too. */
        return XDP_FLOW_PARSE_OK;
    }
    xdp_copy_mac(key->dl_dst, eth->h_dest);
    xdp_copy_mac(key->dl_src, eth->h_source);
    type = eth->h_proto;

    /* As parse_vlan(): at most 'vlan_limit' headers; after the limit, a
     * TPID is the Ethertype. */
    if (vlan_limit >= 1 && xdp_parse_vlan(ctx, &key->vlans[0], &off, &type)
        && vlan_limit >= 2) {
        xdp_parse_vlan(ctx, &key->vlans[1], &off, &type);
    }
    if (!vlan_limit && xdp_eth_type_vlan(type)) {
        return XDP_FLOW_PARSE_UNPARSED;
    }
    off += sizeof type;

    /* As parse_ethertype(): 802.2 gives an Ethertype only with SNAP and
     * the Ethernet OUI. */
    if (bpf_ntohs(type) < ETH_P_802_3_MIN) {
        const struct xdp_llc_snap_hdr *llc = xdp_pkt(ctx, off, sizeof *llc);

        if (llc && llc->dsap == XDP_LLC_SAP_SNAP
            && llc->ssap == XDP_LLC_SAP_SNAP && llc->ctrl == XDP_LLC_CTRL_UI
            && !(llc->oui[0] | llc->oui[1] | llc->oui[2])) {
            off += sizeof *llc;
            type = llc->type;
        }
        if (bpf_ntohs(type) < ETH_P_802_3_MIN) {
            type = bpf_htons(XDP_FLOW_DL_TYPE_NONE);
        }
    }
    key->dl_type = type;
    info->l3_off = off;

    if (type == bpf_htons(ETH_P_IP)) {
        return xdp_parse_ipv4(ctx, key, info, off, len);
    } else if (type == bpf_htons(ETH_P_IPV6)) {
        return xdp_parse_ipv6(ctx, key, info, off, len);
    } else if (type == bpf_htons(ETH_P_ARP)
               || type == bpf_htons(ETH_P_RARP)) {
        xdp_parse_arp(ctx, key, off);
    }
    return XDP_FLOW_PARSE_OK;
}

#endif /* xdp-parse.h */
