/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Copyright (c) 2026 The ovs-xdp authors. */

/* Packet parser of the XDP program: fills a struct xdp_flow_key exactly as
 * Open vSwitch's flow_extract() fills struct flow for the fields the key
 * covers, including for truncated and malformed packets.  Headers it cannot
 * follow within its bounds make it answer XDP_FLOW_PARSE_UNPARSED. */

#ifndef XDP_PARSE_H
#define XDP_PARSE_H 1

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xdp-flow.h"

/* Offsets beyond this are never read: packets this long in headers go to
 * userspace. */
#define XDP_PARSE_MAX_OFF 2048
#define XDP_PARSE_OFF_MASK 0xfff

/* IPv6 extension headers followed before giving up. */
#define XDP_PARSE_MAX_EXT 6

/* ND options followed before giving up. */
#define XDP_PARSE_MAX_ND_OPTS 4

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
    asm volatile("" : "+r"(off));
    off &= XDP_PARSE_OFF_MASK;
    if (data + off + len > end) {
        return NULL;
    }
    return data + off;
}

static __always_inline __u16
xdp_get16(const __u8 *p)
{
    return (__u16) p[0] << 8 | p[1];
}

static __always_inline int
xdp_eth_type_vlan(__u16 type)
{
    return type == 0x8100 || type == 0x88a8;
}

static __always_inline int
xdp_mac_is_zero(const __u8 *mac)
{
    return !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
}

static __always_inline void
xdp_copy_mac(__u8 *dst, const __u8 *src)
{
    __builtin_memcpy(dst, src, 6);
}

/* ICMPv6 (ND) after the 8-byte ICMPv6 header at 'off'; 'end' is the end of
 * the IP payload. */
static __always_inline int
xdp_parse_nd(const struct xdp_md *ctx, struct xdp_flow_key *key, __u32 off,
             __u32 end)
{
    __u8 opt_type = 0;
    const __u8 *p;
    int i;

    if (end - off < 16) {
        return XDP_FLOW_PARSE_OK;
    }
    p = xdp_pkt(ctx, off, 16);
    if (!p) {
        return XDP_FLOW_PARSE_UNPARSED;
    }
    __builtin_memcpy(key->nd_target, p, 16);
    off += 16;

#pragma unroll
    for (i = 0; i < XDP_PARSE_MAX_ND_OPTS; i++) {
        __u32 opt_len;

        if (off > end || end - off < 8) {
            goto done;
        }
        p = xdp_pkt(ctx, off, 8);
        if (!p) {
            return XDP_FLOW_PARSE_UNPARSED;
        }
        opt_len = p[1] * 8;
        if (!opt_len || opt_len > end - off) {
            goto done;
        }
        if (p[0] == 1 && opt_len == 8) {
            if (!xdp_mac_is_zero(key->arp_sha)) {
                goto invalid;
            }
            xdp_copy_mac(key->arp_sha, p + 2);
            if (!opt_type) {
                opt_type = 1;
            }
        } else if (p[0] == 2 && opt_len == 8) {
            if (!xdp_mac_is_zero(key->arp_tha)) {
                goto invalid;
            }
            xdp_copy_mac(key->arp_tha, p + 2);
            if (!opt_type) {
                opt_type = 2;
            }
        }
        off += opt_len;
    }
    if (off <= end && end - off >= 8) {
        return XDP_FLOW_PARSE_UNPARSED;
    }
    goto done;

invalid:
    __builtin_memset(key->nd_target, 0, 16);
    __builtin_memset(key->arp_sha, 0, 6);
    __builtin_memset(key->arp_tha, 0, 6);
done:
    key->tcp_flags = bpf_htons(opt_type);
    return XDP_FLOW_PARSE_OK;
}

/* L4 at 'off', IP payload ending at 'end'. */
static __always_inline int
xdp_parse_l4(const struct xdp_md *ctx, struct xdp_flow_key *key,
             struct xdp_parse_info *info, __u32 off, __u32 end)
{
    __u32 size = off <= end ? end - off : 0;
    const __u8 *p;

    info->l4_off = off;
    switch (key->nw_proto) {
    case IPPROTO_TCP:
        if (size >= 20) {
            __u32 hlen;

            p = xdp_pkt(ctx, off, 20);
            if (!p) {
                return XDP_FLOW_PARSE_UNPARSED;
            }
            hlen = (p[12] >> 4) * 4;
            if (hlen >= 20 && size >= hlen) {
                key->tp_src = *(__be16 *) p;
                key->tp_dst = *(__be16 *) (p + 2);
                key->tcp_flags = bpf_htons(xdp_get16(p + 12) & 0x0fff);
                info->l4 = 1;
            }
        }
        break;
    case IPPROTO_UDP:
        if (size >= 8) {
            p = xdp_pkt(ctx, off, 8);
            if (!p) {
                return XDP_FLOW_PARSE_UNPARSED;
            }
            key->tp_src = *(__be16 *) p;
            key->tp_dst = *(__be16 *) (p + 2);
            info->l4 = 1;
        }
        break;
    case IPPROTO_SCTP:
        if (size >= 12) {
            p = xdp_pkt(ctx, off, 12);
            if (!p) {
                return XDP_FLOW_PARSE_UNPARSED;
            }
            key->tp_src = *(__be16 *) p;
            key->tp_dst = *(__be16 *) (p + 2);
            info->l4 = 1;
        }
        break;
    case IPPROTO_ICMP:
    case IPPROTO_IGMP:
        if (size >= (key->nw_proto == IPPROTO_ICMP ? 4 : 8)) {
            p = xdp_pkt(ctx, off, 4);
            if (!p) {
                return XDP_FLOW_PARSE_UNPARSED;
            }
            key->tp_src = bpf_htons(p[0]);
            key->tp_dst = bpf_htons(p[1]);
            info->l4 = 1;
        }
        break;
    case 58:                    /* ICMPv6. */
        if (size >= 8) {
            p = xdp_pkt(ctx, off, 8);
            if (!p) {
                return XDP_FLOW_PARSE_UNPARSED;
            }
            key->tp_src = bpf_htons(p[0]);
            key->tp_dst = bpf_htons(p[1]);
            info->l4 = 1;
            if (p[1] == 0 && (p[0] == 135 || p[0] == 136)) {
                __builtin_memcpy(&key->nd_reserved, p + 4, 4);
                return xdp_parse_nd(ctx, key, off + 8, end);
            }
        }
        break;
    }
    return XDP_FLOW_PARSE_OK;
}

static __always_inline int
xdp_parse_ipv4(const struct xdp_md *ctx, struct xdp_flow_key *key,
               struct xdp_parse_info *info, __u32 off, __u32 len)
{
    __u32 size = len - off;
    __u32 ihl, tot_len;
    __u16 frag_off;
    const __u8 *p;

    if (off > len || size < 20) {
        return XDP_FLOW_PARSE_OK;
    }
    p = xdp_pkt(ctx, off, 20);
    if (!p) {
        return XDP_FLOW_PARSE_UNPARSED;
    }
    ihl = (p[0] & 0xf) * 4;
    if (ihl < 20 || size < ihl) {
        return XDP_FLOW_PARSE_OK;
    }
    tot_len = xdp_get16(p + 2);
    if (tot_len > size || ihl > tot_len) {
        return XDP_FLOW_PARSE_OK;
    }
    __builtin_memcpy(&key->nw_src, p + 12, 4);
    __builtin_memcpy(&key->nw_dst, p + 16, 4);
    key->nw_tos = p[1];
    key->nw_ttl = p[8];
    key->nw_proto = p[9];
    info->l4_off = off + ihl;
    info->l4_size = tot_len - ihl;
    frag_off = xdp_get16(p + 6);
    if (frag_off & 0x3fff) {
        key->nw_frag = XDP_FLOW_FRAG_ANY;
        if (frag_off & 0x1fff) {
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
    __u32 size = len - off;
    __u8 proto, frag = 0, rh = 0;
    __u32 end, tc_flow;
    const __u8 *p;
    int i;

    if (off > len || size < 40) {
        return XDP_FLOW_PARSE_OK;
    }
    p = xdp_pkt(ctx, off, 40);
    if (!p) {
        return XDP_FLOW_PARSE_UNPARSED;
    }
    if (xdp_get16(p + 4) + 40 > size) {
        return XDP_FLOW_PARSE_OK;
    }
    end = off + 40 + xdp_get16(p + 4);
    __builtin_memcpy(key->ipv6_src, p + 8, 16);
    __builtin_memcpy(key->ipv6_dst, p + 24, 16);
    tc_flow = (__u32) xdp_get16(p) << 16 | xdp_get16(p + 2);
    proto = p[6];
    key->nw_ttl = p[7];
    off += 40;

#pragma unroll
    for (i = 0; i < XDP_PARSE_MAX_EXT; i++) {
        __u32 hlen;

        if (proto != 0 && proto != 43 && proto != 60 && proto != 51
            && proto != 44) {
            goto done;
        }
        if (end - off < 8) {
            goto bad;
        }
        p = xdp_pkt(ctx, off, 8);
        if (!p) {
            return XDP_FLOW_PARSE_UNPARSED;
        }
        if (proto == 44) {
            __u16 offlg = xdp_get16(p + 2);

            proto = p[0];
            off += 8;
            if (!rh) {
                info->ip6_no_l4_csum = (offlg & 0xfff9) != 0x0001;
            }
            if (offlg) {
                frag = XDP_FLOW_FRAG_ANY;
                if (offlg & 0xfff8) {
                    frag |= XDP_FLOW_FRAG_LATER;
                    proto = 44;
                    goto done;
                }
            }
        } else {
            if (proto == 43 && p[3]) {
                rh = 1;
                info->ip6_no_l4_csum = 1;
            }
            hlen = proto == 51 ? (p[1] + 2) * 4 : (p[1] + 1) * 8;
            proto = p[0];
            if (end - off < hlen) {
                goto bad;
            }
            off += hlen;
        }
    }
    if (proto == 0 || proto == 43 || proto == 60 || proto == 51
        || proto == 44) {
        return XDP_FLOW_PARSE_UNPARSED;
    }

done:
    key->nw_tos = tc_flow >> 20;
    key->nw_proto = proto;
    key->nw_frag = frag;
    key->ipv6_label = bpf_htonl(tc_flow & 0xfffff);
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
xdp_parse_arp(const struct xdp_md *ctx, struct xdp_flow_key *key, __u32 off,
              __u32 len)
{
    const __u8 *p;
    __u16 op;

    if (off > len || len - off < 28) {
        return;
    }
    p = xdp_pkt(ctx, off, 28);
    if (!p) {
        return;
    }
    if (xdp_get16(p) != 1 || xdp_get16(p + 2) != 0x0800 || p[4] != 6
        || p[5] != 4) {
        return;
    }
    __builtin_memcpy(&key->nw_src, p + 14, 4);
    __builtin_memcpy(&key->nw_dst, p + 24, 4);
    op = xdp_get16(p + 6);
    if (op <= 0xff) {
        key->nw_proto = op;
    }
    xdp_copy_mac(key->arp_sha, p + 8);
    xdp_copy_mac(key->arp_tha, p + 18);
}

/* Parses the packet in 'ctx' into 'key' (zeroed by the caller, with in_port
 * set) and 'info'. */
static __always_inline int
xdp_parse(const struct xdp_md *ctx, struct xdp_flow_key *key,
          struct xdp_parse_info *info)
{
    __u32 len = ctx->data_end - ctx->data;
    __u32 off = 12;
    const __u8 *p;
    __u16 type;
    int n;

    info->l3_off = 0;
    info->l4_off = 0;
    info->l4 = 0;
    info->l4_size = 0;
    info->ip6_no_l4_csum = 0;
    if (len < 14) {
        return XDP_FLOW_PARSE_OK;
    }
    p = xdp_pkt(ctx, 0, 14);
    if (!p) {
        return XDP_FLOW_PARSE_UNPARSED;
    }
    xdp_copy_mac(key->dl_dst, p);
    xdp_copy_mac(key->dl_src, p + 6);

#pragma unroll
    for (n = 0; n < 2; n++) {
        p = xdp_pkt(ctx, off, 4);
        if (!p || !xdp_eth_type_vlan(xdp_get16(p)) || len - off < 6) {
            break;
        }
        key->vlans[n].tpid = *(__be16 *) p;
        key->vlans[n].tci = *(__be16 *) (p + 2) | bpf_htons(0x1000);
        off += 4;
    }
    p = xdp_pkt(ctx, off, 2);
    if (!p) {
        return XDP_FLOW_PARSE_UNPARSED;
    }
    type = xdp_get16(p);
    if (n == 2 && xdp_eth_type_vlan(type)) {
        return XDP_FLOW_PARSE_UNPARSED;
    }
    off += 2;
    if (type < 0x600) {
        /* 802.2: only SNAP with the Ethernet OUI gives an Ethertype. */
        p = len - off >= 8 ? xdp_pkt(ctx, off, 8) : NULL;
        if (p && p[0] == 0xaa && p[1] == 0xaa && p[2] == 0x03 && !p[3]
            && !p[4] && !p[5]) {
            off += 8;
            type = xdp_get16(p + 6);
            if (type < 0x600) {
                type = 0x5ff;
            }
        } else {
            type = 0x5ff;
        }
    }
    key->dl_type = bpf_htons(type);
    info->l3_off = off;

    switch (type) {
    case 0x0800:
        return xdp_parse_ipv4(ctx, key, info, off, len);
    case 0x86dd:
        return xdp_parse_ipv6(ctx, key, info, off, len);
    case 0x0806:
    case 0x8035:
        xdp_parse_arp(ctx, key, off, len);
        break;
    }
    return XDP_FLOW_PARSE_OK;
}

#endif /* xdp-parse.h */
