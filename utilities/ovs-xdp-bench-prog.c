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

/* Benchmark of the XDP datapath program through BPF_PROG_RUN (not a test;
 * utilities/ovs-xdp-bench.sh runs it): ns/packet of ovs_xdp_main for 1, 8,
 * 32 and 64 masks and 1, 1000 and 100000 flows, the packet matching a flow
 * of the last-ranked mask, with the exact-match cache hitting and with it
 * turned off, next to a program that only calls bpf_redirect_map().
 *
 * "ct": ns/packet of a stateful pipeline whose established connections
 * run in XDP: ct(zone=1),recirc(1), then output for +trk+est, on a UDP
 * packet of an IPv4 or IPv6 connection in the conntrack cache, next to the
 * same packet on a single-pass output flow.
 *
 * usage: ovs-xdp-bench-prog [REPEAT [MASKS FLOWS]]   (only that case)
 *        ovs-xdp-bench-prog ct [REPEAT]
 *        ovs-xdp-bench-prog probe
 *
 * It loads the program with the tests' harness (tests/xdp-test-harness.c). */

#include <config.h>

#undef NDEBUG
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "odp-util.h"
#include "openvswitch/ofpbuf.h"
#include "packets.h"
#include "util.h"
#include "xdp-conntrack.h"
#include "xdp-flow.h"
#include "xdp-odp-actions.h"
#include "xdp-test-harness.h"
#include "xdp-test-packet.h"

static void
bench_mask(struct xdp_flow_key *mask, int i)
{
    memset(mask, 0, sizeof *mask);
    mask->in_port = UINT32_MAX;
    mask->dl_type = OVS_BE16_MAX;
    mask->nw_proto = UINT8_MAX;
    mask->tp_src = OVS_BE16_MAX;
    mask->tp_dst = OVS_BE16_MAX;
    /* Distinct masks: nw_src prefixes /1 to /32, then also nw_dst. */
    mask->nw_src = htonl(UINT32_MAX << (31 - i % 32));
    if (i >= 32) {
        mask->nw_dst = htonl(UINT32_MAX << (31 - (i - 32) % 32));
    }
}

static int
bench_one(int n_masks, int n_flows, bool emc, int repeat, double *ns)
{
    struct xdp_flow_key key, masks[64];
    struct xdp_flow_entry entry;
    uint32_t order[64], duration;
    struct xdp_test t;
    struct pkt p;
    int error, target, verdict;

    error = xt_open(&t, 64, MAX(n_flows, 1024) * 2, emc);
    if (error) {
        return error;
    }
    tcp_packet(&p, 1, 0);
    ovs_assert(xt_parse(&t, p.data, p.len, &key) == XDP_FLOW_PARSE_OK);
    for (int i = 0; i < n_masks; i++) {
        bench_mask(&masks[i], i);
        xt_set_mask(&t, i, &masks[i]);
        order[i] = i;
    }
    xt_set_order(&t, order, n_masks);

    /* Flow j goes to mask j % n_masks; the packet matches a flow of the
     * last mask, so that the search probes every mask. */
    target = n_flows - 1 - (n_flows - 1) % n_masks + n_masks - 1;
    if (target >= n_flows) {
        target = n_masks - 1;
        n_flows = MAX(n_flows, n_masks);
    }
    entry_output(&entry, t.ifindex);
    for (int j = 0; j < n_flows; j++) {
        key.tp_src = htons(j >> 16);
        key.tp_dst = htons(j);
        xt_put_flow(&t, j % n_masks, &masks[j % n_masks], &key, j, &entry);
    }
    put16(p.data + p.l4, target >> 16);
    put16(p.data + p.l4 + 2, target);
    verdict = xt_run(&t, t.main_fd, p.data, p.len, NULL, NULL, repeat,
                     &duration);
    if (verdict != XDP_TX) {
        xt_close(&t);
        return EINVAL;
    }
    *ns = duration;
    if (n_masks == 1 && n_flows == 1 && emc) {
        verdict = xt_run(&t, t.bench_fd, p.data, p.len, NULL, NULL, repeat,
                         &duration);
        printf("baseline (xdp_bench_redirect): %u ns/packet\n", duration);
    }
    xt_close(&t);
    return 0;
}

/* With 'only_masks' and 'only_flows' nonzero, only that case. */
static void
test_bench(int repeat, int only_masks, int only_flows)
{
    static const int mask_counts[] = { 1, 8, 32, 64 };
    static const int flow_counts[] = { 1, 1000, 100000 };

    printf("BPF_PROG_RUN, repeat=%d, ns/packet of ovs_xdp_main "
           "(packet matches a flow of the last mask)\n", repeat);
    printf("%6s %8s %10s %10s\n", "masks", "flows", "emc hit", "no emc");
    for (int f = 0; f < ARRAY_SIZE(flow_counts); f++) {
        for (int m = 0; m < ARRAY_SIZE(mask_counts); m++) {
            int n_masks = only_masks ? only_masks : mask_counts[m];
            int n_flows = only_flows ? only_flows : flow_counts[f];
            double with_emc = 0, without = 0;
            int error;

            if (only_masks && (f || m)) {
                return;
            }
            error = bench_one(n_masks, n_flows, true, repeat, &with_emc);
            if (!error) {
                error = bench_one(n_masks, n_flows, false, repeat, &without);
            }
            if (error) {
                ovs_fatal(error, "benchmark %d masks %d flows", n_masks,
                          n_flows);
            }
            printf("%6d %8d %10.0f %10.0f\n", n_masks, n_flows, with_emc,
                   without);
        }
    }
}

static uint32_t
bench_port_to_ifindex(odp_port_t port OVS_UNUSED, void *aux OVS_UNUSED,
                      const char **reason)
{
    *reason = "no ports here";
    return 0;
}

/* A UDP packet of connection 'conn' (source port 10000 + 'conn'), over
 * IPv6 if 'ipv6', with valid checksums. */
static void
bench_ct_packet(struct pkt *p, bool ipv6, int conn)
{
    memset(p, 0, sizeof *p);
    pkt_eth(p, 0, ipv6 ? ETH_TYPE_IPV6 : ETH_TYPE_IP);
    if (ipv6) {
        pkt_ipv6(p, IPPROTO_UDP);
    } else {
        pkt_ipv4(p, IPPROTO_UDP);
    }
    pkt_l4(p, IPPROTO_UDP, 18);
    put16(p->data + p->l4, 10000 + conn);
    pkt_finish(p, IPPROTO_UDP, false);
}

/* Puts connection 'conn' of 'ipv6' in the cache at slot 'conn', as the
 * cache's keeper does: the slot, its deadline, then both keys. */
static void
bench_ct_offload(struct xdp_test *t, const struct xdp_ct_maps *maps,
                 bool ipv6, int conn)
{
    uint64_t expire = UINT64_MAX;
    struct xdp_ct_conn value;
    struct xdp_ct_key key;
    uint32_t slot = conn;
    struct pkt p;

    memset(&value, 0, sizeof value);
    value.generation = 1;
    value.zone = 1;
    value.nw_proto = IPPROTO_UDP;
    ovs_assert(!bpf_map__update_elem(t->skel->maps.ct_conns, &slot,
                                     sizeof slot, &value, sizeof value, 0));
    ovs_assert(!bpf_map__update_elem(t->skel->maps.ct_expire, &slot,
                                     sizeof slot, &expire, sizeof expire,
                                     0));
    bench_ct_packet(&p, ipv6, conn);
    memset(&key, 0, sizeof key);
    if (ipv6) {
        memcpy(key.src, p.data + p.l3 + 8, 16);
        memcpy(key.dst, p.data + p.l3 + 24, 16);
        key.ipv6 = 1;
    } else {
        memcpy(key.src, p.data + p.l3 + 12, 4);
        memcpy(key.dst, p.data + p.l3 + 16, 4);
    }
    memcpy(&key.src_port, p.data + p.l4, 2);
    memcpy(&key.dst_port, p.data + p.l4 + 2, 2);
    key.zone = 1;
    key.nw_proto = IPPROTO_UDP;
    for (int reply = 0; reply < 2; reply++) {
        struct xdp_ct_ref ref = {
            .slot = slot,
            .generation = 1,
            .reply = reply,
            .ct_state = (XDP_CT_STATE_ESTABLISHED
                         | (reply ? XDP_CT_STATE_REPLY_DIR : 0)),
        };

        ovs_assert(!xdp_conntrack_keys_update(maps, &key, &ref));
        /* The reply direction's key. */
        struct xdp_ct_key rev = key;

        memcpy(rev.src, key.dst, sizeof rev.src);
        memcpy(rev.dst, key.src, sizeof rev.dst);
        rev.src_port = key.dst_port;
        rev.dst_port = key.src_port;
        key = rev;
    }
}

/* Sets '*ct_ns' to ns/packet of the stateful pipeline with 'n_conns'
 * connections cached, and '*plain_ns' to that of one output flow, both
 * for a packet of the last connection. */
static int
bench_ct_one(bool ipv6, int n_conns, int repeat, double *ct_ns,
             double *plain_ns)
{
    struct xdp_flow_key mask1, mask2, key;
    struct xdp_flow_entry entry;
    uint32_t order[2] = { 0, 1 };
    uint32_t duration;
    struct xdp_ct_maps maps;
    struct ofpbuf buf;
    struct xdp_test t;
    struct pkt p;
    int error, verdict;

    error = xt_open(&t, 2, 16, false);
    if (error) {
        return error;
    }
    maps.keys4 = bpf_map__fd(t.skel->maps.ct_keys4);
    maps.keys6 = bpf_map__fd(t.skel->maps.ct_keys6);
    maps.conns = bpf_map__fd(t.skel->maps.ct_conns);
    maps.expire = bpf_map__fd(t.skel->maps.ct_expire);
    for (int i = 0; i < n_conns; i++) {
        bench_ct_offload(&t, &maps, ipv6, i);
    }

    bench_ct_packet(&p, ipv6, n_conns - 1);
    ovs_assert(xt_parse(&t, p.data, p.len, &key) == XDP_FLOW_PARSE_OK);

    /* Single pass: output. */
    memset(&mask1, 0, sizeof mask1);
    mask1.recirc_id = UINT32_MAX;
    mask1.in_port = UINT32_MAX;
    mask1.dl_type = OVS_BE16_MAX;
    xt_set_mask(&t, 0, &mask1);
    xt_set_order(&t, order, 1);
    entry_output(&entry, t.ifindex);
    xt_put_flow(&t, 0, &mask1, &key, 1, &entry);
    verdict = xt_run(&t, t.main_fd, p.data, p.len, NULL, NULL, repeat,
                     &duration);
    if (verdict != XDP_TX) {
        xt_close(&t);
        return EINVAL;
    }
    *plain_ns = duration;

    /* Two passes: ct(zone=1),recirc(1), then output for +trk+est. */
    memset(&entry, 0, sizeof entry);
    ofpbuf_init(&buf, 0);
    ovs_assert(!odp_actions_from_string("ct(zone=1),recirc(1)", NULL,
                                        &buf));
    ovs_assert(!xdp_odp_actions_to_entry(buf.data, buf.size,
                                         bench_port_to_ifindex, NULL,
                                         &entry));
    ofpbuf_uninit(&buf);
    xt_put_flow(&t, 0, &mask1, &key, 1, &entry);

    memset(&mask2, 0, sizeof mask2);
    mask2.recirc_id = UINT32_MAX;
    mask2.ct_state = UINT8_MAX;
    xt_set_mask(&t, 1, &mask2);
    xt_set_order(&t, order, 2);
    memset(&key, 0, sizeof key);
    key.recirc_id = 1;
    key.ct_state = XDP_CT_STATE_TRACKED | XDP_CT_STATE_ESTABLISHED;
    entry_output(&entry, t.ifindex);
    xt_put_flow(&t, 1, &mask2, &key, 2, &entry);
    verdict = xt_run(&t, t.main_fd, p.data, p.len, NULL, NULL, repeat,
                     &duration);
    xt_close(&t);
    if (verdict != XDP_TX) {
        return EINVAL;
    }
    *ct_ns = duration;
    return 0;
}

static void
bench_ct(int repeat)
{
    static const int conn_counts[] = { 1, 1000 };

    printf("BPF_PROG_RUN, repeat=%d, ns/packet: ct(zone=1),recirc(1) then "
           "output (+trk+est), UDP, connection in XDP's conntrack cache; "
           "one output flow\n", repeat);
    printf("%6s %8s %10s %10s\n", "family", "conns", "ct", "no ct");
    for (int ipv6 = 0; ipv6 < 2; ipv6++) {
        for (int c = 0; c < ARRAY_SIZE(conn_counts); c++) {
            double ct_ns, plain_ns;
            int error;

            error = bench_ct_one(ipv6, conn_counts[c], repeat, &ct_ns,
                                 &plain_ns);
            if (error) {
                ovs_fatal(error, "ct benchmark, %d connections",
                          conn_counts[c]);
            }
            printf("%6s %8d %10.0f %10.0f\n", ipv6 ? "IPv6" : "IPv4",
                   conn_counts[c], ct_ns, plain_ns);
        }
    }
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    if (argc > 1 && !strcmp(argv[1], "probe")) {
        xt_probe();
    } else if (argc > 1 && !strcmp(argv[1], "ct")) {
        bench_ct(argc > 2 ? atoi(argv[2]) : 100000);
    } else if (argc > 1 && !isdigit((unsigned char) argv[1][0])) {
        ovs_fatal(0, "usage: %s [REPEAT [MASKS FLOWS]] | ct [REPEAT] | probe",
                  argv[0]);
    } else {
        test_bench(argc > 1 ? atoi(argv[1]) : 100000,
                   argc > 3 ? MIN(atoi(argv[2]), 64) : 0,
                   argc > 3 ? atoi(argv[3]) : 0);
    }
    return 0;
}
