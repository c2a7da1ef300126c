/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Copyright (c) 2026 The ovs-xdp authors. */

/* The XDP flow table ABI: flow key and mask, actions, and the maps that hold
 * them.  Shared by the BPF program and userspace, so kernel types only.
 *
 * Byte order: every field that OVS keeps in network byte order (ovs_be16,
 * ovs_be32, addresses) is in network byte order here too; the rest (in_port,
 * recirc_id, the u8 fields) are host order, as in OVS's struct flow.
 *
 * Maps (see Documentation/topics/xdp-flow-table.rst):
 *
 *   masks       ARRAY, u32 index -> struct xdp_flow_mask
 *   mask_order  ARRAY, u32 rank -> u32 (mask index + 1; 0 ends the list)
 *   mask_hits   PERCPU_ARRAY, u32 mask index -> u64 packets
 *   flows_tiny  HASH, struct xdp_flow_lookup_tiny -> struct xdp_flow_megaflow
 *   flows_narrow HASH, struct xdp_flow_lookup_narrow -> xdp_flow_megaflow
 *   flows_medium HASH, struct xdp_flow_lookup_medium -> xdp_flow_megaflow
 *   flows_wide  HASH, struct xdp_flow_lookup -> struct xdp_flow_megaflow
 *   flow_table  HASH, u32 flow id -> struct xdp_flow_entry
 *   flow_gens   ARRAY, u32 flow id -> u32 generation (0: no flow)
 *   flow_stats  PERCPU_ARRAY, u32 flow id -> struct xdp_flow_stats
 *   emc         LRU_PERCPU_HASH, struct xdp_flow_key -> xdp_flow_cached
 *   classifier  ARRAY, 0 -> struct xdp_flow_classifier
 *   tx_ports    DEVMAP_HASH, u32 ifindex -> struct bpf_devmap_val / u32
 */

#ifndef XDP_FLOW_ABI_H
#define XDP_FLOW_ABI_H 1

#include <linux/types.h>

/* Defaults; userspace may change the sizes before load. */
#define XDP_FLOW_DEFAULT_MASKS 64
#define XDP_FLOW_DEFAULT_FLOWS 65536
#define XDP_FLOW_DEFAULT_EMC 8192
#define XDP_FLOW_DEFAULT_EMC_INV_PROB 100

/* VLAN headers in a key, as OVS's FLOW_MAX_VLAN_HEADERS. */
#define XDP_FLOW_MAX_VLANS 2

/* dl_type of 802.2 frames without an Ethertype, as OVS's
 * FLOW_DL_TYPE_NONE. */
#define XDP_FLOW_DL_TYPE_NONE 0x05ff

/* nw_frag bits, as OVS's FLOW_NW_FRAG_*. */
#define XDP_FLOW_FRAG_ANY   (1 << 0)
#define XDP_FLOW_FRAG_LATER (1 << 1)

/* One VLAN header, as OVS's union flow_vlan_hdr: the TCI has the CFI bit
 * (0x1000) set for a header that is present. */
struct xdp_flow_vlan {
    __be16 tpid;
    __be16 tci;
};

/* The flow key, also used as the mask.  128 bytes, no implicit padding; pad0
 * and pad are always zero.  Fields share space as in OVS's struct flow: nw_src/nw_dst
 * hold the ARP SPA/TPA, nw_proto the low 8 bits of the ARP opcode,
 * arp_sha/arp_tha the ND SLL/TLL, tcp_flags the ND option type, tp_src/tp_dst
 * the ICMP/ICMPv6/IGMP type and code, nd_reserved OVS's igmp_group_ip4 for
 * ND packets.  The IGMP group address is not covered. */
struct xdp_flow_key {
    __u32 in_port;              /* ODP port number, from port_map. */
    __u32 recirc_id;            /* 0 on the first pass, then the id of
                                 * XDP_FLOW_ACT_RECIRC. */

    __u8 dl_dst[6];
    __u8 dl_src[6];
    __be16 dl_type;
    __u8 nw_frag;               /* XDP_FLOW_FRAG_*. */
    __u8 nw_tos;                /* DSCP and ECN. */

    struct xdp_flow_vlan vlans[XDP_FLOW_MAX_VLANS];

    __u8 nw_ttl;
    __u8 nw_proto;
    __be16 tcp_flags;           /* TCP flags (12 bits) or ND option type. */
    __be16 tp_src;
    __be16 tp_dst;

    __be32 nw_src;
    __be32 nw_dst;

    __be32 ipv6_src[4];
    __be32 ipv6_dst[4];
    __be32 nd_target[4];

    __u8 arp_sha[6];
    __u8 arp_tha[6];
    __be32 ipv6_label;

    __be32 nd_reserved;

    /* Conntrack results, as OVS's struct flow: zero on the first pass,
     * set by a ct() that XDP answers (xdp-conntrack.h), cleared by
     * ct_clear. */
    __u8 ct_state;              /* XDP_CT_STATE_* bits (xdp-ct-abi.h). */
    __u8 pad0;
    __u16 ct_zone;
    __u32 ct_mark;
    __u32 pad;
};

#define XDP_FLOW_KEY_U64S (sizeof(struct xdp_flow_key) / 8)

/* A megaflow lookup hashes only the words (u32) of the key that its mask
 * covers, packed after the mask index: hashing the whole 128-byte key would
 * cost more than everything else a packet does in XDP.  The packed key has
 * one of four widths, each with its own hash map, so that a mask that
 * covers few words (in_port, Ethernet, the IPv4 5-tuple) hashes 16 or 32
 * bytes. */
#define XDP_FLOW_KEY_U32S (sizeof(struct xdp_flow_key) / 4)
#define XDP_FLOW_TINY_WORDS 3
#define XDP_FLOW_NARROW_WORDS 7
#define XDP_FLOW_MEDIUM_WORDS 15
#define XDP_FLOW_WIDE_WORDS 31

enum xdp_flow_width {
    XDP_FLOW_TINY,              /* Up to 3 words: 'flows_tiny'. */
    XDP_FLOW_NARROW,            /* Up to 7 words: 'flows_narrow'. */
    XDP_FLOW_MEDIUM,            /* Up to 15 words: 'flows_medium'. */
    XDP_FLOW_WIDE,              /* Any mask: 'flows_wide'. */
    XDP_FLOW_N_WIDTHS
};

/* 'masks' value.  Lookup word j is key word 'word_index[j]' AND
 * 'word_mask[j]'; the words a mask does not use up to its width have a zero
 * 'word_mask'. */
struct xdp_flow_mask {
    struct xdp_flow_key mask;
    __u32 in_use;               /* The passes it has flows for
                                 * (XDP_FLOW_MASK_*), 0 for none. */
    __u32 width;                /* enum xdp_flow_width. */
    __u32 word_mask[XDP_FLOW_WIDE_WORDS + 1];
    __u8 word_index[XDP_FLOW_WIDE_WORDS + 1];
};

/* 'in_use' of struct xdp_flow_mask: the program probes a mask only on the
 * passes it has flows for, so that the second pass of a ct() pipeline
 * pays no hash probe for the masks of the first, nor the first for those
 * of the second. */
#define XDP_FLOW_MASK_FIRST_PASS 1      /* Flows of recirc_id 0. */
#define XDP_FLOW_MASK_LATER_PASSES 2    /* Flows of another recirc_id. */

/* The 'flows_*' keys: mask index, then the lookup words.  The tiny, narrow
 * and medium keys are the first 16, 32 and 64 bytes of struct
 * xdp_flow_lookup. */
struct xdp_flow_lookup_tiny {
    __u32 mask_index;
    __u32 words[XDP_FLOW_TINY_WORDS];
};

struct xdp_flow_lookup_narrow {
    __u32 mask_index;
    __u32 words[XDP_FLOW_NARROW_WORDS];
};

struct xdp_flow_lookup_medium {
    __u32 mask_index;
    __u32 words[XDP_FLOW_MEDIUM_WORDS];
};

struct xdp_flow_lookup {
    __u32 mask_index;
    __u32 words[XDP_FLOW_WIDE_WORDS];
};

/* The start of the 'flows_*' value.  A generation is never 0, and names
 * one content of one flow id (its match and its actions): userspace takes
 * a new one whenever it writes a flow, new actions included, and never
 * takes one twice. */
struct xdp_flow_ref {
    __u32 flow_id;
    __u32 generation;
    __u32 mask_index;           /* Counted in 'mask_hits' on a cache hit. */
    __u32 pad;
};

/* Action types. */
enum xdp_flow_action_type {
    XDP_FLOW_ACT_OUTPUT = 1,    /* 'arg': ifindex. Must be last. */
    XDP_FLOW_ACT_PUSH_VLAN,     /* 'arg': tpid << 16 | tci (tci without
                                 * the CFI bit, as in the packet). */
    XDP_FLOW_ACT_POP_VLAN,
    XDP_FLOW_ACT_SET_FIELD,     /* 'field', 'value', 'mask'; 'arg': the
                                 * header, XDP_FLOW_SET_*. */
    XDP_FLOW_ACT_UPCALL_PARTIAL,/* Must be the only action: userspace
                                 * executes, the packet carries the mark. */
    XDP_FLOW_ACT_CT_CLEAR,      /* Clears the key's ct fields.  Only first. */
    XDP_FLOW_ACT_CT,            /* 'arg': zone; 'field': XDP_FLOW_CT_*.
                                 * Only first, or after CT_CLEAR. */
    XDP_FLOW_ACT_RECIRC,        /* 'arg': recirc_id.  Only last, after
                                 * nothing but CT_CLEAR and CT. */
};

/* 'field' of XDP_FLOW_ACT_CT. */
#define XDP_FLOW_CT_COMMIT 1    /* ct(commit): nothing more on a connection
                                 * that is established already. */
#define XDP_FLOW_CT_NAT 2       /* ct(nat) or ct(commit,nat(...)): the
                                 * connection's NAT, if it has one (the
                                 * arguments only matter to new ones). */

/* Fields for XDP_FLOW_ACT_SET_FIELD; 'value' and 'mask' hold the field in
 * network byte order from byte 0 (e.g. 4 bytes for an IPv4 address, 2 for a
 * port, 1 for TOS).  A plain set has an all-ones mask. */
enum xdp_flow_field {
    XDP_FLOW_FIELD_ETH_SRC = 1,
    XDP_FLOW_FIELD_ETH_DST,
    XDP_FLOW_FIELD_IPV4_SRC,
    XDP_FLOW_FIELD_IPV4_DST,
    XDP_FLOW_FIELD_IPV4_TOS,
    XDP_FLOW_FIELD_IPV4_TTL,
    XDP_FLOW_FIELD_IPV6_SRC,
    XDP_FLOW_FIELD_IPV6_DST,
    XDP_FLOW_FIELD_IPV6_TCLASS,
    XDP_FLOW_FIELD_IPV6_HLIMIT,
    XDP_FLOW_FIELD_IPV6_LABEL,  /* be32, low 20 bits. */
    XDP_FLOW_FIELD_TP_SRC,      /* TCP or UDP source port. */
    XDP_FLOW_FIELD_TP_DST,      /* TCP or UDP destination port. */
};

/* 'arg' of XDP_FLOW_ACT_SET_FIELD: the header of the ODP set action the
 * rewrite comes from, as its key attribute (enum ovs_key_attr of
 * linux/openvswitch.h).  For TP_SRC and TP_DST it says whether the ports
 * are TCP's or UDP's: as OVS's odp_execute_actions(), the program goes by
 * the action, not by the packet's IP protocol (which decides only if 'arg'
 * is neither XDP_FLOW_SET_TCP nor XDP_FLOW_SET_UDP). */
#define XDP_FLOW_SET_ETHERNET 4     /* OVS_KEY_ATTR_ETHERNET. */
#define XDP_FLOW_SET_IPV4 7         /* OVS_KEY_ATTR_IPV4. */
#define XDP_FLOW_SET_IPV6 8         /* OVS_KEY_ATTR_IPV6. */
#define XDP_FLOW_SET_TCP 9          /* OVS_KEY_ATTR_TCP. */
#define XDP_FLOW_SET_UDP 10         /* OVS_KEY_ATTR_UDP. */

/* SCTP port rewrites are NOT supported in XDP: OVS recomputes SCTP's
 * CRC32c over the whole packet, so userspace must make flows that set SCTP
 * ports partial (XDP_FLOW_ACT_UPCALL_PARTIAL). */

struct xdp_flow_action {
    __u16 type;                 /* enum xdp_flow_action_type. */
    __u16 field;                /* enum xdp_flow_field. */
    __u32 arg;
    __u8 value[16];
    __u8 mask[16];
};

#define XDP_FLOW_MAX_ACTIONS 16

/* 'flags' of struct xdp_flow_entry: what the program checks before it runs
 * the actions.  A packet that fails a check goes to userspace as partial,
 * unchanged, where OVS runs the flow. */
#define XDP_FLOW_ENTRY_SETS_IPV4 (1 << 0)   /* Rewrites IPv4 fields: needs
                                             * the 20 bytes of the header. */
#define XDP_FLOW_ENTRY_SETS_IPV6 (1 << 1)   /* Rewrites IPv6 fields: needs
                                             * the 40 bytes of the header. */
/* The conntrack part of an entry (see XDP_FLOW_ACT_CT_CLEAR, _CT, _RECIRC):
 * the program runs it before the other actions, and a recirculating entry
 * has no other actions. */
#define XDP_FLOW_ENTRY_CT_CLEAR (1 << 2)
#define XDP_FLOW_ENTRY_CT (1 << 3)
#define XDP_FLOW_ENTRY_RECIRC (1 << 4)
#define XDP_FLOW_ENTRY_CONNTRACK (XDP_FLOW_ENTRY_CT_CLEAR | XDP_FLOW_ENTRY_CT \
                                  | XDP_FLOW_ENTRY_RECIRC)

/* 'flow_table' value.  No actions: drop. */
struct xdp_flow_entry {
    __u32 generation;           /* Must equal the one in 'flows'. */
    __u32 mark;                 /* Flow mark given to userspace. */
    __u32 n_actions;
    __u16 flags;                /* XDP_FLOW_ENTRY_*. */
    __u16 l4_reach;             /* 0, or how far past the parsed L4 offset
                                 * the actions reach (rewrites, checksums,
                                 * pushed VLAN headers): the program can
                                 * only reach XDP_PARSE_MAX_OFF. */
    struct xdp_flow_action actions[XDP_FLOW_MAX_ACTIONS];
};

/* 'flows_*' value: a megaflow hit finds the actions without a lookup in
 * 'flow_table', which holds the same entry for exact-match cache hits. */
struct xdp_flow_megaflow {
    struct xdp_flow_ref ref;
    struct xdp_flow_entry entry;
};

/* What a flow does, as far as the program can tell without its action
 * list: enough for a cache hit to need no other lookup. */
enum xdp_flow_verdict {
    XDP_FLOW_VERDICT_ACTIONS,   /* Run the entry's actions ('flow_table'). */
    XDP_FLOW_VERDICT_OUTPUT,    /* One output, to 'out_ifindex'. */
    XDP_FLOW_VERDICT_DROP,      /* No actions. */
    XDP_FLOW_VERDICT_PARTIAL,   /* To userspace with 'mark'. */
};

/* 'emc' value, written by the program only: a flow's reference and what it
 * does.  Valid only while 'flow_gens' has 'generation' for 'flow_id'. */
struct xdp_flow_cached {
    __u32 flow_id;
    __u32 generation;
    __u32 mask_index;
    __u32 verdict;              /* enum xdp_flow_verdict. */
    __u32 out_ifindex;          /* XDP_FLOW_VERDICT_OUTPUT. */
    __u32 mark;                 /* XDP_FLOW_VERDICT_PARTIAL, and for an
                                 * output whose port is missing. */
};

/* 'flow_stats' value, per CPU: sum 'packets' and 'bytes' and OR
 * 'tcp_flags'.  No time of use: userspace notes when the count grows. */
struct xdp_flow_stats {
    __u64 packets;
    __u64 bytes;
    __u16 tcp_flags;            /* Host byte order, as OVS's stats. */
    __u16 pad[3];
};

/* 'classifier' value (ARRAY, one entry): what userspace decides while the
 * program runs.  The program reads it once per packet. */
struct xdp_flow_classifier {
    __u32 emc_off;              /* Nonzero: skip the exact-match cache, which
                                 * costs more than it saves while nearly
                                 * every hit is in the first mask probed. */
    __u32 vlan_limit;           /* VLAN headers the parser reads: OVS's
                                 * flow_vlan_limit (other_config:vlan-limit,
                                 * 0 there meaning XDP_FLOW_MAX_VLANS).  0
                                 * here: not set yet, packets with a VLAN
                                 * header go to userspace. */
};

/* Parser-debug program result ('parse_debug' map, index 0). */
struct xdp_flow_parse_result {
    struct xdp_flow_key key;
    __u32 status;               /* enum xdp_flow_parse_status. */
    __u16 l3_off;
    __u16 l4_off;
    __u64 runs;
};

enum xdp_flow_parse_status {
    XDP_FLOW_PARSE_OK,
    XDP_FLOW_PARSE_UNPARSED,    /* Headers beyond what XDP covers. */
};

#endif /* xdp-flow-abi.h */
