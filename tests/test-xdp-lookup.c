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

/* The XDP program's classifier through BPF_PROG_RUN, on flows and masks
 * written to its maps as userspace does (the harness), against the
 * verdicts, counters and statistics that the flows call for:
 *
 *   flows: misses, megaflow hits, mask ranking, the exact-match cache and
 *       its invalidation (deleted, modified and reused flows), partial
 *       flows, outputs to a port missing from tx_ports, frames with a VLAN
 *       header before and after the VLAN limit is set.
 *   widths: packed lookup keys of every width (a flow that differs in the
 *       last word its mask covers misses, one that differs in the next
 *       word hits). */

#include <config.h>

#undef NDEBUG
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "dp-packet.h"
#include "flow.h"
#include "ovstest.h"
#include "packets.h"
#include "util.h"
#include "xdp-abi.h"
#include "xdp-flow.h"
#include "xdp-flow-table.h"
#include "xdp-test-harness.h"
#include "xdp-test-packet.h"

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
        if (i != XDP_FLOW_PAD_WORD) {
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
test_nd_flags(struct xdp_test *t, const struct xdp_flow_key *mask)
{
    static const uint8_t sll[8] = { 1, 1, 0, 0x11, 0x22, 0x33, 0x44, 0x55 };
    struct xdp_flow_entry entry;
    struct xdp_flow_stats stats;
    struct xdp_flow_key key;
    struct dp_packet packet;
    struct flow flow;
    struct pkt nd;

    pkt_eth(&nd, 0, ETH_TYPE_IPV6);
    pkt_ipv6(&nd, IPPROTO_ICMPV6);
    pkt_nd(&nd, 135, sll, sizeof sll);
    pkt_finish(&nd, IPPROTO_ICMPV6, false);
    ovs_assert(xt_parse(t, nd.data, nd.len, &key) == XDP_FLOW_PARSE_OK);
    dp_packet_use_const(&packet, nd.data, nd.len);
    pkt_metadata_init(&packet.md, u32_to_odp(TEST_ODP_PORT));
    flow_extract(&packet, &flow);

    entry_output(&entry, t->ifindex);
    xt_put_flow(t, 0, mask, &key, 3, &entry);
    print_run(t, "ND neighbor solicitation", &nd);
    xt_flow_stats(t, 3, &stats);
    printf("  flow 3: packets=%"PRIu64" tcp_flags=0x%"PRIx16" (OVS: 0x%"
           PRIx16")\n", (uint64_t) stats.packets, stats.tcp_flags,
           ntohs(flow.tcp_flags));
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

    /* A flow's TCP flags are OR-ed whatever the protocol, as dpif-netdev
     * does: for ND, OVS's tcp_flags field holds the option type. */
    test_nd_flags(t, &mask0);
}

static void
test_xdp_lookup_main(int argc, char *argv[])
{
    const char *cmd = argc > 1 ? argv[1] : "";
    struct xdp_test t;
    int error;

    error = xt_open_default(&t);
    if (error) {
        ovs_fatal(error, "cannot load and run the XDP program");
    }
    if (!strcmp(cmd, "flows")) {
        test_lookup(&t);
    } else if (!strcmp(cmd, "widths")) {
        test_widths(&t);
    } else {
        ovs_fatal(0, "usage: %s flows|widths", argv[0]);
    }
    xt_close(&t);
}

OVSTEST_REGISTER("test-xdp-lookup", test_xdp_lookup_main);
