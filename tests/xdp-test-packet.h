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

#ifndef XDP_TEST_PACKET_H
#define XDP_TEST_PACKET_H 1

/* Packets under construction for the tests of the XDP program and its
 * benchmark.  A frame is built header by header: pkt_eth(), then
 * pkt_ipv4() or pkt_ipv6() (and IPv6 extension headers), then pkt_l4();
 * pkt_finish() then sets the IP lengths and every checksum.  Addresses and
 * ports are fixed (MACs 00:11:22:33:44:55 <- 00:66:77:88:99:aa, 10.0.0.1 ->
 * 10.0.0.2 or 2001::1 -> 2001::2, TCP 1234 -> 80, UDP 5353 -> 53), so that
 * a test changes only what it is about. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xdp-test-harness.h"

struct pkt {
    uint8_t data[MAX_PKT];
    size_t len;
    size_t l3;                  /* Offset of L3. */
    size_t l4;                  /* Offset of L4. */
    int ip;                     /* IP version at 'l3', 0 if not IP. */
};

void *pkt_put(struct pkt *, size_t n);
void pkt_put_random(struct pkt *, size_t n);

void pkt_eth(struct pkt *, int n_vlans, uint16_t type);
void pkt_add_vlans(const struct pkt *in, int n_vlans, unsigned int tpids,
                   struct pkt *out);
void pkt_ipv4(struct pkt *, uint8_t proto);
void pkt_ipv6(struct pkt *, uint8_t proto);
void pkt_ext6(struct pkt *, uint8_t next, uint8_t len_field, size_t bytes);
void pkt_frag6(struct pkt *, uint8_t next, uint16_t offlg);
void pkt_l4(struct pkt *, uint8_t proto, size_t payload);
void pkt_nd(struct pkt *, uint8_t type, const uint8_t *opts,
            size_t opts_len);
void pkt_set_ip_end(struct pkt *, size_t end);
void pkt_finish(struct pkt *, uint8_t proto, bool udp_zero);
void pkt_set_l4_csum(struct pkt *, uint8_t proto, size_t l4_len,
                     bool udp_zero);

void tcp_packet(struct pkt *, uint8_t src_mac, uint16_t dst_port);

#endif /* xdp-test-packet.h */
