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
 * usage: ovs-xdp-bench-prog [REPEAT [MASKS FLOWS]]   (only that case)
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

#include "packets.h"
#include "util.h"
#include "xdp-flow.h"
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

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    if (argc > 1 && !strcmp(argv[1], "probe")) {
        xt_probe();
    } else if (argc > 1 && !isdigit((unsigned char) argv[1][0])) {
        ovs_fatal(0, "usage: %s [REPEAT [MASKS FLOWS]] | probe", argv[0]);
    } else {
        test_bench(argc > 1 ? atoi(argv[1]) : 100000,
                   argc > 3 ? MIN(atoi(argv[2]), 64) : 0,
                   argc > 3 ? atoi(argv[3]) : 0);
    }
    return 0;
}
