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

#ifndef XDP_TEST_RANDOM_PACKET_H
#define XDP_TEST_RANDOM_PACKET_H 1

/* Random packets of every kind that the XDP program's parser knows (VLAN
 * tags, 802.2 SNAP, ARP, IPv4 with options and fragments, IPv6 with
 * extension headers, TCP, UDP, SCTP, ICMP, ICMPv6 and ND), malformed,
 * truncated or with wrong checksums now and then, for differential tests.
 * Each packet says what kinds it is of (its tags) and what the generator
 * made (its description, for messages).  The sequence depends only on
 * OVS's random seed (random_set_seed()). */

#include <stddef.h>
#include <stdint.h>

#include "openvswitch/dynamic-string.h"
#include "xdp-test-harness.h"

/* Kinds of packets, to count how often each was compared. */
#define TAGS                                                            \
    TAG(VLAN, "VLAN tags")                                              \
    TAG(SNAP, "802.2 SNAP")                                             \
    TAG(ARP, "ARP")                                                     \
    TAG(NOT_IP, "other Ethernet types, 802.3")                          \
    TAG(IPV4_OPTIONS, "IPv4 options")                                   \
    TAG(FIRST_FRAG, "first fragments")                                  \
    TAG(LATER_FRAG, "later fragments (IPv4, IPv6)")                     \
    TAG(IPV6_EXT, "IPv6 extension headers")                             \
    TAG(ROUTING_SEGLEFT, "IPv6 routing header, segments left")          \
    TAG(ATOMIC_FRAG, "IPv6 atomic fragment")                            \
    TAG(TCP, "TCP")                                                     \
    TAG(TCP_OPTIONS, "TCP options")                                     \
    TAG(TCP_BAD_OFFSET, "TCP data offset bad")                          \
    TAG(UDP, "UDP")                                                     \
    TAG(UDP_ZERO, "UDP checksum 0")                                     \
    TAG(SCTP, "SCTP")                                                   \
    TAG(ICMP, "ICMP")                                                   \
    TAG(ICMPV6, "ICMPv6 (ND included)")                                 \
    TAG(L4_TRUNCATED, "L4 header truncated")                            \
    TAG(BAD_CSUM, "checksum wrong, 0 or 0xffff")                        \
    TAG(PADDING, "Ethernet padding")                                    \
    TAG(BAD_LENGTH, "IP header or length malformed")                    \
    TAG(FRAME_TRUNCATED, "frame truncated")

enum tag {
#define TAG(NAME, DESC) TAG_##NAME,
    TAGS
#undef TAG
    N_TAGS
};

extern const char *const tag_names[N_TAGS];

/* A generated packet. */
struct tpkt {
    uint8_t data[MAX_PKT];
    size_t len;
    uint32_t tags;              /* 1 << TAG_*. */
    struct ds desc;             /* What the generator made, for messages. */
};

/* Makes 'p' a new random packet, 'p->desc' (initialized by the caller)
 * its description. */
void gen_packet(struct tpkt *p);

#endif /* xdp-test-random-packet.h */
