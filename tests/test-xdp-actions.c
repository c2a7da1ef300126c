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
 * megaflow of a normal packet can match.
 *
 * The packets come from xdp-test-random-packet.c, the action lists from
 * xdp-test-random-actions.c; this file runs both sides, compares and
 * counts. */

#include <config.h>

#undef NDEBUG
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
#include "xdp-test-packet.h"
#include "xdp-test-random-actions.h"
#include "xdp-test-random-packet.h"

/* Bytes around the packet in OVS's buffer: room for VLAN pushes in front,
 * and zeros behind for what OVS reads past the end of a malformed packet
 * (packet_rh_present() walks up to 64 kB on an IPv6 header that failed
 * miniflow_extract()'s checks). */
#define OVS_HEADROOM 128
#define OVS_TAILROOM (64 * 1024 + 2048)

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
         * say that the flow is partial, with the flow's mark, or that the
         * parser could not reach all the headers (L4 past 2 kB). */
        struct xdp_abi_meta meta;

        if (*out_len < sizeof meta) {
            return XO_ERROR;
        }
        memcpy(&meta, out, sizeof meta);
        if (meta.cookie[0] != (uint32_t) xt_meta_cookie
            || meta.cookie[1] != (uint32_t) (xt_meta_cookie >> 32)
            || (meta.reason != XDP_ABI_UPCALL_UNPARSED
                && (meta.reason != XDP_ABI_UPCALL_PARTIAL
                    || meta.flow_mark != entry->mark))) {
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
    int per_field[N_SET_FIELDS];  /* Compared single-field rewrites. */
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

/* How far into a packet the XDP program can reach (XDP_PARSE_MAX_OFF). */
#define XDP_REACH 2048

/* Whether rewriting 'field' writes the L4 header or its checksum. */
static bool
field_writes_l4(enum xdp_flow_field field)
{
    return (field == XDP_FLOW_FIELD_IPV4_SRC
            || field == XDP_FLOW_FIELD_IPV4_DST
            || field == XDP_FLOW_FIELD_IPV6_SRC
            || field == XDP_FLOW_FIELD_IPV6_DST
            || field == XDP_FLOW_FIELD_TP_SRC
            || field == XDP_FLOW_FIELD_TP_DST);
}

/* Whether the XDP program must send 'p' to userspace when it runs
 * 'entry': a rewrite of a truncated IP header, or of an L4 header (a TCP
 * header's worth, moved by the VLAN headers pushed before) that would end
 * past what the program can reach.  See xdp_actions_fit() in
 * datapath-xdp/xdp-actions.h. */
static bool
expect_userspace(const struct tpkt *p, const struct flow *flow,
                 const struct xdp_flow_entry *entry)
{
    size_t l3 = SIZE_MAX;
    size_t l4 = SIZE_MAX;
    size_t pushed = 0;

    if (flow->dl_type == htons(ETH_TYPE_IP)
        || flow->dl_type == htons(ETH_TYPE_IPV6)) {
        struct dp_packet packet;
        struct flow f;

        dp_packet_use_const(&packet, p->data, p->len);
        flow_extract(&packet, &f);
        l3 = packet.l3_ofs;
        l4 = packet.l4_ofs == UINT16_MAX ? SIZE_MAX : packet.l4_ofs;
    }
    for (uint32_t i = 0; i < entry->n_actions; i++) {
        const struct xdp_flow_action *act = &entry->actions[i];

        if (act->type == XDP_FLOW_ACT_PUSH_VLAN) {
            pushed += VLAN_HEADER_LEN;
        }
        if (act->type != XDP_FLOW_ACT_SET_FIELD) {
            continue;
        }
        if (field_writes_l4(act->field) && l4 != SIZE_MAX
            && l4 + pushed + TCP_HEADER_LEN > XDP_REACH) {
            return true;
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

/* Sets up a run of comparisons: counts, buffers, and one flow that every
 * packet matches (its actions are set for each list). */
static void
run_begin(struct xdp_test *t, struct counts *c, struct ofpbuf *odp,
          struct tpkt *p)
{
    static const struct xdp_flow_key zero;
    uint32_t order = 0;

    memset(c, 0, sizeof *c);
    ds_init(&p->desc);
    ofpbuf_init(odp, 256);
    ovs_buffer = xzalloc(OVS_HEADROOM + MAX_PKT + OVS_TAILROOM);
    odp_execute_init();
    xt_set_mask(t, 0, &zero);
    xt_set_order(t, &order, 1);
}

/* Ends a run: exits with 1 if anything differed. */
static void
run_end(const struct counts *c, struct ofpbuf *odp, struct tpkt *p)
{
    ds_destroy(&p->desc);
    ofpbuf_uninit(odp);
    free(ovs_buffer);
    if (c->mismatches) {
        exit(1);
    }
}

static void
test_diff(struct xdp_test *t, int n_packets, uint32_t seed)
{
    struct counts c;
    struct ofpbuf odp;
    struct tpkt p;

    run_begin(t, &c, &odp, &p);
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
        for (size_t j = 0; j < ARRAY_SIZE(set_fields); j++) {
            if (!key_applies(set_fields[j].key, &flow)) {
                continue;
            }
            ofpbuf_clear(&odp);
            ls.unmasked = false;
            put_set(&odp, set_fields[j].key, true, 1u << j, &flow, &ls);
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
    for (size_t j = 0; j < ARRAY_SIZE(set_fields); j++) {
        if (set_fields[j].key != OVS_KEY_ATTR_SCTP) {
            printf(" %s %d", set_fields[j].name, c.per_field[j]);
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

    run_end(&c, &odp, &p);
}

/* Appends to 'odp' a masked set of the L4 destination port (of 'proto')
 * or of an IPv6 address ('ipv6_dst'). */
static void
put_long_set(struct ofpbuf *odp, uint8_t proto, bool ipv6, bool ipv6_dst)
{
    size_t offset = nl_msg_start_nested(odp, OVS_ACTION_ATTR_SET_MASKED);

    if (ipv6) {
        struct ovs_key_ipv6 key[2];

        memset(key, 0, sizeof key);
        memset(ipv6_dst ? &key[1].ipv6_dst : &key[1].ipv6_src, 0xff,
               sizeof key[1].ipv6_src);
        memset(ipv6_dst ? &key[0].ipv6_dst : &key[0].ipv6_src, 0x5a,
               sizeof key[0].ipv6_src);
        nl_msg_put_unspec(odp, OVS_KEY_ATTR_IPV6, key, sizeof key);
    } else if (proto == IPPROTO_TCP) {
        struct ovs_key_tcp key[2] = {
            { .tcp_dst = htons(8080) }, { .tcp_dst = OVS_BE16_MAX },
        };

        nl_msg_put_unspec(odp, OVS_KEY_ATTR_TCP, key, sizeof key);
    } else {
        struct ovs_key_udp key[2] = {
            { .udp_dst = htons(5353) }, { .udp_dst = OVS_BE16_MAX },
        };

        nl_msg_put_unspec(odp, OVS_KEY_ATTR_UDP, key, sizeof key);
    }
    nl_msg_end_nested(odp, offset);
}

/* Frames longer than 2 kB whose L4 header lies near the end of what the
 * XDP program can reach (behind a long IPv6 hop-by-hop header), with
 * rewrites of an IPv6 address (which changes the L4 checksum) and of the L4
 * port, after 0 to 2 VLAN pushes.  XDP must give OVS's bytes, or hand the
 * packet to userspace untouched where the L4 header ends out of its
 * reach. */
static void
test_long(struct xdp_test *t)
{
    static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
    struct counts c;
    struct ofpbuf odp;
    struct tpkt p;
    size_t min_userspace = SIZE_MAX;
    size_t max_xdp = 0;

    run_begin(t, &c, &odp, &p);

    for (int n_vlans = 0; n_vlans < 2; n_vlans++) {
        for (size_t k = 0; k < ARRAY_SIZE(protos); k++) {
            for (size_t hbh = 1936; hbh <= 2048; hbh += 8) {
                for (int list = 0; list < 4; list++) {
                    struct list_stats ls = { .unmasked = false };
                    struct dp_packet packet;
                    struct flow flow;
                    struct pkt b;
                    size_t l4;
                    int before;

                    pkt_eth(&b, n_vlans, ETH_TYPE_IPV6);
                    pkt_ipv6(&b, IPPROTO_HOPOPTS);
                    pkt_ext6(&b, protos[k], hbh / 8 - 1, hbh);
                    b.l4 = l4 = b.len;
                    pkt_l4(&b, protos[k], 6);
                    pkt_finish(&b, protos[k], false);

                    memcpy(p.data, b.data, b.len);
                    p.len = b.len;
                    p.tags = 0;
                    ds_clear(&p.desc);
                    ds_put_format(&p.desc, "L4 at %"PRIuSIZE, l4);
                    dp_packet_use_const(&packet, p.data, p.len);
                    pkt_metadata_init(&packet.md,
                                      u32_to_odp(TEST_ODP_PORT));
                    flow_extract(&packet, &flow);
                    c.packets++;

                    ofpbuf_clear(&odp);
                    /* 0: IPv6 source, 1: port, 2: a VLAN push and the
                     * port, 3: two pushes and the IPv6 destination. */
                    for (int i = 0; i < list - 1; i++) {
                        struct ovs_action_push_vlan vlan = {
                            .vlan_tpid = htons(ETH_TYPE_VLAN),
                            .vlan_tci = htons(VLAN_CFI | (7 + i)),
                        };

                        nl_msg_put_unspec(&odp, OVS_ACTION_ATTR_PUSH_VLAN,
                                          &vlan, sizeof vlan);
                    }
                    put_long_set(&odp, protos[k], list == 0 || list == 3,
                                 list == 3);
                    nl_msg_put_odp_port(&odp, OVS_ACTION_ATTR_OUTPUT,
                                        u32_to_odp(OUT_PORT));
                    before = c.userspace;
                    check_list(t, &c, &p, &flow, &odp, -1, &ls);
                    if (c.userspace > before) {
                        min_userspace = MIN(min_userspace, l4);
                    } else {
                        max_xdp = MAX(max_xdp, l4);
                    }
                }
            }
        }
    }

    printf("packets: %d, compared: %d (changed %d), to userspace by XDP: "
           "%d\n", c.packets, c.compared, c.compared_changed, c.userspace);
    printf("L4 offsets: largest run in XDP %"PRIuSIZE", smallest sent to "
           "userspace %"PRIuSIZE"\n", max_xdp, min_userspace);
    printf("mismatches: %d\n", c.mismatches);

    run_end(&c, &odp, &p);
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
    } else if (!strcmp(cmd, "long")) {
        test_long(&t);
    } else {
        ovs_fatal(0, "usage: %s probe|diff [PACKETS [SEED]]|long", argv[0]);
    }
    if (!error) {
        xt_close(&t);
    }
}

OVSTEST_REGISTER("test-xdp-actions", test_xdp_actions_main);
