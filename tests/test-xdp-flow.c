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

/* lib/xdp-flow.c's conversions between OVS's struct match and the XDP
 * flow key and mask, without the XDP program: every field XDP covers makes
 * the round trip match -> XDP -> match unchanged (random values and
 * masks); every field it does not cover is refused with a reason. */

#include <config.h>

#undef NDEBUG
#include <stddef.h>
#include <stdio.h>

#include "flow.h"
#include "openvswitch/match.h"
#include "ovstest.h"
#include "packets.h"
#include "random.h"
#include "util.h"
#include "xdp-flow.h"

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
        CONVERT_FIELD(recirc_id),
        CONVERT_FIELD(ct_zone),
        CONVERT_FIELD(ct_mark),
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

    /* The conntrack states XDP gives, and not those it does not. */
    match_init_catchall(&match);
    match.flow.packet_type = htonl(PT_ETH);
    match.wc.masks.packet_type = OVS_BE32_MAX;
    match_set_recirc_id(&match, 7);
    match_set_ct_state_masked(&match, CS_TRACKED | CS_ESTABLISHED,
                              CS_TRACKED | CS_ESTABLISHED | CS_NEW
                              | CS_REPLY_DIR | CS_INVALID);
    reason = xdp_flow_from_match(&match, &key, &mask);
    xdp_flow_to_match(&key, &mask, &back);
    printf("ct_state=+trk+est-new-rpl-inv, recirc_id=7: %s\n",
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
    UNSUPPORTED("ct_state=+trk+rel",
                match_set_ct_state(&match, CS_TRACKED | CS_RELATED));
    UNSUPPORTED("ct_state=+trk+new",
                match_set_ct_state(&match, CS_TRACKED | CS_NEW));
    UNSUPPORTED("ct_state=+trk+inv",
                match_set_ct_state(&match, CS_TRACKED | CS_INVALID));
    UNSUPPORTED("ct_state=+trk+est+dnat",
                match_set_ct_state(&match, CS_TRACKED | CS_ESTABLISHED
                                           | CS_DST_NAT));
    UNSUPPORTED("ct_label", match_set_ct_label(&match,
                                               (ovs_u128) { .u64.lo = 1 }));
    UNSUPPORTED("ct_label=0", match_set_ct_label(&match, OVS_U128_ZERO));
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
    /* Metadata that XDP keeps, or that is all zeros for packets that XDP
     * sees. */
    UNSUPPORTED("ct_state=-trk", match_set_ct_state_masked(&match, 0,
                                                           CS_TRACKED));
    UNSUPPORTED("ct_zone=1", match_set_ct_zone(&match, 1));
    UNSUPPORTED("pkt_mark=0", match_set_pkt_mark(&match, 0));
    UNSUPPORTED("reg0=0", match_set_reg(&match, 0, 0));
    UNSUPPORTED("tun_id=0", match_set_tun_id(&match, 0));
#undef UNSUPPORTED
}

static void
test_xdp_flow_main(int argc OVS_UNUSED, char *argv[] OVS_UNUSED)
{
    test_convert();
}

OVSTEST_REGISTER("test-xdp-flow", test_xdp_flow_main);
