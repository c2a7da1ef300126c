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

/* The random ODP action lists of the differential tests
 * (xdp-test-random-actions.h): random values and masks for each field,
 * (masked) set actions built from them, and lists of such sets, VLAN pushes
 * and pops with an ending of outputs or a drop. */

#include <config.h>

#undef NDEBUG
#include "xdp-test-random-actions.h"

#include <string.h>

#include "flow.h"
#include "netlink.h"
#include "odp-util.h"
#include "openvswitch/ofpbuf.h"
#include "packets.h"
#include "random.h"
#include "util.h"
#include "xdp-test-harness.h"

static uint8_t
odp_frag(uint8_t nw_frag)
{
    return (!(nw_frag & FLOW_NW_FRAG_ANY) ? OVS_FRAG_TYPE_NONE
            : nw_frag & FLOW_NW_FRAG_LATER ? OVS_FRAG_TYPE_LATER
            : OVS_FRAG_TYPE_FIRST);
}

#define FIELD(NAME, KEY, STRUCT, MEMBER, FLOW_MEMBER)                   \
    { NAME, KEY, offsetof(struct STRUCT, MEMBER),                       \
      MEMBER_SIZEOF(struct STRUCT, MEMBER),                             \
      offsetof(struct flow, FLOW_MEMBER) }

const struct set_field set_fields[N_SET_FIELDS] = {
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

const enum ovs_key_attr set_keys[N_SET_KEYS] = {
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
bool
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
random_mask(const struct set_field *f, uint8_t *mask)
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
random_value(const struct set_field *f, const struct flow *flow,
             uint8_t *value)
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

/* Appends a set action on 'key': plain (every field of the header, as
 * OVS_ACTION_ATTR_SET does) or masked with the fields whose bit is in
 * 'field_bits' (indexes into 'set_fields'; 0: random ones). */
void
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
        for (size_t i = 0; i < ARRAY_SIZE(set_fields); i++) {
            if (set_fields[i].key == key && (!masked || chance(60))) {
                field_bits |= 1u << i;
            }
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(set_fields); i++) {
        const struct set_field *f = &set_fields[i];

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
void
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
