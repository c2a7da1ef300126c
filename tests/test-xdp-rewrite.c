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

/* The XDP program's actions through BPF_PROG_RUN, against packets that this
 * test builds itself with checksums recomputed from scratch: every field
 * the program sets, plain and masked, on every kind of packet (TCP, UDP,
 * a zero UDP checksum, ICMPv6, SCTP, IPv4 and IPv6, with a VLAN header);
 * push_vlan and pop_vlan followed by a set (offsets follow); pop_vlan of
 * an untagged frame; drop; output to another port (a redirect).
 * (test-xdp-actions.c compares the same actions with OVS's
 * odp_execute_actions() instead.) */

#include <config.h>

#undef NDEBUG
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "openvswitch/dynamic-string.h"
#include "ovstest.h"
#include "packets.h"
#include "random.h"
#include "util.h"
#include "xdp-flow.h"
#include "xdp-test-harness.h"
#include "xdp-test-packet.h"

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

static void
test_xdp_rewrite_main(int argc OVS_UNUSED, char *argv[] OVS_UNUSED)
{
    struct xdp_test t;
    int error;

    error = xt_open_default(&t);
    if (error) {
        ovs_fatal(error, "cannot load and run the XDP program");
    }
    test_actions(&t);
    xt_close(&t);
}

OVSTEST_REGISTER("test-xdp-rewrite", test_xdp_rewrite_main);
