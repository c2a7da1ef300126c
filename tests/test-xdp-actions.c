/*
 * Copyright (c) 2026 The ovs-xdp authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at:
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

/* Differential test of the XDP program's actions: for generated packets
 * and ODP action lists, the bytes that the loaded program produces
 * (BPF_PROG_RUN) must equal the bytes that OVS's own odp_execute_actions()
 * produces on a dp_packet whose offsets miniflow_extract() set, as
 * dpif-netdev executes a flow.  The ODP actions go through the project's
 * translator (lib/xdp-odp-actions.c) as a megaflow's would; a list the
 * translator refuses must make the flow partial, and XDP must then hand the
 * packet to userspace untouched.
 *
 * Action lists respect what the megaflow of the packet would match, as
 * ofproto-dpif's translation guarantees: a rewrite of IPv4 (IPv6) fields
 * only for dl_type IPv4 (IPv6), of TCP (UDP, SCTP) ports only if flow
 * nw_proto is TCP (UDP, SCTP).  Everything else is random, including
 * rewrites of malformed, truncated and fragmented packets, which the
 * megaflow of a normal packet can match. */

#include <config.h>

#undef NDEBUG
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crc32c.h"
#include "csum.h"
#include "dp-packet.h"
#include "flow.h"
#include "netlink.h"
#include "odp-execute.h"
#include "odp-netlink.h"
#include "odp-util.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofpbuf.h"
#include "ovstest.h"
#include "packets.h"
#include "random.h"
#include "util.h"
#include "xdp-abi.h"
#include "xdp-flow.h"
#include "xdp-odp-actions.h"
#include "xdp-test-harness.h"

/* The ODP port that XDP can output to (the ingress device: XDP_TX), and one
 * it cannot. */
#define OUT_PORT 2
#define NO_XDP_PORT 3

/* Bytes around the packet in OVS's buffer: room for VLAN pushes in front,
 * and zeros behind for what OVS reads past the end of a malformed packet
 * (packet_rh_present() walks up to 64 kB on an IPv6 header that failed
 * miniflow_extract()'s checks). */
#define OVS_HEADROOM 128
#define OVS_TAILROOM (64 * 1024 + 2048)

static uint32_t
rnd(uint32_t n)
{
    return random_uint32() % n;
}

static bool
chance(uint32_t percent)
{
    return rnd(100) < percent;
}

static uint8_t
odp_frag(uint8_t nw_frag)
{
    return (!(nw_frag & FLOW_NW_FRAG_ANY) ? OVS_FRAG_TYPE_NONE
            : nw_frag & FLOW_NW_FRAG_LATER ? OVS_FRAG_TYPE_LATER
            : OVS_FRAG_TYPE_FIRST);
}

/* Packets. */

/* Kinds of packets, to count how often each was compared. */
#define TAGS                                                            \
    TAG(VLAN, "VLAN tags")                                              \
    TAG(SNAP, "802.2 SNAP")                                             \
    TAG(ARP, "ARP")                                                     \
    TAG(NOT_IP, "other Ethernet types, 802.3")                          \
    TAG(IPV4_OPTIONS, "IPv4 options")                                   \
    TAG(FIRST_FRAG, "first fragments")                                  \
    TAG(LATER_FRAG, "later fragments (IPv4, IPv6)")                     \
    TAG(IPV6_EXT, "IPv6 extension headers")                             \
    TAG(ROUTING_SEGLEFT, "IPv6 routing header, segments left")          \
    TAG(ATOMIC_FRAG, "IPv6 atomic fragment")                            \
    TAG(TCP, "TCP")                                                     \
    TAG(TCP_OPTIONS, "TCP options")                                     \
    TAG(TCP_BAD_OFFSET, "TCP data offset bad")                          \
    TAG(UDP, "UDP")                                                     \
    TAG(UDP_ZERO, "UDP checksum 0")                                     \
    TAG(SCTP, "SCTP")                                                   \
    TAG(ICMP, "ICMP")                                                   \
    TAG(ICMPV6, "ICMPv6 (ND included)")                                 \
    TAG(L4_TRUNCATED, "L4 header truncated")                            \
    TAG(BAD_CSUM, "checksum wrong, 0 or 0xffff")                        \
    TAG(PADDING, "Ethernet padding")                                    \
    TAG(BAD_LENGTH, "IP header or length malformed")                    \
    TAG(FRAME_TRUNCATED, "frame truncated")

enum tag {
#define TAG(NAME, DESC) TAG_##NAME,
    TAGS
#undef TAG
    N_TAGS
};

static const char *const tag_names[] = {
#define TAG(NAME, DESC) DESC,
    TAGS
#undef TAG
};

struct tpkt {
    uint8_t data[MAX_PKT];
    size_t len;
    uint32_t tags;              /* 1 << TAG_*. */
    struct ds desc;             /* What the generator made, for messages. */
};

static void
tag(struct tpkt *p, enum tag t)
{
    p->tags |= 1u << t;
}

static uint8_t *
tp_put(struct tpkt *p, size_t n)
{
    uint8_t *start = p->data + p->len;

    ovs_assert(p->len + n <= MAX_PKT);
    memset(start, 0, n);
    p->len += n;
    return start;
}

static uint8_t *
tp_put_random(struct tpkt *p, size_t n)
{
    uint8_t *start = tp_put(p, n);

    random_bytes(start, n);
    return start;
}

/* Where the generator put things, for the checksums. */
struct layout {
    size_t l3;
    size_t l4;                  /* SIZE_MAX: no L4 to checksum. */
    bool ipv6;
    uint8_t proto;              /* Of the L4 header at 'l4'. */
};

/* An L4 header of 'proto' and a payload.  Sometimes truncated, sometimes
 * with options or a bad TCP data offset. */
static void
gen_l4(struct tpkt *p, uint8_t proto)
{
    size_t payload = chance(15) ? 0 : rnd(48);
    uint8_t *q;

    switch (proto) {
    case IPPROTO_TCP:
        if (chance(8)) {
            tp_put_random(p, rnd(20));
            ds_put_cstr(&p->desc, " tcp(truncated)");
            tag(p, TAG_TCP);
            tag(p, TAG_L4_TRUNCATED);
            return;
        } else {
            int opt_words = chance(70) ? 0 : rnd(4);

            q = tp_put_random(p, 20 + 4 * opt_words);
            q[12] = (5 + opt_words) << 4 | (q[12] & 0x0f);
            tag(p, TAG_TCP);
            if (chance(6)) {
                /* A data offset below 5 or past the end. */
                q[12] = (chance(50) ? rnd(5) : 6 + opt_words + rnd(10)) << 4;
                q[12] &= 0xf0;
                ds_put_cstr(&p->desc, " tcp(bad offset)");
                tag(p, TAG_TCP_BAD_OFFSET);
            } else {
                ds_put_format(&p->desc, " tcp(%d option words)", opt_words);
                if (opt_words) {
                    tag(p, TAG_TCP_OPTIONS);
                }
            }
        }
        break;
    case IPPROTO_UDP:
        if (chance(8)) {
            tp_put_random(p, rnd(8));
            ds_put_cstr(&p->desc, " udp(truncated)");
            tag(p, TAG_UDP);
            tag(p, TAG_L4_TRUNCATED);
            return;
        }
        tp_put_random(p, 8);
        ds_put_cstr(&p->desc, " udp");
        tag(p, TAG_UDP);
        break;
    case IPPROTO_SCTP:
        q = tp_put_random(p, 12 + 4 * rnd(4));
        ds_put_cstr(&p->desc, " sctp");
        tag(p, TAG_SCTP);
        break;
    case IPPROTO_ICMP:
        tp_put_random(p, chance(10) ? rnd(8) : 8);
        ds_put_cstr(&p->desc, " icmp");
        tag(p, TAG_ICMP);
        break;
    case IPPROTO_ICMPV6:
        if (chance(10)) {
            tp_put_random(p, rnd(8));
            ds_put_cstr(&p->desc, " icmp6(truncated)");
            tag(p, TAG_ICMPV6);
            tag(p, TAG_L4_TRUNCATED);
            return;
        }
        q = tp_put_random(p, 8);
        tag(p, TAG_ICMPV6);
        if (chance(40)) {
            /* Neighbor solicitation or advertisement with an option. */
            q[0] = chance(50) ? 135 : 136;
            q[1] = 0;
            tp_put_random(p, 16);
            q = tp_put_random(p, 8);
            q[0] = 1 + rnd(2);
            q[1] = 1;
            ds_put_cstr(&p->desc, " icmp6(nd)");
        } else {
            ds_put_cstr(&p->desc, " icmp6");
        }
        break;
    default:
        tp_put_random(p, 8);
        ds_put_format(&p->desc, " proto %d", proto);
        break;
    }
    tp_put_random(p, payload);
}

static uint8_t
random_l4_proto(bool ipv6)
{
    static const uint8_t protos4[] = {
        IPPROTO_TCP, IPPROTO_TCP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDP,
        IPPROTO_UDP, IPPROTO_SCTP, IPPROTO_ICMP, IPPROTO_IGMP, 47,
    };
    static const uint8_t protos6[] = {
        IPPROTO_TCP, IPPROTO_TCP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDP,
        IPPROTO_UDP, IPPROTO_SCTP, IPPROTO_ICMPV6, IPPROTO_ICMPV6, 47,
    };

    return (ipv6 ? protos6[rnd(ARRAY_SIZE(protos6))]
            : protos4[rnd(ARRAY_SIZE(protos4))]);
}

/* The L4 checksum of the L4 header at 'lo->l4' up to 'end', computed as a
 * sender would.  Nothing if the field does not fit. */
static void
fix_l4_csum(struct tpkt *p, const struct layout *lo, size_t end)
{
    uint8_t *ip = p->data + lo->l3;
    uint8_t *l4 = p->data + lo->l4;
    size_t l4_len = end - lo->l4;
    uint32_t partial = 0;
    size_t csum_off;

    switch (lo->proto) {
    case IPPROTO_TCP:
        csum_off = 16;
        break;
    case IPPROTO_UDP:
        csum_off = 6;
        if (l4_len >= 6) {
            put16(l4 + 4, l4_len);
        }
        break;
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
        csum_off = 2;
        break;
    case IPPROTO_SCTP:
        if (l4_len >= 12) {
            ovs_be32 crc;

            memset(l4 + 8, 0, 4);
            crc = crc32c(l4, l4_len);
            memcpy(l4 + 8, &crc, 4);
        }
        return;
    default:
        return;
    }
    if (l4_len < csum_off + 2) {
        return;
    }
    if (lo->proto != IPPROTO_ICMP) {
        if (lo->ipv6) {
            partial = csum_continue(0, ip + 8, 32);
        } else {
            partial = csum_continue(0, ip + 12, 8);
        }
        partial = csum_add32(partial, htonl(l4_len));
        partial = csum_add16(partial, htons(lo->proto));
    }
    put16(l4 + csum_off, 0);
    partial = csum_continue(partial, l4, l4_len);

    ovs_be16 sum = csum_finish(partial);
    if (lo->proto == IPPROTO_UDP && !sum) {
        sum = htons(0xffff);
    }
    memcpy(l4 + csum_off, &sum, 2);

    /* Checksums a sender would not send. */
    if (chance(10)) {
        uint16_t bad = (chance(40) ? 0xffff : chance(40) ? 0 : rnd(65536));

        put16(l4 + csum_off, bad);
        ds_put_format(&p->desc, " l4-csum=%#x", bad);
        tag(p, TAG_BAD_CSUM);
    } else if (lo->proto == IPPROTO_UDP && chance(15)) {
        put16(l4 + csum_off, 0);
        ds_put_cstr(&p->desc, " udp-csum=0");
        tag(p, TAG_UDP_ZERO);
    }
}

static void
gen_ipv4(struct tpkt *p, struct layout *lo)
{
    int opt_words = chance(75) ? 0 : rnd(11);
    size_t l3 = p->len;
    uint8_t proto = random_l4_proto(false);
    uint16_t frag;
    uint8_t *ip;

    ip = tp_put_random(p, 20 + 4 * opt_words);
    ip[0] = 0x40 | (5 + opt_words);
    ip[9] = proto;
    switch (rnd(8)) {
    case 0:
        frag = 0x2000;                          /* First fragment. */
        ds_put_cstr(&p->desc, " ipv4(first frag)");
        tag(p, TAG_FIRST_FRAG);
        break;
    case 1:
        frag = (chance(50) ? 0x2000 : 0) | (1 + rnd(0x1fff));
        ds_put_cstr(&p->desc, " ipv4(later frag)");
        tag(p, TAG_LATER_FRAG);
        break;
    case 2:
    case 3:
        frag = 0x4000;                          /* DF. */
        ds_put_cstr(&p->desc, " ipv4(df)");
        break;
    default:
        frag = 0;
        ds_put_cstr(&p->desc, " ipv4");
        break;
    }
    if (opt_words) {
        ds_put_format(&p->desc, "(%d option words)", opt_words);
        tag(p, TAG_IPV4_OPTIONS);
    }
    put16(ip + 6, frag);

    lo->l3 = l3;
    lo->l4 = p->len;
    lo->ipv6 = false;
    lo->proto = proto;
    if (frag & 0x1fff) {
        tp_put_random(p, rnd(48));
        lo->l4 = SIZE_MAX;
        ds_put_format(&p->desc, " proto %d", proto);
    } else {
        gen_l4(p, proto);
    }

    ip = p->data + l3;
    put16(ip + 2, p->len - l3);
    if (lo->l4 != SIZE_MAX) {
        fix_l4_csum(p, lo, p->len);
    }
    put16(ip + 10, 0);
    memcpy(ip + 10, &(ovs_be16) { csum(ip, 20 + 4 * opt_words) }, 2);
    if (chance(5)) {
        uint16_t bad = chance(50) ? 0xffff : rnd(65536);

        put16(ip + 10, bad);
        ds_put_format(&p->desc, " ip-csum=%#x", bad);
        tag(p, TAG_BAD_CSUM);
    }
}

static void
gen_ipv6(struct tpkt *p, struct layout *lo)
{
    size_t l3 = p->len;
    uint8_t *ip = tp_put_random(p, 40);
    uint8_t proto = random_l4_proto(true);
    uint8_t *next = ip + 6;
    bool later = false;
    int n_ext;

    ip[0] = 0x60 | (ip[0] & 0x0f);
    ds_put_cstr(&p->desc, " ipv6");
    n_ext = chance(45) ? 0 : 1 + rnd(4);
    for (int i = 0; i < n_ext && !later; i++) {
        static const uint8_t exts[] = {
            IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, IPPROTO_ROUTING,
            IPPROTO_ROUTING, IPPROTO_AH, IPPROTO_FRAGMENT, IPPROTO_FRAGMENT,
        };
        uint8_t ext = exts[rnd(ARRAY_SIZE(exts))];
        uint8_t *q;

        *next = ext;
        tag(p, TAG_IPV6_EXT);
        switch (ext) {
        case IPPROTO_FRAGMENT: {
            uint16_t offlg;

            q = tp_put_random(p, 8);
            switch (rnd(5)) {
            case 0:
            case 1:
                offlg = 0x0001;                 /* First fragment. */
                ds_put_cstr(&p->desc, " frag(first)");
                tag(p, TAG_FIRST_FRAG);
                break;
            case 2:
                offlg = chance(50) ? 0 : 0x0006;  /* Atomic. */
                ds_put_format(&p->desc, " frag(atomic %#x)", offlg);
                tag(p, TAG_ATOMIC_FRAG);
                break;
            default:
                offlg = (1 + rnd(0x1fff)) << 3 | rnd(2);
                ds_put_cstr(&p->desc, " frag(later)");
                tag(p, TAG_LATER_FRAG);
                later = true;
                break;
            }
            put16(q + 2, offlg);
            break;
        }
        case IPPROTO_AH: {
            uint8_t len = rnd(4);

            q = tp_put_random(p, (len + 2) * 4);
            q[1] = len;
            ds_put_cstr(&p->desc, " ah");
            break;
        }
        case IPPROTO_ROUTING: {
            uint8_t len = rnd(3);

            q = tp_put_random(p, (len + 1) * 8);
            q[1] = len;
            q[3] = chance(50) ? 0 : 1 + rnd(4);
            ds_put_format(&p->desc, " routing(segleft %d)", q[3]);
            if (q[3]) {
                tag(p, TAG_ROUTING_SEGLEFT);
            }
            break;
        }
        default: {
            uint8_t len = rnd(2);

            q = tp_put_random(p, (len + 1) * 8);
            q[1] = len;
            ds_put_format(&p->desc, " %s",
                          ext == IPPROTO_HOPOPTS ? "hop" : "dst");
            break;
        }
        }
        next = q;
    }
    *next = proto;

    lo->l3 = l3;
    lo->l4 = p->len;
    lo->ipv6 = true;
    lo->proto = proto;
    if (later) {
        tp_put_random(p, rnd(48));
        lo->l4 = SIZE_MAX;
        ds_put_format(&p->desc, " proto %d", proto);
    } else {
        gen_l4(p, proto);
    }
    ip = p->data + l3;
    put16(ip + 4, p->len - l3 - 40);
    if (lo->l4 != SIZE_MAX) {
        fix_l4_csum(p, lo, p->len);
    }
}

/* A random packet of a kind that the XDP program parses. */
static void
gen_packet(struct tpkt *p)
{
    struct layout lo = { .l3 = SIZE_MAX, .l4 = SIZE_MAX };
    int n_vlans = chance(60) ? 0 : chance(60) ? 1 : 2;
    uint8_t *type_field;
    int kind = rnd(100);

    p->len = 0;
    p->tags = 0;
    ds_clear(&p->desc);
    tp_put_random(p, 12);
    for (int i = 0; i < n_vlans; i++) {
        uint8_t *q = tp_put_random(p, 4);

        put16(q, chance(50) ? ETH_TYPE_VLAN_8021Q : ETH_TYPE_VLAN_8021AD);
    }
    if (n_vlans) {
        tag(p, TAG_VLAN);
        ds_put_format(&p->desc, "%d vlan%s", n_vlans, n_vlans > 1 ? "s" : "");
    } else {
        ds_put_cstr(&p->desc, "eth");
    }
    type_field = tp_put(p, 2);

    if (kind < 42) {
        put16(type_field, ETH_TYPE_IP);
        gen_ipv4(p, &lo);
    } else if (kind < 82) {
        put16(type_field, ETH_TYPE_IPV6);
        gen_ipv6(p, &lo);
    } else if (kind < 86) {
        /* 802.2 SNAP with an Ethernet type: IPv4 behind 8 bytes. */
        memcpy(tp_put(p, 8), "\xaa\xaa\x03\x00\x00\x00\x08\x00", 8);
        ds_put_cstr(&p->desc, " snap");
        tag(p, TAG_SNAP);
        gen_ipv4(p, &lo);
        put16(type_field, p->len - 14 - 4 * n_vlans);
    } else if (kind < 93) {
        uint8_t *arp;

        put16(type_field, chance(80) ? ETH_TYPE_ARP : ETH_TYPE_RARP);
        arp = tp_put_random(p, 28);
        memcpy(arp, "\x00\x01\x08\x00\x06\x04\x00", 7);
        ds_put_cstr(&p->desc, " arp");
        tag(p, TAG_ARP);
    } else if (kind < 97) {
        put16(type_field, 0x0600 + rnd(0x10000 - 0x0600));
        tp_put_random(p, rnd(60));
        ds_put_cstr(&p->desc, " other type");
        tag(p, TAG_NOT_IP);
    } else {
        put16(type_field, rnd(0x600));
        tp_put_random(p, rnd(30));
        ds_put_cstr(&p->desc, " 802.3");
        tag(p, TAG_NOT_IP);
    }

    /* Lengths that disagree with the frame. */
    if (lo.l3 != SIZE_MAX) {
        uint8_t *len_field = p->data + lo.l3 + (lo.ipv6 ? 4 : 2);
        int r = rnd(100);

        if (r < 10) {
            /* Ethernet padding behind the IP packet. */
            tp_put_random(p, 1 + rnd(24));
            ds_put_cstr(&p->desc, " +padding");
            tag(p, TAG_PADDING);
        } else if (r < 14) {
            put16(len_field, get16(len_field) + 1 + rnd(40));
            ds_put_cstr(&p->desc, " length>frame");
            tag(p, TAG_BAD_LENGTH);
        } else if (r < 16 && !lo.ipv6) {
            put16(len_field, rnd(20));
            ds_put_cstr(&p->desc, " length<header");
            tag(p, TAG_BAD_LENGTH);
        } else if (r < 18 && !lo.ipv6) {
            p->data[lo.l3] = (p->data[lo.l3] & 0xf0) | rnd(5);
            ds_put_cstr(&p->desc, " ihl<5");
            tag(p, TAG_BAD_LENGTH);
        }
    }
    if (chance(12)) {
        p->len = ETH_HEADER_LEN + rnd(p->len - ETH_HEADER_LEN + 1);
        ds_put_format(&p->desc, " truncated to %"PRIuSIZE, p->len);
        tag(p, TAG_FRAME_TRUNCATED);
    }
}

/* Action lists. */

struct field {
    const char *name;
    enum ovs_key_attr key;
    size_t offset;              /* In the key attribute. */
    size_t size;
    size_t flow_offset;         /* Of the packet's value in struct flow. */
};

#define FIELD(NAME, KEY, STRUCT, MEMBER, FLOW_MEMBER)                   \
    { NAME, KEY, offsetof(struct STRUCT, MEMBER),                       \
      MEMBER_SIZEOF(struct STRUCT, MEMBER),                             \
      offsetof(struct flow, FLOW_MEMBER) }

/* Every field that XDP rewrites, and SCTP ports, which it does not. */
static const struct field fields[] = {
    FIELD("eth_src", OVS_KEY_ATTR_ETHERNET, ovs_key_ethernet, eth_src,
          dl_src),
    FIELD("eth_dst", OVS_KEY_ATTR_ETHERNET, ovs_key_ethernet, eth_dst,
          dl_dst),
    FIELD("ipv4_src", OVS_KEY_ATTR_IPV4, ovs_key_ipv4, ipv4_src, nw_src),
    FIELD("ipv4_dst", OVS_KEY_ATTR_IPV4, ovs_key_ipv4, ipv4_dst, nw_dst),
    FIELD("ipv4_tos", OVS_KEY_ATTR_IPV4, ovs_key_ipv4, ipv4_tos, nw_tos),
    FIELD("ipv4_ttl", OVS_KEY_ATTR_IPV4, ovs_key_ipv4, ipv4_ttl, nw_ttl),
    FIELD("ipv6_src", OVS_KEY_ATTR_IPV6, ovs_key_ipv6, ipv6_src, ipv6_src),
    FIELD("ipv6_dst", OVS_KEY_ATTR_IPV6, ovs_key_ipv6, ipv6_dst, ipv6_dst),
    FIELD("ipv6_label", OVS_KEY_ATTR_IPV6, ovs_key_ipv6, ipv6_label,
          ipv6_label),
    FIELD("ipv6_tclass", OVS_KEY_ATTR_IPV6, ovs_key_ipv6, ipv6_tclass,
          nw_tos),
    FIELD("ipv6_hlimit", OVS_KEY_ATTR_IPV6, ovs_key_ipv6, ipv6_hlimit,
          nw_ttl),
    FIELD("tcp_src", OVS_KEY_ATTR_TCP, ovs_key_tcp, tcp_src, tp_src),
    FIELD("tcp_dst", OVS_KEY_ATTR_TCP, ovs_key_tcp, tcp_dst, tp_dst),
    FIELD("udp_src", OVS_KEY_ATTR_UDP, ovs_key_udp, udp_src, tp_src),
    FIELD("udp_dst", OVS_KEY_ATTR_UDP, ovs_key_udp, udp_dst, tp_dst),
    FIELD("sctp_src", OVS_KEY_ATTR_SCTP, ovs_key_sctp, sctp_src, tp_src),
    FIELD("sctp_dst", OVS_KEY_ATTR_SCTP, ovs_key_sctp, sctp_dst, tp_dst),
};

static const enum ovs_key_attr set_keys[] = {
    OVS_KEY_ATTR_ETHERNET, OVS_KEY_ATTR_IPV4, OVS_KEY_ATTR_IPV6,
    OVS_KEY_ATTR_TCP, OVS_KEY_ATTR_UDP, OVS_KEY_ATTR_SCTP,
};

static size_t
key_size(enum ovs_key_attr key)
{
    switch ((unsigned int) key) {
    case OVS_KEY_ATTR_ETHERNET:
        return sizeof(struct ovs_key_ethernet);
    case OVS_KEY_ATTR_IPV4:
        return sizeof(struct ovs_key_ipv4);
    case OVS_KEY_ATTR_IPV6:
        return sizeof(struct ovs_key_ipv6);
    case OVS_KEY_ATTR_TCP:
        return sizeof(struct ovs_key_tcp);
    case OVS_KEY_ATTR_UDP:
        return sizeof(struct ovs_key_udp);
    case OVS_KEY_ATTR_SCTP:
        return sizeof(struct ovs_key_sctp);
    default:
        OVS_NOT_REACHED();
    }
}

/* Whether the megaflow of a packet whose flow is 'flow' can have a rewrite
 * of 'key': the prerequisites that ofproto-dpif's translation checks (and
 * matches on). */
static bool
key_applies(enum ovs_key_attr key, const struct flow *flow)
{
    switch ((unsigned int) key) {
    case OVS_KEY_ATTR_ETHERNET:
        return true;
    case OVS_KEY_ATTR_IPV4:
        return flow->dl_type == htons(ETH_TYPE_IP);
    case OVS_KEY_ATTR_IPV6:
        return flow->dl_type == htons(ETH_TYPE_IPV6);
    case OVS_KEY_ATTR_TCP:
        return is_ip_any(flow) && flow->nw_proto == IPPROTO_TCP;
    case OVS_KEY_ATTR_UDP:
        return is_ip_any(flow) && flow->nw_proto == IPPROTO_UDP;
    case OVS_KEY_ATTR_SCTP:
        return is_ip_any(flow) && flow->nw_proto == IPPROTO_SCTP;
    default:
        return false;
    }
}

/* A random mask for 'f' into 'mask'. */
static void
random_mask(const struct field *f, uint8_t *mask)
{
    size_t n = f->size;

    memset(mask, 0, n);
    switch (rnd(6)) {
    case 0:
    case 1:
        memset(mask, 0xff, n);
        break;
    case 2:
        random_bytes(mask, n);
        break;
    case 3: {
        /* A prefix. */
        size_t bits = 1 + rnd(8 * n);

        for (size_t i = 0; i < bits; i++) {
            mask[i / 8] |= 0x80 >> (i % 8);
        }
        break;
    }
    case 4: {
        size_t bit = rnd(8 * n);

        mask[bit / 8] = 0x80 >> (bit % 8);
        break;
    }
    default:
        for (size_t i = 0; i < n; i++) {
            mask[i] = random_uint32() & random_uint32();
        }
        break;
    }
    if (!strcmp(f->name, "ipv4_tos") || !strcmp(f->name, "ipv6_tclass")) {
        static const uint8_t tos_masks[] = { 0xff, 0xfc, 0x03, 0x01, 0x02 };

        if (chance(60)) {
            mask[0] = tos_masks[rnd(ARRAY_SIZE(tos_masks))];
        }
    } else if (!strcmp(f->name, "ipv6_label")) {
        ovs_be32 m;

        memcpy(&m, mask, 4);
        if (!chance(5)) {
            /* OVS gives the flow label's 20 bits. */
            m &= htonl(IPV6_LABEL_MASK);
        }
        memcpy(mask, &m, 4);
    }
}

/* A random value for 'f' into 'value': often the packet's own. */
static void
random_value(const struct field *f, const struct flow *flow, uint8_t *value)
{
    if (chance(20)) {
        memcpy(value, (const uint8_t *) flow + f->flow_offset, f->size);
    } else {
        random_bytes(value, f->size);
    }
    if (!strcmp(f->name, "ipv6_label")) {
        ovs_be32 v;

        memcpy(&v, value, 4);
        v &= htonl(IPV6_LABEL_MASK);
        memcpy(value, &v, 4);
    }
}

struct list_stats {
    bool unmasked;              /* A masked value with bits outside its
                                 * mask, which ofproto never emits. */
};

/* Appends a set action on 'key': plain (every field of the header, as
 * OVS_ACTION_ATTR_SET does) or masked with the fields whose bit is in
 * 'field_bits' (indexes into 'fields'; 0: random ones). */
static void
put_set(struct ofpbuf *odp, enum ovs_key_attr key, bool masked,
        uint32_t field_bits, const struct flow *flow, struct list_stats *ls)
{
    size_t size = key_size(key);
    uint8_t value[sizeof(struct ovs_key_ipv6)];
    uint8_t mask[sizeof(struct ovs_key_ipv6)];
    size_t offset;

    memset(value, 0, size);
    memset(mask, 0, size);
    if (!masked) {
        /* The fields XDP does not rewrite (IP protocol and fragment type)
         * are the packet's, as ofproto-dpif gives them. */
        if (key == OVS_KEY_ATTR_IPV4) {
            struct ovs_key_ipv4 *k = ALIGNED_CAST(struct ovs_key_ipv4 *,
                                                  value);

            k->ipv4_proto = flow->nw_proto;
            k->ipv4_frag = odp_frag(flow->nw_frag);
        } else if (key == OVS_KEY_ATTR_IPV6) {
            struct ovs_key_ipv6 *k = ALIGNED_CAST(struct ovs_key_ipv6 *,
                                                  value);

            k->ipv6_proto = flow->nw_proto;
            k->ipv6_frag = odp_frag(flow->nw_frag);
        }
    }
    if (!field_bits) {
        for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
            if (fields[i].key == key && (!masked || chance(60))) {
                field_bits |= 1u << i;
            }
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
        const struct field *f = &fields[i];

        if (f->key != key) {
            continue;
        }
        if (!masked) {
            random_value(f, flow, value + f->offset);
        } else if (field_bits & (1u << i)) {
            random_value(f, flow, value + f->offset);
            random_mask(f, mask + f->offset);
            for (size_t j = 0; j < f->size; j++) {
                value[f->offset + j] &= mask[f->offset + j];
            }
        }
    }
    if (chance(2)) {
        /* What ofproto-dpif never emits, but dpctl/add-flow can: a masked
         * value with bits outside its mask, a flow label wider than 20
         * bits. */
        if (key == OVS_KEY_ATTR_IPV6 && chance(50)) {
            struct ovs_key_ipv6 *k = ALIGNED_CAST(struct ovs_key_ipv6 *,
                                                  value);
            struct ovs_key_ipv6 *m = ALIGNED_CAST(struct ovs_key_ipv6 *,
                                                  mask);
            ovs_be32 bit = htonl(0x100000 << rnd(12));

            k->ipv6_label |= bit;
            if (masked) {
                m->ipv6_label |= bit;
            }
        } else if (masked) {
            for (int i = 0; i < 8; i++) {
                size_t byte = rnd(size);
                uint8_t bit = 1 << rnd(8);

                if (!(mask[byte] & bit)) {
                    value[byte] |= bit;
                    ls->unmasked = true;
                    break;
                }
            }
        }
    }

    offset = nl_msg_start_nested(odp, (masked ? OVS_ACTION_ATTR_SET_MASKED
                                       : OVS_ACTION_ATTR_SET));
    if (masked) {
        uint8_t *data = nl_msg_put_unspec_uninit(odp, key, 2 * size);

        memcpy(data, value, size);
        memcpy(data + size, mask, size);
    } else {
        nl_msg_put_unspec(odp, key, value, size);
    }
    nl_msg_end_nested(odp, offset);
}

static void
put_push_vlan(struct ofpbuf *odp)
{
    struct ovs_action_push_vlan vlan = {
        .vlan_tpid = htons(chance(50) ? ETH_TYPE_VLAN_8021Q
                           : ETH_TYPE_VLAN_8021AD),
        .vlan_tci = htons(rnd(65536) | VLAN_CFI),
    };

    nl_msg_put_unspec(odp, OVS_ACTION_ATTR_PUSH_VLAN, &vlan, sizeof vlan);
}

/* How an action list ends. */
static void
put_end(struct ofpbuf *odp)
{
    int r = rnd(100);

    if (r < 82) {
        nl_msg_put_odp_port(odp, OVS_ACTION_ATTR_OUTPUT, u32_to_odp(OUT_PORT));
    } else if (r < 88) {
        /* No output: the packet is dropped. */
    } else if (r < 93) {
        nl_msg_put_u32(odp, OVS_ACTION_ATTR_DROP, XLATE_OK);
    } else if (r < 96) {
        nl_msg_put_odp_port(odp, OVS_ACTION_ATTR_OUTPUT, u32_to_odp(OUT_PORT));
        nl_msg_put_odp_port(odp, OVS_ACTION_ATTR_OUTPUT,
                            u32_to_odp(chance(50) ? OUT_PORT : NO_XDP_PORT));
    } else if (r < 98) {
        nl_msg_put_odp_port(odp, OVS_ACTION_ATTR_OUTPUT,
                            u32_to_odp(NO_XDP_PORT));
    } else {
        nl_msg_put_odp_port(odp, OVS_ACTION_ATTR_OUTPUT, u32_to_odp(OUT_PORT));
        nl_msg_put_flag(odp, OVS_ACTION_ATTR_POP_VLAN);
        nl_msg_put_odp_port(odp, OVS_ACTION_ATTR_OUTPUT, u32_to_odp(OUT_PORT));
    }
}

/* A random sequence of 1 to 5 actions that the packet's megaflow could
 * have. */
static void
put_random_list(struct ofpbuf *odp, const struct flow *flow,
                struct list_stats *ls)
{
    int n = 1 + rnd(5);

    for (int i = 0; i < n; i++) {
        int r = rnd(100);

        if (r < 15) {
            put_push_vlan(odp);
        } else if (r < 27) {
            nl_msg_put_flag(odp, OVS_ACTION_ATTR_POP_VLAN);
        } else {
            enum ovs_key_attr key;

            do {
                key = set_keys[rnd(ARRAY_SIZE(set_keys))];
            } while (!key_applies(key, flow));
            put_set(odp, key, chance(60), 0, flow, ls);
        }
    }
    put_end(odp);
}

/* Running both sides. */

struct ovs_capture {
    int n_outputs;
    uint8_t data[MAX_PKT + 64];
    size_t len;
};

static void
capture_output(void *aux, struct dp_packet_batch *batch,
               const struct nlattr *action, bool should_steal)
{
    struct ovs_capture *cap = aux;
    struct dp_packet *packet;

    ovs_assert(nl_attr_type(action) == OVS_ACTION_ATTR_OUTPUT);
    DP_PACKET_BATCH_FOR_EACH (i, packet, batch) {
        cap->n_outputs++;
        cap->len = dp_packet_size(packet);
        ovs_assert(cap->len <= sizeof cap->data);
        memcpy(cap->data, dp_packet_data(packet), cap->len);
    }
    if (should_steal) {
        dp_packet_delete_batch(batch, true);
    }
}

/* OVS's buffer, reused: dp_packet_use_stub() resets it for each run. */
static uint8_t *ovs_buffer;

/* Runs 'actions' on 'p' with odp_execute_actions(), as dpif-netdev does
 * after miniflow_extract(). */
static void
run_ovs(const struct tpkt *p, const struct ofpbuf *actions,
        struct ovs_capture *cap)
{
    struct dp_packet_batch batch;
    struct dp_packet packet;
    struct flow flow;

    memset(ovs_buffer, 0, OVS_HEADROOM + MAX_PKT + 256);
    dp_packet_use_stub(&packet, ovs_buffer,
                       OVS_HEADROOM + MAX_PKT + OVS_TAILROOM);
    dp_packet_reserve(&packet, OVS_HEADROOM);
    dp_packet_put(&packet, p->data, p->len);
    pkt_metadata_init(&packet.md, u32_to_odp(TEST_ODP_PORT));
    flow_extract(&packet, &flow);

    cap->n_outputs = 0;
    cap->len = 0;
    dp_packet_batch_init_packet(&batch, &packet);
    odp_execute_actions(cap, &batch, false, actions->data, actions->size,
                        capture_output);
    dp_packet_uninit(&packet);
}

static uint32_t
port_to_ifindex(odp_port_t port, void *aux, const char **reason)
{
    const struct xdp_test *t = aux;

    if (odp_to_u32(port) == OUT_PORT) {
        return t->ifindex;
    }
    *reason = "outputs to a port that is not an afxdp port";
    return 0;
}

/* What the XDP program did with a packet. */
enum xdp_outcome {
    XO_OUTPUT,                  /* XDP_TX: output, bytes in 'out'. */
    XO_DROP,
    XO_USERSPACE,               /* To userspace (XDP_PASS here: no XSK). */
    XO_ERROR,
};

static const char *
outcome_name(enum xdp_outcome o)
{
    switch (o) {
    case XO_OUTPUT: return "output";
    case XO_DROP: return "drop";
    case XO_USERSPACE: return "userspace";
    case XO_ERROR: default: return "error";
    }
}

static enum xdp_outcome
run_xdp(const struct xdp_test *t, struct xdp_flow_entry *entry,
        const struct tpkt *p, uint8_t *out, uint32_t *out_len)
{
    static const struct xdp_flow_key zero;
    int verdict;

    xt_put_flow(t, 0, &zero, &zero, 1, entry);
    verdict = xt_run(t, t->main_fd, p->data, p->len, out, out_len, 1, NULL);
    switch (verdict) {
    case XDP_TX:
        return XO_OUTPUT;
    case XDP_DROP:
        return XO_DROP;
    case XDP_PASS: {
        /* BPF_PROG_RUN gives the metadata in front of the packet: it must
         * say that the flow is partial, with the flow's mark. */
        struct xdp_abi_meta meta;

        if (*out_len < sizeof meta) {
            return XO_ERROR;
        }
        memcpy(&meta, out, sizeof meta);
        if (meta.cookie[0] != (uint32_t) xt_meta_cookie
            || meta.cookie[1] != (uint32_t) (xt_meta_cookie >> 32)
            || meta.reason != XDP_ABI_UPCALL_PARTIAL
            || meta.flow_mark != entry->mark) {
            return XO_ERROR;
        }
        *out_len -= sizeof meta;
        memmove(out, out + sizeof meta, *out_len);
        return XO_USERSPACE;
    }
    default:
        return XO_ERROR;
    }
}

/* Counts. */

#define MAX_REASONS 16

struct counts {
    int packets;
    int lists;
    int compared;               /* Run by both; results compared. */
    int compared_output;        /* ... with an output, */
    int compared_changed;       /* ... of bytes other than the input's. */
    int compared_drop;          /* ... without output. */
    int partial;                /* Refused by the translator. */
    int userspace;              /* Sent to userspace by XDP at run time. */
    int mismatches;
    int per_field[ARRAY_SIZE(fields)];  /* Compared single-field rewrites. */
    int push_pop;               /* Compared lists with a push or pop. */
    int unmasked;               /* ... with bits outside a mask. */
    int per_tag[N_TAGS];        /* Compared lists that changed bytes. */
    const char *reasons[MAX_REASONS];
    int reason_counts[MAX_REASONS];
};

static void
count_reason(struct counts *c, const char *reason)
{
    for (int i = 0; i < MAX_REASONS; i++) {
        if (!c->reasons[i] || !strcmp(c->reasons[i], reason)) {
            c->reasons[i] = reason;
            c->reason_counts[i]++;
            return;
        }
    }
    OVS_NOT_REACHED();
}

static bool
has_action(const struct ofpbuf *odp, enum ovs_action_attr type)
{
    const struct nlattr *a;
    size_t left;

    NL_ATTR_FOR_EACH (a, left, odp->data, odp->size) {
        if (nl_attr_type(a) == type) {
            return true;
        }
    }
    return false;
}

/* Whether the XDP program must send 'p' to userspace when it runs
 * 'entry': see xdp_actions_fit() in datapath-xdp/xdp-actions.h. */
static bool
expect_userspace(const struct tpkt *p, const struct flow *flow,
                 const struct xdp_flow_entry *entry)
{
    size_t l3 = SIZE_MAX;

    if (flow->dl_type == htons(ETH_TYPE_IP)
        || flow->dl_type == htons(ETH_TYPE_IPV6)) {
        struct dp_packet packet;
        struct flow f;

        dp_packet_use_const(&packet, p->data, p->len);
        flow_extract(&packet, &f);
        l3 = packet.l3_ofs;
    }
    for (uint32_t i = 0; i < entry->n_actions; i++) {
        const struct xdp_flow_action *act = &entry->actions[i];

        if (act->type != XDP_FLOW_ACT_SET_FIELD) {
            continue;
        }
        if (act->arg == OVS_KEY_ATTR_IPV4 && l3 != SIZE_MAX
            && p->len < l3 + IP_HEADER_LEN) {
            return true;
        }
        if (act->arg == OVS_KEY_ATTR_IPV6 && l3 != SIZE_MAX
            && p->len < l3 + IPV6_HEADER_LEN) {
            return true;
        }
    }
    return false;
}

static void
report_mismatch(struct counts *c, const char *what, const struct tpkt *p,
                const struct ofpbuf *odp, const struct xdp_flow_entry *entry,
                enum xdp_outcome xo, const uint8_t *xdp_out,
                uint32_t xdp_len, const struct ovs_capture *cap)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    c->mismatches++;
    if (c->mismatches > 3 && !getenv("OVS_XDP_TEST_VERBOSE")) {
        return;
    }
    ds_put_format(&s, "MISMATCH (%s)\npacket (%s), %"PRIuSIZE" bytes:\n",
                  what, ds_cstr_ro(&p->desc), p->len);
    ds_put_hex_dump(&s, p->data, p->len, 0, false);
    ds_put_cstr(&s, "actions: ");
    format_odp_actions(&s, odp->data, odp->size, NULL);
    ds_put_cstr(&s, "\nactions (hex):\n");
    ds_put_hex_dump(&s, odp->data, odp->size, 0, false);
    ds_put_format(&s, "xdp entry: %"PRIu32" actions:", entry->n_actions);
    for (uint32_t i = 0; i < entry->n_actions && i < XDP_FLOW_MAX_ACTIONS;
         i++) {
        ds_put_format(&s, " %u/%u", entry->actions[i].type,
                      entry->actions[i].field);
    }
    ds_put_format(&s, "\nxdp: %s", outcome_name(xo));
    if (xo == XO_OUTPUT || xo == XO_USERSPACE) {
        ds_put_format(&s, ", %"PRIu32" bytes:\n", xdp_len);
        ds_put_hex_dump(&s, xdp_out, xdp_len, 0, false);
    } else {
        ds_put_char(&s, '\n');
    }
    ds_put_format(&s, "ovs: %d outputs", cap->n_outputs);
    if (cap->n_outputs) {
        ds_put_format(&s, ", %"PRIuSIZE" bytes:\n", cap->len);
        ds_put_hex_dump(&s, cap->data, cap->len, 0, false);
    } else {
        ds_put_char(&s, '\n');
    }
    printf("%s\n", ds_cstr(&s));
    ds_destroy(&s);
}

/* Translates and runs one action list on 'p' both ways; compares. */
static void
check_list(struct xdp_test *t, struct counts *c, const struct tpkt *p,
           const struct flow *flow, const struct ofpbuf *odp,
           int single_field, const struct list_stats *ls)
{
    uint8_t xdp_out[MAX_PKT + 8];
    struct xdp_flow_entry entry;
    struct ovs_capture cap;
    enum xdp_outcome xo;
    const char *reason;
    uint32_t xdp_len = 0;

    c->lists++;
    memset(&entry, 0, sizeof entry);
    entry.mark = 0x5a5a;
    reason = xdp_odp_actions_to_entry(odp->data, odp->size, port_to_ifindex,
                                      t, &entry);
    xo = run_xdp(t, &entry, p, xdp_out, &xdp_len);
    if (reason) {
        /* Partial: XDP hands the packet to userspace untouched. */
        c->partial++;
        count_reason(c, reason);
        if (!xdp_flow_entry_is_partial(&entry) || xo != XO_USERSPACE
            || xdp_len != p->len || memcmp(xdp_out, p->data, p->len)) {
            cap.n_outputs = 0;
            report_mismatch(c, "partial flow not sent to userspace "
                            "untouched", p, odp, &entry, xo, xdp_out,
                            xdp_len, &cap);
        }
        return;
    }

    run_ovs(p, odp, &cap);
    if (expect_userspace(p, flow, &entry)) {
        c->userspace++;
        if (xo != XO_USERSPACE || xdp_len != p->len
            || memcmp(xdp_out, p->data, p->len)) {
            report_mismatch(c, "XDP ran a rewrite of a truncated header",
                            p, odp, &entry, xo, xdp_out, xdp_len, &cap);
        }
        return;
    }
    if (xo == XO_USERSPACE || xo == XO_ERROR) {
        report_mismatch(c, "XDP did not run the actions", p, odp, &entry, xo,
                        xdp_out, xdp_len, &cap);
        return;
    }

    c->compared++;
    if (ls->unmasked) {
        c->unmasked++;
    }
    if (cap.n_outputs > 1) {
        report_mismatch(c, "OVS output more than once", p, odp, &entry, xo,
                        xdp_out, xdp_len, &cap);
    } else if ((xo == XO_OUTPUT) != (cap.n_outputs == 1)) {
        report_mismatch(c, "output or not", p, odp, &entry, xo, xdp_out,
                        xdp_len, &cap);
    } else if (xo == XO_OUTPUT
               && (xdp_len != cap.len || memcmp(xdp_out, cap.data,
                                                cap.len))) {
        report_mismatch(c, "bytes differ", p, odp, &entry, xo, xdp_out,
                        xdp_len, &cap);
    } else if (xo == XO_OUTPUT) {
        c->compared_output++;
        if (cap.len != p->len || memcmp(cap.data, p->data, p->len)) {
            c->compared_changed++;
            for (int i = 0; i < N_TAGS; i++) {
                if (p->tags & (1u << i)) {
                    c->per_tag[i]++;
                }
            }
        }
        if (single_field >= 0) {
            c->per_field[single_field]++;
        }
        if (has_action(odp, OVS_ACTION_ATTR_PUSH_VLAN)
            || has_action(odp, OVS_ACTION_ATTR_POP_VLAN)) {
            c->push_pop++;
        }
    } else {
        c->compared_drop++;
    }
}

static void
test_diff(struct xdp_test *t, int n_packets, uint32_t seed)
{
    static const struct xdp_flow_key zero;
    struct counts c;
    struct ofpbuf odp;
    struct tpkt p;
    uint32_t order = 0;

    memset(&c, 0, sizeof c);
    ds_init(&p.desc);
    ofpbuf_init(&odp, 256);
    ovs_buffer = xzalloc(OVS_HEADROOM + MAX_PKT + OVS_TAILROOM);
    odp_execute_init();
    xt_set_mask(t, 0, &zero);
    xt_set_order(t, &order, 1);
    random_set_seed(seed);

    for (int i = 0; i < n_packets; i++) {
        struct list_stats ls;
        struct dp_packet packet;
        struct flow flow;

        gen_packet(&p);
        dp_packet_use_const(&packet, p.data, p.len);
        pkt_metadata_init(&packet.md, u32_to_odp(TEST_ODP_PORT));
        flow_extract(&packet, &flow);
        c.packets++;

        /* Every field on its own: masked, with a random mask. */
        for (size_t j = 0; j < ARRAY_SIZE(fields); j++) {
            if (!key_applies(fields[j].key, &flow)) {
                continue;
            }
            ofpbuf_clear(&odp);
            ls.unmasked = false;
            put_set(&odp, fields[j].key, true, 1u << j, &flow, &ls);
            nl_msg_put_odp_port(&odp, OVS_ACTION_ATTR_OUTPUT,
                                u32_to_odp(OUT_PORT));
            check_list(t, &c, &p, &flow, &odp, j, &ls);
        }
        /* Every header, plain set. */
        for (size_t j = 0; j < ARRAY_SIZE(set_keys); j++) {
            if (!key_applies(set_keys[j], &flow)) {
                continue;
            }
            ofpbuf_clear(&odp);
            ls.unmasked = false;
            put_set(&odp, set_keys[j], false, 0, &flow, &ls);
            nl_msg_put_odp_port(&odp, OVS_ACTION_ATTR_OUTPUT,
                                u32_to_odp(OUT_PORT));
            check_list(t, &c, &p, &flow, &odp, -1, &ls);
        }
        /* Sequences. */
        for (int j = 0; j < 10; j++) {
            ofpbuf_clear(&odp);
            ls.unmasked = false;
            put_random_list(&odp, &flow, &ls);
            check_list(t, &c, &p, &flow, &odp, -1, &ls);
        }
    }

    printf("packets: %d, action lists: %d\n", c.packets, c.lists);
    printf("compared: %d (output %d, of which changed %d; no output %d; "
           "with push/pop_vlan %d; with a value outside its mask %d)\n",
           c.compared, c.compared_output, c.compared_changed,
           c.compared_drop, c.push_pop, c.unmasked);
    printf("single-field rewrites compared:");
    for (size_t j = 0; j < ARRAY_SIZE(fields); j++) {
        if (fields[j].key != OVS_KEY_ATTR_SCTP) {
            printf(" %s %d", fields[j].name, c.per_field[j]);
        }
    }
    printf("\noutputs compared that changed the packet, by kind of packet:\n");
    for (int j = 0; j < N_TAGS; j++) {
        printf("  %s: %d\n", tag_names[j], c.per_tag[j]);
    }
    printf("to userspace by XDP (rewrite of a truncated header): %d\n",
           c.userspace);
    printf("partial (translator refused): %d\n", c.partial);
    for (int j = 0; j < MAX_REASONS && c.reasons[j]; j++) {
        printf("  %d: it %s\n", c.reason_counts[j], c.reasons[j]);
    }
    printf("mismatches: %d\n", c.mismatches);

    ds_destroy(&p.desc);
    ofpbuf_uninit(&odp);
    free(ovs_buffer);
    if (c.mismatches) {
        exit(1);
    }
}

static void
test_xdp_actions_main(int argc, char *argv[])
{
    const char *cmd = argc > 1 ? argv[1] : "";
    struct xdp_test t;
    int error;

    xt_meta_cookie = UINT64_C(0x0123456789abcdef);
    error = xt_open(&t, 4, 64, false);
    if (!strcmp(cmd, "probe")) {
        if (error) {
            int bpf_error = probe_bpf();

            if (bpf_error) {
                /* Autotest skips a test whose command exits with 77. */
                printf("this machine cannot run XDP programs with "
                       "BPF_PROG_RUN: %s\n", ovs_strerror(bpf_error));
                exit(77);
            }
            printf("cannot load the XDP program: %s\n",
                   ovs_strerror(error));
            exit(1);
        }
        printf("ok\n");
    } else if (error) {
        ovs_fatal(error, "cannot load the XDP program");
    } else if (!strcmp(cmd, "diff")) {
        test_diff(&t, argc > 2 ? atoi(argv[2]) : 2000,
                  argc > 3 ? strtoul(argv[3], NULL, 0) : 1);
    } else {
        ovs_fatal(0, "usage: %s probe|diff [PACKETS [SEED]]", argv[0]);
    }
    if (!error) {
        xt_close(&t);
    }
}

OVSTEST_REGISTER("test-xdp-actions", test_xdp_actions_main);
