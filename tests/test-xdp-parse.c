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

/* The XDP program's parser (the xdp_parse_debug program, which calls the
 * datapath's parser function) through BPF_PROG_RUN, against OVS's
 * flow_extract() as the reference, under vlan-limit 0, 1 and 2:
 *
 *   crafted: a frame of each kind of header in full, with 0 to 4 VLAN
 *       headers of either TPID, cut at every length (IP length as it was,
 *       ending at the cut, or ending at the cut with padding after it);
 *       malformed headers; the parser's bounds.
 *   random [N [SEED]]: N random, mostly malformed, frames (a fuzzer).
 *
 * The keys must be equal, or XDP must give the packet up (unparsed). */

#include <config.h>

#undef NDEBUG
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp-packet.h"
#include "flow.h"
#include "openvswitch/dynamic-string.h"
#include "ovstest.h"
#include "packets.h"
#include "random.h"
#include "util.h"
#include "xdp-flow.h"
#include "xdp-flow-table.h"
#include "xdp-test-harness.h"
#include "xdp-test-packet.h"

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

/* Crafted packets for the parser. */

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
        /* A type that neither OVS nor the parser reads (a random one
         * could be a second link-layer address, which ends the options
         * early), 8 bytes long. */
        p.data[p.len - 8] = 3;
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

static void
test_xdp_parse_main(int argc, char *argv[])
{
    struct xdp_test t;
    const char *cmd;
    int error;

    /* --keep-going, anywhere: count differences with flow_extract()
     * instead of stopping at the first. */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--keep-going")) {
            keep_going = true;
            memmove(&argv[i], &argv[i + 1], (argc - i) * sizeof *argv);
            argc--;
            i--;
        }
    }
    cmd = argc > 1 ? argv[1] : "";

    error = xt_open_default(&t);
    if (error) {
        ovs_fatal(error, "cannot load and run the XDP program");
    }
    if (!strcmp(cmd, "crafted")) {
        test_parse(&t);
    } else if (!strcmp(cmd, "random")) {
        test_random(&t, argc > 2 ? atoi(argv[2]) : 10000,
                    argc > 3 ? strtoul(argv[3], NULL, 0) : 1);
    } else {
        ovs_fatal(0, "usage: %s crafted|random [N [SEED]] [--keep-going]",
                  argv[0]);
    }
    xt_close(&t);
}

OVSTEST_REGISTER("test-xdp-parse", test_xdp_parse_main);
