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

/* The random packets of the differential tests (xdp-test-random-packet.h):
 * headers one after the other, then the checksums a sender would compute,
 * then, now and then, what a sender would not send. */

#include <config.h>

#undef NDEBUG
#include "xdp-test-random-packet.h"

#include <string.h>

#include "crc32c.h"
#include "csum.h"
#include "packets.h"
#include "random.h"
#include "util.h"

const char *const tag_names[N_TAGS] = {
#define TAG(NAME, DESC) DESC,
    TAGS
#undef TAG
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
void
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
