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

/* Tests of lib/xdp-conntrack.c and of the conntrack offload hook of
 * ovs-patches/0001-conntrack-offload-hook.patch, against OVS's real
 * conntrack (driven with conntrack_execute()) and real BPF maps made here
 * with the cache's layout (without the program, which is not needed: the
 * test plays its part by writing the slots as it would).
 *
 *   ovstest-xdp test-xdp-conntrack keys    key mapping, window shifts
 *   ovstest-xdp test-xdp-conntrack cache [locked]
 *       offload, full cache, sync, hand-back, flush; with "locked", the
 *       'ct_conns' value has a bpf_spin_lock (BTF made here), as the
 *       program's, so that the cache reads and writes with BPF_F_LOCK
 *
 * "cache" exits with 77 (skip) if BPF maps cannot be made here. */

#include <config.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conntrack.h"
#include "csum.h"
#include "ct-dpif.h"
#include "dp-packet.h"
#include "flow.h"
#include "openvswitch/dynamic-string.h"
#include "ovstest.h"
#include "packets.h"
#include "timeval.h"
#include "util.h"
#include "xdp-conntrack.h"

#define ZONE 5
#define CLIENT_ISN 1000u
#define SERVER_ISN 50000u

static void
print_key(const char *name, const struct xdp_ct_key *k)
{
    printf("%s: src", name);
    for (int i = 0; i < 4; i++) {
        printf(" %08"PRIx32, ntohl(k->src[i]));
    }
    printf(" dst");
    for (int i = 0; i < 4; i++) {
        printf(" %08"PRIx32, ntohl(k->dst[i]));
    }
    printf(" ports %u>%u zone %u proto %u ipv6 %u\n", ntohs(k->src_port),
           ntohs(k->dst_port), k->zone, k->nw_proto, k->ipv6);
}

static void
test_keys(void)
{
    struct ct_dpif_tuple t;
    struct xdp_ct_key k;

    memset(&t, 0, sizeof t);
    t.l3_type = AF_INET;
    t.ip_proto = IPPROTO_TCP;
    t.src.ip = htonl(0x0a000001);
    t.dst.ip = htonl(0x0a000002);
    t.src_port = htons(1000);
    t.dst_port = htons(80);
    xdp_conntrack_key_from_tuple(&t, 7, &k);
    print_key("ipv4 tcp", &k);

    memset(&t, 0, sizeof t);
    t.l3_type = AF_INET6;
    t.ip_proto = IPPROTO_UDP;
    for (int i = 0; i < 4; i++) {
        t.src.ip6[i] = htonl(0x20010db8 + i);
        t.dst.ip6[i] = htonl(0xfe800000 + i);
    }
    t.src_port = htons(53);
    t.dst_port = htons(5353);
    xdp_conntrack_key_from_tuple(&t, 65535, &k);
    print_key("ipv6 udp", &k);

    /* struct tcp_peer's 'wscale': 0x80 | scale if the peer sent the
     * option, 0x40 if its SYN was not seen. */
    static const uint8_t w[] = { 0x87, 0x82, 0x00, 0x40, 0x8e };
    for (size_t i = 0; i < ARRAY_SIZE(w); i++) {
        for (size_t j = 0; j < ARRAY_SIZE(w); j++) {
            printf("%s%u", j ? " " : "shift:", xdp_conntrack_tcp_shift(w[i],
                                                                      w[j]));
        }
        printf("\n");
    }
}

/* A TCP segment of the test connection, 10.0.0.1:1000 <-> 10.0.0.2:80
 * ('reply': from the server), with a window scale option if 'wscale' >=
 * 0. */
static struct dp_packet *
make_tcp(bool reply, uint16_t flags, uint32_t seq, uint32_t ack,
         uint16_t win, int wscale, size_t payload)
{
    size_t opt_len = wscale >= 0 ? 4 : 0;
    size_t l4_len = TCP_HEADER_LEN + opt_len + payload;
    struct dp_packet *pkt = dp_packet_new(ETH_HEADER_LEN + IP_HEADER_LEN
                                          + l4_len);
    struct eth_header *eth = dp_packet_put_zeros(pkt, sizeof *eth);
    struct ip_header *ip = dp_packet_put_zeros(pkt, sizeof *ip);
    struct tcp_header *tcp = dp_packet_put_zeros(pkt, l4_len);
    ovs_be32 client = htonl(0x0a000001), server = htonl(0x0a000002);

    eth->eth_type = htons(ETH_TYPE_IP);
    ip->ip_ihl_ver = IP_IHL_VER(5, 4);
    ip->ip_tot_len = htons(IP_HEADER_LEN + l4_len);
    ip->ip_ttl = 64;
    ip->ip_proto = IPPROTO_TCP;
    put_16aligned_be32(&ip->ip_src, reply ? server : client);
    put_16aligned_be32(&ip->ip_dst, reply ? client : server);
    ip->ip_csum = csum(ip, sizeof *ip);

    tcp->tcp_src = htons(reply ? 80 : 1000);
    tcp->tcp_dst = htons(reply ? 1000 : 80);
    put_16aligned_be32(&tcp->tcp_seq, htonl(seq));
    put_16aligned_be32(&tcp->tcp_ack, htonl(ack));
    tcp->tcp_ctl = TCP_CTL(flags, (TCP_HEADER_LEN + opt_len) / 4);
    tcp->tcp_winsz = htons(win);
    if (wscale >= 0) {
        uint8_t *opt = (uint8_t *) (tcp + 1);

        opt[0] = 1;             /* NOP. */
        opt[1] = 3;             /* Window scale. */
        opt[2] = 3;
        opt[3] = wscale;
    }
    tcp->tcp_csum = csum_finish(csum_continue(packet_csum_pseudoheader(ip),
                                              tcp, l4_len));
    return pkt;
}

/* A UDP datagram 10.0.0.1:'sport' <-> 10.0.0.2:53. */
static struct dp_packet *
make_udp(bool reply, uint16_t sport, size_t payload)
{
    size_t l4_len = UDP_HEADER_LEN + payload;
    struct dp_packet *pkt = dp_packet_new(ETH_HEADER_LEN + IP_HEADER_LEN
                                          + l4_len);
    struct eth_header *eth = dp_packet_put_zeros(pkt, sizeof *eth);
    struct ip_header *ip = dp_packet_put_zeros(pkt, sizeof *ip);
    struct udp_header *udp = dp_packet_put_zeros(pkt, l4_len);
    ovs_be32 client = htonl(0x0a000001), server = htonl(0x0a000002);

    eth->eth_type = htons(ETH_TYPE_IP);
    ip->ip_ihl_ver = IP_IHL_VER(5, 4);
    ip->ip_tot_len = htons(IP_HEADER_LEN + l4_len);
    ip->ip_ttl = 64;
    ip->ip_proto = IPPROTO_UDP;
    put_16aligned_be32(&ip->ip_src, reply ? server : client);
    put_16aligned_be32(&ip->ip_dst, reply ? client : server);
    ip->ip_csum = csum(ip, sizeof *ip);
    udp->udp_src = htons(reply ? 53 : sport);
    udp->udp_dst = htons(reply ? sport : 53);
    udp->udp_len = htons(l4_len);
    return pkt;
}

/* Runs 'pkt' through 'ct' in ZONE with commit (and 'force'), setting the
 * mark to 'mark' if nonzero, frees it and prints its ct_state after
 * 'name'. */
static void
run_opts(struct conntrack *ct, const char *name, struct dp_packet *pkt,
         uint32_t mark, bool force)
{
    uint32_t setmark[2] = { mark, UINT32_MAX };
    struct dp_packet_batch batch;
    struct flow flow;

    pkt_metadata_init(&pkt->md, 0);
    flow_extract(pkt, &flow);
    dp_packet_batch_init_packet(&batch, pkt);
    conntrack_execute(ct, &batch, htons(ETH_TYPE_IP), force, true, ZONE,
                      mark ? setmark : NULL, NULL, 0, 0, NULL, NULL,
                      time_msec(), 0);

    uint8_t s = pkt->md.ct_state;
    printf("%s:%s%s%s%s%s\n", name, s & CS_TRACKED ? " +trk" : "",
           s & CS_NEW ? " +new" : "", s & CS_ESTABLISHED ? " +est" : "",
           s & CS_REPLY_DIR ? " +rpl" : "", s & CS_INVALID ? " +inv" : "");
    dp_packet_delete(pkt);
}

static void
run(struct conntrack *ct, const char *name, struct dp_packet *pkt)
{
    run_opts(ct, name, pkt, 0, false);
}

static void
run_mark(struct conntrack *ct, const char *name, struct dp_packet *pkt,
         uint32_t mark)
{
    run_opts(ct, name, pkt, mark, false);
}

static void
print_stats(const struct xdp_conntrack *xc)
{
    struct xdp_conntrack_stats st;

    xdp_conntrack_get_stats(xc, &st);
    printf("  cache: %"PRIu32"/%"PRIu32" conns, offloaded %"PRIu64", full "
           "%"PRIu64", deleted %"PRIu64", handed back %"PRIu64", errors "
           "%"PRIu64"\n", st.n_conns, st.max_conns, st.n_offloaded,
           st.n_full, st.n_deleted, st.n_handed_back, st.n_errors);
}

/* Looks up both keys of the connection whose original tuple is 'orig'.
 * Returns the slot of the original key, or -1. */
static int
print_refs(const struct xdp_conntrack *xc, const struct ct_dpif_tuple *orig,
           const struct ct_dpif_tuple *reply)
{
    const struct ct_dpif_tuple *t[2] = { orig, reply };
    int slot = -1;

    for (int i = 0; i < 2; i++) {
        struct xdp_ct_key key;
        struct xdp_ct_ref ref;

        xdp_conntrack_key_from_tuple(t[i], ZONE, &key);
        int error = xdp_conntrack_slot_of_key(xc, &key, &ref);
        if (error) {
            printf("  %s key: %s\n", i ? "reply" : "orig",
                   ovs_strerror(error));
        } else {
            printf("  %s key: slot %"PRIu32" generation %"PRIu32" reply "
                   "%"PRIu32"\n", i ? "reply" : "orig", ref.slot,
                   ref.generation, ref.reply);
            if (!i) {
                slot = ref.slot;
            }
        }
    }
    return slot;
}

static void
print_slot(int conns_fd, uint32_t slot)
{
    struct xdp_ct_conn v;

    if (bpf_map_lookup_elem(conns_fd, &slot, &v)) {
        printf("  slot %"PRIu32": %s\n", slot, ovs_strerror(errno));
        return;
    }
    printf("  slot %"PRIu32": generation %"PRIu32" flags %#"PRIx32" mark "
           "%"PRIu32" zone %u proto %u\n", slot, v.generation, v.flags,
           v.mark, v.zone, v.nw_proto);
    if (v.flags & XDP_CT_CONN_TCP) {
        for (int i = 0; i < 2; i++) {
            printf("    peer %d: seqlo %"PRIu32" seqhi %"PRIu32" max_win %u "
                   "shift %u\n", i, v.peer[i].seqlo, v.peer[i].seqhi,
                   v.peer[i].max_win, v.peer[i].shift);
        }
    }
}

/* Prints whether the program's deadline of 'slot' is conntrack's
 * expiration of the connection with original tuple 'orig', and that
 * expiration relative to 'base' (ms). */
static void
print_deadline(struct conntrack *ct, int expire_fd, uint32_t slot,
               const struct ct_dpif_tuple *orig, long long int base)
{
    struct conntrack_dump dump;
    struct ct_dpif_entry entry;
    uint16_t zone = ZONE;
    uint64_t deadline = 0;
    int n;

    bpf_map_lookup_elem(expire_fd, &slot, &deadline);
    conntrack_dump_start(ct, &dump, &zone, &n);
    while (!conntrack_dump_next(&dump, &entry)) {
        if (!memcmp(&entry.tuple_orig, orig, sizeof *orig)) {
            /* entry.timeout is in seconds from now: compare in seconds. */
            long long int exp_s = (time_msec() / 1000) + entry.timeout;
            long long int dl_s = deadline / 1000000000ULL;
            printf("  deadline: %s conntrack's expiration (%lld s after "
                   "base)\n", llabs(exp_s - dl_s) <= 1 ? "is" : "is not",
                   (long long int) (dl_s - base / 1000));
        }
        ct_dpif_entry_uninit(&entry);
    }
    conntrack_dump_done(&dump);
}

static void
print_counters(struct conntrack *ct, const struct ct_dpif_tuple *orig)
{
    struct conntrack_dump dump;
    struct ct_dpif_entry entry;
    uint16_t zone = ZONE;
    int n;

    conntrack_dump_start(ct, &dump, &zone, &n);
    while (!conntrack_dump_next(&dump, &entry)) {
        if (!memcmp(&entry.tuple_orig, orig, sizeof *orig)) {
            printf("  counters: orig %"PRIu64" packets %"PRIu64" bytes, "
                   "reply %"PRIu64" packets %"PRIu64" bytes\n",
                   entry.counters_orig.packets, entry.counters_orig.bytes,
                   entry.counters_reply.packets, entry.counters_reply.bytes);
        }
        ct_dpif_entry_uninit(&entry);
    }
    conntrack_dump_done(&dump);
}

static void
tcp_tuples(struct ct_dpif_tuple *orig, struct ct_dpif_tuple *reply)
{
    memset(orig, 0, sizeof *orig);
    orig->l3_type = AF_INET;
    orig->ip_proto = IPPROTO_TCP;
    orig->src.ip = htonl(0x0a000001);
    orig->dst.ip = htonl(0x0a000002);
    orig->src_port = htons(1000);
    orig->dst_port = htons(80);
    *reply = *orig;
    reply->src = orig->dst;
    reply->dst = orig->src;
    reply->src_port = orig->dst_port;
    reply->dst_port = orig->src_port;
}

static void
udp_tuples(uint16_t sport, struct ct_dpif_tuple *orig,
           struct ct_dpif_tuple *reply)
{
    tcp_tuples(orig, reply);
    orig->ip_proto = reply->ip_proto = IPPROTO_UDP;
    orig->src_port = reply->dst_port = htons(sport);
    orig->dst_port = reply->src_port = htons(53);
}

/* Makes a 'ct_conns' map of 'n' entries whose value starts with a
 * bpf_spin_lock, as the program's, described by BTF made here. */
static int
make_locked_conns(uint32_t n)
{
    struct btf *btf = btf__new_empty();
    int u32 = btf__add_int(btf, "u32", 4, 0);
    int lock = btf__add_struct(btf, "bpf_spin_lock", 4);

    btf__add_field(btf, "val", u32, 0, 0);
    int conn = btf__add_struct(btf, "xdp_ct_conn", sizeof(struct xdp_ct_conn));
    btf__add_field(btf, "lock", lock, 0, 0);
    if (btf__load_into_kernel(btf)) {
        printf("cannot load BTF: %s\n", ovs_strerror(errno));
        exit(77);
    }

    LIBBPF_OPTS(bpf_map_create_opts, opts,
                .btf_fd = btf__fd(btf),
                .btf_key_type_id = u32,
                .btf_value_type_id = conn);
    int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ct_conns", sizeof(uint32_t),
                            sizeof(struct xdp_ct_conn), n, &opts);
    btf__free(btf);
    return fd;
}

static void
test_cache(bool locked)
{
    enum { N_CONNS = 2 };
    struct xdp_ct_maps maps;

    maps.keys4 = bpf_map_create(BPF_MAP_TYPE_HASH, "ct_keys4",
                                sizeof(struct xdp_ct_key4),
                                sizeof(struct xdp_ct_ref), 2 * N_CONNS, NULL);
    maps.keys6 = bpf_map_create(BPF_MAP_TYPE_HASH, "ct_keys6",
                                sizeof(struct xdp_ct_key),
                                sizeof(struct xdp_ct_ref), 2 * N_CONNS, NULL);
    if (maps.keys4 < 0 || maps.keys6 < 0) {
        printf("cannot make BPF maps: %s\n", ovs_strerror(errno));
        exit(77);
    }
    maps.conns = (locked
                  ? make_locked_conns(N_CONNS)
                  : bpf_map_create(BPF_MAP_TYPE_ARRAY, "ct_conns",
                                   sizeof(uint32_t),
                                   sizeof(struct xdp_ct_conn), N_CONNS,
                                   NULL));
    maps.expire = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ct_expire",
                                 sizeof(uint32_t), sizeof(uint64_t),
                                 N_CONNS, NULL);
    ovs_assert(maps.conns >= 0 && maps.expire >= 0);

    struct conntrack *ct = conntrack_init();
    struct xdp_conntrack *xc = xdp_conntrack_create(ct);
    long long int base = time_msec();
    struct ct_dpif_tuple orig, reply;
    int slot;

    /* Unbound: nothing is offloaded. */
    printf("unbound:\n");
    run(ct, "udp 2000 orig", make_udp(false, 2000, 10));
    run(ct, "udp 2000 reply", make_udp(true, 2000, 20));
    run(ct, "udp 2000 orig", make_udp(false, 2000, 10));
    print_stats(xc);

    xdp_conntrack_bind(xc, &maps, 0x1234);
    struct xdp_conntrack_stats st;
    xdp_conntrack_get_stats(xc, &st);
    printf("bound, cookie %#"PRIx64", %s:\n", xdp_conntrack_cookie(xc),
           st.value_lock ? "BPF_F_LOCK" : "no lock in the value");

    /* A TCP handshake with window scaling, then data. */
    printf("tcp:\n");
    run(ct, "syn", make_tcp(false, TCP_SYN, CLIENT_ISN, 0, 64240, 7, 0));
    run(ct, "syn-ack", make_tcp(true, TCP_SYN | TCP_ACK, SERVER_ISN,
                                CLIENT_ISN + 1, 65160, 7, 0));
    print_stats(xc);
    run(ct, "ack", make_tcp(false, TCP_ACK, CLIENT_ISN + 1, SERVER_ISN + 1,
                            502, -1, 0));
    print_stats(xc);
    run(ct, "data", make_tcp(false, TCP_ACK | TCP_PSH, CLIENT_ISN + 1,
                             SERVER_ISN + 1, 502, -1, 100));
    print_stats(xc);
    run(ct, "data ack", make_tcp(true, TCP_ACK, SERVER_ISN + 1,
                                 CLIENT_ISN + 101, 509, -1, 0));
    print_stats(xc);
    struct ds conns = DS_EMPTY_INITIALIZER;
    xdp_conntrack_format_conns(xc, &conns);
    printf("%s", ds_cstr(&conns));
    ds_destroy(&conns);
    tcp_tuples(&orig, &reply);
    slot = print_refs(xc, &orig, &reply);
    if (slot >= 0) {
        print_slot(maps.conns, slot);
        print_deadline(ct, maps.expire, slot, &orig, base);
    }
    print_counters(ct, &orig);

    /* The test plays the program: 100000 bytes of client data forwarded
     * and counted in XDP, last used 10 s from now. */
    if (slot >= 0) {
        struct xdp_ct_conn v;
        uint32_t s = slot;

        bpf_map_lookup_elem(maps.conns, &s, &v);
        v.peer[0].seqlo += 100000;
        v.packets[0] += 70;
        v.bytes[0] += 100000 + 70 * 52;
        v.packets[1] += 35;
        v.bytes[1] += 35 * 52;
        v.used_ns = (time_msec() + 10000) * 1000000ULL;
        bpf_map_update_elem(maps.conns, &s, &v, 0);
    }
    printf("sync after XDP forwarded 100000 bytes:\n");
    xdp_conntrack_sync(xc, true);
    print_counters(ct, &orig);
    if (slot >= 0) {
        print_deadline(ct, maps.expire, slot, &orig, base);
    }

    /* The server acknowledges the data XDP forwarded, in a packet that
     * reaches conntrack without a hand-back (a later pass XDP could not
     * run, say): conntrack's window is behind, and would make it out of
     * window, but conntrack pulls the cache's window first. */
    printf("server acks the forwarded data:\n");
    uint32_t acked = CLIENT_ISN + 101 + 100000;
    run(ct, "ack without hand-back", make_tcp(true, TCP_ACK, SERVER_ISN + 1,
                                              acked, 509, -1, 0));
    if (slot >= 0) {
        /* As lib/xdp-xsk.c would, from the metadata: a packet of another
         * program names nothing here. */
        xdp_conntrack_hand_back_by_cookie(0x4321, slot + 1);
        printf("slot %d named by another program's packet\n", slot);
        print_stats(xc);
        xdp_conntrack_hand_back_by_cookie(0x1234, slot + 1);
        printf("handed back slot %d\n", slot);
    }
    print_stats(xc);
    print_refs(xc, &orig, &reply);
    if (slot >= 0) {
        print_slot(maps.conns, slot);
    }
    xdp_conntrack_hand_back(xc, slot);
    printf("handed back again (nothing to do)\n");
    run(ct, "ack after hand-back", make_tcp(true, TCP_ACK, SERVER_ISN + 1,
                                            acked, 509, -1, 0));
    print_stats(xc);
    slot = print_refs(xc, &orig, &reply);
    if (slot >= 0) {
        print_slot(maps.conns, slot);
    }

    /* UDP: offloaded when seen both ways; the third connection finds the
     * cache full. */
    printf("udp:\n");
    run(ct, "udp 3000 orig", make_udp(false, 3000, 10));
    run(ct, "udp 3000 reply", make_udp(true, 3000, 20));
    print_stats(xc);
    run(ct, "udp 2000 orig", make_udp(false, 2000, 10));
    print_stats(xc);
    udp_tuples(3000, &orig, &reply);
    slot = print_refs(xc, &orig, &reply);
    if (slot >= 0) {
        print_slot(maps.conns, slot);
        print_deadline(ct, maps.expire, slot, &orig, base);
    }
    print_counters(ct, &orig);

    /* A new mark: the cached copy is withdrawn, then offered again. */
    printf("udp 3000 marked:\n");
    run_mark(ct, "udp 3000 orig, mark 7", make_udp(false, 3000, 10), 7);
    print_stats(xc);
    run(ct, "udp 3000 reply", make_udp(true, 3000, 20));
    print_stats(xc);
    slot = print_refs(xc, &orig, &reply);
    if (slot >= 0) {
        print_slot(maps.conns, slot);
    }
    run_mark(ct, "udp 3000 orig, mark 7 again", make_udp(false, 3000, 10), 7);
    print_stats(xc);

    /* ct(force) from the reply direction expires the connection at once
     * (and commits a new one the other way round): the entry goes with
     * it. */
    printf("udp 3000 forced from the reply direction:\n");
    run_opts(ct, "udp 3000 reply, force", make_udp(true, 3000, 20), 0, true);
    print_stats(xc);
    print_refs(xc, &orig, &reply);

    /* A key that another connection took meanwhile (conntrack made one
     * with the same tuple while this one waited for its sweep) is not
     * removed with this one. */
    tcp_tuples(&orig, &reply);
    {
        struct xdp_ct_ref ref;
        struct xdp_ct_key key;

        xdp_conntrack_key_from_tuple(&orig, ZONE, &key);
        ovs_assert(!xdp_conntrack_keys_lookup(&maps, &key, &ref));
        ref.slot = !ref.slot;
        ref.generation = 99;
        ovs_assert(!xdp_conntrack_keys_update(&maps, &key, &ref));
    }

    /* Flush: the hook removes every entry before conntrack frees. */
    printf("flush:\n");
    conntrack_flush(ct, NULL);
    print_stats(xc);
    slot = print_refs(xc, &orig, &reply);
    for (uint32_t s = 0; s < N_CONNS; s++) {
        print_slot(maps.conns, s);
    }

    xdp_conntrack_destroy(xc);
    conntrack_destroy(ct);
    close(maps.keys4);
    close(maps.keys6);
    close(maps.conns);
    close(maps.expire);
}

static void
test_xdp_conntrack_main(int argc, char *argv[])
{
    const char *cmd = argc > 1 ? argv[1] : "";

    if (!strcmp(cmd, "keys")) {
        test_keys();
    } else if (!strcmp(cmd, "cache")) {
        test_cache(argc > 2 && !strcmp(argv[2], "locked"));
    } else {
        ovs_fatal(0, "usage: test-xdp-conntrack keys|cache [locked]");
    }
}

OVSTEST_REGISTER("test-xdp-conntrack", test_xdp_conntrack_main);
