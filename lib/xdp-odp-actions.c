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

#include <config.h>

#include "xdp-odp-actions.h"

#include <string.h>

#include "netlink.h"
#include "odp-netlink.h"
#include "odp-util.h"
#include "openvswitch/ofpbuf.h"
#include "packets.h"
#include "util.h"

/* A header field that XDP can rewrite, where it sits in the ODP key
 * attribute that OVS_ACTION_ATTR_SET(_MASKED) carries. */
struct xdp_odp_field {
    enum ovs_key_attr key;
    enum xdp_flow_field field;
    size_t offset;
    size_t size;
};

BUILD_ASSERT_DECL(XDP_FLOW_SET_ETHERNET == OVS_KEY_ATTR_ETHERNET);
BUILD_ASSERT_DECL(XDP_FLOW_SET_IPV4 == OVS_KEY_ATTR_IPV4);
BUILD_ASSERT_DECL(XDP_FLOW_SET_IPV6 == OVS_KEY_ATTR_IPV6);
BUILD_ASSERT_DECL(XDP_FLOW_SET_TCP == OVS_KEY_ATTR_TCP);
BUILD_ASSERT_DECL(XDP_FLOW_SET_UDP == OVS_KEY_ATTR_UDP);

#define XDP_ODP_FIELD(KEY, FIELD, STRUCT, MEMBER)           \
    { KEY, FIELD, offsetof(struct STRUCT, MEMBER),          \
      MEMBER_SIZEOF(struct STRUCT, MEMBER) }

static const struct xdp_odp_field xdp_odp_fields[] = {
    XDP_ODP_FIELD(OVS_KEY_ATTR_ETHERNET, XDP_FLOW_FIELD_ETH_SRC,
                  ovs_key_ethernet, eth_src),
    XDP_ODP_FIELD(OVS_KEY_ATTR_ETHERNET, XDP_FLOW_FIELD_ETH_DST,
                  ovs_key_ethernet, eth_dst),
    XDP_ODP_FIELD(OVS_KEY_ATTR_IPV4, XDP_FLOW_FIELD_IPV4_SRC,
                  ovs_key_ipv4, ipv4_src),
    XDP_ODP_FIELD(OVS_KEY_ATTR_IPV4, XDP_FLOW_FIELD_IPV4_DST,
                  ovs_key_ipv4, ipv4_dst),
    XDP_ODP_FIELD(OVS_KEY_ATTR_IPV4, XDP_FLOW_FIELD_IPV4_TOS,
                  ovs_key_ipv4, ipv4_tos),
    XDP_ODP_FIELD(OVS_KEY_ATTR_IPV4, XDP_FLOW_FIELD_IPV4_TTL,
                  ovs_key_ipv4, ipv4_ttl),
    XDP_ODP_FIELD(OVS_KEY_ATTR_IPV6, XDP_FLOW_FIELD_IPV6_SRC,
                  ovs_key_ipv6, ipv6_src),
    XDP_ODP_FIELD(OVS_KEY_ATTR_IPV6, XDP_FLOW_FIELD_IPV6_DST,
                  ovs_key_ipv6, ipv6_dst),
    XDP_ODP_FIELD(OVS_KEY_ATTR_IPV6, XDP_FLOW_FIELD_IPV6_TCLASS,
                  ovs_key_ipv6, ipv6_tclass),
    XDP_ODP_FIELD(OVS_KEY_ATTR_IPV6, XDP_FLOW_FIELD_IPV6_HLIMIT,
                  ovs_key_ipv6, ipv6_hlimit),
    XDP_ODP_FIELD(OVS_KEY_ATTR_IPV6, XDP_FLOW_FIELD_IPV6_LABEL,
                  ovs_key_ipv6, ipv6_label),
    XDP_ODP_FIELD(OVS_KEY_ATTR_TCP, XDP_FLOW_FIELD_TP_SRC,
                  ovs_key_tcp, tcp_src),
    XDP_ODP_FIELD(OVS_KEY_ATTR_TCP, XDP_FLOW_FIELD_TP_DST,
                  ovs_key_tcp, tcp_dst),
    XDP_ODP_FIELD(OVS_KEY_ATTR_UDP, XDP_FLOW_FIELD_TP_SRC,
                  ovs_key_udp, udp_src),
    XDP_ODP_FIELD(OVS_KEY_ATTR_UDP, XDP_FLOW_FIELD_TP_DST,
                  ovs_key_udp, udp_dst),
};

/* Whether rewriting 'field' writes the L4 header: its ports, or its
 * checksum over the addresses. */
static bool
xdp_odp_field_reaches_l4(enum xdp_flow_field field)
{
    return (field == XDP_FLOW_FIELD_IPV4_SRC
            || field == XDP_FLOW_FIELD_IPV4_DST
            || field == XDP_FLOW_FIELD_IPV6_SRC
            || field == XDP_FLOW_FIELD_IPV6_DST
            || field == XDP_FLOW_FIELD_TP_SRC
            || field == XDP_FLOW_FIELD_TP_DST);
}

/* How far past the parsed L4 offset a rewrite added now to 'entry' may
 * reach: a TCP header (the ports, any L4 checksum and the data offset the
 * program checks), moved by the VLAN headers pushed before it. */
static uint16_t
xdp_odp_l4_reach(const struct xdp_flow_entry *entry)
{
    uint16_t reach = sizeof(struct tcp_header);

    for (uint32_t i = 0; i < entry->n_actions; i++) {
        if (entry->actions[i].type == XDP_FLOW_ACT_PUSH_VLAN) {
            reach += VLAN_HEADER_LEN;
        }
    }
    return reach;
}

/* Size of the ODP key attributes that XDP can rewrite, 0 for others. */
static size_t
xdp_odp_key_size(enum ovs_key_attr key)
{
    /* Other keys: 0, hence the cast (the switch is not meant to cover
     * every key). */
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
    default:
        return 0;
    }
}

/* The mask that a plain OVS_ACTION_ATTR_SET implies, as odp-execute applies
 * it: every field it rewrites in full, the IPv6 flow label's 20 bits. */
static void
xdp_odp_set_mask(enum ovs_key_attr key, uint8_t *mask)
{
    memset(mask, 0, xdp_odp_key_size(key));
    for (size_t i = 0; i < ARRAY_SIZE(xdp_odp_fields); i++) {
        const struct xdp_odp_field *f = &xdp_odp_fields[i];

        if (f->key == key) {
            memset(mask + f->offset, 0xff, f->size);
        }
    }
    if (key == OVS_KEY_ATTR_IPV6) {
        struct ovs_key_ipv6 *m = ALIGNED_CAST(struct ovs_key_ipv6 *, mask);

        m->ipv6_label = htonl(IPV6_LABEL_MASK);
    }
}

static const char *
xdp_odp_action_reason(enum ovs_action_attr type)
{
    switch (type) {
    case OVS_ACTION_ATTR_USERSPACE:
        return "sends to the controller or to sFlow/IPFIX (userspace action)";
    case OVS_ACTION_ATTR_SAMPLE:
        return "samples packets (sample action)";
    case OVS_ACTION_ATTR_RECIRC:
        return "recirculates (recirc action)";
    case OVS_ACTION_ATTR_HASH:
        return "computes a hash (hash action)";
    case OVS_ACTION_ATTR_PUSH_MPLS:
    case OVS_ACTION_ATTR_POP_MPLS:
    case OVS_ACTION_ATTR_ADD_MPLS:
        return "pushes or pops MPLS";
    case OVS_ACTION_ATTR_CT:
    case OVS_ACTION_ATTR_CT_CLEAR:
        return "uses conntrack (ct action)";
    case OVS_ACTION_ATTR_TRUNC:
        return "truncates packets (trunc action)";
    case OVS_ACTION_ATTR_PUSH_ETH:
    case OVS_ACTION_ATTR_POP_ETH:
        return "pushes or pops Ethernet (L3 packets)";
    case OVS_ACTION_ATTR_PUSH_NSH:
    case OVS_ACTION_ATTR_POP_NSH:
        return "pushes or pops NSH";
    case OVS_ACTION_ATTR_METER:
        return "uses a meter";
    case OVS_ACTION_ATTR_CLONE:
        return "clones packets (clone action)";
    case OVS_ACTION_ATTR_CHECK_PKT_LEN:
        return "checks the packet length (check_pkt_len action)";
    case OVS_ACTION_ATTR_TUNNEL_PUSH:
    case OVS_ACTION_ATTR_TUNNEL_POP:
        return "pushes or pops a tunnel header";
    case OVS_ACTION_ATTR_LB_OUTPUT:
        return "outputs to a balanced bond (lb_output action)";
    case OVS_ACTION_ATTR_UNSPEC:
    case OVS_ACTION_ATTR_OUTPUT:
    case OVS_ACTION_ATTR_SET:
    case OVS_ACTION_ATTR_PUSH_VLAN:
    case OVS_ACTION_ATTR_POP_VLAN:
    case OVS_ACTION_ATTR_SET_MASKED:
    case OVS_ACTION_ATTR_DROP:
    case __OVS_ACTION_ATTR_MAX:
    default:
        return "has an action XDP does not know";
    }
}

static struct xdp_flow_action *
xdp_odp_add(struct xdp_flow_entry *entry, enum xdp_flow_action_type type)
{
    struct xdp_flow_action *act;

    if (entry->n_actions >= XDP_FLOW_MAX_ACTIONS) {
        return NULL;
    }
    act = &entry->actions[entry->n_actions++];
    memset(act, 0, sizeof *act);
    act->type = type;
    return act;
}

/* Appends the field rewrites of a set action on header 'key' whose value
 * and mask are 'value' and 'mask'. */
static const char *
xdp_odp_translate_set(enum ovs_key_attr key, const uint8_t *value,
                      const uint8_t *mask, struct xdp_flow_entry *entry)
{
    size_t size = xdp_odp_key_size(key);
    uint8_t covered[sizeof(struct ovs_key_ipv6)];

    if (key == OVS_KEY_ATTR_SCTP) {
        return "rewrites SCTP ports (OVS recomputes SCTP's CRC32c over the "
               "whole packet)";
    }
    if (!size) {
        return "rewrites a field XDP cannot rewrite (metadata, tunnel, "
               "MPLS, ARP, ND, ICMP or NSH)";
    }
    if (key == OVS_KEY_ATTR_IPV6) {
        ovs_be32 label;

        memcpy(&label, value + offsetof(struct ovs_key_ipv6, ipv6_label),
               sizeof label);
        if (label & ~htonl(IPV6_LABEL_MASK)) {
            /* packet_set_ipv6_flow_label() ORs them into the traffic class
             * and version. */
            return "sets an IPv6 flow label wider than 20 bits";
        }
    }

    memset(covered, 0, sizeof covered);
    for (size_t i = 0; i < ARRAY_SIZE(xdp_odp_fields); i++) {
        const struct xdp_odp_field *f = &xdp_odp_fields[i];
        struct xdp_flow_action *act;

        if (f->key != key) {
            continue;
        }
        memset(covered + f->offset, 0xff, f->size);
        if (is_all_zeros(mask + f->offset, f->size)
            && (key == OVS_KEY_ATTR_IPV4
                || is_all_zeros(value + f->offset, f->size))) {
            /* Nothing changes: odp_set_ipv4() skips a field whose mask is
             * zero, the others set the value's bits, none here. */
            continue;
        }
        act = xdp_odp_add(entry, XDP_FLOW_ACT_SET_FIELD);
        if (!act) {
            return "has more than 16 actions";
        }
        act->field = f->field;
        act->arg = key;
        if (key == OVS_KEY_ATTR_IPV4) {
            entry->flags |= XDP_FLOW_ENTRY_SETS_IPV4;
        } else if (key == OVS_KEY_ATTR_IPV6) {
            entry->flags |= XDP_FLOW_ENTRY_SETS_IPV6;
        }
        if (xdp_odp_field_reaches_l4(f->field)) {
            entry->l4_reach = MAX(entry->l4_reach, xdp_odp_l4_reach(entry));
        }
        for (size_t j = 0; j < f->size; j++) {
            /* OVS computes 'value | (old & ~mask)': the value's bits are
             * set even outside the mask (OVS itself always masks the value,
             * a flow added by hand need not). */
            act->value[j] = value[f->offset + j];
            act->mask[j] = mask[f->offset + j] | value[f->offset + j];
        }
    }
    for (size_t i = 0; i < size; i++) {
        if (mask[i] & ~covered[i]) {
            return "rewrites the IP protocol or fragment type";
        }
    }
    return NULL;
}

/* Appends to 'entry' what the program does for OVS_ACTION_ATTR_CT 'a', if
 * it can: look the connection up in its conntrack cache, in the action's
 * zone.  The cache holds only established connections with no helper, so
 * a ct() that would change one (mark, label, a helper, a forced commit) is
 * userspace's; a plain commit changes nothing there, and a nat applies the
 * connection's NAT (its range only matters to a new connection). */
static const char *
xdp_odp_translate_ct(const struct nlattr *a, struct xdp_flow_entry *entry)
{
    const struct nlattr *attr;
    struct xdp_flow_action *act;
    uint16_t zone = 0;
    uint16_t flags = 0;
    size_t left;

    NL_NESTED_FOR_EACH (attr, left, a) {
        enum ovs_ct_attr type = nl_attr_type(attr);

        switch (type) {
        case OVS_CT_ATTR_ZONE:
            zone = nl_attr_get_u16(attr);
            break;
        case OVS_CT_ATTR_COMMIT:
            flags |= XDP_FLOW_CT_COMMIT;
            break;
        case OVS_CT_ATTR_EVENTMASK:
            /* For the kernel's conntrack events only. */
            break;
        case OVS_CT_ATTR_FORCE_COMMIT:
            return "uses conntrack with force_commit (ct action)";
        case OVS_CT_ATTR_MARK:
        case OVS_CT_ATTR_LABELS:
            return "sets a conntrack mark or label (ct action)";
        case OVS_CT_ATTR_HELPER:
            return "uses a conntrack helper (ct action)";
        case OVS_CT_ATTR_NAT:
            flags |= XDP_FLOW_CT_NAT;
            break;
        case OVS_CT_ATTR_TIMEOUT:
            return "uses a conntrack timeout policy name (ct action)";
        case OVS_CT_ATTR_UNSPEC:
        case __OVS_CT_ATTR_MAX:
        default:
            return "uses a conntrack option XDP does not know (ct action)";
        }
    }
    if (entry->n_actions > (entry->flags & XDP_FLOW_ENTRY_CT_CLEAR ? 1 : 0)) {
        return "uses conntrack after other actions (ct action)";
    }
    act = xdp_odp_add(entry, XDP_FLOW_ACT_CT);
    if (!act) {
        return "has more than 16 actions";
    }
    act->arg = zone;
    act->field = flags;
    entry->flags |= XDP_FLOW_ENTRY_CT;
    return NULL;
}

/* Translates the ODP actions in 'actions' into 'entry''s actions.  Returns
 * NULL if XDP can execute all of them, otherwise the reason why not, with
 * 'entry' made partial (xdp_flow_entry_make_partial()).  'port_to_ifindex'
 * tells where XDP can output.  Leaves 'entry''s mark and generation. */
const char *
xdp_odp_actions_to_entry(const struct nlattr *actions, size_t actions_len,
                         xdp_odp_port_to_ifindex *port_to_ifindex,
                         void *aux, struct xdp_flow_entry *entry)
{
    const char *reason = NULL;
    bool output = false;
    bool recirc = false;
    const struct nlattr *a;
    size_t left;

    memset(entry->actions, 0, sizeof entry->actions);
    entry->n_actions = 0;
    entry->flags = 0;
    entry->l4_reach = 0;
    NL_ATTR_FOR_EACH (a, left, actions, actions_len) {
        enum ovs_action_attr type = nl_attr_type(a);
        struct xdp_flow_action *act;

        if (output) {
            reason = (type == OVS_ACTION_ATTR_OUTPUT
                      ? "outputs to several ports"
                      : "has actions after an output");
            break;
        }
        if (recirc) {
            reason = "has actions after a recirculation";
            break;
        }
        switch (type) {
        case OVS_ACTION_ATTR_OUTPUT: {
            uint32_t ifindex = port_to_ifindex(nl_attr_get_odp_port(a), aux,
                                               &reason);

            if (!ifindex) {
                break;
            }
            act = xdp_odp_add(entry, XDP_FLOW_ACT_OUTPUT);
            if (!act) {
                reason = "has more than 16 actions";
                break;
            }
            act->arg = ifindex;
            output = true;
            break;
        }
        case OVS_ACTION_ATTR_PUSH_VLAN: {
            const struct ovs_action_push_vlan *vlan = nl_attr_get(a);

            act = xdp_odp_add(entry, XDP_FLOW_ACT_PUSH_VLAN);
            if (!act) {
                reason = "has more than 16 actions";
                break;
            }
            act->arg = ((uint32_t) ntohs(vlan->vlan_tpid) << 16
                        | (ntohs(vlan->vlan_tci) & ~VLAN_CFI));
            break;
        }
        case OVS_ACTION_ATTR_POP_VLAN:
            if (!xdp_odp_add(entry, XDP_FLOW_ACT_POP_VLAN)) {
                reason = "has more than 16 actions";
            }
            break;
        case OVS_ACTION_ATTR_SET: {
            const struct nlattr *k = nl_attr_get(a);
            enum ovs_key_attr key = nl_attr_type(k);
            uint8_t mask[sizeof(struct ovs_key_ipv6)];

            if (xdp_odp_key_size(key)
                && nl_attr_get_size(k) != xdp_odp_key_size(key)) {
                reason = "has a malformed set action";
                break;
            }
            xdp_odp_set_mask(key, mask);
            reason = xdp_odp_translate_set(key, nl_attr_get(k), mask, entry);
            break;
        }
        case OVS_ACTION_ATTR_SET_MASKED: {
            const struct nlattr *k = nl_attr_get(a);
            enum ovs_key_attr key = nl_attr_type(k);
            size_t size = xdp_odp_key_size(key);
            const uint8_t *value = nl_attr_get(k);

            if (size && nl_attr_get_size(k) != 2 * size) {
                reason = "has a malformed set action";
                break;
            }
            reason = xdp_odp_translate_set(key, value, value + size, entry);
            break;
        }
        case OVS_ACTION_ATTR_DROP:
            /* An explicit drop ends the actions. */
            output = false;
            goto out;
        case OVS_ACTION_ATTR_CT_CLEAR:
            if (entry->n_actions) {
                reason = "clears conntrack state after other actions "
                         "(ct_clear action)";
                break;
            }
            if (!xdp_odp_add(entry, XDP_FLOW_ACT_CT_CLEAR)) {
                reason = "has more than 16 actions";
                break;
            }
            entry->flags |= XDP_FLOW_ENTRY_CT_CLEAR;
            break;
        case OVS_ACTION_ATTR_CT:
            reason = xdp_odp_translate_ct(a, entry);
            break;
        case OVS_ACTION_ATTR_RECIRC:
            if (entry->n_actions != (!!(entry->flags & XDP_FLOW_ENTRY_CT)
                                     + !!(entry->flags
                                          & XDP_FLOW_ENTRY_CT_CLEAR))) {
                reason = "recirculates after actions other than ct() "
                         "(recirc action)";
                break;
            }
            act = xdp_odp_add(entry, XDP_FLOW_ACT_RECIRC);
            if (!act) {
                reason = "has more than 16 actions";
                break;
            }
            act->arg = nl_attr_get_u32(a);
            entry->flags |= XDP_FLOW_ENTRY_RECIRC;
            /* Nothing may follow: the next pass is another flow's. */
            recirc = true;
            break;
        case OVS_ACTION_ATTR_UNSPEC:
        case OVS_ACTION_ATTR_USERSPACE:
        case OVS_ACTION_ATTR_SAMPLE:
        case OVS_ACTION_ATTR_HASH:
        case OVS_ACTION_ATTR_PUSH_MPLS:
        case OVS_ACTION_ATTR_POP_MPLS:
        case OVS_ACTION_ATTR_TRUNC:
        case OVS_ACTION_ATTR_PUSH_ETH:
        case OVS_ACTION_ATTR_POP_ETH:
        case OVS_ACTION_ATTR_PUSH_NSH:
        case OVS_ACTION_ATTR_POP_NSH:
        case OVS_ACTION_ATTR_METER:
        case OVS_ACTION_ATTR_CLONE:
        case OVS_ACTION_ATTR_CHECK_PKT_LEN:
        case OVS_ACTION_ATTR_ADD_MPLS:
        case OVS_ACTION_ATTR_TUNNEL_PUSH:
        case OVS_ACTION_ATTR_TUNNEL_POP:
        case OVS_ACTION_ATTR_LB_OUTPUT:
        case __OVS_ACTION_ATTR_MAX:
        default:
            reason = xdp_odp_action_reason(type);
            break;
        }
        if (reason) {
            break;
        }
    }
out:
    if (!reason && !output && !recirc) {
        /* Rewrites without an output: the packet is dropped anyway.  The
         * conntrack part stays: conntrack would see the packet (and
         * advance a TCP window) before the drop. */
        uint32_t n_ct = (!!(entry->flags & XDP_FLOW_ENTRY_CT_CLEAR)
                         + !!(entry->flags & XDP_FLOW_ENTRY_CT));

        memset(&entry->actions[n_ct], 0,
               (XDP_FLOW_MAX_ACTIONS - n_ct) * sizeof entry->actions[0]);
        entry->n_actions = n_ct;
        entry->flags &= XDP_FLOW_ENTRY_CT_CLEAR | XDP_FLOW_ENTRY_CT;
        entry->l4_reach = 0;
    }
    if (reason) {
        xdp_flow_entry_make_partial(entry);
    }
    return reason;
}

/* Makes 'entry' partial: XDP classifies and gives userspace the mark. */
void
xdp_flow_entry_make_partial(struct xdp_flow_entry *entry)
{
    memset(entry->actions, 0, sizeof entry->actions);
    entry->flags = 0;
    entry->l4_reach = 0;
    entry->n_actions = 1;
    entry->actions[0].type = XDP_FLOW_ACT_UPCALL_PARTIAL;
}

bool
xdp_flow_entry_is_partial(const struct xdp_flow_entry *entry)
{
    return (entry->n_actions
            && entry->actions[0].type == XDP_FLOW_ACT_UPCALL_PARTIAL);
}

static const struct xdp_odp_field *
xdp_odp_field_find(enum ovs_key_attr key, enum xdp_flow_field field)
{
    for (size_t i = 0; i < ARRAY_SIZE(xdp_odp_fields); i++) {
        if (xdp_odp_fields[i].key == key
            && xdp_odp_fields[i].field == field) {
            return &xdp_odp_fields[i];
        }
    }
    return NULL;
}

/* Appends to 'buf' ODP actions that do what 'entry''s actions do: runs of
 * field rewrites of one header become one OVS_ACTION_ATTR_SET_MASKED.  A
 * partial entry has no ODP actions of its own (userspace runs the flow's). */
void
xdp_odp_actions_from_entry(const struct xdp_flow_entry *entry,
                           xdp_odp_ifindex_to_port *ifindex_to_port,
                           void *aux, struct ofpbuf *buf)
{
    uint32_t n = MIN(entry->n_actions, XDP_FLOW_MAX_ACTIONS);

    for (uint32_t i = 0; i < n; i++) {
        const struct xdp_flow_action *act = &entry->actions[i];

        switch ((enum xdp_flow_action_type) act->type) {
        case XDP_FLOW_ACT_OUTPUT:
            nl_msg_put_odp_port(buf, OVS_ACTION_ATTR_OUTPUT,
                                ifindex_to_port(act->arg, aux));
            break;
        case XDP_FLOW_ACT_PUSH_VLAN: {
            struct ovs_action_push_vlan vlan = {
                .vlan_tpid = htons(act->arg >> 16),
                .vlan_tci = htons((act->arg & 0xffff) | VLAN_CFI),
            };

            nl_msg_put_unspec(buf, OVS_ACTION_ATTR_PUSH_VLAN, &vlan,
                              sizeof vlan);
            break;
        }
        case XDP_FLOW_ACT_POP_VLAN:
            nl_msg_put_flag(buf, OVS_ACTION_ATTR_POP_VLAN);
            break;
        case XDP_FLOW_ACT_SET_FIELD: {
            enum ovs_key_attr key = act->arg;
            size_t size = xdp_odp_key_size(key);
            size_t offset;
            uint8_t *value;

            if (!size || !xdp_odp_field_find(key, act->field)) {
                break;
            }
            offset = nl_msg_start_nested(buf, OVS_ACTION_ATTR_SET_MASKED);
            value = nl_msg_put_unspec_zero(buf, key, 2 * size);
            /* Merge the following rewrites of other fields of the same
             * header. */
            uint32_t fields = 0;
            for (; i < n; i++) {
                const struct xdp_odp_field *f;

                act = &entry->actions[i];
                f = xdp_odp_field_find(act->arg, act->field);
                if (act->type != XDP_FLOW_ACT_SET_FIELD || act->arg != key
                    || !f || fields & (1u << act->field)) {
                    break;
                }
                fields |= 1u << act->field;
                memcpy(value + f->offset, act->value, f->size);
                memcpy(value + size + f->offset, act->mask, f->size);
            }
            i--;
            nl_msg_end_nested(buf, offset);
            break;
        }
        case XDP_FLOW_ACT_CT_CLEAR:
            nl_msg_put_flag(buf, OVS_ACTION_ATTR_CT_CLEAR);
            break;
        case XDP_FLOW_ACT_CT: {
            size_t offset = nl_msg_start_nested(buf, OVS_ACTION_ATTR_CT);

            if (act->field & XDP_FLOW_CT_COMMIT) {
                nl_msg_put_flag(buf, OVS_CT_ATTR_COMMIT);
            }
            if (act->arg) {
                nl_msg_put_u16(buf, OVS_CT_ATTR_ZONE, act->arg);
            }
            if (act->field & XDP_FLOW_CT_NAT) {
                /* The range is not kept: it only matters to a new
                 * connection, which XDP never sees. */
                nl_msg_end_nested(buf, nl_msg_start_nested(buf,
                                                           OVS_CT_ATTR_NAT));
            }
            nl_msg_end_nested(buf, offset);
            break;
        }
        case XDP_FLOW_ACT_RECIRC:
            nl_msg_put_u32(buf, OVS_ACTION_ATTR_RECIRC, act->arg);
            break;
        case XDP_FLOW_ACT_UPCALL_PARTIAL:
        default:
            break;
        }
    }
}
