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

#include "xdp-flow.h"

#include <string.h>

#include "flow.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "packets.h"
#include "util.h"
#include "xdp-ct-abi.h"

BUILD_ASSERT_DECL(sizeof(struct xdp_flow_key) == 128);
BUILD_ASSERT_DECL(sizeof(struct xdp_flow_key) % 8 == 0);
BUILD_ASSERT_DECL(sizeof(struct xdp_flow_lookup) == 128);
BUILD_ASSERT_DECL(sizeof(struct xdp_flow_lookup_medium) == 64);
BUILD_ASSERT_DECL(sizeof(struct xdp_flow_lookup_narrow) == 32);
BUILD_ASSERT_DECL(sizeof(struct xdp_flow_lookup_tiny) == 16);
BUILD_ASSERT_DECL(XDP_FLOW_RECIRC_WORD * 4
                  == offsetof(struct xdp_flow_key, recirc_id));
BUILD_ASSERT_DECL(XDP_FLOW_PAD_WORD * 4 == offsetof(struct xdp_flow_key, pad));
BUILD_ASSERT_DECL(XDP_FLOW_KEY_U32S - 1 <= XDP_FLOW_WIDE_WORDS);
BUILD_ASSERT_DECL(XDP_CT_STATE_TRACKED == CS_TRACKED);
BUILD_ASSERT_DECL(XDP_CT_STATE_ESTABLISHED == CS_ESTABLISHED);
BUILD_ASSERT_DECL(XDP_CT_STATE_REPLY_DIR == CS_REPLY_DIR);
BUILD_ASSERT_DECL(XDP_CT_STATE_NEW == CS_NEW);
BUILD_ASSERT_DECL(XDP_CT_STATE_INVALID == CS_INVALID);
BUILD_ASSERT_DECL(sizeof(struct xdp_flow_action) == 40);
BUILD_ASSERT_DECL(sizeof(union flow_vlan_hdr) == sizeof(struct xdp_flow_vlan));
BUILD_ASSERT_DECL(XDP_FLOW_FRAG_ANY == FLOW_NW_FRAG_ANY);
BUILD_ASSERT_DECL(XDP_FLOW_FRAG_LATER == FLOW_NW_FRAG_LATER);

/* Copies the fields the XDP key covers from 'flow' (which may also be a
 * mask) into 'key'.  Fields not covered are ignored. */
void
xdp_flow_key_from_flow(struct xdp_flow_key *key, const struct flow *flow)
{
    memset(key, 0, sizeof *key);
    key->in_port = odp_to_u32(flow->in_port.odp_port);
    key->recirc_id = flow->recirc_id;
    memcpy(key->dl_dst, flow->dl_dst.ea, ETH_ADDR_LEN);
    memcpy(key->dl_src, flow->dl_src.ea, ETH_ADDR_LEN);
    key->dl_type = flow->dl_type;
    for (int i = 0; i < 2; i++) {
        key->vlans[i].tpid = flow->vlans[i].tpid;
        key->vlans[i].tci = flow->vlans[i].tci;
    }
    key->nw_frag = flow->nw_frag;
    key->nw_tos = flow->nw_tos;
    key->nw_ttl = flow->nw_ttl;
    key->nw_proto = flow->nw_proto;
    key->tcp_flags = flow->tcp_flags;
    key->tp_src = flow->tp_src;
    key->tp_dst = flow->tp_dst;
    key->nw_src = flow->nw_src;
    key->nw_dst = flow->nw_dst;
    memcpy(key->ipv6_src, &flow->ipv6_src, sizeof key->ipv6_src);
    memcpy(key->ipv6_dst, &flow->ipv6_dst, sizeof key->ipv6_dst);
    memcpy(key->nd_target, &flow->nd_target, sizeof key->nd_target);
    memcpy(key->arp_sha, flow->arp_sha.ea, ETH_ADDR_LEN);
    memcpy(key->arp_tha, flow->arp_tha.ea, ETH_ADDR_LEN);
    key->ipv6_label = flow->ipv6_label;
    key->nd_reserved = flow->igmp_group_ip4;
    key->ct_state = flow->ct_state;
    key->ct_zone = flow->ct_zone;
    key->ct_mark = flow->ct_mark;
}

/* Sets the fields of 'flow' that the XDP key covers from 'key'; the other
 * fields of 'flow' are left alone. */
void
xdp_flow_key_to_flow(const struct xdp_flow_key *key, struct flow *flow)
{
    flow->in_port.odp_port = u32_to_odp(key->in_port);
    flow->recirc_id = key->recirc_id;
    memcpy(flow->dl_dst.ea, key->dl_dst, ETH_ADDR_LEN);
    memcpy(flow->dl_src.ea, key->dl_src, ETH_ADDR_LEN);
    flow->dl_type = key->dl_type;
    for (int i = 0; i < 2; i++) {
        flow->vlans[i].tpid = key->vlans[i].tpid;
        flow->vlans[i].tci = key->vlans[i].tci;
    }
    flow->nw_frag = key->nw_frag;
    flow->nw_tos = key->nw_tos;
    flow->nw_ttl = key->nw_ttl;
    flow->nw_proto = key->nw_proto;
    flow->tcp_flags = key->tcp_flags;
    flow->tp_src = key->tp_src;
    flow->tp_dst = key->tp_dst;
    flow->nw_src = key->nw_src;
    flow->nw_dst = key->nw_dst;
    memcpy(&flow->ipv6_src, key->ipv6_src, sizeof flow->ipv6_src);
    memcpy(&flow->ipv6_dst, key->ipv6_dst, sizeof flow->ipv6_dst);
    memcpy(&flow->nd_target, key->nd_target, sizeof flow->nd_target);
    memcpy(flow->arp_sha.ea, key->arp_sha, ETH_ADDR_LEN);
    memcpy(flow->arp_tha.ea, key->arp_tha, ETH_ADDR_LEN);
    flow->ipv6_label = key->ipv6_label;
    flow->igmp_group_ip4 = key->nd_reserved;
    flow->ct_state = key->ct_state;
    flow->ct_zone = key->ct_zone;
    flow->ct_mark = key->ct_mark;
}

/* True if some bit of 'value' under 'mask' (both 'n' bytes) is 1. */
static bool
xdp_flow_masked_nonzero(const void *value_, const void *mask_, size_t n)
{
    const uint8_t *value = value_;
    const uint8_t *mask = mask_;

    for (size_t i = 0; i < n; i++) {
        if (value[i] & mask[i]) {
            return true;
        }
    }
    return false;
}

/* Returns NULL if XDP can match on everything 'match' matches on, otherwise
 * a constant string that names the first field it cannot.
 *
 * Metadata other than recirc_id and the conntrack results XDP keeps
 * (ct_state, ct_zone, ct_mark) is all zeros for every packet that XDP
 * sees: it arrives on an afxdp port and recirculates only through ct()
 * and recirc(), which set nothing else.  A match on zero metadata is
 * therefore a match on nothing; a match on nonzero metadata can only hit
 * in userspace.  The conntrack fields XDP does not keep (ct_label, the
 * original tuple) are not zero after a ct(), so a match on them, zero or
 * not, is userspace's. */
const char *
xdp_flow_match_unsupported(const struct match *match)
{
    const struct flow *m = &match->wc.masks;
    const struct flow *f = &match->flow;

#define XDP_CHECK_ZERO(FIELD, REASON)                                   \
    if (xdp_flow_masked_nonzero(&f->FIELD, &m->FIELD, sizeof m->FIELD)) { \
        return REASON;                                                  \
    }
#define XDP_CHECK_UNMATCHED(FIELD, REASON)              \
    if (!is_all_zeros(&m->FIELD, sizeof m->FIELD)) {    \
        return REASON;                                  \
    }

    XDP_CHECK_ZERO(tunnel.tun_id, "matches on tunnel metadata (tun_id)");
    XDP_CHECK_ZERO(tunnel.ip_src, "matches on tunnel metadata (tun_src)");
    XDP_CHECK_ZERO(tunnel.ip_dst, "matches on tunnel metadata (tun_dst)");
    XDP_CHECK_ZERO(tunnel.ipv6_src,
                   "matches on tunnel metadata (tun_ipv6_src)");
    XDP_CHECK_ZERO(tunnel.ipv6_dst,
                   "matches on tunnel metadata (tun_ipv6_dst)");
    XDP_CHECK_ZERO(tunnel.flags, "matches on tunnel metadata (tun_flags)");
    XDP_CHECK_ZERO(tunnel.ip_tos, "matches on tunnel metadata (tun_tos)");
    XDP_CHECK_ZERO(tunnel.ip_ttl, "matches on tunnel metadata (tun_ttl)");
    XDP_CHECK_ZERO(tunnel.tp_src, "matches on tunnel metadata (tun_tp_src)");
    XDP_CHECK_ZERO(tunnel.tp_dst, "matches on tunnel metadata (tun_tp_dst)");
    XDP_CHECK_ZERO(tunnel.metadata,
                   "matches on tunnel metadata (tun_metadata)");
    XDP_CHECK_ZERO(tunnel, "matches on tunnel metadata "
                   "(tun_gbp, tun_erspan or tun_gtpu fields)");
    XDP_CHECK_ZERO(metadata, "matches on OpenFlow metadata");
    XDP_CHECK_ZERO(regs, "matches on registers (reg0..reg15)");
    XDP_CHECK_ZERO(skb_priority, "matches on skb_priority");
    XDP_CHECK_ZERO(pkt_mark, "matches on pkt_mark");
    XDP_CHECK_ZERO(dp_hash, "matches on dp_hash");
    XDP_CHECK_UNMATCHED(ct_nw_proto, "matches on conntrack (ct_nw_proto)");
    XDP_CHECK_UNMATCHED(ct_label, "matches on conntrack label (ct_label)");
    XDP_CHECK_UNMATCHED(ct_nw_src, "matches on conntrack tuple (ct_nw_src)");
    XDP_CHECK_UNMATCHED(ct_nw_dst, "matches on conntrack tuple (ct_nw_dst)");
    XDP_CHECK_UNMATCHED(ct_ipv6_src,
                        "matches on conntrack tuple (ct_ipv6_src)");
    XDP_CHECK_UNMATCHED(ct_ipv6_dst,
                        "matches on conntrack tuple (ct_ipv6_dst)");
    XDP_CHECK_UNMATCHED(ct_tp_src, "matches on conntrack tuple (ct_tp_src)");
    XDP_CHECK_UNMATCHED(ct_tp_dst, "matches on conntrack tuple (ct_tp_dst)");
    if (m->ct_state & f->ct_state & ~(CS_TRACKED | CS_ESTABLISHED
                                      | CS_REPLY_DIR | CS_NEW
                                      | CS_SRC_NAT | CS_DST_NAT)) {
        /* XDP answers +est, or +new for UDP seen one way, with +snat or
         * +dnat after a ct(nat). */
        return "matches on a conntrack state XDP never gives "
               "(+rel or +inv)";
    }
    XDP_CHECK_ZERO(conj_id, "matches on conj_id");
    XDP_CHECK_ZERO(actset_output, "matches on actset_output");
    XDP_CHECK_UNMATCHED(mpls_lse, "matches on MPLS label stack entries "
                   "(mpls_label, mpls_tc, mpls_bos, mpls_ttl)");
    XDP_CHECK_UNMATCHED(nsh, "matches on NSH fields");
#undef XDP_CHECK_ZERO
#undef XDP_CHECK_UNMATCHED

    if (m->packet_type && f->packet_type != htonl(PT_ETH)) {
        return "matches on a packet_type other than Ethernet";
    }
    if (m->igmp_group_ip4
        && (m->nw_proto != UINT8_MAX || f->nw_proto != IPPROTO_ICMPV6)) {
        return "matches on the IGMP group address (igmp_group_ip4)";
    }
    return NULL;
}

/* Converts 'match' into an XDP 'key' and 'mask' (with 'key' already masked).
 * Returns NULL on success, otherwise the reason why XDP cannot match as
 * 'match' does (and 'key' and 'mask' are unspecified). */
const char *
xdp_flow_from_match(const struct match *match, struct xdp_flow_key *key,
                    struct xdp_flow_key *mask)
{
    const char *reason = xdp_flow_match_unsupported(match);
    struct xdp_flow_key k;

    if (reason) {
        return reason;
    }
    xdp_flow_key_from_flow(&k, &match->flow);
    xdp_flow_key_from_flow(mask, &match->wc.masks);
    xdp_flow_key_mask(key, &k, mask);
    return NULL;
}

/* Converts an XDP 'key' and 'mask' into 'match'.  XDP sees only Ethernet
 * packets, so 'match' also matches packet_type exactly on Ethernet. */
void
xdp_flow_to_match(const struct xdp_flow_key *key,
                  const struct xdp_flow_key *mask, struct match *match)
{
    match_init_catchall(match);
    xdp_flow_key_to_flow(key, &match->flow);
    xdp_flow_key_to_flow(mask, &match->wc.masks);
    match->flow.packet_type = htonl(PT_ETH);
    match->wc.masks.packet_type = OVS_BE32_MAX;
    flow_zero_wildcards(&match->flow, &match->wc);
}

/* Sets 'dst' to 'key' AND 'mask'.  'dst' may be the same as 'key'. */
void
xdp_flow_key_mask(struct xdp_flow_key *dst, const struct xdp_flow_key *key,
                  const struct xdp_flow_key *mask)
{
    uint32_t k[XDP_FLOW_KEY_U32S], m[XDP_FLOW_KEY_U32S];

    memcpy(k, key, sizeof k);
    memcpy(m, mask, sizeof m);
    for (size_t i = 0; i < XDP_FLOW_KEY_U32S; i++) {
        k[i] &= m[i];
    }
    memcpy(dst, k, sizeof k);
}

/* Sets 'out' to what the program needs of mask 'mask': the key words it
 * covers, packed, and the narrowest width that holds them.  The last word
 * (pad) is zero in every key. */
void
xdp_flow_mask_compile(const struct xdp_flow_key *mask,
                      struct xdp_flow_mask *out)
{
    uint32_t m[XDP_FLOW_KEY_U32S];
    uint32_t n = 0;

    memset(out, 0, sizeof *out);
    out->mask = *mask;
    out->in_use = XDP_FLOW_MASK_FIRST_PASS | XDP_FLOW_MASK_LATER_PASSES;
    memcpy(m, mask, sizeof m);
    for (uint32_t i = 0; i < XDP_FLOW_KEY_U32S; i++) {
        if (m[i] && i != XDP_FLOW_PAD_WORD) {
            out->word_index[n] = i;
            out->word_mask[n] = m[i];
            n++;
        }
    }
    out->width = (n <= XDP_FLOW_TINY_WORDS ? XDP_FLOW_TINY
                  : n <= XDP_FLOW_NARROW_WORDS ? XDP_FLOW_NARROW
                  : n <= XDP_FLOW_MEDIUM_WORDS ? XDP_FLOW_MEDIUM
                  : XDP_FLOW_WIDE);
}

/* Returns the passes (XDP_FLOW_MASK_*) on which a flow of 'key' (masked)
 * under 'mask' can match: OVS's megaflows match recirc_id exactly; one
 * that does not may match on any pass. */
uint32_t
xdp_flow_mask_passes(const struct xdp_flow_key *mask,
                     const struct xdp_flow_key *key)
{
    if (mask->recirc_id != UINT32_MAX) {
        return XDP_FLOW_MASK_FIRST_PASS | XDP_FLOW_MASK_LATER_PASSES;
    }
    return key->recirc_id ? XDP_FLOW_MASK_LATER_PASSES
                          : XDP_FLOW_MASK_FIRST_PASS;
}

/* Sets 'lookup' to the key of 'key' in the 'flows_*' map of compiled mask
 * 'mask', whose index is 'mask_index', as the program builds it.  Returns
 * the size of that map's key. */
size_t
xdp_flow_lookup_make(const struct xdp_flow_mask *mask, uint32_t mask_index,
                     const struct xdp_flow_key *key,
                     struct xdp_flow_lookup *lookup)
{
    uint32_t k[XDP_FLOW_KEY_U32S];

    memcpy(k, key, sizeof k);
    memset(lookup, 0, sizeof *lookup);
    lookup->mask_index = mask_index;
    for (size_t j = 0; j < XDP_FLOW_WIDE_WORDS; j++) {
        lookup->words[j] = (mask->word_index[j] < XDP_FLOW_KEY_U32S
                            ? k[mask->word_index[j]] & mask->word_mask[j]
                            : 0);
    }
    return xdp_flow_lookup_size(mask->width);
}

/* The key size of the 'flows_*' map of 'width'. */
size_t
xdp_flow_lookup_size(enum xdp_flow_width width)
{
    switch (width) {
    case XDP_FLOW_TINY:
        return sizeof(struct xdp_flow_lookup_tiny);
    case XDP_FLOW_NARROW:
        return sizeof(struct xdp_flow_lookup_narrow);
    case XDP_FLOW_MEDIUM:
        return sizeof(struct xdp_flow_lookup_medium);
    case XDP_FLOW_WIDE:
    case XDP_FLOW_N_WIDTHS:
    default:
        return sizeof(struct xdp_flow_lookup);
    }
}

/* Appends a one-line description of 'key' to 's' (all fields, for tests and
 * debugging). */
void
xdp_flow_key_format(struct ds *s, const struct xdp_flow_key *key)
{
    struct flow flow;

    memset(&flow, 0, sizeof flow);
    xdp_flow_key_to_flow(key, &flow);
    ds_put_format(s, "in_port=%"PRIu32",recirc_id=%"PRIu32","
                  "dl_dst="ETH_ADDR_FMT",dl_src="ETH_ADDR_FMT","
                  "dl_type=0x%04"PRIx16,
                  key->in_port, key->recirc_id, ETH_ADDR_ARGS(flow.dl_dst),
                  ETH_ADDR_ARGS(flow.dl_src), ntohs(key->dl_type));
    for (int i = 0; i < 2; i++) {
        if (key->vlans[i].tpid || key->vlans[i].tci) {
            ds_put_format(s, ",vlan%d=0x%04"PRIx16"/0x%04"PRIx16, i,
                          ntohs(key->vlans[i].tpid),
                          ntohs(key->vlans[i].tci));
        }
    }
    ds_put_format(s, ",nw_src="IP_FMT",nw_dst="IP_FMT",ipv6_src=",
                  IP_ARGS(key->nw_src), IP_ARGS(key->nw_dst));
    ipv6_format_addr(&flow.ipv6_src, s);
    ds_put_cstr(s, ",ipv6_dst=");
    ipv6_format_addr(&flow.ipv6_dst, s);
    ds_put_format(s, ",label=0x%05"PRIx32",frag=%"PRIu8",tos=%"PRIu8","
                  "ttl=%"PRIu8",proto=%"PRIu8",tcp_flags=0x%03"PRIx16","
                  "tp_src=%"PRIu16",tp_dst=%"PRIu16",nd_target=",
                  ntohl(key->ipv6_label), key->nw_frag, key->nw_tos,
                  key->nw_ttl, key->nw_proto, ntohs(key->tcp_flags),
                  ntohs(key->tp_src), ntohs(key->tp_dst));
    ipv6_format_addr(&flow.nd_target, s);
    ds_put_format(s, ",sha="ETH_ADDR_FMT",tha="ETH_ADDR_FMT","
                  "nd_reserved=0x%08"PRIx32",ct_state=0x%02"PRIx8","
                  "ct_zone=%"PRIu16",ct_mark=0x%08"PRIx32,
                  ETH_ADDR_ARGS(flow.arp_sha), ETH_ADDR_ARGS(flow.arp_tha),
                  ntohl(key->nd_reserved), key->ct_state, key->ct_zone,
                  key->ct_mark);
}
