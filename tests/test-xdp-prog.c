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

/* Tests of the XDP program through BPF_PROG_RUN: parser (crafted and random
 * packets compared with OVS's flow_extract()), flow lookup, exact-match
 * cache, actions with checksums; unit tests of lib/xdp-flow.c; and the
 * BPF_PROG_RUN benchmark. */

#include <config.h>

#undef NDEBUG
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "csum.h"
#include "dp-packet.h"
#include "flow.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "ovs-thread.h"
#include "ovs-xdp.skel.h"
#include "ovstest.h"
#include "packets.h"
#include "random.h"
#include "util.h"
#include "xdp-abi.h"
#include "xdp-flow.h"
#include "xdp-flow-table.h"
#include "xdp-map.h"
#include "xdp-meta.h"
#include "xdp-prog.h"
#include "xdp-test-harness.h"

/* Packet construction. */

struct pkt {
    uint8_t data[MAX_PKT];
    size_t len;
    size_t l3;                  /* Offset of L3. */
    size_t l4;                  /* Offset of L4. */
    int ip;                     /* IP version at 'l3', 0 if not IP. */
};

static void *
pkt_put(struct pkt *p, size_t n)
{
    void *start = p->data + p->len;

    ovs_assert(p->len + n <= MAX_PKT);
    p->len += n;
    return start;
}

static void
pkt_put_random(struct pkt *p, size_t n)
{
    random_bytes(pkt_put(p, n), n);
}

static void
pkt_eth(struct pkt *p, int n_vlans, uint16_t type)
{
    static const uint8_t macs[12] = {
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
        0x00, 0x66, 0x77, 0x88, 0x99, 0xaa,
    };

    p->len = 0;
    memcpy(pkt_put(p, 12), macs, 12);
    for (int i = 0; i < n_vlans; i++) {
        uint8_t *q = pkt_put(p, 4);

        put16(q, i ? 0x8100 : 0x88a8);
        put16(q + 2, 100 + i);
    }
    put16(pkt_put(p, 2), type);
    p->l3 = p->len;
    p->ip = 0;
}

static void
pkt_ipv4(struct pkt *p, uint8_t proto)
{
    uint8_t *ip = pkt_put(p, 20);

    memset(ip, 0, 20);
    ip[0] = 0x45;
    ip[1] = 0x2e;
    ip[8] = 64;
    ip[9] = proto;
    memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
    p->l4 = p->len;
    p->ip = 4;
}

static void
pkt_ipv6(struct pkt *p, uint8_t proto)
{
    uint8_t *ip = pkt_put(p, 40);

    memset(ip, 0, 40);
    memcpy(ip, "\x6a\x1b\xcd\xef", 4);
    ip[6] = proto;
    ip[7] = 64;
    ip[8] = 0x20;
    ip[9] = 0x01;
    ip[23] = 1;
    ip[24] = 0x20;
    ip[25] = 0x01;
    ip[39] = 2;
    p->l4 = p->len;
    p->ip = 6;
}

static void
pkt_l4(struct pkt *p, uint8_t proto, size_t payload)
{
    uint8_t *l4;

    switch (proto) {
    case IPPROTO_TCP:
        l4 = pkt_put(p, 20);
        memset(l4, 0, 20);
        put16(l4, 1234);
        put16(l4 + 2, 80);
        l4[12] = 5 << 4;
        l4[13] = 0x12;
        break;
    case IPPROTO_UDP:
        l4 = pkt_put(p, 8);
        memset(l4, 0, 8);
        put16(l4, 5353);
        put16(l4 + 2, 53);
        break;
    case IPPROTO_ICMPV6:
    case IPPROTO_ICMP:
        l4 = pkt_put(p, 8);
        memset(l4, 0, 8);
        l4[0] = proto == IPPROTO_ICMP ? 8 : 128;
        break;
    default:
        break;
    }
    for (size_t i = 0; i < payload; i++) {
        *(uint8_t *) pkt_put(p, 1) = i;
    }
}

/* Sets the IP length fields and computes all checksums of 'p' (whose L4
 * protocol is 'proto').  With 'udp_zero', a UDP checksum is left 0. */
static void
pkt_finish(struct pkt *p, uint8_t proto, bool udp_zero)
{
    uint16_t type = get16(p->data + p->l3 - 2);
    uint8_t *ip = p->data + p->l3;
    uint8_t *l4 = p->data + p->l4;
    size_t l4_len = p->len - p->l4;
    uint32_t partial = 0;
    int csum_off;

    if (type == ETH_TYPE_IP) {
        put16(ip + 2, p->len - p->l3);
        put16(ip + 10, 0);
        memcpy(ip + 10, &(ovs_be16) { csum(ip, (ip[0] & 15) * 4) }, 2);
        partial = csum_continue(0, ip + 12, 8);
    } else if (type == ETH_TYPE_IPV6) {
        put16(ip + 4, p->len - p->l3 - 40);
        partial = csum_continue(0, ip + 8, 32);
    }
    partial = csum_add32(partial, htonl(l4_len));
    partial = csum_add16(partial, htons(proto));

    switch (proto) {
    case IPPROTO_TCP:
        csum_off = 16;
        break;
    case IPPROTO_UDP:
        csum_off = 6;
        put16(l4 + 4, l4_len);
        break;
    case IPPROTO_ICMPV6:
        csum_off = 2;
        break;
    case IPPROTO_ICMP:
        csum_off = 2;
        partial = 0;
        break;
    default:
        return;
    }
    put16(l4 + csum_off, 0);
    if (proto == IPPROTO_UDP && udp_zero) {
        return;
    }
    partial = csum_continue(partial, l4, l4_len);
    ovs_be16 sum = csum_finish(partial);
    if (proto == IPPROTO_UDP && !sum) {
        sum = OVS_BE16_MAX;
    }
    memcpy(l4 + csum_off, &sum, 2);
}

/* Parser tests: the XDP key against flow_extract()'s, under each vlan-limit.
 *
 * With --keep-going, a difference is counted and the first few are printed
 * instead of aborting at the first: to see all that a parser gets wrong. */
static bool keep_going;
static int n_differences;
#define MAX_PRINTED_DIFFERENCES 10

/* Compares the XDP parser with flow_extract() on 'data'.  Returns 1 if they
 * were compared, 0 if XDP gave the packet up (unparsed).  Aborts with both
 * keys printed on a difference (unless 'keep_going'). */
static int
compare_parse(const struct xdp_test *t, const void *data, size_t len,
              const char *what)
{
    struct xdp_flow_key xkey, okey;
    struct dp_packet packet;
    struct flow flow;
    int status;

    status = xt_parse(t, data, len, &xkey);
    if (status != XDP_FLOW_PARSE_OK) {
        if (getenv("OVS_XDP_TEST_VERBOSE")) {
            fprintf(stderr, "%s: unparsed (%"PRIuSIZE" bytes)\n", what, len);
        }
        return 0;
    }

    dp_packet_use_const(&packet, data, len);
    packet.md.in_port.odp_port = u32_to_odp(TEST_ODP_PORT);
    flow_extract(&packet, &flow);
    if (flow.nw_proto == IPPROTO_IGMP) {
        /* The IGMP group is not covered. */
        flow.igmp_group_ip4 = 0;
    }
    xdp_flow_key_from_flow(&okey, &flow);
    if (memcmp(&xkey, &okey, sizeof xkey)) {
        struct ds s = DS_EMPTY_INITIALIZER;

        if (keep_going && ++n_differences > MAX_PRINTED_DIFFERENCES) {
            fprintf(stderr, "differ: %s, %"PRIuSIZE" bytes, vlan-limit %d\n",
                    what, len, flow_vlan_limit);
            return 1;
        }
        ds_put_format(&s, "%s, %"PRIuSIZE" bytes, OVS's flow_vlan_limit %d: "
                      "XDP and flow_extract() differ\nxdp: ", what, len,
                      flow_vlan_limit);
        xdp_flow_key_format(&s, &xkey);
        ds_put_cstr(&s, "\novs: ");
        xdp_flow_key_format(&s, &okey);
        ds_put_cstr(&s, "\npacket:\n");
        ds_put_hex_dump(&s, data, len, 0, false);
        if (!keep_going) {
            ovs_fatal(0, "%s", ds_cstr(&s));
        }
        fprintf(stderr, "%s\n", ds_cstr(&s));
        ds_destroy(&s);
    }
    return 1;
}

/* Ends a comparison run: with --keep-going, fails if anything differed. */
static void
check_differences(void)
{
    if (n_differences) {
        ovs_fatal(0, "%d differences with flow_extract()", n_differences);
    }
}

static void tcp_packet(struct pkt *, uint8_t src_mac, uint16_t dst_port);

/* Crafted packets for the parser. */

static void
pkt_ext6(struct pkt *p, uint8_t next, uint8_t len_field, size_t bytes)
{
    uint8_t *q = pkt_put(p, bytes);

    memset(q, 0, bytes);
    q[0] = next;
    q[1] = len_field;
}

static void
pkt_frag6(struct pkt *p, uint8_t next, uint16_t offlg)
{
    uint8_t *q = pkt_put(p, 8);

    memset(q, 0, 8);
    q[0] = next;
    put16(q + 2, offlg);
}

static void
pkt_nd(struct pkt *p, uint8_t type, const uint8_t *opts, size_t opts_len)
{
    uint8_t *q = pkt_put(p, 24);

    memset(q, 0, 24);
    q[0] = type;
    q[4] = 0x60;
    q[8] = 0xfe;
    q[9] = 0x80;
    q[23] = 9;
    memcpy(pkt_put(p, opts_len), opts, opts_len);
}

struct parse_counts {
    int compared;
    int unparsed;
};

static void
count_parse(struct parse_counts *c, int compared)
{
    if (compared) {
        c->compared++;
    } else {
        c->unparsed++;
    }
}

/* Sets the length field of the IP header of 'p' so that the IP packet ends
 * at 'end'. */
static void
pkt_set_ip_end(struct pkt *p, size_t end)
{
    if (p->ip == 4) {
        put16(p->data + p->l3 + 2, end - p->l3);
    } else {
        put16(p->data + p->l3 + 4, end - p->l3 - IPV6_HEADER_LEN);
    }
}

/* Compares the parsers on every truncation of 'p': the frame cut at every
 * length with its IP length as it was; then, for IP, with the IP length
 * ending where the frame is cut, so that the last header is short inside a
 * well-formed IP packet; and with that IP length but the rest of the frame
 * kept, as Ethernet padding.  (BPF_PROG_RUN refuses frames shorter than an
 * Ethernet header.) */
static void
check_truncations(const struct xdp_test *t, struct pkt *p, const char *name,
                  struct parse_counts *c)
{
    size_t min_end, len_off;
    uint8_t saved[2];
    char what[160];

    for (size_t len = ETH_HEADER_LEN; len <= p->len; len++) {
        count_parse(c, compare_parse(t, p->data, len, name));
    }
    if (!p->ip) {
        return;
    }
    min_end = p->l3 + (p->ip == 4 ? 4 : IPV6_HEADER_LEN);
    len_off = p->l3 + (p->ip == 4 ? 2 : 4);
    memcpy(saved, p->data + len_off, 2);
    for (size_t end = min_end; end <= p->len; end++) {
        pkt_set_ip_end(p, end);
        snprintf(what, sizeof what, "%s, cut with IP length", name);
        count_parse(c, compare_parse(t, p->data, end, what));
        snprintf(what, sizeof what, "%s, IP length short, padded", name);
        count_parse(c, compare_parse(t, p->data, p->len, what));
    }
    memcpy(p->data + len_off, saved, 2);
}

/* Makes 'out' the untagged frame 'in' with 'n_vlans' VLAN headers in front
 * of its Ethertype, the TPID of header i 0x88a8 if bit i of 'tpids' is set,
 * 0x8100 otherwise. */
static void
pkt_add_vlans(const struct pkt *in, int n_vlans, unsigned int tpids,
              struct pkt *out)
{
    size_t shift = n_vlans * VLAN_HEADER_LEN;

    ovs_assert(in->len + shift <= MAX_PKT);
    memcpy(out->data, in->data, 2 * ETH_ADDR_LEN);
    for (int i = 0; i < n_vlans; i++) {
        uint8_t *q = out->data + 2 * ETH_ADDR_LEN + i * VLAN_HEADER_LEN;

        put16(q, tpids & (1u << i) ? ETH_TYPE_VLAN_8021AD
                                   : ETH_TYPE_VLAN_8021Q);
        /* VIDs 10, 21, 12, 23; odd headers with priority 5 and DEI. */
        put16(q + 2, i % 2 ? 0xb000 | (20 + i) : 10 + i);
    }
    memcpy(out->data + 2 * ETH_ADDR_LEN + shift,
           in->data + 2 * ETH_ADDR_LEN, in->len - 2 * ETH_ADDR_LEN);
    out->len = in->len + shift;
    out->l3 = in->l3 + shift;
    out->l4 = in->l4 + shift;
    out->ip = in->ip;
}

struct crafted {
    char name[48];
    struct pkt p;
};

struct crafted_list {
    struct crafted *frames;
    size_t n, allocated;
};

static struct pkt *
crafted_add(struct crafted_list *list, const char *format, ...)
    OVS_PRINTF_FORMAT(2, 3);

static struct pkt *
crafted_add(struct crafted_list *list, const char *format, ...)
{
    struct crafted *c;
    va_list args;

    if (list->n >= list->allocated) {
        list->frames = x2nrealloc(list->frames, &list->allocated,
                                  sizeof *list->frames);
    }
    c = &list->frames[list->n++];
    va_start(args, format);
    vsnprintf(c->name, sizeof c->name, format, args);
    va_end(args);
    return &c->p;
}

/* An L4 header of 'proto' in full, with options where it has them, then
 * 12 bytes of payload. */
static void
crafted_l4(struct pkt *p, uint8_t proto)
{
    p->l4 = p->len;
    if (proto == IPPROTO_TCP) {
        /* Data offset 8: 12 bytes of options (NOPs). */
        pkt_l4(p, proto, 0);
        p->data[p->l4 + 12] = 8 << 4;
        memset(pkt_put(p, 12), 1, 12);
        pkt_l4(p, 0, 12);
    } else {
        pkt_l4(p, proto, 12);
        if (proto == IPPROTO_SCTP || proto == IPPROTO_IGMP || proto > 100) {
            /* Their headers, at random. */
            random_bytes(p->data + p->l4, MIN(12, p->len - p->l4));
        }
    }
    pkt_finish(p, proto, false);
}

/* One untagged frame of each kind of header, in full. */
static void
crafted_frames(struct crafted_list *list)
{
    static const uint8_t sll[8] = { 1, 1, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf };
    static const uint8_t tll[8] = { 2, 1, 0x1, 0x2, 0x3, 0x4, 0x5, 0x6 };
    static const uint8_t two_sll[16] = {
        1, 1, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf,
        1, 1, 0x1, 0x2, 0x3, 0x4, 0x5, 0x6,
    };
    static const uint8_t other_then_tll[24] = {
        14, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        2, 1, 0x1, 0x2, 0x3, 0x4, 0x5, 0x6,
    };
    static const uint8_t zero_len[16] = {
        1, 1, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf,
        2, 0, 0x1, 0x2, 0x3, 0x4, 0x5, 0x6,
    };
    static const uint8_t l4_protos[] = {
        IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP, IPPROTO_ICMP, IPPROTO_IGMP,
        IPPROTO_ICMPV6, 199,
    };
    struct pkt *p;
    uint8_t *q;

    /* Every L4 protocol in IPv4 with options, in IPv6, and in IPv6 after
     * every kind of extension header. */
    for (int i = 0; i < ARRAY_SIZE(l4_protos); i++) {
        uint8_t proto = l4_protos[i];

        p = crafted_add(list, "ipv4 options, proto %d", proto);
        pkt_eth(p, 0, ETH_TYPE_IP);
        pkt_ipv4(p, proto);
        memset(pkt_put(p, 8), 1, 8);          /* Options: NOPs. */
        p->data[p->l3] = 0x47;
        crafted_l4(p, proto);

        p = crafted_add(list, "ipv6, proto %d", proto);
        pkt_eth(p, 0, ETH_TYPE_IPV6);
        pkt_ipv6(p, proto);
        crafted_l4(p, proto);

        p = crafted_add(list, "ipv6 extension headers, proto %d", proto);
        pkt_eth(p, 0, ETH_TYPE_IPV6);
        pkt_ipv6(p, IPPROTO_HOPOPTS);
        pkt_ext6(p, IPPROTO_ROUTING, 0, 8);
        pkt_ext6(p, IPPROTO_AH, 1, 16);
        pkt_ext6(p, IPPROTO_DSTOPTS, 2, 16);  /* AH: (2 + 2) * 4. */
        pkt_ext6(p, IPPROTO_FRAGMENT, 0, 8);
        pkt_frag6(p, proto, 0x0001);          /* First fragment. */
        crafted_l4(p, proto);
    }

    /* Fragments. */
    p = crafted_add(list, "ipv4 first fragment");
    pkt_eth(p, 0, ETH_TYPE_IP);
    pkt_ipv4(p, IPPROTO_UDP);
    put16(p->data + p->l3 + 6, 0x2000);
    crafted_l4(p, IPPROTO_UDP);
    p = crafted_add(list, "ipv4 later fragment");
    pkt_eth(p, 0, ETH_TYPE_IP);
    pkt_ipv4(p, IPPROTO_UDP);
    put16(p->data + p->l3 + 6, 0x2010);
    crafted_l4(p, IPPROTO_UDP);
    p = crafted_add(list, "ipv6 later fragment");
    pkt_eth(p, 0, ETH_TYPE_IPV6);
    pkt_ipv6(p, IPPROTO_FRAGMENT);
    pkt_frag6(p, IPPROTO_TCP, 0x0100);
    crafted_l4(p, IPPROTO_TCP);

    /* ND: NS with SLL, NA with TLL, SLL twice (invalid), SLL and TLL,
     * another option before TLL, a zero-length option, a code that is not
     * ND's. */
    static const struct {
        const char *name;
        uint8_t type;
        const uint8_t *opts;
        size_t len;
    } nds[] = {
        { "nd ns sll", 135, sll, sizeof sll },
        { "nd na tll", 136, tll, sizeof tll },
        { "nd ns sll sll", 135, two_sll, sizeof two_sll },
        { "nd na other tll", 136, other_then_tll, sizeof other_then_tll },
        { "nd ns zero-length option", 135, zero_len, sizeof zero_len },
    };
    for (int i = 0; i < ARRAY_SIZE(nds); i++) {
        p = crafted_add(list, "%s", nds[i].name);
        pkt_eth(p, 0, ETH_TYPE_IPV6);
        pkt_ipv6(p, IPPROTO_ICMPV6);
        pkt_nd(p, nds[i].type, nds[i].opts, nds[i].len);
        pkt_finish(p, IPPROTO_ICMPV6, false);
    }
    p = crafted_add(list, "nd ns sll tll");
    pkt_eth(p, 0, ETH_TYPE_IPV6);
    pkt_ipv6(p, IPPROTO_ICMPV6);
    pkt_nd(p, 135, sll, sizeof sll);
    memcpy(pkt_put(p, sizeof tll), tll, sizeof tll);
    pkt_finish(p, IPPROTO_ICMPV6, false);
    p = crafted_add(list, "nd code 1");
    pkt_eth(p, 0, ETH_TYPE_IPV6);
    pkt_ipv6(p, IPPROTO_ICMPV6);
    pkt_nd(p, 135, sll, sizeof sll);
    p->data[p->l4 + 1] = 1;
    pkt_finish(p, IPPROTO_ICMPV6, false);

    /* ARP, RARP, ARP with a 16-bit opcode, bad hardware type. */
    for (int i = 0; i < 4; i++) {
        p = crafted_add(list, "arp %d", i);
        pkt_eth(p, 0, i == 1 ? ETH_TYPE_RARP : ETH_TYPE_ARP);
        q = pkt_put(p, ARP_ETH_HEADER_LEN);
        random_bytes(q, ARP_ETH_HEADER_LEN);
        memcpy(q, "\x00\x01\x08\x00\x06\x04", 6);
        put16(q + 6, i == 2 ? 0x0102 : 1);
        if (i == 3) {
            q[1] = 6;
        }
    }

    /* 802.2 with and without SNAP, MPLS, something else. */
    p = crafted_add(list, "snap");
    pkt_eth(p, 0, 100);
    memcpy(pkt_put(p, 8), "\xaa\xaa\x03\x00\x00\x00\x08\x00", 8);
    p->l3 = p->len;
    pkt_ipv4(p, IPPROTO_UDP);
    crafted_l4(p, IPPROTO_UDP);
    p = crafted_add(list, "snap short type");
    pkt_eth(p, 0, 100);
    memcpy(pkt_put(p, 8), "\xaa\xaa\x03\x00\x00\x00\x05\x00", 8);
    p = crafted_add(list, "snap other oui");
    pkt_eth(p, 0, 100);
    memcpy(pkt_put(p, 8), "\xaa\xaa\x03\x00\x00\x01\x08\x00", 8);
    p = crafted_add(list, "llc");
    pkt_eth(p, 0, 100);
    memcpy(pkt_put(p, 8), "\x42\x42\x03\x00\x00\x00\x08\x00", 8);
    p = crafted_add(list, "mpls");
    pkt_eth(p, 0, ETH_TYPE_MPLS);
    pkt_put_random(p, 12);
    p = crafted_add(list, "other");
    pkt_eth(p, 0, 0x1234);
    pkt_put_random(p, 12);
}

/* Compares the parsers on the malformed packets that truncation does not
 * make. */
static void
check_malformed(const struct xdp_test *t, struct parse_counts *c)
{
    struct pkt p;

    /* Bad IPv4 header lengths and total lengths. */
    for (int ihl = 0; ihl < 16; ihl++) {
        for (int tot = 0; tot < 4; tot++) {
            static const uint16_t tot_lens[] = { 0, 19, 40, 1000 };

            pkt_eth(&p, 0, ETH_TYPE_IP);
            pkt_ipv4(&p, IPPROTO_TCP);
            pkt_put_random(&p, 40);
            p.data[p.l3] = 0x40 | ihl;
            put16(p.data + p.l3 + 2, tot_lens[tot]);
            count_parse(c, compare_parse(t, p.data, p.len, "bad ihl"));
        }
    }

    /* TCP data offsets 0 to 15 in 40 bytes. */
    for (int doff = 0; doff < 16; doff++) {
        pkt_eth(&p, 0, ETH_TYPE_IP);
        pkt_ipv4(&p, IPPROTO_TCP);
        pkt_l4(&p, IPPROTO_TCP, 20);
        p.data[p.l4 + 12] = doff << 4;
        pkt_finish(&p, IPPROTO_TCP, false);
        count_parse(c, compare_parse(t, p.data, p.len, "tcp data offset"));
    }

    /* Bad IPv6: payload length too long; extension header longer than the
     * payload; AH too long. */
    pkt_eth(&p, 0, ETH_TYPE_IPV6);
    pkt_ipv6(&p, IPPROTO_UDP);
    pkt_l4(&p, IPPROTO_UDP, 8);
    pkt_finish(&p, IPPROTO_UDP, false);
    put16(p.data + p.l3 + 4, 100);
    count_parse(c, compare_parse(t, p.data, p.len, "ipv6 plen"));
    pkt_eth(&p, 0, ETH_TYPE_IPV6);
    pkt_ipv6(&p, IPPROTO_DSTOPTS);
    pkt_ext6(&p, IPPROTO_UDP, 5, 16);
    pkt_l4(&p, IPPROTO_UDP, 8);
    pkt_finish(&p, IPPROTO_UDP, false);
    count_parse(c, compare_parse(t, p.data, p.len, "ipv6 ext overflow"));
    pkt_eth(&p, 0, ETH_TYPE_IPV6);
    pkt_ipv6(&p, IPPROTO_AH);
    pkt_ext6(&p, IPPROTO_UDP, 9, 16);
    pkt_finish(&p, IPPROTO_UDP, false);
    count_parse(c, compare_parse(t, p.data, p.len, "ipv6 ah overflow"));
}

/* Prints the parsing status of 'p', and with 'verbose' the VLAN part of the
 * key. */
static void
print_parse(const struct xdp_test *t, const char *what, const struct pkt *p,
            bool verbose)
{
    struct xdp_flow_key key;
    int status = xt_parse(t, p->data, p->len, &key);

    printf("%s: %s", what,
           status == XDP_FLOW_PARSE_OK ? "parsed" : "unparsed");
    if (verbose && status == XDP_FLOW_PARSE_OK) {
        for (int i = 0; i < XDP_FLOW_MAX_VLANS; i++) {
            printf(", vlan%d=%#"PRIx16"/%#"PRIx16, i,
                   ntohs(key.vlans[i].tpid), ntohs(key.vlans[i].tci));
        }
        printf(", dl_type=%#06"PRIx16", nw_proto=%"PRIu8", tp_dst=%"PRIu16,
               ntohs(key.dl_type), key.nw_proto, ntohs(key.tp_dst));
    }
    printf("\n");
}

static void
test_parse(struct xdp_test *t)
{
    static const uint8_t sll[8] = { 1, 1, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf };
    struct crafted_list list = { NULL, 0, 0 };
    struct pkt p, qinq;

    crafted_frames(&list);

    /* Every crafted frame with 0 to 4 VLAN headers of either TPID, cut at
     * every length, under vlan-limit 0 (FLOW_MAX_VLAN_HEADERS), 1 and 2. */
    for (int setting = 0; setting <= 2; setting++) {
        struct parse_counts c = { 0, 0 };

        xt_set_vlan_limit(t, setting);
        for (size_t i = 0; i < list.n; i++) {
            for (int n_vlans = 0; n_vlans <= 4; n_vlans++) {
                for (unsigned int tpids = 0; tpids < 1u << n_vlans;
                     tpids++) {
                    char name[96];

                    pkt_add_vlans(&list.frames[i].p, n_vlans, tpids, &p);
                    snprintf(name, sizeof name, "%s, %d VLAN headers "
                             "(802.1ad: %#x)", list.frames[i].name, n_vlans,
                             tpids);
                    check_truncations(t, &p, name, &c);
                }
            }
        }
        check_malformed(t, &c);
        printf("vlan-limit=%d: %"PRIuSIZE" frames, %d compared with "
               "flow_extract(), %d unparsed\n", setting, list.n, c.compared,
               c.unparsed);
    }

    /* What the VLAN limit does to a QinQ frame, and without a limit set
     * (before userspace sets it): every VLAN frame goes to userspace. */
    pkt_eth(&p, 0, ETH_TYPE_IP);
    pkt_ipv4(&p, IPPROTO_UDP);
    pkt_l4(&p, IPPROTO_UDP, 0);
    pkt_finish(&p, IPPROTO_UDP, false);
    for (int setting = 0; setting <= 2; setting++) {
        char what[64];

        xt_set_vlan_limit(t, setting);
        for (unsigned int tpids = 0; tpids < 2; tpids++) {
            pkt_add_vlans(&p, 2, tpids, &qinq);
            snprintf(what, sizeof what, "vlan-limit=%d, outer TPID %#x",
                     setting, tpids ? ETH_TYPE_VLAN_8021AD
                                    : ETH_TYPE_VLAN_8021Q);
            print_parse(t, what, &qinq, true);
        }
    }
    ovs_assert(!xdp_flow_table_set_vlan_limit(t->table, 0));
    print_parse(t, "limit not set, untagged", &p, false);
    pkt_add_vlans(&p, 1, 0, &qinq);
    print_parse(t, "limit not set, 1 VLAN header", &qinq, false);
    xt_set_vlan_limit(t, 1);

    /* What is beyond the parser's bounds. */
    pkt_eth(&p, 0, ETH_TYPE_IPV6);
    pkt_ipv6(&p, IPPROTO_DSTOPTS);
    for (int i = 0; i < 7; i++) {
        pkt_ext6(&p, i < 6 ? IPPROTO_DSTOPTS : IPPROTO_UDP, 0, 8);
    }
    pkt_l4(&p, IPPROTO_UDP, 8);
    pkt_finish(&p, IPPROTO_UDP, false);
    print_parse(t, "7 IPv6 extension headers", &p, false);
    p.len -= 16;
    memmove(p.data + p.len - 8, p.data + p.len + 8, 8);
    p.data[p.l3 + IPV6_HEADER_LEN + 5 * 8] = IPPROTO_UDP;
    pkt_finish(&p, IPPROTO_UDP, false);
    print_parse(t, "6 IPv6 extension headers", &p, false);
    ovs_assert(compare_parse(t, p.data, p.len, "6 ext"));
    pkt_eth(&p, 0, ETH_TYPE_IPV6);
    pkt_ipv6(&p, IPPROTO_ICMPV6);
    pkt_nd(&p, 135, sll, sizeof sll);
    for (int i = 0; i < 4; i++) {
        pkt_put_random(&p, 8);
        p.data[p.len - 7] = 1;
    }
    pkt_finish(&p, IPPROTO_ICMPV6, false);
    print_parse(t, "5 ND options", &p, false);
    p.len -= 8;
    pkt_finish(&p, IPPROTO_ICMPV6, false);
    print_parse(t, "4 ND options", &p, false);
    ovs_assert(compare_parse(t, p.data, p.len, "4 nd options"));

    /* Too short for BPF_PROG_RUN. */
    for (size_t len = 0; len < ETH_HEADER_LEN; len++) {
        int verdict = xt_run(t, t->parse_fd, p.data, len, NULL, NULL, 1,
                             NULL);
        if (verdict != -EINVAL) {
            printf("length %"PRIuSIZE": %d\n", len, verdict);
        }
    }
    printf("lengths 0 to 13: rejected by BPF_PROG_RUN\n");

    /* One key in full, to see that the comparison is not vacuous. */
    struct xdp_flow_key key;
    struct ds s = DS_EMPTY_INITIALIZER;
    pkt_eth(&p, 1, ETH_TYPE_IPV6);
    pkt_ipv6(&p, IPPROTO_ICMPV6);
    pkt_nd(&p, 135, sll, 8);
    pkt_finish(&p, IPPROTO_ICMPV6, false);
    ovs_assert(xt_parse(t, p.data, p.len, &key) == XDP_FLOW_PARSE_OK);
    xdp_flow_key_format(&s, &key);
    printf("%s\n", ds_cstr(&s));
    ds_clear(&s);
    tcp_packet(&p, 1, 80);
    ovs_assert(xt_parse(t, p.data, p.len, &key) == XDP_FLOW_PARSE_OK);
    xdp_flow_key_format(&s, &key);
    printf("%s\n", ds_cstr(&s));
    ds_destroy(&s);
    free(list.frames);
    check_differences();
}

/* Random packets. */

static uint32_t
rnd(uint32_t n)
{
    return random_uint32() % n;
}

static void
random_l4(struct pkt *p, uint8_t proto)
{
    uint8_t *q;

    p->l4 = p->len;
    switch (proto) {
    case IPPROTO_TCP:
        q = pkt_put(p, 20);
        random_bytes(q, 20);
        if (rnd(8)) {
            q[12] = (5 + rnd(3)) << 4 | (q[12] & 15);
            pkt_put_random(p, ((q[12] >> 4) - 5) * 4);
        }
        break;
    case IPPROTO_ICMPV6:
        q = pkt_put(p, 8);
        random_bytes(q, 8);
        if (rnd(3)) {
            q[0] = rnd(2) ? 135 : 136;
            q[1] = rnd(10) ? 0 : 1;
            pkt_put_random(p, 16);
            for (int n = rnd(6); n > 0; n--) {
                q = pkt_put(p, 8);
                random_bytes(q, 8);
                q[0] = rnd(4) ? 1 + rnd(2) : rnd(256);
                q[1] = rnd(5) ? 1 : rnd(3);
                if (q[1] > 1) {
                    pkt_put_random(p, (q[1] - 1) * 8);
                }
            }
        }
        break;
    default:
        /* Sometimes shorter than the header, within the IP length. */
        pkt_put_random(p, rnd(4) ? 8 + rnd(8) : rnd(8));
        break;
    }
    pkt_put_random(p, rnd(16));
}

static uint8_t
random_proto(void)
{
    static const uint8_t protos[] = {
        IPPROTO_TCP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDP, IPPROTO_SCTP,
        IPPROTO_ICMP, IPPROTO_IGMP, IPPROTO_ICMPV6, IPPROTO_ICMPV6, 47,
    };

    return protos[rnd(ARRAY_SIZE(protos))];
}

static void
random_packet(struct pkt *p)
{
    static const uint16_t types[] = {
        ETH_TYPE_IP, ETH_TYPE_IP, ETH_TYPE_IP, ETH_TYPE_IPV6,
        ETH_TYPE_IPV6, ETH_TYPE_IPV6, ETH_TYPE_ARP, ETH_TYPE_RARP, 0x0100,
        ETH_TYPE_MPLS, 0x9000,
    };
    int n_vlans = rnd(4) ? rnd(3) : 3 + rnd(2);
    uint16_t type = types[rnd(ARRAY_SIZE(types))];
    uint8_t *q;

    pkt_eth(p, n_vlans, type);
    random_bytes(p->data, 12);
    for (int i = 0; i < n_vlans; i++) {
        put16(p->data + 12 + 4 * i, rnd(2) ? 0x8100 : 0x88a8);
        p->data[14 + 4 * i] = rnd(256);
    }

    if (type == ETH_TYPE_IP) {
        int ihl = rnd(5) ? 5 + rnd(3) : rnd(16);
        uint8_t proto = random_proto();

        q = pkt_put(p, 20);
        random_bytes(q, 20);
        q[0] = (rnd(10) ? 0x40 : rnd(16) << 4) | ihl;
        q[9] = proto;
        put16(q + 6, rnd(2) ? 0 : rnd(3) ? 0x2000 * rnd(2) + rnd(2) * 8
              : rnd(65536));
        if (ihl > 5) {
            pkt_put_random(p, (ihl - 5) * 4);
        }
        random_l4(p, proto);
        if (rnd(6)) {
            put16(p->data + p->l3 + 2, p->len - p->l3);
        }
    } else if (type == ETH_TYPE_IPV6) {
        uint8_t proto = random_proto();
        uint8_t *next;
        int n_ext;

        q = pkt_put(p, 40);
        random_bytes(q, 40);
        q[0] = 0x60 | (q[0] & 15);
        next = &q[6];
        n_ext = rnd(3) ? 0 : rnd(8);
        for (int i = 0; i < n_ext; i++) {
            static const uint8_t exts[] = { 0, 43, 60, 51, 44 };
            uint8_t ext = exts[rnd(ARRAY_SIZE(exts))];
            uint8_t len = rnd(4) ? 0 : rnd(3);

            *next = ext;
            q = pkt_put(p, 8);
            random_bytes(q, 8);
            next = &q[0];
            if (ext == 44) {
                put16(q + 2, rnd(2) ? 0 : rnd(2) ? 1 : rnd(65536));
            } else {
                q[1] = len;
                size_t total = ext == 51 ? (len + 2) * 4 : (len + 1) * 8;
                if (total > 8) {
                    pkt_put_random(p, total - 8);
                }
            }
        }
        *next = proto;
        random_l4(p, proto);
        if (rnd(6)) {
            put16(p->data + p->l3 + 4, p->len - p->l3 - 40);
        }
    } else if (type == ETH_TYPE_ARP || type == ETH_TYPE_RARP) {
        q = pkt_put(p, 28);
        random_bytes(q, 28);
        if (rnd(5)) {
            memcpy(q, "\x00\x01\x08\x00\x06\x04\x00", 7);
        }
    } else if (type == 0x0100) {
        q = pkt_put(p, 8);
        memcpy(q, "\xaa\xaa\x03\x00\x00\x00\x08\x00", 8);
        if (!rnd(4)) {
            q[rnd(8)] = rnd(256);
        }
        pkt_put_random(p, 30);
    } else {
        pkt_put_random(p, rnd(40));
    }

    if (!rnd(4)) {
        p->len = ETH_HEADER_LEN + rnd(p->len - ETH_HEADER_LEN + 1);
    } else if (!rnd(8)) {
        pkt_put_random(p, rnd(20));
    }
}

/* 'n' random packets from 'seed', under vlan-limit 0, 1 and 2. */
static void
test_random(struct xdp_test *t, int n, uint32_t seed)
{
    for (int setting = 0; setting <= 2; setting++) {
        struct parse_counts c = { 0, 0 };
        struct pkt p;

        xt_set_vlan_limit(t, setting);
        random_set_seed(seed);
        for (int i = 0; i < n; i++) {
            char name[64];

            random_packet(&p);
            snprintf(name, sizeof name, "random packet %d (seed %"PRIu32")",
                     i, seed);
            count_parse(&c, compare_parse(t, p.data, p.len, name));
        }
        printf("random, vlan-limit=%d: %d packets, %d compared with "
               "flow_extract(), %d unparsed\n", setting, n, c.compared,
               c.unparsed);
        if (c.compared < n / 2) {
            ovs_fatal(0, "too few packets compared");
        }
    }
    check_differences();
}

/* Lookup, ranking, cache. */

static void
tcp_packet(struct pkt *p, uint8_t src_mac, uint16_t dst_port)
{
    pkt_eth(p, 0, ETH_TYPE_IP);
    p->data[11] = src_mac;
    pkt_ipv4(p, IPPROTO_TCP);
    pkt_l4(p, IPPROTO_TCP, 10);
    put16(p->data + p->l4 + 2, dst_port);
    pkt_finish(p, IPPROTO_TCP, false);
}

static void
print_run(const struct xdp_test *t, const char *what, const struct pkt *p)
{
    int verdict = xt_run(t, t->main_fd, p->data, p->len, NULL, NULL, 1,
                         NULL);

    printf("%s: %s\n", what, verdict_name(verdict));
}

#define PRINT_COUNTER(T, NAME) \
    printf("  %s=%"PRIu64"\n", #NAME, xt_counter(T, XDP_ABI_CNT_##NAME))

/* Megaflows under masks that cover 1 to every word of the key (but
 * recirc_id and pad, zero in every key), so that each width of packed
 * lookup key is used: a flow whose last covered word differs from the
 * packet's must miss, one that differs in the next word (not covered) must
 * hit. */
static void
test_widths(struct xdp_test *t)
{
    static const int n_words[] = { 1, 3, 4, 7, 8, 15, 16, 28 };
    static const char *const width_names[] = {
        "tiny", "narrow", "medium", "wide"
    };
    struct xdp_flow_entry entry;
    struct xdp_flow_key key;
    int words[XDP_FLOW_KEY_U32S];
    uint32_t order = 0;
    int n_all = 0;
    struct pkt p;

    for (int i = 0; i < XDP_FLOW_KEY_U32S; i++) {
        if (i != XDP_FLOW_RECIRC_WORD && i != XDP_FLOW_PAD_WORD) {
            words[n_all++] = i;
        }
    }
    tcp_packet(&p, 1, 80);
    ovs_assert(xt_parse(t, p.data, p.len, &key) == XDP_FLOW_PARSE_OK);
    entry_output(&entry, t->ifindex);
    xt_set_order(t, &order, 1);
    for (size_t i = 0; i < ARRAY_SIZE(n_words); i++) {
        struct xdp_flow_key mask, other;
        struct xdp_flow_mask compiled;
        int n = n_words[i];

        memset(&mask, 0, sizeof mask);
        for (int j = 0; j < n; j++) {
            memset((uint8_t *) &mask + 4 * words[j], 0xff, 4);
        }
        xt_set_mask(t, 0, &mask);
        xdp_flow_mask_compile(&mask, &compiled);
        printf("%d words, %s:", n, width_names[compiled.width]);

        xt_put_flow(t, 0, &mask, &key, 1, &entry);
        printf(" same key %s",
               verdict_name(xt_run(t, t->main_fd, p.data, p.len, NULL, NULL,
                                   1, NULL)));
        xt_del_flow(t, 0, &mask, &key, 1);

        other = key;
        ((uint8_t *) &other)[4 * words[n - 1] + 3] ^= 1;
        xt_put_flow(t, 0, &mask, &other, 1, &entry);
        printf(", last word differs %s",
               verdict_name(xt_run(t, t->main_fd, p.data, p.len, NULL, NULL,
                                   1, NULL)));
        xt_del_flow(t, 0, &mask, &other, 1);

        if (n < n_all) {
            other = key;
            ((uint8_t *) &other)[4 * words[n] + 3] ^= 1;
            xt_put_flow(t, 0, &mask, &other, 1, &entry);
            printf(", next word differs %s",
                   verdict_name(xt_run(t, t->main_fd, p.data, p.len, NULL,
                                       NULL, 1, NULL)));
            xt_del_flow(t, 0, &mask, &other, 1);
        }
        printf("\n");
    }
}

static void
test_lookup(struct xdp_test *t)
{
    struct xdp_flow_key mask0, mask1, key_a, key_b, key_c, key_d;
    struct xdp_flow_entry out_entry, drop_entry, entry;
    struct xdp_flow_stats stats;
    struct pkt a, b, c, d, vlan;
    uint32_t order[2];

    tcp_packet(&a, 1, 80);
    tcp_packet(&b, 1, 81);
    tcp_packet(&c, 2, 80);
    tcp_packet(&d, 3, 80);
    ovs_assert(xt_parse(t, a.data, a.len, &key_a) == XDP_FLOW_PARSE_OK);
    ovs_assert(xt_parse(t, b.data, b.len, &key_b) == XDP_FLOW_PARSE_OK);
    ovs_assert(xt_parse(t, c.data, c.len, &key_c) == XDP_FLOW_PARSE_OK);
    ovs_assert(xt_parse(t, d.data, d.len, &key_d) == XDP_FLOW_PARSE_OK);

    print_run(t, "empty table, a", &a);
    PRINT_COUNTER(t, UPCALL_MISS);

    /* Mask 0: in_port, dl_type, nw_proto, tp_dst. */
    memset(&mask0, 0, sizeof mask0);
    mask0.in_port = UINT32_MAX;
    mask0.dl_type = OVS_BE16_MAX;
    mask0.nw_proto = UINT8_MAX;
    mask0.tp_dst = OVS_BE16_MAX;
    xt_set_mask(t, 0, &mask0);
    order[0] = 0;
    xt_set_order(t, order, 1);
    entry_output(&out_entry, t->ifindex);
    out_entry.mark = 1;
    xt_put_flow(t, 0, &mask0, &key_a, 1, &out_entry);

    print_run(t, "flow 1 (tp_dst=80), a", &a);
    PRINT_COUNTER(t, MEGAFLOW_HIT);
    print_run(t, "flow 1, a again", &a);
    PRINT_COUNTER(t, EMC_HIT);
    xt_flow_stats(t, 1, &stats);
    printf("  flow 1: packets=%"PRIu64" bytes=%"PRIu64" tcp_flags=0x%"PRIx16
           "\n", (uint64_t) stats.packets, (uint64_t) stats.bytes,
           stats.tcp_flags);
    print_run(t, "b (tp_dst=81)", &b);
    PRINT_COUNTER(t, UPCALL_MISS);

    /* Mask 1: in_port, dl_type, nw_dst.  Flow 2 drops.  Packets c and d
     * match flow 1 and flow 2; the first ranked mask wins. */
    memset(&mask1, 0, sizeof mask1);
    mask1.in_port = UINT32_MAX;
    mask1.dl_type = OVS_BE16_MAX;
    mask1.nw_dst = OVS_BE32_MAX;
    xt_set_mask(t, 1, &mask1);
    memset(&drop_entry, 0, sizeof drop_entry);
    drop_entry.mark = 2;
    xt_put_flow(t, 1, &mask1, &key_a, 2, &drop_entry);
    order[0] = 0;
    order[1] = 1;
    xt_set_order(t, order, 2);
    print_run(t, "order 0,1: b", &b);
    print_run(t, "order 0,1: c", &c);
    order[0] = 1;
    order[1] = 0;
    xt_set_order(t, order, 2);
    print_run(t, "order 1,0: d", &d);
    for (uint32_t i = 0; i < 2; i++) {
        uint64_t hits[t->n_cpus], sum = 0;

        ovs_assert(!bpf_map__lookup_elem(t->skel->maps.mask_hits, &i,
                                         sizeof i, hits, sizeof hits, 0));
        for (int cpu = 0; cpu < t->n_cpus; cpu++) {
            sum += hits[cpu];
        }
        printf("  mask %"PRIu32" hits=%"PRIu64"\n", i, sum);
    }

    /* The cache never serves a deleted or replaced flow: a is cached with
     * flow 1; after flow 1 is deleted it must hit flow 2 (mask 1). */
    order[0] = 0;
    order[1] = 1;
    xt_set_order(t, order, 2);
    print_run(t, "a cached", &a);
    xt_del_flow(t, 0, &mask0, &key_a, 1);
    print_run(t, "flow 1 deleted, a", &a);
    /* Flow 2 modified to output: the new actions apply at once. */
    entry_output(&entry, t->ifindex);
    xt_put_flow(t, 1, &mask1, &key_a, 2, &entry);
    print_run(t, "flow 2 modified, a", &a);
    print_run(t, "flow 2 modified, a again", &a);
    /* Id 2 reused for another match (b on mask 0): a, cached with id 2,
     * must not be served b's flow. */
    xt_del_flow(t, 1, &mask1, &key_a, 2);
    xt_put_flow(t, 0, &mask0, &key_b, 2, &entry);
    print_run(t, "id 2 reused for b, a", &a);
    print_run(t, "id 2 reused for b, b", &b);
    PRINT_COUNTER(t, EMC_HIT);
    PRINT_COUNTER(t, EMC_MISS);

    /* Partial flows, missing output ports, unparsed packets. */
    memset(&entry, 0, sizeof entry);
    entry.n_actions = 1;
    entry.mark = 0x1234;
    entry.actions[0].type = XDP_FLOW_ACT_UPCALL_PARTIAL;
    xt_put_flow(t, 0, &mask0, &key_b, 2, &entry);
    print_run(t, "partial flow, b", &b);
    PRINT_COUNTER(t, UPCALL_PARTIAL);
    entry_output(&entry, 999999);
    xt_put_flow(t, 0, &mask0, &key_b, 2, &entry);
    print_run(t, "output to a port not in tx_ports, b", &b);
    PRINT_COUNTER(t, NO_TX_PORT);
    PRINT_COUNTER(t, UPCALL_PARTIAL);

    /* Until userspace gives the program OVS's VLAN limit, frames with a
     * VLAN header go to userspace. */
    ovs_assert(!xdp_flow_table_set_vlan_limit(t->table, 0));
    pkt_eth(&vlan, 1, ETH_TYPE_IP);
    pkt_ipv4(&vlan, IPPROTO_UDP);
    pkt_l4(&vlan, IPPROTO_UDP, 0);
    pkt_finish(&vlan, IPPROTO_UDP, false);
    print_run(t, "VLAN header, no VLAN limit set", &vlan);
    PRINT_COUNTER(t, UPCALL_UNPARSED);
    xt_set_vlan_limit(t, 1);
    print_run(t, "VLAN header, vlan-limit=1", &vlan);
    PRINT_COUNTER(t, UPCALL_MISS);
    PRINT_COUNTER(t, HANDLED);
    PRINT_COUNTER(t, DROPPED);
    PRINT_COUNTER(t, RX);
}

/* Metadata in front of packets for userspace. */

#define META_HEADROOM 256       /* As the kernel leaves in a UMEM frame. */

struct meta_frame {
    uint8_t bytes[META_HEADROOM + MAX_PKT];
};

/* Puts 'block' in front of a packet of 'len' bytes in 'f', as the kernel
 * or a driver could leave it. */
static void
meta_frame_init(struct meta_frame *f, const struct xdp_abi_meta *block)
{
    memset(f, 0xa5, sizeof *f);
    memcpy(f->bytes + META_HEADROOM - sizeof *block, block, sizeof *block);
}

/* Reads the block in front of the packet in 'f' with 'headroom' and
 * 'cookie', as netdev-xdp does, and says what became of it. */
static void
print_take(const char *what, struct meta_frame *f, size_t headroom,
           uint32_t len, uint64_t cookie)
{
    static const struct xdp_abi_meta zero;
    uint8_t *data = f->bytes + META_HEADROOM;
    uint8_t before[sizeof zero];
    struct xdp_abi_meta meta;
    enum xdp_meta_status status;

    memcpy(before, data - sizeof before, sizeof before);
    status = xdp_meta_take(data, headroom, len, cookie, &meta);
    printf("%s: %s", what, xdp_meta_status_to_string(status));
    if (status == XDP_META_OK) {
        printf(", reason %"PRIu16", mark %#"PRIx32, meta.reason,
               meta.flow_mark);
    }
    printf(", block %s\n",
           !memcmp(data - sizeof zero, &zero, sizeof zero) ? "zeroed"
           : !memcmp(data - sizeof before, before, sizeof before)
           ? "untouched" : "changed");
}

/* The program writes the cookie it was loaded with in front of every packet
 * for userspace; the reader takes the flow mark only from such a block. */
static void
test_meta(void)
{
    uint64_t cookie, other;
    struct xdp_flow_entry partial;
    struct xdp_flow_key mask, key_b;
    struct xdp_abi_meta block;
    uint8_t out[MAX_PKT + 64];
    struct meta_frame f;
    struct xdp_test t;
    uint32_t out_len;
    struct pkt a, b;
    uint32_t order = 0;
    int verdict, error;

    ovs_assert(!xdp_meta_cookie_create(&cookie));
    ovs_assert(!xdp_meta_cookie_create(&other));
    printf("cookies: %s\n",
           cookie && other && cookie != other ? "nonzero, different" : "bad");

    xt_meta_cookie = cookie;
    error = xt_open(&t, 0, 0, false);
    xt_meta_cookie = 0;
    if (error) {
        ovs_fatal(error, "cannot load the XDP program");
    }

    /* A miss and a partial flow, through the program.  BPF_PROG_RUN gives
     * back the metadata with the packet: the frame userspace would get. */
    tcp_packet(&a, 1, 80);
    tcp_packet(&b, 1, 81);
    ovs_assert(xt_parse(&t, b.data, b.len, &key_b) == XDP_FLOW_PARSE_OK);
    memset(&mask, 0, sizeof mask);
    mask.in_port = UINT32_MAX;
    mask.tp_dst = OVS_BE16_MAX;
    xt_set_mask(&t, 0, &mask);
    xt_set_order(&t, &order, 1);
    memset(&partial, 0, sizeof partial);
    partial.n_actions = 1;
    partial.mark = 0x1234;
    partial.actions[0].type = XDP_FLOW_ACT_UPCALL_PARTIAL;
    xt_put_flow(&t, 0, &mask, &key_b, 1, &partial);

    verdict = xt_run(&t, t.main_fd, a.data, a.len, out, &out_len, 1, NULL);
    printf("miss: %s, %"PRIu32" bytes in front of the packet\n",
           verdict_name(verdict), out_len - (uint32_t) a.len);
    ovs_assert(out_len == a.len + sizeof block);
    memcpy(&block, out, sizeof block);
    meta_frame_init(&f, &block);
    print_take("  read with the program's cookie", &f, META_HEADROOM, a.len,
               cookie);
    print_take("  read again", &f, META_HEADROOM, a.len, cookie);

    verdict = xt_run(&t, t.main_fd, b.data, b.len, out, &out_len, 1, NULL);
    printf("partial: %s, %"PRIu32" bytes in front of the packet\n",
           verdict_name(verdict), out_len - (uint32_t) b.len);
    ovs_assert(out_len == b.len + sizeof block);
    memcpy(&block, out, sizeof block);
    meta_frame_init(&f, &block);
    print_take("  read with the program's cookie", &f, META_HEADROOM, b.len,
               cookie);
    meta_frame_init(&f, &block);
    print_take("  read with another cookie", &f, META_HEADROOM, b.len, other);
    meta_frame_init(&f, &block);
    print_take("  read with no cookie", &f, META_HEADROOM, b.len, 0);
    meta_frame_init(&f, &block);
    print_take("  read for a packet of another length", &f, META_HEADROOM,
               b.len + 1, cookie);
    meta_frame_init(&f, &block);
    print_take("  read with just enough headroom", &f, sizeof block, b.len,
               cookie);
    meta_frame_init(&f, &block);
    print_take("  read with too little headroom", &f, sizeof block - 1,
               b.len, cookie);
    xt_close(&t);

    /* Blocks the program did not write: forged by a packet, or left by an
     * earlier use of the frame. */
    memset(&block, 0, sizeof block);
    block.cookie[0] = (uint32_t) other;
    block.cookie[1] = (uint32_t) (other >> 32);
    block.flow_mark = 7;
    block.reason = XDP_ABI_UPCALL_PARTIAL;
    block.len = b.len;
    meta_frame_init(&f, &block);
    print_take("forged, other cookie", &f, META_HEADROOM, b.len, cookie);
    block.cookie[0] = (uint32_t) cookie;
    meta_frame_init(&f, &block);
    print_take("forged, half the cookie", &f, META_HEADROOM, b.len, cookie);
    block.cookie[0] = block.cookie[1] = 0;
    meta_frame_init(&f, &block);
    print_take("forged, no cookie", &f, META_HEADROOM, b.len, cookie);
    memset(&block, 0, sizeof block);
    meta_frame_init(&f, &block);
    print_take("zeros", &f, META_HEADROOM, b.len, cookie);
}

/* Actions. */

/* Applies a masked set of 'n' bytes at 'off' to 'p', as the expectation. */
static void
expect_set(struct pkt *p, size_t off, const uint8_t *value,
           const uint8_t *mask, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p->data[off + i] = (p->data[off + i] & ~mask[i])
                           | (value[i] & mask[i]);
    }
}

enum pkt_kind { K_TCP4, K_UDP4, K_UDP4_ZERO, K_TCP6, K_UDP6, K_ICMP6,
                K_SCTP4, K_TCP4_VLAN };

static const char *kind_names[] = {
    "ipv4/tcp", "ipv4/udp", "ipv4/udp zero csum", "ipv6/tcp", "ipv6/udp",
    "ipv6/icmpv6", "ipv4/sctp", "vlan/ipv4/tcp",
};

static uint8_t
kind_proto(enum pkt_kind kind)
{
    switch (kind) {
    case K_TCP4: case K_TCP6: case K_TCP4_VLAN: return IPPROTO_TCP;
    case K_UDP4: case K_UDP4_ZERO: case K_UDP6: return IPPROTO_UDP;
    case K_ICMP6: return IPPROTO_ICMPV6;
    case K_SCTP4: return IPPROTO_SCTP;
    }
    OVS_NOT_REACHED();
}

static void
kind_packet(struct pkt *p, enum pkt_kind kind)
{
    bool v6 = kind == K_TCP6 || kind == K_UDP6 || kind == K_ICMP6;
    uint8_t proto = kind_proto(kind);

    pkt_eth(p, kind == K_TCP4_VLAN, v6 ? ETH_TYPE_IPV6 : ETH_TYPE_IP);
    if (v6) {
        pkt_ipv6(p, proto);
    } else {
        pkt_ipv4(p, proto);
    }
    pkt_l4(p, proto, 13);
    if (proto == IPPROTO_SCTP) {
        pkt_put_random(p, 12);
    }
    pkt_finish(p, proto, kind == K_UDP4_ZERO);
}

struct field_case {
    enum xdp_flow_field field;
    const char *name;
    int base;                   /* 0: L2, 3: L3, 4: L4. */
    int off;
    int len;
};

static const struct field_case fields[] = {
    { XDP_FLOW_FIELD_ETH_SRC, "eth_src", 0, 6, 6 },
    { XDP_FLOW_FIELD_ETH_DST, "eth_dst", 0, 0, 6 },
    { XDP_FLOW_FIELD_IPV4_SRC, "ipv4_src", 3, 12, 4 },
    { XDP_FLOW_FIELD_IPV4_DST, "ipv4_dst", 3, 16, 4 },
    { XDP_FLOW_FIELD_IPV4_TOS, "ipv4_tos", 3, 1, 1 },
    { XDP_FLOW_FIELD_IPV4_TTL, "ipv4_ttl", 3, 8, 1 },
    { XDP_FLOW_FIELD_IPV6_SRC, "ipv6_src", 3, 8, 16 },
    { XDP_FLOW_FIELD_IPV6_DST, "ipv6_dst", 3, 24, 16 },
    { XDP_FLOW_FIELD_IPV6_TCLASS, "ipv6_tclass", 3, -1, 1 },
    { XDP_FLOW_FIELD_IPV6_HLIMIT, "ipv6_hlimit", 3, 7, 1 },
    { XDP_FLOW_FIELD_IPV6_LABEL, "ipv6_label", 3, -2, 4 },
    { XDP_FLOW_FIELD_TP_SRC, "tp_src", 4, 0, 2 },
    { XDP_FLOW_FIELD_TP_DST, "tp_dst", 4, 2, 2 },
};

static bool
field_applies(const struct field_case *f, enum pkt_kind kind)
{
    bool v6 = kind == K_TCP6 || kind == K_UDP6 || kind == K_ICMP6;

    switch (f->field) {
    case XDP_FLOW_FIELD_IPV4_SRC: case XDP_FLOW_FIELD_IPV4_DST:
    case XDP_FLOW_FIELD_IPV4_TOS: case XDP_FLOW_FIELD_IPV4_TTL:
        return !v6;
    case XDP_FLOW_FIELD_IPV6_SRC: case XDP_FLOW_FIELD_IPV6_DST:
    case XDP_FLOW_FIELD_IPV6_TCLASS: case XDP_FLOW_FIELD_IPV6_HLIMIT:
    case XDP_FLOW_FIELD_IPV6_LABEL:
        return v6;
    case XDP_FLOW_FIELD_TP_SRC: case XDP_FLOW_FIELD_TP_DST:
        return kind != K_ICMP6;
    case XDP_FLOW_FIELD_ETH_SRC: case XDP_FLOW_FIELD_ETH_DST:
    default:
        return true;
    }
}

/* Applies 'f' with 'value'/'mask' to the expected packet 'p'. */
static void
expect_field(struct pkt *p, const struct field_case *f, enum pkt_kind kind,
             const uint8_t *value, const uint8_t *mask)
{
    size_t base = f->base == 0 ? 0 : f->base == 3 ? p->l3 : p->l4;

    if (kind == K_SCTP4 && f->base == 4) {
        return;                 /* Not supported: unchanged. */
    }
    if (f->off == -1 || f->off == -2) {
        uint32_t word = (uint32_t) get16(p->data + base) << 16
                        | get16(p->data + base + 2);
        uint32_t v, m;

        if (f->off == -1) {
            v = (uint32_t) value[0] << 20;
            m = (uint32_t) mask[0] << 20;
        } else {
            v = (uint32_t) value[0] << 24 | value[1] << 16 | value[2] << 8
                | value[3];
            m = ((uint32_t) mask[0] << 24 | mask[1] << 16 | mask[2] << 8
                 | mask[3]) & 0xfffff;
        }
        word = (word & ~m) | (v & m);
        put16(p->data + base, word >> 16);
        put16(p->data + base + 2, word);
        return;
    }
    expect_set(p, base + f->off, value, mask, f->len);
}

/* Runs 'entry' (a single flow matching everything) on 'in'; compares the
 * output with 'expected'.  Returns true if they are equal. */
static bool
run_actions(struct xdp_test *t, struct xdp_flow_entry *entry,
            const struct pkt *in, const struct pkt *expected,
            int expected_verdict, const char *name)
{
    static const struct xdp_flow_key zero_mask;
    uint8_t out[MAX_PKT + 8];
    uint32_t out_len = 0;
    int verdict;

    xt_put_flow(t, 0, &zero_mask, &zero_mask, 1, entry);
    verdict = xt_run(t, t->main_fd, in->data, in->len, out, &out_len, 1,
                     NULL);
    if (verdict != expected_verdict) {
        printf("%s: verdict %s, expected %s\n", name, verdict_name(verdict),
               verdict_name(expected_verdict));
        return false;
    }
    if (expected && (out_len != expected->len
                     || memcmp(out, expected->data, out_len))) {
        struct ds s = DS_EMPTY_INITIALIZER;

        ds_put_format(&s, "%s: output differs\ngot:\n", name);
        ds_put_hex_dump(&s, out, out_len, 0, false);
        ds_put_cstr(&s, "expected:\n");
        ds_put_hex_dump(&s, expected->data, expected->len, 0, false);
        printf("%s", ds_cstr(&s));
        ds_destroy(&s);
        return false;
    }
    return true;
}

static void
test_actions(struct xdp_test *t)
{
    static const struct xdp_flow_key zero_mask;
    struct xdp_flow_entry entry;
    int n_ok = 0, n_failed = 0;
    uint32_t order = 0;
    struct pkt in, exp;

    xt_set_mask(t, 0, &zero_mask);
    xt_set_order(t, &order, 1);
    random_set_seed(42);

    /* Every field, plain and masked, on every kind of packet. */
    for (int k = K_TCP4; k <= K_TCP4_VLAN; k++) {
        for (int i = 0; i < ARRAY_SIZE(fields); i++) {
            const struct field_case *f = &fields[i];

            if (!field_applies(f, k)) {
                continue;
            }
            for (int masked = 0; masked < 2; masked++) {
                struct xdp_flow_action *act;
                char name[128];

                kind_packet(&in, k);
                exp = in;
                entry_output(&entry, t->ifindex);
                entry.n_actions = 2;
                entry.actions[1] = entry.actions[0];
                act = &entry.actions[0];
                memset(act, 0, sizeof *act);
                act->type = XDP_FLOW_ACT_SET_FIELD;
                act->field = f->field;
                random_bytes(act->value, f->len);
                if (masked) {
                    random_bytes(act->mask, f->len);
                } else {
                    memset(act->mask, 0xff, f->len);
                }
                expect_field(&exp, f, k, act->value, act->mask);
                pkt_finish(&exp, kind_proto(k), k == K_UDP4_ZERO);
                if (k == K_UDP4_ZERO) {
                    /* The program leaves a zero UDP checksum alone. */
                    put16(exp.data + exp.l4 + 6, 0);
                }
                snprintf(name, sizeof name, "%s %s%s", kind_names[k],
                         masked ? "masked " : "", f->name);
                if (run_actions(t, &entry, &in, &exp, XDP_TX, name)) {
                    n_ok++;
                } else {
                    n_failed++;
                }
            }
        }
    }
    printf("set field: %d ok, %d failed\n", n_ok, n_failed);

    /* Push VLAN, then set the IPv4 source: the offsets follow. */
    kind_packet(&in, K_TCP4);
    exp = in;
    memmove(exp.data + 16, exp.data + 12, exp.len - 12);
    put16(exp.data + 12, 0x8100);
    put16(exp.data + 14, 0x2064);
    exp.len += 4;
    exp.l3 += 4;
    exp.l4 += 4;
    memcpy(exp.data + exp.l3 + 12, "\xc0\xa8\x01\x01", 4);
    pkt_finish(&exp, IPPROTO_TCP, false);
    memset(&entry, 0, sizeof entry);
    entry.n_actions = 3;
    entry.actions[0].type = XDP_FLOW_ACT_PUSH_VLAN;
    entry.actions[0].arg = 0x8100 << 16 | 0x2064;
    entry.actions[1].type = XDP_FLOW_ACT_SET_FIELD;
    entry.actions[1].field = XDP_FLOW_FIELD_IPV4_SRC;
    memcpy(entry.actions[1].value, "\xc0\xa8\x01\x01", 4);
    memset(entry.actions[1].mask, 0xff, 4);
    entry.actions[2].type = XDP_FLOW_ACT_OUTPUT;
    entry.actions[2].arg = t->ifindex;
    printf("push_vlan, set ipv4_src: %s\n",
           run_actions(t, &entry, &in, &exp, XDP_TX, "push_vlan")
           ? "ok" : "FAILED");

    /* Pop VLAN, then set the TCP destination port. */
    kind_packet(&in, K_TCP4_VLAN);
    exp = in;
    memmove(exp.data + 12, exp.data + 16, exp.len - 16);
    exp.len -= 4;
    exp.l3 -= 4;
    exp.l4 -= 4;
    put16(exp.data + exp.l4 + 2, 8080);
    pkt_finish(&exp, IPPROTO_TCP, false);
    memset(&entry, 0, sizeof entry);
    entry.n_actions = 3;
    entry.actions[0].type = XDP_FLOW_ACT_POP_VLAN;
    entry.actions[1].type = XDP_FLOW_ACT_SET_FIELD;
    entry.actions[1].field = XDP_FLOW_FIELD_TP_DST;
    put16(entry.actions[1].value, 8080);
    memset(entry.actions[1].mask, 0xff, 2);
    entry.actions[2].type = XDP_FLOW_ACT_OUTPUT;
    entry.actions[2].arg = t->ifindex;
    printf("pop_vlan, set tp_dst: %s\n",
           run_actions(t, &entry, &in, &exp, XDP_TX, "pop_vlan")
           ? "ok" : "FAILED");

    /* Pop VLAN on an untagged packet does nothing. */
    kind_packet(&in, K_UDP6);
    entry.actions[1].type = XDP_FLOW_ACT_OUTPUT;
    entry.actions[1].arg = t->ifindex;
    entry.n_actions = 2;
    printf("pop_vlan untagged: %s\n",
           run_actions(t, &entry, &in, &in, XDP_TX, "pop_vlan untagged")
           ? "ok" : "FAILED");

    /* Drop: no actions. */
    memset(&entry, 0, sizeof entry);
    printf("drop: %s\n",
           run_actions(t, &entry, &in, NULL, XDP_DROP, "drop")
           ? "ok" : "FAILED");

    /* Output to another port in tx_ports: a redirect. */
    int other = 0;
    struct if_nameindex *names = if_nameindex();
    for (struct if_nameindex *n = names; n && n->if_index; n++) {
        if (n->if_index != t->ifindex) {
            other = n->if_index;
            break;
        }
    }
    if_freenameindex(names);
    struct bpf_devmap_val val = { .ifindex = other, .bpf_prog.fd = -1 };
    if (other && !bpf_map__update_elem(t->skel->maps.tx_ports, &other,
                                       sizeof other, &val, sizeof val, 0)) {
        entry_output(&entry, other);
        printf("output to another port: %s\n",
               run_actions(t, &entry, &in, &in, XDP_REDIRECT, "redirect")
               ? "ok" : "FAILED");
    } else {
        printf("output to another port: skipped (no second device that "
               "tx_ports accepts)\n");
    }
}

/* lib/xdp-flow.c. */

static void
random_field(void *value, void *mask, size_t n)
{
    uint8_t *v = value, *m = mask;

    random_bytes(v, n);
    random_bytes(m, n);
    for (size_t i = 0; i < n; i++) {
        v[i] &= m[i];
    }
}

#define CONVERT_FIELD(NAME)                                             \
    { #NAME, offsetof(struct flow, NAME), sizeof ((struct flow *) 0)->NAME }

static void
test_convert(void)
{
    static const struct {
        const char *name;
        size_t offset;
        size_t size;
    } covered[] = {
        CONVERT_FIELD(in_port),
        CONVERT_FIELD(dl_dst),
        CONVERT_FIELD(dl_src),
        CONVERT_FIELD(dl_type),
        CONVERT_FIELD(vlans),
        CONVERT_FIELD(nw_src),
        CONVERT_FIELD(nw_dst),
        CONVERT_FIELD(ipv6_src),
        CONVERT_FIELD(ipv6_dst),
        CONVERT_FIELD(ipv6_label),
        CONVERT_FIELD(nw_frag),
        CONVERT_FIELD(nw_tos),
        CONVERT_FIELD(nw_ttl),
        CONVERT_FIELD(nw_proto),
        CONVERT_FIELD(nd_target),
        CONVERT_FIELD(arp_sha),
        CONVERT_FIELD(arp_tha),
        CONVERT_FIELD(tcp_flags),
        CONVERT_FIELD(tp_src),
        CONVERT_FIELD(tp_dst),
    };
    struct xdp_flow_key key, mask;
    struct match match, back;
    const char *reason;

    random_set_seed(7);
    for (int i = 0; i < ARRAY_SIZE(covered); i++) {
        bool ok = true;

        for (int round = 0; round < 100; round++) {
            match_init_catchall(&match);
            match.flow.packet_type = htonl(PT_ETH);
            match.wc.masks.packet_type = OVS_BE32_MAX;
            random_field((char *) &match.flow + covered[i].offset,
                         (char *) &match.wc.masks + covered[i].offset,
                         covered[i].size);
            reason = xdp_flow_from_match(&match, &key, &mask);
            xdp_flow_to_match(&key, &mask, &back);
            if (reason || !match_equal(&match, &back)) {
                ok = false;
            }
        }
        printf("%s: %s\n", covered[i].name, ok ? "round trip ok" : "FAILED");
    }

    /* ND reserved (igmp_group_ip4) with ICMPv6; recirc_id 0. */
    match_init_catchall(&match);
    match.flow.packet_type = htonl(PT_ETH);
    match.wc.masks.packet_type = OVS_BE32_MAX;
    match_set_nw_proto(&match, IPPROTO_ICMPV6);
    match.flow.igmp_group_ip4 = htonl(0x60000000);
    match.wc.masks.igmp_group_ip4 = OVS_BE32_MAX;
    match_set_recirc_id(&match, 0);
    reason = xdp_flow_from_match(&match, &key, &mask);
    xdp_flow_to_match(&key, &mask, &back);
    printf("nd_reserved, recirc_id=0: %s\n",
           !reason && match_equal(&match, &back) ? "round trip ok"
           : "FAILED");

    /* Everything XDP does not cover. */
#define UNSUPPORTED(NAME, CODE)                                 \
    do {                                                        \
        match_init_catchall(&match);                            \
        CODE;                                                   \
        reason = xdp_flow_from_match(&match, &key, &mask);      \
        printf("%s: %s\n", NAME, reason ? reason : "accepted"); \
    } while (0)

    UNSUPPORTED("tun_id", match_set_tun_id(&match, htonll(5)));
    UNSUPPORTED("tun_dst", match_set_tun_dst(&match, htonl(1)));
    UNSUPPORTED("metadata", match_set_metadata(&match, htonll(1)));
    UNSUPPORTED("reg3", match_set_reg(&match, 3, 1));
    UNSUPPORTED("skb_priority", match_set_skb_priority(&match, 1));
    UNSUPPORTED("pkt_mark", match_set_pkt_mark(&match, 1));
    UNSUPPORTED("dp_hash", match_set_dp_hash(&match, 1));
    UNSUPPORTED("recirc_id", match_set_recirc_id(&match, 3));
    UNSUPPORTED("ct_state", match_set_ct_state(&match, 1));
    UNSUPPORTED("ct_zone", match_set_ct_zone(&match, 1));
    UNSUPPORTED("ct_mark", match_set_ct_mark(&match, 1));
    UNSUPPORTED("ct_label", match_set_ct_label(&match,
                                               (ovs_u128) { .u64.lo = 1 }));
    UNSUPPORTED("ct_nw_src", match_set_ct_nw_src(&match, htonl(1)));
    UNSUPPORTED("ct_tp_dst", match_set_ct_tp_dst(&match, htons(1)));
    UNSUPPORTED("packet_type", match_set_packet_type(&match,
                                                     htonl(PT_IPV4)));
    UNSUPPORTED("mpls_label", match_set_mpls_label(&match, 0, htonl(5)));
    UNSUPPORTED("nsh_np", (match.flow.nsh.np = 1,
                           match.wc.masks.nsh.np = UINT8_MAX));
    UNSUPPORTED("conj_id", match_set_conj_id(&match, 5));
    UNSUPPORTED("igmp_group_ip4",
                (match_set_nw_proto(&match, IPPROTO_IGMP),
                 match.wc.masks.igmp_group_ip4 = OVS_BE32_MAX));
    UNSUPPORTED("packet_type=eth", match_set_packet_type(&match,
                                                         htonl(PT_ETH)));
    /* Metadata is all zeros for packets that XDP sees. */
    UNSUPPORTED("ct_state=-trk", match_set_ct_state_masked(&match, 0,
                                                           CS_TRACKED));
    UNSUPPORTED("pkt_mark=0", match_set_pkt_mark(&match, 0));
    UNSUPPORTED("reg0=0", match_set_reg(&match, 0, 0));
    UNSUPPORTED("tun_id=0", match_set_tun_id(&match, 0));
#undef UNSUPPORTED
}

/* Benchmark. */

static void
bench_mask(struct xdp_flow_key *mask, int i)
{
    memset(mask, 0, sizeof *mask);
    mask->in_port = UINT32_MAX;
    mask->dl_type = OVS_BE16_MAX;
    mask->nw_proto = UINT8_MAX;
    mask->tp_src = OVS_BE16_MAX;
    mask->tp_dst = OVS_BE16_MAX;
    /* Distinct masks: nw_src prefixes /1 to /32, then also nw_dst. */
    mask->nw_src = htonl(UINT32_MAX << (31 - i % 32));
    if (i >= 32) {
        mask->nw_dst = htonl(UINT32_MAX << (31 - (i - 32) % 32));
    }
}

static int
bench_one(int n_masks, int n_flows, bool emc, int repeat, double *ns)
{
    struct xdp_flow_key key, masks[64];
    struct xdp_flow_entry entry;
    uint32_t order[64], duration;
    struct xdp_test t;
    struct pkt p;
    int error, target, verdict;

    error = xt_open(&t, 64, MAX(n_flows, 1024) * 2, emc);
    if (error) {
        return error;
    }
    tcp_packet(&p, 1, 0);
    ovs_assert(xt_parse(&t, p.data, p.len, &key) == XDP_FLOW_PARSE_OK);
    for (int i = 0; i < n_masks; i++) {
        bench_mask(&masks[i], i);
        xt_set_mask(&t, i, &masks[i]);
        order[i] = i;
    }
    xt_set_order(&t, order, n_masks);

    /* Flow j goes to mask j % n_masks; the packet matches a flow of the
     * last mask, so that the search probes every mask. */
    target = n_flows - 1 - (n_flows - 1) % n_masks + n_masks - 1;
    if (target >= n_flows) {
        target = n_masks - 1;
        n_flows = MAX(n_flows, n_masks);
    }
    entry_output(&entry, t.ifindex);
    for (int j = 0; j < n_flows; j++) {
        key.tp_src = htons(j >> 16);
        key.tp_dst = htons(j);
        xt_put_flow(&t, j % n_masks, &masks[j % n_masks], &key, j, &entry);
    }
    put16(p.data + p.l4, target >> 16);
    put16(p.data + p.l4 + 2, target);
    verdict = xt_run(&t, t.main_fd, p.data, p.len, NULL, NULL, repeat,
                     &duration);
    if (verdict != XDP_TX) {
        xt_close(&t);
        return EINVAL;
    }
    *ns = duration;
    if (n_masks == 1 && n_flows == 1 && emc) {
        verdict = xt_run(&t, t.bench_fd, p.data, p.len, NULL, NULL, repeat,
                         &duration);
        printf("baseline (xdp_bench_redirect): %u ns/packet\n", duration);
    }
    xt_close(&t);
    return 0;
}

/* With 'only_masks' and 'only_flows' nonzero, only that case. */
static void
test_bench(int repeat, int only_masks, int only_flows)
{
    static const int mask_counts[] = { 1, 8, 32, 64 };
    static const int flow_counts[] = { 1, 1000, 100000 };

    printf("BPF_PROG_RUN, repeat=%d, ns/packet of ovs_xdp_main "
           "(packet matches a flow of the last mask)\n", repeat);
    printf("%6s %8s %10s %10s\n", "masks", "flows", "emc hit", "no emc");
    for (int f = 0; f < ARRAY_SIZE(flow_counts); f++) {
        for (int m = 0; m < ARRAY_SIZE(mask_counts); m++) {
            int n_masks = only_masks ? only_masks : mask_counts[m];
            int n_flows = only_flows ? only_flows : flow_counts[f];
            double with_emc = 0, without = 0;
            int error;

            if (only_masks && (f || m)) {
                return;
            }
            error = bench_one(n_masks, n_flows, true, repeat, &with_emc);
            if (!error) {
                error = bench_one(n_masks, n_flows, false, repeat, &without);
            }
            if (error) {
                ovs_fatal(error, "benchmark %d masks %d flows", n_masks,
                          n_flows);
            }
            printf("%6d %8d %10.0f %10.0f\n", n_masks, n_flows, with_emc,
                   without);
        }
    }
}

/* Sizes set before load. */
static void
test_sizes(void)
{
    struct xdp_flow_entry entry;
    struct xdp_flow_key mask, key;
    struct xdp_flow_lookup lookup;
    struct xdp_flow_megaflow mf;
    struct xdp_test t;
    uint32_t order[2] = { 0, 1 };
    struct bpf_map *flows;
    struct pkt p;
    size_t size;
    int error;

    error = xt_open(&t, 2, 4, true);
    if (error) {
        ovs_fatal(error, "load with 2 masks and 4 flows");
    }
    printf("masks=%"PRIu32" mask_order=%"PRIu32" flows_tiny=%"PRIu32" "
           "flows_narrow=%"PRIu32" "
           "flows_medium=%"PRIu32" flows_wide=%"PRIu32" "
           "flow_table=%"PRIu32" flow_stats=%"PRIu32" n_masks=%"PRIu32"\n",
           bpf_map__max_entries(t.skel->maps.masks),
           bpf_map__max_entries(t.skel->maps.mask_order),
           bpf_map__max_entries(t.skel->maps.flows_tiny),
           bpf_map__max_entries(t.skel->maps.flows_narrow),
           bpf_map__max_entries(t.skel->maps.flows_medium),
           bpf_map__max_entries(t.skel->maps.flows_wide),
           bpf_map__max_entries(t.skel->maps.flow_table),
           bpf_map__max_entries(t.skel->maps.flow_stats),
           t.skel->rodata->n_masks);

    memset(&mask, 0, sizeof mask);
    mask.tp_dst = OVS_BE16_MAX;
    xt_set_mask(&t, 1, &mask);
    xt_set_order(&t, order, 2);
    tcp_packet(&p, 1, 0);
    ovs_assert(xt_parse(&t, p.data, p.len, &key) == XDP_FLOW_PARSE_OK);
    entry_output(&entry, t.ifindex);
    for (int i = 0; i < 4; i++) {
        key.tp_dst = htons(i);
        xt_put_flow(&t, 1, &mask, &key, i, &entry);
    }
    key.tp_dst = htons(4);
    flows = xt_flows_map(&t, 1, &mask, &key, &lookup, &size);
    memset(&mf, 0, sizeof mf);
    mf.ref.generation = 1;
    error = bpf_map__update_elem(flows, &lookup, size, &mf, sizeof mf, 0);
    printf("fifth flow: %s\n", ovs_strerror(-error));
    put16(p.data + p.l4 + 2, 3);
    print_run(&t, "packet of flow 3 (mask of rank 2)", &p);
    xt_close(&t);
}


/* lib/xdp-flow-table.c on the loaded program: 3 flows, 2 masks. */

static void
table_put(struct xdp_flow_table *table, uint32_t ufid_n,
          const struct xdp_flow_key *key, const struct xdp_flow_key *mask,
          const struct xdp_flow_entry *entry)
{
    ovs_u128 ufid = { .u32 = { ufid_n } };
    const char *reason;
    int error;

    error = xdp_flow_table_put(table, &ufid, key, mask, entry, &reason);
    printf("put %"PRIu32": %s%s%s\n", ufid_n,
           error ? ovs_strerror(error) : "ok", reason ? ": " : "",
           reason ? reason : "");
}

static void
table_print_usage(struct xdp_flow_table *table)
{
    struct xdp_flow_table_usage u;

    xdp_flow_table_get_usage(table, &u);
    printf("  %"PRIu32"/%"PRIu32" flows, %"PRIu32"/%"PRIu32" masks\n",
           u.n_flows, u.max_flows, u.n_masks, u.max_masks);
}

static void
table_print_stats(struct xdp_flow_table *table, uint32_t ufid_n)
{
    ovs_u128 ufid = { .u32 = { ufid_n } };
    struct xdp_flow_table_stats st;
    int error = xdp_flow_table_get(table, &ufid, NULL, NULL, NULL, &st);

    if (error) {
        printf("get %"PRIu32": %s\n", ufid_n, ovs_strerror(error));
    } else {
        printf("get %"PRIu32": %"PRIu64" packets, %"PRIu64" bytes, "
               "used %s, tcp_flags %#"PRIx16"\n", ufid_n, st.n_packets,
               st.n_bytes, st.used && st.used <= time_msec() ? "ok" : "no",
               st.tcp_flags);
    }
}

static uint32_t
table_first_mask(const struct xdp_test *t)
{
    uint32_t rank = 0, value = 0;

    bpf_map__lookup_elem(t->skel->maps.mask_order, &rank, sizeof rank,
                         &value, sizeof value, 0);
    return value;
}

static void
test_table(void)
{
    struct xdp_flow_key port_mask, dst_mask, src_mask;
    struct xdp_flow_key key80, key81, key82, key_src;
    struct xdp_flow_entry out, drop;
    struct xdp_flow_table *table;
    struct pkt p80, p81, p82, psrc;
    ovs_u128 ufid = { .u32 = { 2 } };
    ovs_u128 *ufids;
    struct xdp_test t;
    struct flow flow;
    int error;

    error = xt_open(&t, 2, 3, false);
    if (error) {
        ovs_fatal(error, "cannot load the XDP program");
    }
    table = t.table;

    tcp_packet(&p80, 1, 80);
    tcp_packet(&p81, 1, 81);
    tcp_packet(&p82, 1, 82);
    tcp_packet(&psrc, 9, 443);

    /* Keys as the parser gives them, for the packets above. */
    xt_parse(&t, p80.data, p80.len, &key80);
    xt_parse(&t, p81.data, p81.len, &key81);
    xt_parse(&t, p82.data, p82.len, &key82);
    xt_parse(&t, psrc.data, psrc.len, &key_src);

    memset(&dst_mask, 0, sizeof dst_mask);
    dst_mask.in_port = UINT32_MAX;
    dst_mask.dl_type = OVS_BE16_MAX;
    dst_mask.nw_proto = UINT8_MAX;
    dst_mask.tp_dst = OVS_BE16_MAX;
    memset(&src_mask, 0, sizeof src_mask);
    src_mask.in_port = UINT32_MAX;
    memset(src_mask.dl_src, 0xff, sizeof src_mask.dl_src);
    memset(&port_mask, 0, sizeof port_mask);
    port_mask.in_port = UINT32_MAX;

    entry_output(&out, t.ifindex);
    memset(&drop, 0, sizeof drop);

    print_run(&t, "empty table, dst 80", &p80);
    table_put(table, 1, &key80, &dst_mask, &out);
    table_put(table, 2, &key81, &dst_mask, &out);
    table_print_usage(table);
    print_run(&t, "dst 80", &p80);
    print_run(&t, "dst 80", &p80);
    print_run(&t, "dst 81", &p81);
    print_run(&t, "dst 82", &p82);
    table_print_stats(table, 1);
    table_print_stats(table, 2);

    /* A third mask does not fit; a fourth flow does not either. */
    table_put(table, 3, &key_src, &src_mask, &out);
    table_put(table, 4, &key82, &port_mask, &out);
    table_put(table, 4, &key82, &dst_mask, &out);
    table_print_usage(table);

    /* New actions for flow 1, same match: its statistics stay. */
    table_put(table, 1, &key80, &dst_mask, &drop);
    print_run(&t, "dst 80 after modify", &p80);
    table_print_stats(table, 1);

    /* Ranking: the src mask is hit more, it goes first. */
    for (int i = 0; i < 5; i++) {
        print_run(&t, "src 9", &psrc);
    }
    xdp_flow_table_rerank(table);
    printf("rank 0 after re-ranking: mask %"PRIu32" (src mask: %s)\n",
           table_first_mask(&t),
           table_first_mask(&t) == 2 ? "yes" : "no");
    print_run(&t, "dst 81 after re-ranking", &p81);
    print_run(&t, "src 9 after re-ranking", &psrc);

    /* Deletion. */
    printf("del 2: %s\n", ovs_strerror(xdp_flow_table_del(table, &ufid,
                                                           NULL)));
    printf("del 2 again: %s\n",
           ovs_strerror(xdp_flow_table_del(table, &ufid, NULL)));
    print_run(&t, "dst 81 after delete", &p81);
    table_print_usage(table);
    /* The same match under another UFID. */
    table_put(table, 5, &key80, &dst_mask, &out);
    /* A recirculated flow never matches in XDP: refused. */
    {
        struct xdp_flow_key recirc_key = key82, recirc_mask = dst_mask;

        recirc_key.recirc_id = 1;
        recirc_mask.recirc_id = UINT32_MAX;
        table_put(table, 6, &recirc_key, &recirc_mask, &out);
    }
    table_put(table, 4, &key82, &dst_mask, &out);
    print_run(&t, "dst 82", &p82);

    /* A modified flow is made partial at once, a deleted one withdrawn at
     * once; the read after the withdrawal gives the final statistics, and
     * is the last. */
    {
        ovs_u128 ufid4 = { .u32 = { 4 } };

        printf("demote 4: %s\n",
               ovs_strerror(xdp_flow_table_demote(table, &ufid4)));
        print_run(&t, "dst 82 after demote", &p82);
        PRINT_COUNTER(&t, UPCALL_PARTIAL);
        printf("withdraw 4: %s\n",
               ovs_strerror(xdp_flow_table_withdraw(table, &ufid4)));
        printf("withdraw 4 again: %s\n",
               ovs_strerror(xdp_flow_table_withdraw(table, &ufid4)));
        print_run(&t, "dst 82 after withdraw", &p82);
        printf("flows of port %d: %"PRIu32"\n", TEST_ODP_PORT,
               xdp_flow_table_count(table, TEST_ODP_PORT));
        table_print_stats(table, 4);
        table_print_stats(table, 4);
        table_put(table, 4, &key82, &dst_mask, &out);
        print_run(&t, "dst 82 put again", &p82);
    }

    printf("flows of port %d: %"PRIuSIZE"\n", TEST_ODP_PORT,
           xdp_flow_table_ufids(table, TEST_ODP_PORT, &ufids));
    free(ufids);
    printf("flows of port %d: %"PRIu32"\n", TEST_ODP_PORT + 1,
           xdp_flow_table_count(table, TEST_ODP_PORT + 1));
    printf("flushed: %"PRIuSIZE"\n",
           xdp_flow_table_flush(table, TEST_ODP_PORT));
    table_print_usage(table);
    print_run(&t, "dst 80 after flush", &p80);
    print_run(&t, "src 9 after flush", &psrc);
    PRINT_COUNTER(&t, UPCALL_MISS);
    PRINT_COUNTER(&t, HANDLED);
    PRINT_COUNTER(&t, DROPPED);

    /* The keys went through struct flow as userspace would give them. */
    xdp_flow_key_to_flow(&key80, &flow);
    printf("key of dst 80: tp_dst=%"PRIu16"\n", ntohs(flow.tp_dst));

    xt_close(&t);
}

/* Map writes that fail: the flow is not put, and nothing of it is left in
 * the maps (xdp/check of the table finds nothing to repair). */

/* A read-only file descriptor of 'map': every write through it fails. */
static int
read_only_fd(const struct bpf_map *map)
{
    LIBBPF_OPTS(bpf_get_fd_by_id_opts, opts, .open_flags = BPF_F_RDONLY);
    struct bpf_map_info info;
    uint32_t len = sizeof info;
    int fd;

    memset(&info, 0, sizeof info);
    ovs_assert(!bpf_obj_get_info_by_fd(bpf_map__fd(map), &info, &len));
    fd = bpf_map_get_fd_by_id_opts(info.id, &opts);
    ovs_assert(fd >= 0);
    return fd;
}

static void
table_check(struct xdp_flow_table *table)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct xdp_check check = { .out = &s };

    xdp_flow_table_check(table, &check);
    xdp_check_format_summary(&check, &s);
    printf("  %s", ds_cstr(&s));
    ds_destroy(&s);
}

static void
test_failures(void)
{
    struct xdp_flow_key dst_mask, src_mask, key80, key_src;
    struct xdp_flow_entry out, drop;
    struct xdp_flow_table_maps maps;
    struct xdp_flow_table *table;
    struct xdp_flow_lookup lookup;
    struct pkt p80, psrc;
    struct xdp_test t;
    int ro;

    tcp_packet(&p80, 1, 80);
    tcp_packet(&psrc, 9, 443);
    memset(&dst_mask, 0, sizeof dst_mask);
    dst_mask.in_port = UINT32_MAX;
    dst_mask.dl_type = OVS_BE16_MAX;
    dst_mask.nw_proto = UINT8_MAX;
    dst_mask.tp_dst = OVS_BE16_MAX;
    memset(&src_mask, 0, sizeof src_mask);
    src_mask.in_port = UINT32_MAX;
    memset(src_mask.dl_src, 0xff, sizeof src_mask.dl_src);

    for (int scenario = 0; scenario < 3; scenario++) {
        if (xt_open(&t, 2, 4, false)) {
            ovs_fatal(0, "cannot load the XDP program");
        }
        xt_parse(&t, p80.data, p80.len, &key80);
        xt_parse(&t, psrc.data, psrc.len, &key_src);
        entry_output(&out, t.ifindex);
        memset(&drop, 0, sizeof drop);
        xdp_prog_get_flow_maps(t.skel, &maps);
        ro = -1;

        if (scenario == 0) {
            printf("mask_order cannot be written:\n");
            maps.mask_order = ro = read_only_fd(t.skel->maps.mask_order);
        } else if (scenario == 1) {
            printf("flows_narrow cannot be written:\n");
            maps.flows[XDP_FLOW_NARROW] = ro
                = read_only_fd(t.skel->maps.flows_narrow);
        } else {
            printf("new actions, but flows_narrow lost the flow:\n");
        }
        table = xdp_flow_table_create(&maps);
        if (scenario == 2) {
            struct xdp_flow_mask m;

            printf("  ");
            table_put(table, 1, &key80, &dst_mask, &out);
            print_run(&t, "  dst 80", &p80);
            xdp_flow_mask_compile(&dst_mask, &m);
            xdp_flow_lookup_make(&m, 0, &key80, &lookup);
            ovs_assert(!bpf_map_delete_elem(maps.flows[XDP_FLOW_NARROW],
                                            &lookup));
            printf("  ");
            table_put(table, 1, &key80, &dst_mask, &drop);
        } else {
            printf("  ");
            table_put(table, 1, &key80, &dst_mask, &out);
            if (scenario == 1) {
                table_check(table);
                printf("  ");
                table_put(table, 2, &key_src, &src_mask, &out);
            }
        }
        printf("  ");
        table_print_usage(table);
        table_check(table);
        print_run(&t, "  dst 80", &p80);
        print_run(&t, "  src 9", &psrc);

        xdp_flow_table_destroy(table);
        if (ro >= 0) {
            close(ro);
        }
        xt_close(&t);
    }
}

/* xdp/check: the maps of a loaded program corrupted behind the table's
 * back, as a stray "bpftool map update" would, found and repaired. */

/* Opens map 'name' of 'prog' where it is pinned. */
static int
check_map_fd(const struct xdp_prog *prog, const char *name)
{
    char *path = xasprintf("%s/%s", xdp_prog_pin_dir(prog), name);
    int fd = bpf_obj_get(path);

    if (fd < 0) {
        ovs_fatal(errno, "%s", path);
    }
    free(path);
    return fd;
}

/* The key of 'p' as the program makes it (flow_extract() gives the same,
 * as the parser tests show). */
static void
check_key(const struct pkt *p, struct xdp_flow_key *key)
{
    struct dp_packet packet;
    struct flow flow;

    dp_packet_use_const(&packet, p->data, p->len);
    packet.md.in_port.odp_port = u32_to_odp(TEST_ODP_PORT);
    flow_extract(&packet, &flow);
    xdp_flow_key_from_flow(key, &flow);
}

static void
check_run(struct xdp_prog *prog, const char *what)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct xdp_check check = { .out = &s };

    xdp_prog_check(prog, &check);
    xdp_check_format_summary(&check, &s);
    printf("%s:\n%s", what, ds_cstr(&s));
    ds_destroy(&s);
}

struct check_churn {
    struct xdp_flow_table *table;
    struct xdp_flow_key key, mask;
    struct xdp_flow_entry entry;
    int n;
};

/* Puts and deletes flows while the main thread checks. */
static void *
check_churn_main(void *churn_)
{
    struct check_churn *churn = churn_;

    for (int i = 0; i < churn->n; i++) {
        ovs_u128 ufid = { .u32 = { 100 + i % 16 } };
        struct xdp_flow_key key = churn->key;
        const char *reason;

        key.tp_dst = htons(1000 + i % 16);
        if (i % 32 < 16) {
            ovs_assert(!xdp_flow_table_put(churn->table, &ufid, &key,
                                           &churn->mask, &churn->entry,
                                           &reason));
        } else {
            ovs_assert(!xdp_flow_table_del(churn->table, &ufid, NULL));
        }
    }
    return NULL;
}

static void
test_check(void)
{
    struct xdp_flow_key dst_mask, src_mask, key80, key81, key_src9, key_src10;
    struct xdp_abi_port port = { .slot = 0, .n_rxq = 1,
                                 .odp_port = TEST_ODP_PORT };
    struct xdp_flow_megaflow mf;
    struct xdp_flow_entry out, drop, entry;
    struct xdp_flow_mask compiled_dst, compiled_src, junk_mask;
    struct xdp_flow_lookup lookup;
    struct xdp_flow_table *table;
    struct pkt p80, p81, psrc9, psrc10;
    int masks_fd, order_fd, flow_table_fd, tiny_fd, narrow_fd;
    int port_map_fd, port_index_fd, tx_ports_fd;
    struct xdp_prog *prog;
    struct xdp_test t;
    uint32_t id2, id3, key32, value32;
    const char *reason;
    char *name, *error;

    memset(&t, 0, sizeof t);
    libbpf_set_print(silent_print);
    t.ifindex = if_nametoindex("lo");
    t.n_cpus = libbpf_num_possible_cpus();

    /* A datapath of its own, pinned under the default bpffs. */
    name = xasprintf("ovs-xdp-test-check-%ld", (long) getpid());
    prog = xdp_prog_ref(name, &error);
    if (!prog) {
        ovs_fatal(0, "%s", error);
    }
    t.main_fd = bpf_prog_get_fd_by_id(xdp_prog_id(prog));
    ovs_assert(t.main_fd >= 0);
    table = xdp_prog_flow_table(prog);
    masks_fd = check_map_fd(prog, "masks");
    order_fd = check_map_fd(prog, "mask_order");
    flow_table_fd = check_map_fd(prog, "flow_table");
    tiny_fd = check_map_fd(prog, "flows_tiny");
    narrow_fd = check_map_fd(prog, "flows_narrow");
    port_map_fd = check_map_fd(prog, "port_map");
    port_index_fd = check_map_fd(prog, "port_index");
    tx_ports_fd = check_map_fd(prog, "tx_ports");

    ovs_assert(!xdp_prog_set_port(prog, t.ifindex, &port));
    ovs_assert(!xdp_prog_set_tx_port(prog, t.ifindex, true));

    tcp_packet(&p80, 1, 80);
    tcp_packet(&p81, 1, 81);
    tcp_packet(&psrc9, 9, 443);
    tcp_packet(&psrc10, 10, 443);
    check_key(&p80, &key80);
    check_key(&p81, &key81);
    check_key(&psrc9, &key_src9);
    check_key(&psrc10, &key_src10);

    /* Mask 0 covers 4 words (narrow), mask 1 3 words (tiny). */
    memset(&dst_mask, 0, sizeof dst_mask);
    dst_mask.in_port = UINT32_MAX;
    dst_mask.dl_type = OVS_BE16_MAX;
    dst_mask.nw_proto = UINT8_MAX;
    dst_mask.tp_dst = OVS_BE16_MAX;
    memset(&src_mask, 0, sizeof src_mask);
    src_mask.in_port = UINT32_MAX;
    memset(src_mask.dl_src, 0xff, sizeof src_mask.dl_src);
    xdp_flow_mask_compile(&dst_mask, &compiled_dst);
    xdp_flow_mask_compile(&src_mask, &compiled_src);
    printf("mask 0: %s, mask 1: %s\n",
           compiled_dst.width == XDP_FLOW_NARROW ? "narrow" : "not narrow",
           compiled_src.width == XDP_FLOW_TINY ? "tiny" : "not tiny");

    entry_output(&out, t.ifindex);
    memset(&drop, 0, sizeof drop);
    for (uint32_t i = 1; i <= 3; i++) {
        ovs_u128 ufid = { .u32 = { i } };
        const struct xdp_flow_key *key = (i == 1 ? &key80
                                          : i == 2 ? &key81 : &key_src9);

        ovs_assert(!xdp_flow_table_put(table, &ufid, key,
                                       i < 3 ? &dst_mask : &src_mask,
                                       i < 3 ? &out : &drop, &reason));
    }
    check_run(prog, "as written");

    /* Behind the table's back: flow 1 leaves 'flows_narrow'; an entry of
     * no flow appears in 'flows_tiny' that matches src 10 and outputs;
     * flow 2's entry in 'flow_table' gets another mark and flow 3's goes,
     * an entry of no flow appears there too. */
    xdp_flow_lookup_make(&compiled_dst, 0, &key80, &lookup);
    ovs_assert(!bpf_map_delete_elem(narrow_fd, &lookup));
    xdp_flow_lookup_make(&compiled_src, 1, &key_src10, &lookup);
    memset(&mf, 0, sizeof mf);
    mf.ref.flow_id = 999;
    mf.ref.generation = 5;
    mf.ref.mask_index = 1;
    mf.entry = out;
    mf.entry.generation = 5;
    ovs_assert(!bpf_map_update_elem(tiny_fd, &lookup, &mf, 0));
    xdp_flow_lookup_make(&compiled_dst, 0, &key81, &lookup);
    ovs_assert(!bpf_map_lookup_elem(narrow_fd, &lookup, &mf));
    id2 = mf.ref.flow_id;
    ovs_assert(!bpf_map_lookup_elem(flow_table_fd, &id2, &entry));
    entry.mark = 77;
    ovs_assert(!bpf_map_update_elem(flow_table_fd, &id2, &entry, 0));
    xdp_flow_lookup_make(&compiled_src, 1, &key_src9, &lookup);
    ovs_assert(!bpf_map_lookup_elem(tiny_fd, &lookup, &mf));
    id3 = mf.ref.flow_id;
    ovs_assert(!bpf_map_delete_elem(flow_table_fd, &id3));
    key32 = 500;
    ovs_assert(!bpf_map_update_elem(flow_table_fd, &key32, &out, 0));

    print_run(&t, "dst 80 (flow 1, gone from flows_narrow)", &p80);
    print_run(&t, "dst 81 (flow 2)", &p81);
    print_run(&t, "src 9 (flow 3, drops)", &psrc9);
    print_run(&t, "src 10 (no flow)", &psrc10);

    /* A mask of no flow, and no mask in the lookup order. */
    xdp_flow_mask_compile(&dst_mask, &junk_mask);
    key32 = 5;
    ovs_assert(!bpf_map_update_elem(masks_fd, &key32, &junk_mask, 0));
    key32 = 0;
    value32 = 0;
    ovs_assert(!bpf_map_update_elem(order_fd, &key32, &value32, 0));
    print_run(&t, "dst 81, empty lookup order", &p81);

    /* Ports: one that is not a port, and the loopback device missing from
     * 'port_index' and 'tx_ports'. */
    key32 = 4242;
    port.slot = 3;
    port.odp_port = 9;
    ovs_assert(!bpf_map_update_elem(port_map_fd, &key32, &port, 0));
    value32 = 10;
    ovs_assert(!bpf_map_update_elem(port_index_fd, &key32, &value32, 0));
    key32 = t.ifindex;
    value32 = 0;
    ovs_assert(!bpf_map_update_elem(port_index_fd, &key32, &value32, 0));
    ovs_assert(!bpf_map_delete_elem(tx_ports_fd, &key32));

    check_run(prog, "corrupted");
    print_run(&t, "dst 80", &p80);
    print_run(&t, "dst 81", &p81);
    print_run(&t, "src 9", &psrc9);
    print_run(&t, "src 10", &psrc10);
    check_run(prog, "repaired");

    /* Flows put and deleted meanwhile never look like differences. */
    {
        struct check_churn churn = { .table = table, .key = key80,
                                     .mask = dst_mask, .entry = out,
                                     .n = 20000 };
        int n_checks = 0, n_diffs = 0;
        pthread_t thread;

        thread = ovs_thread_create("churn", check_churn_main, &churn);
        for (;;) {
            struct ds s = DS_EMPTY_INITIALIZER;
            struct xdp_check check = { .out = &s };
            bool done = !pthread_tryjoin_np(thread, NULL);

            xdp_prog_check(prog, &check);
            n_checks++;
            n_diffs += check.n_repaired + check.n_unrepaired;
            if (check.n_repaired + check.n_unrepaired) {
                fputs(ds_cstr(&s), stdout);
            }
            ds_destroy(&s);
            if (done) {
                break;
            }
        }
        printf("concurrent puts and deletes: %s checks, %d differences\n",
               n_checks > 1 ? "several" : "one", n_diffs);
        if (getenv("OVS_XDP_TEST_VERBOSE")) {
            fprintf(stderr, "%d checks\n", n_checks);
        }
    }

    close(masks_fd);
    close(order_fd);
    close(flow_table_fd);
    close(tiny_fd);
    close(narrow_fd);
    close(port_map_fd);
    close(port_index_fd);
    close(tx_ports_fd);
    close(t.main_fd);
    xdp_prog_unref(prog);
    free(name);
}

static void
test_xdp_prog_main(int argc, char *argv[])
{
    struct xdp_test t;
    const char *cmd;
    int error;

    /* --keep-going, anywhere: parser tests count differences with
     * flow_extract() instead of stopping at the first. */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--keep-going")) {
            keep_going = true;
            memmove(&argv[i], &argv[i + 1], (argc - i) * sizeof *argv);
            argc--;
            i--;
        }
    }
    cmd = argc > 1 ? argv[1] : "";

    if (!strcmp(cmd, "convert")) {
        test_convert();
        return;
    }
    if (!strcmp(cmd, "table")) {
        test_table();
        return;
    }
    if (!strcmp(cmd, "meta")) {
        test_meta();
        return;
    }
    if (!strcmp(cmd, "check")) {
        test_check();
        return;
    }
    if (!strcmp(cmd, "failures")) {
        test_failures();
        return;
    }
    if (!strcmp(cmd, "bench")) {
        test_bench(argc > 2 ? atoi(argv[2]) : 100000,
                   argc > 4 ? MIN(atoi(argv[3]), 64) : 0,
                   argc > 4 ? atoi(argv[4]) : 0);
        return;
    }

    error = xt_open(&t, 0, 0, true);
    if (!error) {
        uint8_t pkt[64] = { 0 };

        error = xt_run(&t, t.parse_fd, pkt, sizeof pkt, NULL, NULL, 1,
                       NULL);
        error = error < 0 ? -error : 0;
    }
    if (!strcmp(cmd, "probe")) {
        if (error) {
            int bpf_error = probe_bpf();

            if (bpf_error) {
                /* Autotest skips a test whose command exits with 77. */
                printf("this machine cannot run XDP programs with "
                       "BPF_PROG_RUN: %s\n", ovs_strerror(bpf_error));
                exit(77);
            }
            printf("cannot load and run the XDP program with "
                   "BPF_PROG_RUN: %s\n", ovs_strerror(error));
            exit(1);
        }
        printf("ok\n");
    } else if (error) {
        ovs_fatal(error, "cannot load and run the XDP program");
    } else if (!strcmp(cmd, "parse")) {
        test_parse(&t);
    } else if (!strcmp(cmd, "random")) {
        test_random(&t, argc > 2 ? atoi(argv[2]) : 10000,
                    argc > 3 ? strtoul(argv[3], NULL, 0) : 1);
    } else if (!strcmp(cmd, "lookup")) {
        test_lookup(&t);
    } else if (!strcmp(cmd, "widths")) {
        test_widths(&t);
    } else if (!strcmp(cmd, "sizes")) {
        test_sizes();
    } else if (!strcmp(cmd, "actions")) {
        test_actions(&t);
    } else {
        ovs_fatal(0, "usage: %s probe|parse|random [N [SEED]]|lookup|"
                  "widths|sizes|actions|convert|table|meta|check|failures|"
                  "bench [REPEAT [MASKS FLOWS]] [--keep-going]", argv[0]);
    }
    if (!error) {
        xt_close(&t);
    }
}

OVSTEST_REGISTER("test-xdp-prog", test_xdp_prog_main);
