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

/* Packet builders shared by the tests of the XDP program and its benchmark:
 * Ethernet with VLAN headers, IPv4, IPv6 and its extension headers, TCP,
 * UDP, ICMP, ICMPv6 and ND, each with correct lengths and checksums
 * (pkt_finish()). */

#include <config.h>

#undef NDEBUG
#include "xdp-test-packet.h"

#include <string.h>

#include "csum.h"
#include "packets.h"
#include "random.h"
#include "util.h"

void *
pkt_put(struct pkt *p, size_t n)
{
    void *start = p->data + p->len;

    ovs_assert(p->len + n <= MAX_PKT);
    p->len += n;
    return start;
}

void
pkt_put_random(struct pkt *p, size_t n)
{
    random_bytes(pkt_put(p, n), n);
}

void
pkt_eth(struct pkt *p, int n_vlans, uint16_t type)
{
    static const uint8_t macs[12] = {
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
        0x00, 0x66, 0x77, 0x88, 0x99, 0xaa,
    };

    p->len = 0;
    memcpy(pkt_put(p, 12), macs, 12);
    for (int i = 0; i < n_vlans; i++) {
        uint8_t *q = pkt_put(p, 4);

        put16(q, i ? 0x8100 : 0x88a8);
        put16(q + 2, 100 + i);
    }
    put16(pkt_put(p, 2), type);
    p->l3 = p->len;
    p->ip = 0;
}

void
pkt_ipv4(struct pkt *p, uint8_t proto)
{
    uint8_t *ip = pkt_put(p, 20);

    memset(ip, 0, 20);
    ip[0] = 0x45;
    ip[1] = 0x2e;
    ip[8] = 64;
    ip[9] = proto;
    memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
    p->l4 = p->len;
    p->ip = 4;
}

void
pkt_ipv6(struct pkt *p, uint8_t proto)
{
    uint8_t *ip = pkt_put(p, 40);

    memset(ip, 0, 40);
    memcpy(ip, "\x6a\x1b\xcd\xef", 4);
    ip[6] = proto;
    ip[7] = 64;
    ip[8] = 0x20;
    ip[9] = 0x01;
    ip[23] = 1;
    ip[24] = 0x20;
    ip[25] = 0x01;
    ip[39] = 2;
    p->l4 = p->len;
    p->ip = 6;
}

void
pkt_l4(struct pkt *p, uint8_t proto, size_t payload)
{
    uint8_t *l4;

    switch (proto) {
    case IPPROTO_TCP:
        l4 = pkt_put(p, 20);
        memset(l4, 0, 20);
        put16(l4, 1234);
        put16(l4 + 2, 80);
        l4[12] = 5 << 4;
        l4[13] = 0x12;
        break;
    case IPPROTO_UDP:
        l4 = pkt_put(p, 8);
        memset(l4, 0, 8);
        put16(l4, 5353);
        put16(l4 + 2, 53);
        break;
    case IPPROTO_ICMPV6:
    case IPPROTO_ICMP:
        l4 = pkt_put(p, 8);
        memset(l4, 0, 8);
        l4[0] = proto == IPPROTO_ICMP ? 8 : 128;
        break;
    default:
        break;
    }
    for (size_t i = 0; i < payload; i++) {
        *(uint8_t *) pkt_put(p, 1) = i;
    }
}

/* Computes the L4 checksum of 'p' (protocol 'proto') over 'l4_len' bytes
 * at its L4 offset, with the pseudo-header of its IP header as it is.
 * With 'udp_zero', a UDP checksum is left 0. */
void
pkt_set_l4_csum(struct pkt *p, uint8_t proto, size_t l4_len, bool udp_zero)
{
    uint16_t type = get16(p->data + p->l3 - 2);
    uint8_t *ip = p->data + p->l3;
    uint8_t *l4 = p->data + p->l4;
    uint32_t partial = 0;
    int csum_off;

    if (type == ETH_TYPE_IP) {
        partial = csum_continue(0, ip + 12, 8);
    } else if (type == ETH_TYPE_IPV6) {
        partial = csum_continue(0, ip + 8, 32);
    }
    partial = csum_add32(partial, htonl(l4_len));
    partial = csum_add16(partial, htons(proto));

    switch (proto) {
    case IPPROTO_TCP:
        csum_off = 16;
        break;
    case IPPROTO_UDP:
        csum_off = 6;
        break;
    case IPPROTO_ICMPV6:
        csum_off = 2;
        break;
    case IPPROTO_ICMP:
        csum_off = 2;
        partial = 0;
        break;
    default:
        return;
    }
    put16(l4 + csum_off, 0);
    if (proto == IPPROTO_UDP && udp_zero) {
        return;
    }
    partial = csum_continue(partial, l4, l4_len);
    ovs_be16 sum = csum_finish(partial);
    if (proto == IPPROTO_UDP && !sum) {
        sum = OVS_BE16_MAX;
    }
    memcpy(l4 + csum_off, &sum, 2);
}

/* Sets the IP length fields and computes all checksums of 'p' (whose L4
 * protocol is 'proto').  With 'udp_zero', a UDP checksum is left 0. */
void
pkt_finish(struct pkt *p, uint8_t proto, bool udp_zero)
{
    uint16_t type = get16(p->data + p->l3 - 2);
    uint8_t *ip = p->data + p->l3;
    size_t l4_len = p->len - p->l4;

    if (type == ETH_TYPE_IP) {
        put16(ip + 2, p->len - p->l3);
        put16(ip + 10, 0);
        memcpy(ip + 10, &(ovs_be16) { csum(ip, (ip[0] & 15) * 4) }, 2);
    } else if (type == ETH_TYPE_IPV6) {
        put16(ip + 4, p->len - p->l3 - 40);
    }
    if (proto == IPPROTO_UDP) {
        put16(p->data + p->l4 + 4, l4_len);
    }
    pkt_set_l4_csum(p, proto, l4_len, udp_zero);
}

/* Crafted packets for the parser. */

/* An IPv6 extension header of 'bytes' bytes (zeros), with 'next' and
 * 'len_field' as its first two bytes. */
void
pkt_ext6(struct pkt *p, uint8_t next, uint8_t len_field, size_t bytes)
{
    uint8_t *q = pkt_put(p, bytes);

    memset(q, 0, bytes);
    q[0] = next;
    q[1] = len_field;
}

/* An IPv6 fragment header: next header 'next', offset and flags
 * 'offlg'. */
void
pkt_frag6(struct pkt *p, uint8_t next, uint16_t offlg)
{
    uint8_t *q = pkt_put(p, 8);

    memset(q, 0, 8);
    q[0] = next;
    put16(q + 2, offlg);
}

/* An ND message of ICMPv6 'type' (135 or 136) for target fe80::9, then
 * 'opts' as its options. */
void
pkt_nd(struct pkt *p, uint8_t type, const uint8_t *opts, size_t opts_len)
{
    uint8_t *q = pkt_put(p, 24);

    memset(q, 0, 24);
    q[0] = type;
    q[4] = 0x60;
    q[8] = 0xfe;
    q[9] = 0x80;
    q[23] = 9;
    memcpy(pkt_put(p, opts_len), opts, opts_len);
}

/* Sets the length field of the IP header of 'p' so that the IP packet ends
 * at 'end'. */
void
pkt_set_ip_end(struct pkt *p, size_t end)
{
    if (p->ip == 4) {
        put16(p->data + p->l3 + 2, end - p->l3);
    } else {
        put16(p->data + p->l3 + 4, end - p->l3 - IPV6_HEADER_LEN);
    }
}

/* Makes 'out' the untagged frame 'in' with 'n_vlans' VLAN headers in front
 * of its Ethertype, the TPID of header i 0x88a8 if bit i of 'tpids' is set,
 * 0x8100 otherwise. */
void
pkt_add_vlans(const struct pkt *in, int n_vlans, unsigned int tpids,
              struct pkt *out)
{
    size_t shift = n_vlans * VLAN_HEADER_LEN;

    ovs_assert(in->len + shift <= MAX_PKT);
    memcpy(out->data, in->data, 2 * ETH_ADDR_LEN);
    for (int i = 0; i < n_vlans; i++) {
        uint8_t *q = out->data + 2 * ETH_ADDR_LEN + i * VLAN_HEADER_LEN;

        put16(q, tpids & (1u << i) ? ETH_TYPE_VLAN_8021AD
                                   : ETH_TYPE_VLAN_8021Q);
        /* VIDs 10, 21, 12, 23; odd headers with priority 5 and DEI. */
        put16(q + 2, i % 2 ? 0xb000 | (20 + i) : 10 + i);
    }
    memcpy(out->data + 2 * ETH_ADDR_LEN + shift,
           in->data + 2 * ETH_ADDR_LEN, in->len - 2 * ETH_ADDR_LEN);
    out->len = in->len + shift;
    out->l3 = in->l3 + shift;
    out->l4 = in->l4 + shift;
    out->ip = in->ip;
}

/* A TCP/IPv4 frame whose source MAC ends in 'src_mac', to TCP port
 * 'dst_port', with 10 bytes of payload. */
void
tcp_packet(struct pkt *p, uint8_t src_mac, uint16_t dst_port)
{
    pkt_eth(p, 0, ETH_TYPE_IP);
    p->data[11] = src_mac;
    pkt_ipv4(p, IPPROTO_TCP);
    pkt_l4(p, IPPROTO_TCP, 10);
    put16(p->data + p->l4 + 2, dst_port);
    pkt_finish(p, IPPROTO_TCP, false);
}
