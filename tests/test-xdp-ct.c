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

/* Differential test of ct() in XDP (datapath-xdp/xdp-conntrack.h) against
 * OVS's userspace conntrack, the authority.
 *
 * The program (BPF_PROG_RUN harness) gets a flow table whose first pass
 * is "ct(zone=Z),recirc(1)" or "ct(zone=Z,nat),recirc(1)" and whose second
 * pass outputs only packets with ct_state=+trk+est (one flow) or
 * +trk+est+rpl (another), each also with +snat and with +dnat, per zone and
 * ct_mark: a packet is output by XDP only if XDP answered +trk+est, and the
 * flow that counted it says which answer.  OVS's conntrack, with the cache
 * keeper of lib/xdp-conntrack.c bound to the program's own maps, sees
 * handshakes (TCP with several window scales, over IPv4 and IPv6, one
 * picked up mid-stream; UDP both ways; SNAT and DNAT connections, with and
 * without nat in their ct()) and offloads the connections.
 *
 * Then each segment goes through the program and, separately, through
 * conntrack_execute() with conntrack's state as it would be had it seen
 * exactly the packets that XDP output (the windows are equal before each
 * segment, which the test checks).  A segment XDP outputs must get
 * +trk+est (+rpl, +snat, +dnat alike), the same zone and mark from
 * conntrack, leave conntrack with the same bytes (NAT rewrites and their
 * checksums), and the cache's window afterwards must equal conntrack's.
 * Conntrack then keeps its new state; for any other segment its state is
 * restored.  A segment XDP hands back is taken back through the keeper, as
 * userspace does, and the connection offloaded again by an in-window
 * ACK.
 *
 *   ovstest-xdp test-xdp-ct cases            fixed segments, expected
 *                                            outcomes
 *   ovstest-xdp test-xdp-ct random [N [SEED]]   N random segments
 *
 * Exits 1 on a mismatch, 77 if BPF programs cannot run here. */

#include <config.h>

#undef NDEBUG
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conntrack.h"
#include "csum.h"
#include "dp-packet.h"
#include "flow.h"
#include "odp-util.h"
#include "openvswitch/ofpbuf.h"
#include "ovstest.h"
#include "packets.h"
#include "random.h"
#include "timeval.h"
#include "util.h"
#include "xdp-abi.h"
#include "xdp-conntrack.h"
#include "xdp-ct-abi.h"
#include "xdp-flow.h"
#include "xdp-meta.h"
#include "xdp-odp-actions.h"
#include "xdp-test-harness.h"
#include "xdp-test-packet.h"

#define MAXACKWINDOW (0xffff + 1500)
#define ZONE_A 5
#define ZONE_B 9
#define MARK_A 0x55
#define MARK_B 0x99
#define PASS2_FLOW 100          /* Flow ids 100..111: NAT, zone, reply. */
#define N_PASS2_FLOWS 12

/* NAT of a connection of the test, made by its first packet's
 * ct(commit,nat(...)): the client's source becomes NAT_ADDR:NAT_PORT, or
 * the server the client addresses becomes REAL_ADDR:REAL_PORT, plus the
 * connection's index in conns[] for both ports (the first-pass flows
 * match on the ports only). */
enum tnat {
    TNAT_NONE,
    TNAT_SNAT,
    TNAT_DNAT,
    TNAT_DNAT_PORT,             /* To the server's own address, REAL_PORT. */
    TNAT_DNAT_SAME,             /* To the server's own address and port. */
};
#define NAT_ADDR4 0x0a000009    /* 10.0.0.9 */
#define NAT_ADDR6_LAST 9        /* 2001::9 */
#define NAT_PORT 40000
#define REAL_ADDR4 0x0a000007   /* 10.0.0.7 */
#define REAL_ADDR6_LAST 7       /* 2001::7 */
#define REAL_PORT 8081

/* A connection of the test: client 10.0.0.1 or 2001::1, server 10.0.0.2
 * or 2001::2. */
struct tconn {
    const char *name;
    bool tcp;
    bool ipv6;
    uint16_t zone;
    uint16_t sport, dport;      /* Client's and server's port. */
    int wscale[2];              /* TCP: client's and server's window scale
                                 * option in the SYNs, -1 for none; -2 for
                                 * a connection picked up mid-stream. */
    struct conn *conn;          /* Conntrack's, once set up. */
    enum tnat nat;              /* NAT of the connection. */
    bool ct_nat;                /* Its flow is ct(nat): XDP applies the
                                 * NAT, as conntrack does. */
};

static struct tconn conns[] = {
    { "tcp4 wscale 7/7", true, false, ZONE_A, 1000, 80, { 7, 7 },
      NULL, TNAT_NONE, false },
    { "tcp6 no wscale", true, true, ZONE_A, 1000, 80, { -1, -1 },
      NULL, TNAT_NONE, false },
    { "tcp4 wscale 14/0", true, false, ZONE_B, 2000, 443, { 14, 0 },
      NULL, TNAT_NONE, false },
    { "tcp4 picked up", true, false, ZONE_B, 3000, 8080, { -2, -2 },
      NULL, TNAT_NONE, false },
    { "udp4", false, false, ZONE_A, 5353, 53, { -1, -1 },
      NULL, TNAT_NONE, false },
    { "udp6", false, true, ZONE_B, 6000, 53, { -1, -1 },
      NULL, TNAT_NONE, false },
    { "tcp4 snat", true, false, ZONE_A, 1100, 80, { 7, 7 }, NULL,
      TNAT_SNAT, true },
    { "tcp6 dnat", true, true, ZONE_B, 1200, 80, { -1, -1 }, NULL,
      TNAT_DNAT, true },
    { "udp4 dnat", false, false, ZONE_B, 5400, 53, { -1, -1 }, NULL,
      TNAT_DNAT, true },
    { "udp6 snat", false, true, ZONE_A, 6100, 53, { -1, -1 }, NULL,
      TNAT_SNAT, true },
    { "tcp4 ct(nat) without NAT", true, false, ZONE_A, 1300, 80, { 0, 0 },
      NULL, TNAT_NONE, true },
    { "tcp4 snat, ct() without nat", true, false, ZONE_B, 1400, 80,
      { 2, 2 }, NULL, TNAT_SNAT, false },
    { "tcp4 dnat, port only", true, false, ZONE_A, 1500, 80, { 7, 7 },
      NULL, TNAT_DNAT_PORT, true },
    { "tcp6 dnat to itself", true, true, ZONE_A, 1600, 80, { 7, 7 },
      NULL, TNAT_DNAT_SAME, true },
    { "tcp4 dnat to itself", true, false, ZONE_B, 1600, 80, { 7, 7 },
      NULL, TNAT_DNAT_SAME, true },
    /* Last: conntrack treats TCP port 21 as FTP control even without a
     * helper (get_alg_ctl_type()): never offloaded, never in the random
     * segments. */
    { "tcp4 port 21", true, false, ZONE_A, 1700, 21, { 7, 7 },
      NULL, TNAT_NONE, false },
};
#define N_CONNS ARRAY_SIZE(conns)
#define ALG_CONN (N_CONNS - 1)

/* A segment (or datagram) to build. */
struct seg {
    int c;                      /* Index in conns[]. */
    bool reply;                 /* From the server. */
    uint16_t flags;             /* TCP flags (9 bits). */
    uint32_t seq, ack;
    uint16_t win;
    size_t payload;
    int wscale;                 /* Window scale option, -1 for none. */
    int tcp_opt_words;          /* NOP options (32-bit words). */
    int doff;                   /* >= 0: data offset field forced to it. */
    int ip_opt_words;           /* IPv4 options (32-bit words). */
    bool ext6;                  /* IPv6 hop-by-hop header. */
    bool vlan;
    bool frag;                  /* IPv4 fragment (MF or an offset). */
    bool bad_l4_csum, bad_ip_csum, udp_zero;
    bool ip_csum_ffff;          /* An IPv4 checksum of 0xffff, not 0. */
    bool tcp_csum_ffff;         /* A TCP checksum of 0xffff, not 0 (needs 2
                                 * bytes of payload). */
    int udp_len;                /* >= 0: UDP length field forced to it. */
    size_t pad;                 /* Bytes after the IP packet. */
    size_t cut;                 /* Bytes cut off the end of the frame. */
};

/* What the program and conntrack said of a segment. */
struct verdicts {
    int xdp_verdict;
    bool output;                /* Output by XDP. */
    int flow;                   /* Second-pass flow that counted it:
                                 * PASS2_FLOW + 4 * nat + 2 * zone B +
                                 * reply, with nat 1 for +snat, 2 for
                                 * +dnat. */
    struct pkt xdp_pkt;         /* What XDP output. */
    struct pkt ct_pkt;          /* The packet after conntrack (NAT). */
    uint32_t ct_slot;           /* Metadata: 1 + slot handed back, or 0. */
    bool ct_hit_no_flow;        /* Answered, then no second-pass flow. */
    bool ran_ct;                /* Conntrack saw it. */
    uint8_t ct_state;
    uint16_t ct_zone;
    uint32_t ct_mark;
};

struct ctx {
    struct xdp_test t;
    uint64_t cookie;
    struct conntrack *ct;
    struct xdp_conntrack *xc;
    struct xdp_ct_maps maps;
    int conns_fd, expire_fd;
    uint64_t flow_packets[N_PASS2_FLOWS];
    uint64_t n_packets, n_accepted, n_accepted_tcp, n_handed_back, n_hb_est;
    uint64_t n_accepted_nat;    /* Of those, with a NAT rewrite. */
    uint64_t n_accepted_commit; /* Of those, through a second-pass
                                 * ct(commit) (pass2_commits()). */
    uint64_t n_userspace;
    uint64_t n_us_est, n_mismatches;
    /* Segments conntrack found +est that XDP sent up, by why: TCP flags,
     * IPv4 options, IPv6 extension header, payload past 1400 bytes (the
     * program checksums only what is within its reach), anything else. */
    uint64_t n_conservative[5];
    bool print_conservative;    /* Print those of "anything else". */
};

static void
put32(uint8_t *q, uint32_t v)
{
    put16(q, v >> 16);
    put16(q + 2, v);
}

static uint32_t
mark_of(uint16_t zone)
{
    return zone == ZONE_A ? MARK_A : MARK_B;
}

/* The addresses (an IPv4 one in the first 4 bytes) and ports of the
 * packets of 'c' in direction 'reply' as they arrive: a reply goes to the
 * NATed source, or comes from the real server. */
static void
conn_tuple(const struct tconn *c, bool reply, uint8_t src[16],
           uint8_t dst[16], uint16_t *sport, uint16_t *dport)
{
    uint16_t index = c - conns;
    uint8_t client[16], server[16], nat[16];

    memset(client, 0, 16);
    memset(server, 0, 16);
    memset(nat, 0, 16);
    if (c->ipv6) {
        client[0] = server[0] = nat[0] = 0x20;
        client[1] = server[1] = nat[1] = 0x01;
        client[15] = 1;
        server[15] = 2;
        nat[15] = (c->nat == TNAT_SNAT ? NAT_ADDR6_LAST
                   : c->nat == TNAT_DNAT ? REAL_ADDR6_LAST : 2);
    } else {
        put32(client, 0x0a000001);
        put32(server, 0x0a000002);
        put32(nat, (c->nat == TNAT_SNAT ? NAT_ADDR4
                    : c->nat == TNAT_DNAT ? REAL_ADDR4 : 0x0a000002));
    }
    if (!reply) {
        memcpy(src, client, 16);
        memcpy(dst, server, 16);
        *sport = c->sport;
        *dport = c->dport;
    } else {
        bool dnat = c->nat >= TNAT_DNAT;

        memcpy(src, dnat ? nat : server, 16);
        memcpy(dst, c->nat == TNAT_SNAT ? nat : client, 16);
        *sport = (c->nat == TNAT_DNAT || c->nat == TNAT_DNAT_PORT
                  ? REAL_PORT + index : c->dport);
        *dport = c->nat == TNAT_SNAT ? NAT_PORT + index : c->sport;
    }
}

static void
build(const struct seg *s, struct pkt *p)
{
    const struct tconn *c = &conns[s->c];
    uint8_t proto = c->tcp ? IPPROTO_TCP : IPPROTO_UDP;
    uint8_t src_addr[16], dst_addr[16];
    uint16_t src, dst;
    uint8_t *ip, *l4;

    conn_tuple(c, s->reply, src_addr, dst_addr, &src, &dst);
    pkt_eth(p, s->vlan ? 1 : 0, c->ipv6 ? ETH_TYPE_IPV6 : ETH_TYPE_IP);
    if (c->ipv6) {
        pkt_ipv6(p, s->ext6 ? 0 : proto);
        if (s->ext6) {
            pkt_ext6(p, proto, 0, 8);
            p->l4 = p->len;
        }
    } else {
        pkt_ipv4(p, proto);
        if (s->frag) {
            put16(p->data + p->l3 + 6, random_range(2) ? 0x2000
                                       : 1 + random_range(0x1fff));
        }
        if (s->ip_opt_words) {
            p->data[p->l3] = 0x45 + s->ip_opt_words;
            memset(pkt_put(p, 4 * s->ip_opt_words), 1,
                   4 * s->ip_opt_words);
            p->l4 = p->len;
        }
    }
    ip = p->data + p->l3;
    size_t a = c->ipv6 ? 8 : 12, n = c->ipv6 ? 16 : 4;
    memcpy(ip + a, src_addr, n);
    memcpy(ip + a + n, dst_addr, n);

    if (c->tcp) {
        size_t opt = 4 * s->tcp_opt_words + (s->wscale >= 0 ? 4 : 0);

        l4 = pkt_put(p, TCP_HEADER_LEN + opt);
        memset(l4, 0, TCP_HEADER_LEN + opt);
        put32(l4 + 4, s->seq);
        put32(l4 + 8, s->ack);
        l4[12] = ((TCP_HEADER_LEN + opt) / 4) << 4 | (s->flags >> 8 & 1);
        l4[13] = s->flags;
        put16(l4 + 14, s->win);
        memset(l4 + TCP_HEADER_LEN, 1, opt);
        if (s->wscale >= 0) {
            uint8_t *w = l4 + TCP_HEADER_LEN + opt - 4;

            w[1] = 3;
            w[2] = 3;
            w[3] = s->wscale;
        }
    } else {
        l4 = pkt_put(p, UDP_HEADER_LEN);
        memset(l4, 0, UDP_HEADER_LEN);
    }
    put16(l4, src);
    put16(l4 + 2, dst);
    pkt_put_random(p, s->payload);
    pkt_finish(p, proto, s->udp_zero);

    size_t l4_len = p->len - p->l4;
    if (s->doff >= 0 && c->tcp) {
        l4[12] = (l4[12] & 0x0f) | s->doff << 4;
        pkt_set_l4_csum(p, proto, l4_len, false);
    }
    if (s->udp_len >= 0 && !c->tcp) {
        put16(l4 + 4, s->udp_len);
        pkt_set_l4_csum(p, proto, l4_len, s->udp_zero);
    }
    if (s->bad_l4_csum) {
        l4[c->tcp ? 17 : 7] ^= 1 << random_range(8);
    }
    if (s->bad_ip_csum && !c->ipv6) {
        ip[11] ^= 1 << random_range(8);
    }
    if (s->ip_csum_ffff && !c->ipv6) {
        /* The IP ID that makes the header's sum -0: then both 0 and
         * 0xffff are valid checksums. */
        memset(ip + 4, 0, 2);
        memset(ip + 10, 0, 2);
        ovs_be16 id = csum(ip, IP_HEADER_LEN);
        memcpy(ip + 4, &id, 2);
        memset(ip + 10, 0xff, 2);
    }
    if (s->tcp_csum_ffff && c->tcp && s->payload >= 2) {
        /* The same with the first 2 bytes of payload. */
        uint8_t *word = l4 + (l4[12] >> 4) * 4;

        memset(word, 0, 2);
        pkt_set_l4_csum(p, proto, l4_len, false);
        memcpy(word, l4 + 16, 2);
        memset(l4 + 16, 0xff, 2);
    }
    pkt_put_random(p, s->pad);
    /* BPF_PROG_RUN takes no frame shorter than an Ethernet header. */
    p->len -= MIN(s->cut, p->len - ETH_HEADER_LEN);
}

static void
conn_key(const struct tconn *c, bool reply, struct xdp_ct_key *k)
{
    uint8_t src[16], dst[16];
    uint16_t sport, dport;

    memset(k, 0, sizeof *k);
    conn_tuple(c, reply, src, dst, &sport, &dport);
    memcpy(k->src, src, c->ipv6 ? 16 : 4);
    memcpy(k->dst, dst, c->ipv6 ? 16 : 4);
    k->src_port = htons(sport);
    k->dst_port = htons(dport);
    k->zone = c->zone;
    k->nw_proto = c->tcp ? IPPROTO_TCP : IPPROTO_UDP;
    k->ipv6 = c->ipv6;
}

/* Looks up connection 'c' in the cache: returns its slot or -1. */
static int
cache_slot(const struct ctx *x, const struct tconn *c, struct xdp_ct_ref *ref)
{
    struct xdp_ct_ref r;
    struct xdp_ct_key k;

    conn_key(c, false, &k);
    if (xdp_conntrack_keys_lookup(&x->maps, &k, ref ? ref : &r)) {
        return -1;
    }
    return ref ? ref->slot : r.slot;
}

static bool
cache_read(const struct ctx *x, int slot, struct xdp_ct_conn *v)
{
    uint32_t s = slot;

    return slot >= 0 && !bpf_map_lookup_elem_flags(x->conns_fd, &s, v,
                                                   BPF_F_LOCK);
}

static void
ct_peers(const struct tconn *c, struct conntrack_tcp_peer p[2])
{
    conntrack_conn_lock(c->conn);
    ovs_assert(conntrack_conn_get_tcp_peers(c->conn, p));
    conntrack_conn_unlock(c->conn);
}

static void
ct_set_peers(const struct tconn *c, const struct conntrack_tcp_peer p[2],
             struct conntrack *ct)
{
    conntrack_conn_lock(c->conn);
    conntrack_conn_set_tcp_peers(c->conn, p);
    conntrack_conn_refresh(ct, c->conn, time_msec());
    conntrack_conn_unlock(c->conn);
}

/* Returns true if the cache's window 'v' is conntrack's 'p'; otherwise
 * prints how they differ after 'what'. */
static bool
windows_equal(const struct xdp_ct_conn *v,
              const struct conntrack_tcp_peer p[2], const char *what)
{
    bool eq = true;

    for (int i = 0; i < 2; i++) {
        const struct xdp_ct_tcp_peer *q = &v->peer[i];
        uint8_t shift = xdp_conntrack_tcp_shift(p[i].wscale, p[!i].wscale);

        if (q->seqlo != p[i].seqlo || q->seqhi != p[i].seqhi
            || q->max_win != p[i].max_win || q->shift != shift) {
            printf("  %s: peer %d: cache seqlo %"PRIu32" seqhi %"PRIu32
                   " max_win %u shift %u, conntrack seqlo %"PRIu32" seqhi "
                   "%"PRIu32" max_win %u shift %u\n", what, i, q->seqlo,
                   q->seqhi, q->max_win, q->shift, p[i].seqlo, p[i].seqhi,
                   p[i].max_win, shift);
            eq = false;
        }
    }
    return eq;
}

/* The nat of the ct() of connection 'c': the NAT its first packet makes
 * with 'first', otherwise what its flow applies (ct(nat)), or NULL. */
static const struct nat_action_info_t *
conn_nat(const struct tconn *c, bool first)
{
    static struct nat_action_info_t info;

    memset(&info, 0, sizeof info);
    if (first) {
        if (c->nat == TNAT_NONE) {
            return NULL;
        }
        uint8_t src[16], dst[16];
        uint16_t sport, dport;

        /* The reply's tuple says where the NAT goes. */
        conn_tuple(c, true, src, dst, &sport, &dport);
        if (c->nat == TNAT_SNAT) {
            info.nat_action = NAT_ACTION_SRC | NAT_ACTION_SRC_PORT;
            info.min_port = info.max_port = dport;
            memcpy(&info.min_addr, dst, c->ipv6 ? 16 : 4);
        } else {
            info.nat_action = NAT_ACTION_DST | NAT_ACTION_DST_PORT;
            info.min_port = info.max_port = sport;
            memcpy(&info.min_addr, src, c->ipv6 ? 16 : 4);
        }
        info.max_addr = info.min_addr;
        return &info;
    }
    return c->ct_nat ? &info : NULL;
}

/* True if the second-pass flow that a packet with these conntrack fields
 * matches runs ct(commit) in its zone (setup_flows()): those of
 * +trk+est(+rpl) without NAT in zone B. */
static bool
pass2_commits(uint8_t ct_state, uint16_t zone, uint32_t mark)
{
    return ((ct_state & ~CS_REPLY_DIR) == (CS_TRACKED | CS_ESTABLISHED)
            && zone == ZONE_B && mark == mark_of(zone));
}

/* Runs 's' through conntrack in its connection's zone, with 'commit',
 * 'mark' (if nonzero) and 'nat' (if nonnull); stores the result, and the
 * packet as conntrack leaves it, in 'v' if nonnull.  With 'v', runs the
 * rest of the pipeline of setup_flows() as OVS would: the ct(commit) of a
 * second-pass flow without NAT, on the same packet.  Returns the
 * connection. */
static struct conn *
ct_run(struct ctx *x, const struct pkt *p, uint16_t zone, bool commit,
       uint32_t mark, const struct nat_action_info_t *nat,
       struct verdicts *v)
{
    struct dp_packet *pkt = dp_packet_clone_data(p->data, p->len);
    uint32_t setmark[2] = { mark, UINT32_MAX };
    struct dp_packet_batch batch;
    struct conn *conn = NULL;
    struct flow flow;

    pkt_metadata_init(&pkt->md, TEST_ODP_PORT);
    flow_extract(pkt, &flow);
    if (v) {
        v->ran_ct = false;
        v->ct_state = 0;
    }
    if (flow.dl_type == htons(ETH_TYPE_IP)
        || flow.dl_type == htons(ETH_TYPE_IPV6)) {
        dp_packet_batch_init_packet(&batch, pkt);
        conntrack_execute(x->ct, &batch, flow.dl_type, false, commit, zone,
                          mark ? setmark : NULL, NULL, 0, 0, NULL, nat,
                          time_msec(), 0);
        /* NULL after a nat: conntrack leaves no connection in the
         * metadata then. */
        conn = pkt->md.conn;
        if (v && pass2_commits(pkt->md.ct_state, pkt->md.ct_zone,
                               pkt->md.ct_mark)) {
            conntrack_execute(x->ct, &batch, flow.dl_type, false, true,
                              pkt->md.ct_zone, NULL, NULL, 0, 0, NULL, NULL,
                              time_msec(), 0);
        }
        if (v) {
            v->ct_pkt.len = MIN(dp_packet_size(pkt), sizeof v->ct_pkt.data);
            memcpy(v->ct_pkt.data, dp_packet_data(pkt), v->ct_pkt.len);
            v->ran_ct = true;
            v->ct_state = pkt->md.ct_state;
            v->ct_zone = pkt->md.ct_zone;
            v->ct_mark = pkt->md.ct_mark;
        }
    }
    dp_packet_delete(pkt);
    return conn;
}

static void
seg_init(struct seg *s, int c, bool reply, uint16_t flags, uint32_t seq,
         uint32_t ack, uint16_t win, size_t payload)
{
    memset(s, 0, sizeof *s);
    s->c = c;
    s->reply = reply;
    s->flags = flags;
    s->seq = seq;
    s->ack = ack;
    s->win = win;
    s->payload = payload;
    s->wscale = -1;
    s->doff = -1;
    s->udp_len = -1;
}

/* Sends an in-window ACK of connection 'c' from the side of 'reply'
 * through conntrack, which (re)offloads it if it is established.  Returns
 * true if it is cached then. */
static bool
ct_keepalive(struct ctx *x, int c, bool reply)
{
    struct tconn *tc = &conns[c];
    struct conntrack_tcp_peer p[2];
    struct seg s;
    struct pkt pk;

    if (tc->tcp) {
        ct_peers(tc, p);
        seg_init(&s, c, reply, TCP_ACK, p[reply].seqlo, p[!reply].seqlo,
                 0, 0);
    } else {
        seg_init(&s, c, reply, 0, 0, 0, 0, 10);
    }
    build(&s, &pk);
    ct_run(x, &pk, tc->zone, false, 0, conn_nat(tc, false), NULL);
    return cache_slot(x, tc, NULL) >= 0;
}

static void
setup_conn(struct ctx *x, int c)
{
    struct tconn *tc = &conns[c];
    uint32_t mark = mark_of(tc->zone);
    uint32_t cisn = 1000 + 77777 * c, sisn = 3000000000u + 999 * c;
    const struct nat_action_info_t *nat = conn_nat(tc, true);
    struct conn *conn;
    struct seg s;
    struct pkt p;

    /* The first packet commits with the NAT, if any; the reply runs
     * without nat, so that conntrack leaves the connection in its
     * metadata. */
    if (!tc->tcp) {
        seg_init(&s, c, false, 0, 0, 0, 0, 10);
        build(&s, &p);
        tc->conn = ct_run(x, &p, tc->zone, true, mark, nat, NULL);
        seg_init(&s, c, true, 0, 0, 0, 0, 20);
        build(&s, &p);
        conn = ct_run(x, &p, tc->zone, true, 0, NULL, NULL);
    } else if (tc->wscale[0] == -2) {
        /* Picked up mid-stream: no SYN, window scale unknown. */
        seg_init(&s, c, false, TCP_ACK, cisn, sisn, 1000, 0);
        build(&s, &p);
        tc->conn = ct_run(x, &p, tc->zone, true, mark, nat, NULL);
        seg_init(&s, c, true, TCP_ACK, sisn, cisn, 1000, 0);
        build(&s, &p);
        conn = ct_run(x, &p, tc->zone, true, 0, NULL, NULL);
    } else {
        seg_init(&s, c, false, TCP_SYN, cisn, 0, 64240, 0);
        s.wscale = tc->wscale[0];
        build(&s, &p);
        tc->conn = ct_run(x, &p, tc->zone, true, mark, nat, NULL);
        seg_init(&s, c, true, TCP_SYN | TCP_ACK, sisn, cisn + 1, 65160, 0);
        s.wscale = tc->wscale[1];
        build(&s, &p);
        conn = ct_run(x, &p, tc->zone, true, 0, NULL, NULL);
    }
    if (!tc->conn) {
        tc->conn = conn;
    }
    for (int i = 0; i < 3 && cache_slot(x, tc, NULL) < 0; i++) {
        ct_keepalive(x, c, false);
    }
    if (c == ALG_CONN) {
        if (!tc->conn || cache_slot(x, tc, NULL) >= 0) {
            ovs_fatal(0, "connection %s was offloaded", tc->name);
        }
    } else if (!tc->conn || cache_slot(x, tc, NULL) < 0) {
        ovs_fatal(0, "connection %s was not offloaded", tc->name);
    }
}

static uint32_t
port_to_ifindex(odp_port_t port OVS_UNUSED, void *aux OVS_UNUSED,
                const char **reason)
{
    *reason = "no ports here";
    return 0;
}

/* ODP port 1 is the test's interface. */
static uint32_t
port_to_test_ifindex(odp_port_t port, void *x_, const char **reason)
{
    const struct ctx *x = x_;

    if (odp_to_u32(port) != 1) {
        *reason = "no such port here";
        return 0;
    }
    return x->t.ifindex;
}

static void
setup_flows(struct ctx *x)
{
    struct xdp_flow_key mask1, mask2, key;
    struct xdp_flow_entry entry;
    uint32_t order[2] = { 0, 1 };
    uint32_t id = 1;

    memset(&mask1, 0, sizeof mask1);
    mask1.recirc_id = UINT32_MAX;
    mask1.dl_type = OVS_BE16_MAX;
    mask1.nw_proto = UINT8_MAX;
    mask1.tp_src = mask1.tp_dst = OVS_BE16_MAX;
    xt_set_mask(&x->t, 0, &mask1);

    for (size_t c = 0; c < N_CONNS; c++) {
        char actions[64];
        struct ofpbuf buf;

        snprintf(actions, sizeof actions, "ct(zone=%u%s),recirc(1)",
                 conns[c].zone, conns[c].ct_nat ? ",nat" : "");
        ofpbuf_init(&buf, 0);
        ovs_assert(!odp_actions_from_string(actions, NULL, &buf));
        for (int reply = 0; reply < 2; reply++) {
            const char *error;
            struct seg s;
            struct pkt p;

            seg_init(&s, c, reply, TCP_ACK, 1, 1, 1, 0);
            build(&s, &p);
            ovs_assert(xt_parse(&x->t, p.data, p.len, &key)
                       == XDP_FLOW_PARSE_OK);
            memset(&entry, 0, sizeof entry);
            error = xdp_odp_actions_to_entry(buf.data, buf.size,
                                             port_to_ifindex, NULL, &entry);
            if (error) {
                ovs_fatal(0, "%s: %s", actions, error);
            }
            xt_put_flow(&x->t, 0, &mask1, &key, id++, &entry);
        }
        ofpbuf_uninit(&buf);
    }

    memset(&mask2, 0, sizeof mask2);
    mask2.recirc_id = UINT32_MAX;
    mask2.ct_state = UINT8_MAX;
    mask2.ct_zone = UINT16_MAX;
    mask2.ct_mark = UINT32_MAX;
    xt_set_mask(&x->t, 1, &mask2);
    for (int i = 0; i < N_PASS2_FLOWS; i++) {
        static const uint8_t nat_states[3] = {
            0, XDP_CT_STATE_SRC_NAT, XDP_CT_STATE_DST_NAT
        };
        uint16_t zone = i / 2 % 2 ? ZONE_B : ZONE_A;

        memset(&key, 0, sizeof key);
        key.recirc_id = 1;
        key.ct_state = (XDP_CT_STATE_TRACKED | XDP_CT_STATE_ESTABLISHED
                        | (i % 2 ? XDP_CT_STATE_REPLY_DIR : 0)
                        | nat_states[i / 4]);
        key.ct_zone = zone;
        key.ct_mark = mark_of(zone);
        if (!nat_states[i / 4] && zone == ZONE_B) {
            /* ct(commit) in the same zone: conntrack takes it from the
             * packet's metadata, and so must XDP.  (Zone B has no
             * connection whose first pass is a ct(nat) that leaves its
             * state without NAT: after such a ct(), conntrack updates a
             * connection again, which XDP leaves to userspace.) */
            char actions[64];
            struct ofpbuf buf;
            const char *error;

            snprintf(actions, sizeof actions, "ct(commit,zone=%u),1", zone);
            ofpbuf_init(&buf, 0);
            ovs_assert(!odp_actions_from_string(actions, NULL, &buf));
            error = xdp_odp_actions_to_entry(buf.data, buf.size,
                                             port_to_test_ifindex, x, &entry);
            if (error) {
                ovs_fatal(0, "%s: %s", actions, error);
            }
            ofpbuf_uninit(&buf);
        } else {
            entry_output(&entry, x->t.ifindex);
        }
        xt_put_flow(&x->t, 1, &mask2, &key, PASS2_FLOW + i, &entry);
    }
    xt_set_order(&x->t, order, 2);
}

static void
ctx_open(struct ctx *x)
{
    int error;

    memset(x, 0, sizeof *x);
    ovs_assert(!xdp_meta_cookie_create(&x->cookie));
    xt_meta_cookie = x->cookie;
    error = xt_open_default(&x->t);
    xt_meta_cookie = 0;
    if (error) {
        if (probe_bpf()) {
            printf("cannot run XDP programs here\n");
            exit(77);
        }
        ovs_fatal(error, "cannot load and run the XDP program");
    }
    x->conns_fd = bpf_map__fd(x->t.skel->maps.ct_conns);
    x->expire_fd = bpf_map__fd(x->t.skel->maps.ct_expire);
    x->maps.keys4 = bpf_map__fd(x->t.skel->maps.ct_keys4);
    x->maps.keys6 = bpf_map__fd(x->t.skel->maps.ct_keys6);
    x->maps.conns = x->conns_fd;
    x->maps.expire = x->expire_fd;

    x->ct = conntrack_init();
    x->xc = xdp_conntrack_create(x->ct);
    xdp_conntrack_bind(x->xc, &x->maps, x->cookie);
    setup_flows(x);
    for (size_t c = 0; c < N_CONNS; c++) {
        setup_conn(x, c);
    }
}

static void
ctx_close(struct ctx *x)
{
    xdp_conntrack_destroy(x->xc);
    conntrack_destroy(x->ct);
    xt_close(&x->t);
}

/* Runs 'p' through the program; fills in the XDP half of 'v'. */
static void
xdp_run(struct ctx *x, const struct pkt *p, struct verdicts *v)
{
    uint64_t hits = xt_counter(&x->t, XDP_ABI_CNT_CT_HIT);
    uint64_t misses = xt_counter(&x->t, XDP_ABI_CNT_UPCALL_MISS);
    uint8_t out[MAX_PKT + 64];
    uint32_t out_len = 0;

    v->xdp_verdict = xt_run(&x->t, x->t.main_fd, p->data, p->len, out,
                            &out_len, 1, NULL);
    v->output = (v->xdp_verdict == XDP_TX
                 || v->xdp_verdict == XDP_REDIRECT);
    v->xdp_pkt.len = MIN(out_len, sizeof v->xdp_pkt.data);
    memcpy(v->xdp_pkt.data, out, v->xdp_pkt.len);
    v->flow = -1;
    for (int i = 0; i < N_PASS2_FLOWS; i++) {
        struct xdp_flow_stats st;

        xt_flow_stats(&x->t, PASS2_FLOW + i, &st);
        if (st.packets != x->flow_packets[i]) {
            v->flow = i;
            x->flow_packets[i] = st.packets;
        }
    }
    v->ct_slot = 0;
    if (v->xdp_verdict == XDP_PASS
        && out_len == p->len + sizeof(struct xdp_abi_meta)) {
        struct xdp_abi_meta meta;

        memcpy(&meta, out, sizeof meta);
        if (meta.cookie[0] == (uint32_t) x->cookie
            && meta.cookie[1] == (uint32_t) (x->cookie >> 32)) {
            v->ct_slot = meta.ct_slot;
        }
    }
    v->ct_hit_no_flow = (xt_counter(&x->t, XDP_ABI_CNT_CT_HIT) > hits
                         && xt_counter(&x->t, XDP_ABI_CNT_UPCALL_MISS)
                            > misses);
}

static bool
ct_est(uint8_t st)
{
    return (st & (CS_TRACKED | CS_ESTABLISHED)) == (CS_TRACKED
                                                    | CS_ESTABLISHED)
           && !(st & (CS_INVALID | CS_NEW));
}

static void
format_state(char *buf, size_t size, const struct verdicts *v)
{
    uint8_t s = v->ct_state;

    if (!v->ran_ct) {
        snprintf(buf, size, "not run");
        return;
    }
    snprintf(buf, size, "%s%s%s%s%s%s%s", s & CS_TRACKED ? "+trk" : "-trk",
             s & CS_NEW ? "+new" : "", s & CS_ESTABLISHED ? "+est" : "",
             s & CS_REPLY_DIR ? "+rpl" : "", s & CS_INVALID ? "+inv" : "",
             s & CS_SRC_NAT ? "+snat" : "", s & CS_DST_NAT ? "+dnat" : "");
}

static void
format_xdp(char *buf, size_t size, const struct verdicts *v)
{
    if (v->output) {
        snprintf(buf, size, "output +trk+est%s%s zone %d",
                 v->flow % 2 ? "+rpl" : "",
                 v->flow / 4 == 1 ? "+snat" : v->flow / 4 == 2 ? "+dnat" : "",
                 v->flow / 2 % 2 ? ZONE_B : ZONE_A);
    } else if (v->ct_slot) {
        snprintf(buf, size, "handed back");
    } else {
        snprintf(buf, size, "userspace (%s)", verdict_name(v->xdp_verdict));
    }
}

static void
print_seg(const struct seg *s, const struct conntrack_tcp_peer p[2])
{
    const struct tconn *c = &conns[s->c];

    printf("  %s %s", c->name, s->reply ? "reply" : "orig");
    if (c->tcp) {
        const struct conntrack_tcp_peer *src = &p[s->reply];
        const struct conntrack_tcp_peer *dst = &p[!s->reply];

        printf(" flags %#x seq %"PRIu32" (seqlo%+"PRId32", seqhi%+"PRId32
               ") ack %"PRIu32" (ackskew %"PRId32") win %u", s->flags,
               s->seq, (int32_t) (s->seq - src->seqlo),
               (int32_t) (s->seq - src->seqhi), s->ack,
               (int32_t) (dst->seqlo - s->ack), s->win);
    }
    printf(" payload %"PRIuSIZE" wscale %d tcp_opts %d doff %d ip_opts %d "
           "ext6 %d vlan %d frag %d bad_l4 %d bad_ip %d udp_zero %d "
           "udp_len %d pad %"PRIuSIZE" cut %"PRIuSIZE"\n", s->payload,
           s->wscale, s->tcp_opt_words, s->doff, s->ip_opt_words, s->ext6,
           s->vlan, s->frag, s->bad_l4_csum, s->bad_ip_csum, s->udp_zero,
           s->udp_len, s->pad, s->cut);
    if (c->tcp) {
        for (int i = 0; i < 2; i++) {
            printf("    before: peer %d seqlo %"PRIu32" seqhi %"PRIu32
                   " max_win %u wscale %#x\n", i, p[i].seqlo, p[i].seqhi,
                   p[i].max_win, p[i].wscale);
        }
    }
}

/* Takes connection 'c' back from the cache as userspace does on a
 * hand-back and offloads it again. */
static void
resync(struct ctx *x, int c, uint32_t ct_slot)
{
    int slot = cache_slot(x, &conns[c], NULL);

    if (ct_slot) {
        xdp_conntrack_hand_back_by_cookie(x->cookie, ct_slot);
    } else if (slot >= 0) {
        xdp_conntrack_hand_back(x->xc, slot);
    }
    /* A window at 2**31 from its peer's (the random walk gets there with
     * window scale 14) makes conntrack refuse an ACK from one side: the
     * other's then slides the window. */
    for (int i = 0; i < 4; i++) {
        if (ct_keepalive(x, c, i % 2)) {
            return;
        }
    }
    ovs_fatal(0, "%s: not offloaded again", conns[c].name);
}

/* Runs 's' through XDP and conntrack and compares; see the top of the
 * file.  Returns the verdicts in '*v'. */
static void
check_seg(struct ctx *x, const struct seg *s, struct verdicts *v)
{
    struct tconn *c = &conns[s->c];
    struct conntrack_tcp_peer p0[2], p1[2];
    struct xdp_ct_conn v0, v1;
    bool mismatch = false;
    char why[128] = "";
    bool have_v0;
    struct pkt p;
    int slot;

    build(s, &p);
    slot = cache_slot(x, c, NULL);
    have_v0 = cache_read(x, slot, &v0);
    if (c->tcp) {
        ct_peers(c, p0);
    }
    if (c->tcp && s->c != ALG_CONN) {
        if (!have_v0 || !windows_equal(&v0, p0, "before")) {
            snprintf(why, sizeof why, "windows differ before the segment");
            mismatch = true;
        }
    }

    xdp_run(x, &p, v);
    if (!s->frag) {
        ct_run(x, &p, c->zone, false, 0, conn_nat(c, false), v);
    } else {
        /* Conntrack's fragment reassembly would keep it: not compared,
         * but XDP must not output it. */
        v->ran_ct = false;
    }
    x->n_packets++;

    if (v->ct_hit_no_flow) {
        snprintf(why, sizeof why, "XDP answered, no second-pass flow "
                 "matched its ct fields");
        mismatch = true;
    } else if (v->output) {
        static const uint8_t nat_states[3] = {
            0, CS_SRC_NAT, CS_DST_NAT
        };
        bool rpl = v->flow % 2;
        uint16_t zone = v->flow / 2 % 2 ? ZONE_B : ZONE_A;
        uint8_t nat_state = v->flow >= 0 ? nat_states[v->flow / 4] : 0;

        x->n_accepted++;
        x->n_accepted_tcp += c->tcp;
        x->n_accepted_nat += c->ct_nat && c->nat != TNAT_NONE;
        x->n_accepted_commit += (v->flow >= 0 && !nat_state
                                 && zone == ZONE_B);
        if (v->flow < 0 || !v->ran_ct || !ct_est(v->ct_state)
            || !!(v->ct_state & CS_REPLY_DIR) != rpl
            || (v->ct_state & (CS_SRC_NAT | CS_DST_NAT)) != nat_state
            || v->ct_zone != zone || v->ct_mark != mark_of(zone)) {
            snprintf(why, sizeof why, "XDP output, conntrack disagrees "
                     "(zone %u mark %#"PRIx32")", v->ct_zone, v->ct_mark);
            mismatch = true;
        } else if (v->xdp_pkt.len != v->ct_pkt.len
                   || memcmp(v->xdp_pkt.data, v->ct_pkt.data,
                             v->ct_pkt.len)) {
            size_t i = 0;

            while (i < MIN(v->xdp_pkt.len, v->ct_pkt.len)
                   && v->xdp_pkt.data[i] == v->ct_pkt.data[i]) {
                i++;
            }
            snprintf(why, sizeof why, "XDP output other bytes than "
                     "conntrack left (lengths %"PRIuSIZE" and %"PRIuSIZE
                     ", first difference at byte %"PRIuSIZE")",
                     v->xdp_pkt.len, v->ct_pkt.len, i);
            mismatch = true;
        } else if (c->tcp) {
            ct_peers(c, p1);
            if (!cache_read(x, slot, &v1)
                || !windows_equal(&v1, p1, "after")) {
                snprintf(why, sizeof why, "windows differ after the "
                         "segment");
                mismatch = true;
            }
        }
    } else {
        bool est = v->ran_ct && ct_est(v->ct_state);

        if (v->ct_slot) {
            x->n_handed_back++;
            x->n_hb_est += est;
        } else {
            x->n_userspace++;
            x->n_us_est += est;
        }
        if (est) {
            int why_up = ((c->tcp && (s->flags & (TCP_SYN | TCP_FIN | TCP_RST)
                                      || !(s->flags & TCP_ACK))) ? 0
                          : s->ip_opt_words ? 1 : s->ext6 ? 2
                          : s->payload > 1400 ? 3 : 4);

            x->n_conservative[why_up]++;
            if (why_up == 4 && x->print_conservative) {
                char a[64];

                format_xdp(a, sizeof a, v);
                printf("conservative: XDP %s, conntrack +est\n", a);
                print_seg(s, p0);
            }
        }
        if (c->tcp && have_v0) {
            /* Conntrack took the slot back (its pull of a connection the
             * program handed back) or it is gone: nothing to compare. */
            if (!cache_read(x, slot, &v1)
                || v1.generation != v0.generation) {
                v1 = v0;
            }
            if (memcmp(v0.peer, v1.peer, sizeof v0.peer)) {
                snprintf(why, sizeof why, "window moved for a segment XDP "
                         "did not output");
                mismatch = true;
            }
        }
        if (v->xdp_verdict != XDP_PASS) {
            snprintf(why, sizeof why, "XDP verdict %s",
                     verdict_name(v->xdp_verdict));
            mismatch = true;
        }
    }

    if (mismatch) {
        char a[64], b[64];

        x->n_mismatches++;
        if (x->n_mismatches <= 10) {
            format_xdp(a, sizeof a, v);
            format_state(b, sizeof b, v);
            printf("MISMATCH %"PRIu64": %s: XDP %s, conntrack %s\n",
                   x->n_packets, why, a, b);
            print_seg(s, p0);
        }
    }

    if (c->tcp && (!v->output || mismatch)) {
        /* Conntrack as if it had not seen the segment. */
        ct_set_peers(c, p0, x->ct);
    }
    if (v->ct_slot || mismatch) {
        resync(x, s->c, v->ct_slot);
    }
}

/* Random segments. */

static uint16_t
random_flags(void)
{
    static const uint16_t odd[] = {
        TCP_FIN | TCP_ACK, TCP_RST | TCP_ACK, TCP_RST, TCP_SYN,
        TCP_SYN | TCP_ACK, TCP_PSH, 0, TCP_URG | TCP_ACK, TCP_FIN,
    };
    uint32_t r = random_range(100);

    if (r < 70) {
        return (TCP_ACK | (chance(30) ? TCP_PSH : 0)
                | (chance(5) ? TCP_URG : 0) | (chance(5) ? TCP_ECE : 0)
                | (chance(5) ? TCP_CWR : 0) | (chance(2) ? TCP_NS : 0));
    } else if (r < 85) {
        return odd[random_range(ARRAY_SIZE(odd))];
    }
    return random_range(0x200);
}

static void
random_tcp(struct seg *s, const struct conntrack_tcp_peer p[2])
{
    const struct conntrack_tcp_peer *src = &p[s->reply];
    const struct conntrack_tcp_peer *dst = &p[!s->reply];
    uint8_t sws = xdp_conntrack_tcp_shift(src->wscale, dst->wscale);
    uint8_t dws = xdp_conntrack_tcp_shift(dst->wscale, src->wscale);
    int32_t e = (int32_t) random_range(5) - 2;
    uint32_t r;

    r = random_range(100);
    s->payload = (r < 40 ? 0 : r < 50 ? 1 + random_range(3)
                  : r < 98 ? random_range(1401) : random_range(2600));

    r = random_range(100);
    if (r < 40) {
        s->seq = src->seqlo;
    } else if (r < 50) {
        s->seq = src->seqlo - random_range(3000);
    } else if (r < 62) {
        s->seq = src->seqhi - s->payload + e;
    } else if (r < 72) {
        s->seq = src->seqlo - ((uint32_t) dst->max_win << dws) + e;
    } else if (r < 82) {
        s->seq = src->seqlo + random_range(1 << 20);
    } else if (r < 90) {
        s->seq = src->seqhi + random_range(100000);
    } else {
        s->seq = random_uint32();
    }

    r = random_range(100);
    if (r < 50) {
        s->ack = dst->seqlo;
    } else if (r < 58) {
        s->ack = dst->seqlo - random_range(2000);
    } else if (r < 66) {
        s->ack = dst->seqlo + random_range(2000);
    } else if (r < 76) {
        s->ack = dst->seqlo + MAXACKWINDOW + e;
    } else if (r < 86) {
        s->ack = dst->seqlo - ((uint32_t) MAXACKWINDOW << sws) + e;
    } else {
        s->ack = random_uint32();
    }

    r = random_range(100);
    s->win = (r < 40 ? random_range(65536) : r < 55 ? 0
              : r < 75 ? random_range(600) : r < 90 ? 65535
              : dst->max_win + e);
    s->flags = random_flags();
    if (chance(5)) {
        s->tcp_opt_words = 1 + random_range(4);
    }
    if (chance(3)) {
        s->doff = random_range(16);
    }
}

static void
random_seg(struct seg *s, const struct conntrack_tcp_peer p[2])
{
    const struct tconn *c = &conns[s->c];

    if (c->tcp) {
        random_tcp(s, p);
    } else {
        uint32_t r = random_range(100);

        s->payload = r < 10 ? 0 : r < 20 ? 1 + random_range(3)
                     : random_range(1401);
        s->udp_zero = chance(10);
        if (chance(5)) {
            s->udp_len = (chance(50)
                          ? UDP_HEADER_LEN + s->payload + random_range(17) - 8
                          : random_range(65536));
        }
    }
    s->bad_l4_csum = chance(4);
    if (c->ipv6) {
        s->ext6 = chance(3);
    } else {
        s->bad_ip_csum = chance(3);
        s->ip_opt_words = chance(3) ? 1 + random_range(10) : 0;
        s->frag = chance(1);
    }
    s->vlan = chance(3);
    s->pad = chance(4) ? 1 + random_range(40) : 0;
    s->cut = chance(3) ? 1 + random_range(60) : 0;
}

static void
test_random(int n, uint32_t seed)
{
    struct ctx x;

    printf("seed %"PRIu32", %d segments\n", seed, n);
    random_set_seed(seed);
    ctx_open(&x);
    x.print_conservative = getenv("TEST_XDP_CT_VERBOSE") != NULL;
    for (int i = 0; i < n; i++) {
        struct conntrack_tcp_peer p[2];
        struct verdicts v;
        struct seg s;
        int c = random_range(ALG_CONN);

        seg_init(&s, c, chance(50), 0, 0, 0, 0, 0);
        if (conns[c].tcp) {
            ct_peers(&conns[c], p);
        } else {
            memset(p, 0, sizeof p);
        }
        random_seg(&s, p);
        check_seg(&x, &s, &v);
        if (i % 1000 == 999) {
            xdp_conntrack_sync(x.xc, true);
        }
    }

    printf("segments: %"PRIu64"\n", x.n_packets);
    printf("accepted by XDP and conntrack: %"PRIu64" (TCP %"PRIu64", "
           "NATed %"PRIu64", through a second ct(commit) %"PRIu64")\n",
           x.n_accepted, x.n_accepted_tcp, x.n_accepted_nat,
           x.n_accepted_commit);
    printf("handed back to userspace: %"PRIu64" (conntrack +est for "
           "%"PRIu64", %.1f%%)\n", x.n_handed_back, x.n_hb_est,
           x.n_handed_back ? 100.0 * x.n_hb_est / x.n_handed_back : 0.0);
    printf("to userspace without hand-back: %"PRIu64" (conntrack +est for "
           "%"PRIu64")\n", x.n_userspace, x.n_us_est);
    printf("XDP more conservative than conntrack: %.1f%% of the segments "
           "conntrack found +est\n",
           100.0 * (x.n_hb_est + x.n_us_est)
           / MAX(1, x.n_accepted + x.n_hb_est + x.n_us_est));
    printf("  of which with SYN, FIN, RST or no ACK %"PRIu64", IPv4 options "
           "%"PRIu64", IPv6 extension header %"PRIu64", payload over 1400 "
           "bytes %"PRIu64", other %"PRIu64"\n", x.n_conservative[0],
           x.n_conservative[1], x.n_conservative[2], x.n_conservative[3],
           x.n_conservative[4]);
    printf("mismatches: %"PRIu64"\n", x.n_mismatches);
    /* Not vacuous: XDP must have answered for many segments, TCP ones
     * too, and handed many back.  Nor more conservative than it says it
     * is: a segment conntrack accepts goes up only for a known reason
     * (TEST_XDP_CT_VERBOSE=1 prints the others). */
    bool ok = (!x.n_mismatches && x.n_accepted_tcp >= (uint64_t) n / 10
               && x.n_accepted_nat >= (uint64_t) n / 20
               && x.n_accepted_commit >= (uint64_t) n / 20
               && x.n_handed_back >= (uint64_t) n / 10
               && !x.n_conservative[4]);
    ctx_close(&x);
    if (!ok) {
        printf("FAILED\n");
        exit(1);
    }
}

/* Fixed cases. */

static void
run_case(struct ctx *x, const char *name, const struct seg *s)
{
    struct verdicts v;
    char a[64], b[64];

    check_seg(x, s, &v);
    format_xdp(a, sizeof a, &v);
    format_state(b, sizeof b, &v);
    printf("%s: XDP %s, conntrack %s\n", name, a, b);
}

/* A segment of TCP connection 'c' from 'reply''s side, 'payload' bytes at
 * the sender's seqlo + 'dseq', acking the receiver's seqlo - 'ackskew'. */
static void
tcp_seg(int c, bool reply, uint16_t flags, int32_t dseq, int32_t ackskew,
        size_t payload, struct seg *s)
{
    struct conntrack_tcp_peer p[2];

    ct_peers(&conns[c], p);
    seg_init(s, c, reply, flags, p[reply].seqlo + dseq,
             p[!reply].seqlo - ackskew, 500, payload);
}

static void
test_cases(void)
{
    struct conntrack_tcp_peer p[2];
    struct xdp_ct_ref ref;
    struct ctx x;
    struct seg s;
    int slot;

    random_set_seed(1);
    ctx_open(&x);

    tcp_seg(0, false, TCP_ACK | TCP_PSH, 0, 0, 100, &s);
    run_case(&x, "in-window data", &s);
    tcp_seg(0, true, TCP_ACK, 0, 0, 0, &s);
    run_case(&x, "its ack (reply)", &s);
    tcp_seg(1, false, TCP_ACK, 0, 0, 1000, &s);
    run_case(&x, "ipv6 data", &s);

    ct_peers(&conns[0], p);
    seg_init(&s, 0, false, TCP_ACK, p[0].seqhi - 100, p[1].seqlo, 500, 100);
    run_case(&x, "data ending at seqhi", &s);
    ct_peers(&conns[0], p);
    seg_init(&s, 0, false, TCP_ACK, p[0].seqhi - 99, p[1].seqlo, 500, 100);
    run_case(&x, "data ending at seqhi + 1", &s);
    tcp_seg(0, true, TCP_ACK, 0, 0, 0, &s);
    run_case(&x, "ack opening the window (reply)", &s);
    tcp_seg(0, false, TCP_ACK, 0, -MAXACKWINDOW, 0, &s);
    run_case(&x, "ackskew -MAXACKWINDOW", &s);
    tcp_seg(0, false, TCP_ACK, 0, -MAXACKWINDOW - 1, 0, &s);
    run_case(&x, "ackskew -MAXACKWINDOW - 1", &s);
    tcp_seg(2, false, TCP_ACK, 0, MAXACKWINDOW << 14, 0, &s);
    run_case(&x, "zone 9, wscale 14, ackskew MAXACKWINDOW << 14", &s);
    tcp_seg(2, false, TCP_ACK, 0, (MAXACKWINDOW << 14) + 1, 0, &s);
    run_case(&x, "zone 9, wscale 14, ackskew (MAXACKWINDOW << 14) + 1", &s);
    tcp_seg(2, true, TCP_ACK, 0, MAXACKWINDOW + 1, 0, &s);
    run_case(&x, "zone 9, wscale 0, ackskew MAXACKWINDOW + 1 (reply)", &s);
    tcp_seg(3, true, TCP_ACK, 10, 0, 10, &s);
    run_case(&x, "zone 9, picked up, data (reply)", &s);

    tcp_seg(0, false, TCP_RST | TCP_ACK, 0, 0, 0, &s);
    run_case(&x, "rst", &s);
    tcp_seg(0, false, TCP_FIN | TCP_ACK, 0, 0, 0, &s);
    run_case(&x, "fin", &s);
    tcp_seg(0, false, TCP_PSH, 0, 0, 10, &s);
    run_case(&x, "no ack", &s);
    tcp_seg(0, false, TCP_ACK, 0, 0, 10, &s);
    s.bad_l4_csum = true;
    run_case(&x, "bad tcp checksum", &s);
    tcp_seg(0, false, TCP_ACK, 0, 0, 10, &s);
    s.bad_ip_csum = true;
    run_case(&x, "bad ip checksum", &s);
    tcp_seg(0, false, TCP_ACK, 0, 0, 10, &s);
    s.ip_opt_words = 2;
    run_case(&x, "ipv4 options", &s);
    tcp_seg(0, false, TCP_ACK, 0, 0, 10, &s);
    s.pad = 20;
    run_case(&x, "ethernet padding", &s);
    tcp_seg(0, false, TCP_ACK, 0, 0, 10, &s);
    s.doff = 4;
    run_case(&x, "doff 4", &s);

    seg_init(&s, 4, false, 0, 0, 0, 0, 30);
    run_case(&x, "udp", &s);
    seg_init(&s, 4, true, 0, 0, 0, 0, 31);
    s.udp_zero = true;
    run_case(&x, "udp reply, checksum 0", &s);
    seg_init(&s, 4, false, 0, 0, 0, 0, 30);
    s.bad_l4_csum = true;
    run_case(&x, "udp, bad checksum", &s);
    seg_init(&s, 4, false, 0, 0, 0, 0, 30);
    s.udp_len = UDP_HEADER_LEN + 31;
    run_case(&x, "udp, length past the packet", &s);
    seg_init(&s, 5, true, 0, 0, 0, 0, 7);
    run_case(&x, "zone 9, udp6 reply", &s);
    seg_init(&s, 5, true, 0, 0, 0, 0, 7);
    s.udp_zero = true;
    run_case(&x, "zone 9, udp6 reply, checksum 0", &s);

    /* NAT: the packets XDP outputs must be conntrack's, byte for byte. */
    tcp_seg(6, false, TCP_ACK | TCP_PSH, 0, 0, 100, &s);
    run_case(&x, "snat, data", &s);
    tcp_seg(6, true, TCP_ACK, 0, 0, 0, &s);
    run_case(&x, "snat, its ack (reply)", &s);
    tcp_seg(7, false, TCP_ACK | TCP_PSH, 0, 0, 100, &s);
    run_case(&x, "zone 9, ipv6 dnat, data", &s);
    tcp_seg(7, true, TCP_ACK, 0, 0, 0, &s);
    run_case(&x, "zone 9, ipv6 dnat, its ack (reply)", &s);
    tcp_seg(6, false, TCP_FIN | TCP_ACK, 0, 0, 0, &s);
    run_case(&x, "snat, fin", &s);
    seg_init(&s, 8, false, 0, 0, 0, 0, 30);
    s.udp_zero = true;
    run_case(&x, "zone 9, udp dnat, checksum 0", &s);
    seg_init(&s, 8, true, 0, 0, 0, 0, 31);
    run_case(&x, "zone 9, udp dnat (reply)", &s);
    seg_init(&s, 9, false, 0, 0, 0, 0, 30);
    run_case(&x, "udp6 snat", &s);
    seg_init(&s, 9, true, 0, 0, 0, 0, 3);
    run_case(&x, "udp6 snat (reply)", &s);
    tcp_seg(10, false, TCP_ACK, 0, 0, 10, &s);
    run_case(&x, "ct(nat), no NAT", &s);
    tcp_seg(11, true, TCP_ACK, 0, 0, 10, &s);
    run_case(&x, "zone 9, snat, ct() without nat (reply)", &s);
    /* NAT to the address the packet has: conntrack still updates the
     * checksums, which turns 0xffff into 0. */
    tcp_seg(12, false, TCP_ACK, 0, 0, 10, &s);
    s.ip_csum_ffff = true;
    run_case(&x, "dnat, port only, ip checksum 0xffff", &s);
    tcp_seg(12, true, TCP_ACK, 0, 0, 10, &s);
    s.ip_csum_ffff = true;
    run_case(&x, "dnat, port only, ip checksum 0xffff (reply)", &s);
    tcp_seg(13, false, TCP_ACK, 0, 0, 10, &s);
    s.tcp_csum_ffff = true;
    run_case(&x, "ipv6 dnat to itself, tcp checksum 0xffff", &s);
    tcp_seg(14, true, TCP_ACK, 0, 0, 10, &s);
    s.tcp_csum_ffff = true;
    s.ip_csum_ffff = true;
    run_case(&x, "zone 9, dnat to itself, checksums 0xffff (reply)", &s);
    tcp_seg(ALG_CONN, false, TCP_ACK, 0, 0, 10, &s);
    run_case(&x, "port 21, not offloaded", &s);

    /* The deadline passed: conntrack decides. */
    slot = cache_slot(&x, &conns[0], NULL);
    uint64_t deadline, past = 1;
    uint32_t u = slot;
    ovs_assert(!bpf_map_lookup_elem(x.expire_fd, &u, &deadline));
    ovs_assert(!bpf_map_update_elem(x.expire_fd, &u, &past, 0));
    tcp_seg(0, false, TCP_ACK, 0, 0, 10, &s);
    run_case(&x, "deadline passed", &s);
    /* Within the program's margin for its coarse clock: still
     * conntrack's. */
    uint64_t soon = time_msec() * 1000000ULL + 5 * 1000000ULL;
    ovs_assert(!bpf_map_update_elem(x.expire_fd, &u, &soon, 0));
    run_case(&x, "deadline in 5 ms", &s);
    ovs_assert(!bpf_map_update_elem(x.expire_fd, &u, &deadline, 0));

    /* A key of another generation than its slot's. */
    struct xdp_ct_key k;
    conn_key(&conns[4], false, &k);
    ovs_assert(cache_slot(&x, &conns[4], &ref) >= 0);
    ref.generation++;
    ovs_assert(!xdp_conntrack_keys_update(&x.maps, &k, &ref));
    seg_init(&s, 4, false, 0, 0, 0, 0, 30);
    run_case(&x, "generation mismatch", &s);
    ref.generation--;
    ovs_assert(!xdp_conntrack_keys_update(&x.maps, &k, &ref));
    seg_init(&s, 4, false, 0, 0, 0, 0, 30);
    run_case(&x, "generation restored", &s);

    printf("accepted %"PRIu64", handed back %"PRIu64", userspace %"PRIu64
           ", mismatches %"PRIu64"\n", x.n_accepted, x.n_handed_back,
           x.n_userspace, x.n_mismatches);
    bool ok = !x.n_mismatches;
    ctx_close(&x);
    if (!ok) {
        exit(1);
    }
}

static void
test_xdp_ct_main(int argc, char *argv[])
{
    const char *cmd = argc > 1 ? argv[1] : "";

    if (!strcmp(cmd, "cases")) {
        test_cases();
    } else if (!strcmp(cmd, "random")) {
        int n = argc > 2 ? atoi(argv[2]) : 10000;
        uint32_t seed = argc > 3 ? strtoul(argv[3], NULL, 0) : time_wall();

        test_random(n, seed);
    } else {
        ovs_fatal(0, "usage: test-xdp-ct cases|random [N [SEED]]");
    }
}

OVSTEST_REGISTER("test-xdp-ct", test_xdp_ct_main);
