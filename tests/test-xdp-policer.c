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

/* The policers of the XDP program through BPF_PROG_RUN, configured with
 * lib/xdp-policer.c as ovs-vswitchd does, on the harness's port "lo"
 * (slot 0):
 *
 *   ingress: a byte policer passes exactly its burst back to back, then
 *       drops before the flow lookup (nothing reaches userspace), and
 *       refills at its rate.
 *   packets: a packet-rate policer, likewise.
 *   trtcm: RFC 4115 colors by frame size; queue 0 color-blind, then the
 *       port color-aware.
 *   egress: an egress policer at output, on the single-output path and on
 *       the action loop.
 *   shared: userspace's admissions and XDP take from one bucket, also when
 *       they race (threads against BPF_PROG_RUN).
 *   config: the same configuration again keeps the bucket, another one
 *       refills it; bad ones are refused; removing every policer leaves
 *       the program as without.
 *
 * Rates are checked against the clock: each refill is bracketed by clock
 * readings taken before and after the frames that bound it, and the
 * number of frames that pass must lie within what the rate gives over the
 * shortest and the longest interval the readings allow (plus one frame for
 * the credit left below a frame's cost when the bucket was drained). */

#include <config.h>

#undef NDEBUG
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "openvswitch/dynamic-string.h"
#include "ovstest.h"
#include "packets.h"
#include "util.h"
#include "xdp-abi.h"
#include "xdp-flow.h"
#include "xdp-policer.h"
#include "xdp-prog.h"
#include "xdp-test-harness.h"
#include "xdp-test-packet.h"

struct pt {
    struct xdp_test t;
    struct xdp_policers *pol;
};

#define SLOT 0

static void
pt_open(struct pt *pt)
{
    struct xdp_policer_maps maps;
    char *error = NULL;
    int err;

    err = xt_open_default(&pt->t);
    if (err) {
        ovs_fatal(err, "cannot load and run the XDP program");
    }
    xdp_prog_get_police_maps(pt->t.skel, &maps);
    pt->pol = xdp_policers_create(&maps, &error);
    if (!pt->pol) {
        ovs_fatal(0, "%s", error);
    }
    /* As lib/xdp-prog-ports.c does when the port is added. */
    xdp_policers_bind_port(pt->pol, pt->t.ifindex, SLOT);
}

static void
pt_close(struct pt *pt)
{
    xdp_policers_destroy(pt->pol);
    xt_close(&pt->t);
}

/* A UDP frame of which a byte policer counts 'units' bytes (the frame
 * without its Ethernet header). */
static void
frame(struct pkt *p, size_t units)
{
    ovs_assert(units >= 28);
    pkt_eth(p, 0, ETH_TYPE_IP);
    pkt_ipv4(p, IPPROTO_UDP);
    pkt_l4(p, IPPROTO_UDP, units - 28);
    pkt_finish(p, IPPROTO_UDP, false);
    ovs_assert(p->len == units + 14);
}

static int
run(const struct pt *pt, const struct pkt *p)
{
    return xt_run(&pt->t, pt->t.main_fd, p->data, p->len, NULL, NULL, 1,
                  NULL);
}

/* Runs 'p' 'n' times; returns how many were not dropped. */
static int
run_n(const struct pt *pt, const struct pkt *p, int n)
{
    int passed = 0;

    for (int i = 0; i < n; i++) {
        passed += run(pt, p) != XDP_DROP;
    }
    return passed;
}

static void
set(struct pt *pt, enum xdp_policer_point point, uint32_t queue,
    enum xdp_policer_kind kind, uint64_t rate, uint64_t burst, uint64_t eir,
    uint64_t ebs)
{
    struct xdp_policer_config cfg = {
        .kind = kind, .rate = rate, .burst = burst, .eir = eir, .ebs = ebs,
    };
    char *error;

    if (xdp_policer_set(pt->pol, SLOT, point, queue, &cfg, &error)) {
        ovs_fatal(0, "xdp_policer_set: %s", error);
    }
}

static void
print_stats(const struct pt *pt, const char *name,
            enum xdp_policer_point point, uint32_t queue)
{
    struct xdp_policer_stats s;

    if (xdp_policer_get_stats(pt->pol, SLOT, point, queue, &s)) {
        printf("  %s: none\n", name);
        return;
    }
    printf("  %s: xdp green=%"PRIu64"/%"PRIu64" yellow=%"PRIu64"/%"PRIu64
           " red=%"PRIu64"/%"PRIu64, name,
           (uint64_t) s.xdp.packets[0], (uint64_t) s.xdp.bytes[0],
           (uint64_t) s.xdp.packets[1], (uint64_t) s.xdp.bytes[1],
           (uint64_t) s.xdp.packets[2], (uint64_t) s.xdp.bytes[2]);
    printf(" user green=%"PRIu64" yellow=%"PRIu64" red=%"PRIu64"\n",
           (uint64_t) s.user.packets[0], (uint64_t) s.user.packets[1],
           (uint64_t) s.user.packets[2]);
}

/* Drains the bucket with 'p' (at most 'max' frames); returns the clock
 * readings around the frame that was dropped. */
static void
drain(const struct pt *pt, const struct pkt *p, int max, uint64_t *before,
      uint64_t *after)
{
    for (int i = 0; i < max; i++) {
        *before = xdp_policer_now();
        int verdict = run(pt, p);
        *after = xdp_policer_now();
        if (verdict == XDP_DROP) {
            return;
        }
    }
    ovs_fatal(0, "bucket did not drain in %d frames", max);
}

/* Drains the bucket (rate 'rate' per second, burst 'burst', each frame
 * costing 'cost'), waits 'wait_ns', sends 'n' frames back to back, and
 * checks that as many pass as the rate allows over the interval, bracketed
 * by the clock. */
static void
check_refill(const struct pt *pt, const char *what, const struct pkt *p,
             double rate, double burst, double cost, uint64_t wait_ns, int n)
{
    uint64_t d0, d1, r0, r1;
    int passed, lo, hi;

    drain(pt, p, 10000, &d0, &d1);
    xnanosleep(wait_ns);
    r0 = xdp_policer_now();
    passed = run_n(pt, p, n);
    r1 = xdp_policer_now();

    /* The drop left less than one frame's credit; the first frame of the
     * refill came no earlier than 'r0' after the drop at most at 'd1';
     * the last no later than 'r1' after the drop at least at 'd0'. */
    lo = MIN(rate * (r0 - d1) / 1e9, burst) / cost;
    hi = (rate * (r1 - d0) / 1e9 + cost) / cost;
    if (passed >= lo && passed <= hi && passed < n) {
        printf("%s: refill at the rate: ok\n", what);
    } else {
        printf("%s: refill: %d of %d passed after %.3f ms, expected %d to "
               "%d\n", what, passed, n, (r0 - d1) / 1e6, lo, hi);
    }
}

static void
test_ingress(struct pt *pt)
{
    struct pkt p;

    frame(&p, 100);
    printf("no policer: %s\n", verdict_name(run(pt, &p)));
    PRINT_COUNTER(&pt->t, UPCALL_MISS);

    /* 100 bytes/s: a frame's cost takes a second to come back, far longer
     * than the run. */
    set(pt, XDP_POLICER_INGRESS, 0, XDP_POLICER_BYTES, 100, 1000, 0, 0);
    printf("burst 1000 bytes, 12 frames of 100: %d passed\n",
           run_n(pt, &p, 12));
    PRINT_COUNTER(&pt->t, POLICED_INGRESS);
    /* The two dropped never reached the flow lookup or userspace. */
    PRINT_COUNTER(&pt->t, UPCALL_MISS);
    print_stats(pt, "ingress", XDP_POLICER_INGRESS, 0);

    /* A frame that fits a burst of 150 after 100: no; of 50: yes. */
    set(pt, XDP_POLICER_INGRESS, 0, XDP_POLICER_BYTES, 100, 150, 0, 0);
    printf("burst 150: 100 %s,", verdict_name(run(pt, &p)));
    printf(" 100 %s,", verdict_name(run(pt, &p)));
    frame(&p, 50);
    printf(" 50 %s\n", verdict_name(run(pt, &p)));

    /* 20000 bytes/s: 200 frames of 100 per second; 100 ms gives 20. */
    frame(&p, 100);
    set(pt, XDP_POLICER_INGRESS, 0, XDP_POLICER_BYTES, 20000, 3000, 0, 0);
    check_refill(pt, "20000 bytes/s", &p, 20000, 3000, 100, 100 * 1000 * 1000,
                 40);

    set(pt, XDP_POLICER_INGRESS, 0, XDP_POLICER_NONE, 0, 0, 0, 0);
    printf("removed: %s\n", verdict_name(run(pt, &p)));
}

static void
test_packets(struct pt *pt)
{
    struct pkt small, big;

    frame(&small, 28);
    frame(&big, 1400);
    /* 1 packet/s, burst 5: sizes do not matter. */
    set(pt, XDP_POLICER_INGRESS_PKTS, 0, XDP_POLICER_PACKETS, 1, 5, 0, 0);
    printf("burst 5 packets: %d of 3 small passed,", run_n(pt, &small, 3));
    printf(" %d of 4 big\n", run_n(pt, &big, 4));
    PRINT_COUNTER(&pt->t, POLICED_INGRESS);
    print_stats(pt, "ingress packets", XDP_POLICER_INGRESS_PKTS, 0);

    /* With a byte policer too, both must pass a frame. */
    set(pt, XDP_POLICER_INGRESS, 0, XDP_POLICER_BYTES, 100, 3000, 0, 0);
    set(pt, XDP_POLICER_INGRESS_PKTS, 0, XDP_POLICER_PACKETS, 1, 100, 0, 0);
    printf("bytes 3000 and packets 100: %d of 4 big passed\n",
           run_n(pt, &big, 4));
    set(pt, XDP_POLICER_INGRESS, 0, XDP_POLICER_NONE, 0, 0, 0, 0);

    /* 1000 packets/s; 30 ms gives 30. */
    set(pt, XDP_POLICER_INGRESS_PKTS, 0, XDP_POLICER_PACKETS, 1000, 50, 0,
        0);
    check_refill(pt, "1000 packets/s", &small, 1000, 50, 1, 30 * 1000 * 1000,
                 60);
}

/* Installs a flow for every frame of the test port that outputs to the
 * port itself (XDP_TX), after 'n_vlans' VLAN pushes. */
static void
output_flow(struct pt *pt, int n_vlans)
{
    struct xdp_flow_key mask, key;
    struct xdp_flow_entry entry;
    uint32_t order = 0;
    struct pkt p;

    frame(&p, 100);
    ovs_assert(xt_parse(&pt->t, p.data, p.len, &key) == XDP_FLOW_PARSE_OK);
    memset(&mask, 0, sizeof mask);
    mask.in_port = UINT32_MAX;
    xt_set_mask(&pt->t, 0, &mask);
    xt_set_order(&pt->t, &order, 1);
    memset(&entry, 0, sizeof entry);
    for (int i = 0; i < n_vlans; i++) {
        entry.actions[i].type = XDP_FLOW_ACT_PUSH_VLAN;
        entry.actions[i].arg = 0x81000000 | (10 + i);
    }
    entry.actions[n_vlans].type = XDP_FLOW_ACT_OUTPUT;
    entry.actions[n_vlans].arg = pt->t.ifindex;
    entry.n_actions = n_vlans + 1;
    xt_put_flow(&pt->t, 0, &mask, &key, 1, &entry);
}

static void
test_trtcm(struct pt *pt)
{
    static const size_t sizes[] = { 600, 600, 300, 300, 150, 100, 60 };
    struct pkt p;

    output_flow(pt, 0);
    /* 1 byte/s: no refill to speak of.  Committed 1000, excess 800. */
    set(pt, XDP_POLICER_EGRESS, 0, XDP_POLICER_TRTCM, 1, 1000, 1, 800);
    printf("trtcm cbs 1000 ebs 800:");
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        frame(&p, sizes[i]);
        printf(" %"PRIuSIZE" %s", sizes[i], verdict_name(run(pt, &p)));
    }
    printf("\n");
    print_stats(pt, "egress", XDP_POLICER_EGRESS, 0);
    PRINT_COUNTER(&pt->t, POLICED_EGRESS);
    PRINT_COUNTER(&pt->t, HANDLED);

    /* Queue 0 color-blind, then the port color-aware: a frame that queue 0
     * makes yellow takes only from the port's excess bucket. */
    set(pt, XDP_POLICER_QUEUE, 0, XDP_POLICER_TRTCM, 1, 100, 1, 10000);
    set(pt, XDP_POLICER_EGRESS, 0, XDP_POLICER_TRTCM, 1, 10000, 1, 700);
    frame(&p, 500);
    printf("queue 0 cbs 100 ebs 10000, port cbs 10000 ebs 700: 500 %s,",
           verdict_name(run(pt, &p)));
    printf(" 500 %s\n", verdict_name(run(pt, &p)));
    print_stats(pt, "queue 0", XDP_POLICER_QUEUE, 0);
    print_stats(pt, "egress", XDP_POLICER_EGRESS, 0);
}

static void
test_egress(struct pt *pt)
{
    struct pkt p;

    frame(&p, 100);
    output_flow(pt, 0);
    printf("no policer: %s\n", verdict_name(run(pt, &p)));
    set(pt, XDP_POLICER_EGRESS, 0, XDP_POLICER_BYTES, 100, 500, 0, 0);
    printf("single output, burst 500: %d of 7 passed\n", run_n(pt, &p, 7));
    PRINT_COUNTER(&pt->t, POLICED_EGRESS);
    PRINT_COUNTER(&pt->t, HANDLED);
    PRINT_COUNTER(&pt->t, POLICED_INGRESS);

    /* Through the action loop: the policer counts the frame as it leaves,
     * with its VLAN header (4 bytes more: 4 frames of 104 fit 500). */
    output_flow(pt, 1);
    set(pt, XDP_POLICER_EGRESS, 0, XDP_POLICER_BYTES, 100, 416, 0, 0);
    printf("push_vlan and output, burst 416: %d of 6 passed\n",
           run_n(pt, &p, 6));
    set(pt, XDP_POLICER_EGRESS, 0, XDP_POLICER_BYTES, 100, 415, 0, 0);
    printf("push_vlan and output, burst 415: %d of 6 passed\n",
           run_n(pt, &p, 6));
    PRINT_COUNTER(&pt->t, POLICED_EGRESS);
    PRINT_COUNTER(&pt->t, ACTION_ERROR);
    print_stats(pt, "egress", XDP_POLICER_EGRESS, 0);

    /* 50000 bytes/s: 500 frames of 100 per second; 40 ms gives 20. */
    output_flow(pt, 0);
    set(pt, XDP_POLICER_EGRESS, 0, XDP_POLICER_BYTES, 50000, 3000, 0, 0);
    check_refill(pt, "egress 50000 bytes/s", &p, 50000, 3000, 100,
                 40 * 1000 * 1000, 40);
}

struct racer {
    struct pt *pt;
    int passed;
};

static void *
racer_main(void *r_)
{
    struct racer *r = r_;

    for (int i = 0; i < 20000; i++) {
        r->passed += xdp_policer_admit(r->pt->pol, SLOT, 0, 114,
                                       xdp_policer_now());
    }
    return NULL;
}

static void
test_shared(struct pt *pt)
{
    struct xdp_policer_stats st_port, st_q;
    struct racer racers[2];
    pthread_t threads[2];
    int n_user = 0;
    struct pkt p;

    frame(&p, 100);
    output_flow(pt, 0);
    set(pt, XDP_POLICER_EGRESS, 0, XDP_POLICER_BYTES, 1, 1000, 0, 0);
    for (int i = 0; i < 6; i++) {
        n_user += xdp_policer_admit(pt->pol, SLOT, 0, p.len,
                                    xdp_policer_now());
    }
    printf("burst 1000: userspace %d of 6 admitted,", n_user);
    printf(" then XDP %d of 6,", run_n(pt, &p, 6));
    printf(" then userspace %s\n",
           xdp_policer_admit(pt->pol, SLOT, 0, p.len, xdp_policer_now())
           ? "admitted" : "dropped");
    print_stats(pt, "egress", XDP_POLICER_EGRESS, 0);

    /* A queue other than 0 is userspace's alone; an unknown queue is
     * queue 0. */
    set(pt, XDP_POLICER_EGRESS, 0, XDP_POLICER_BYTES, 1, 100000, 0, 0);
    set(pt, XDP_POLICER_QUEUE, 7, XDP_POLICER_TRTCM, 1, 200, 0, 0);
    set(pt, XDP_POLICER_QUEUE, 0, XDP_POLICER_TRTCM, 1, 1000, 0, 0);
    printf("queue 7 cbs 200:");
    for (int i = 0; i < 3; i++) {
        printf(" %s", (xdp_policer_admit(pt->pol, SLOT, 7, 114,
                                         xdp_policer_now())
                       ? "admitted" : "dropped"));
    }
    printf(", queue 9 (none: queue 0) %s\n",
           xdp_policer_admit(pt->pol, SLOT, 9, 114, xdp_policer_now())
           ? "admitted" : "dropped");
    print_stats(pt, "queue 7", XDP_POLICER_QUEUE, 7);
    print_stats(pt, "queue 0", XDP_POLICER_QUEUE, 0);
    print_stats(pt, "queue 9", XDP_POLICER_QUEUE, 9);

    /* Two threads admit while XDP runs: together exactly the burst (30
     * frames of 100) passes, never more, whoever wins each race. */
    set(pt, XDP_POLICER_QUEUE, 7, XDP_POLICER_NONE, 0, 0, 0, 0);
    set(pt, XDP_POLICER_QUEUE, 0, XDP_POLICER_NONE, 0, 0, 0, 0);
    set(pt, XDP_POLICER_EGRESS, 0, XDP_POLICER_BYTES, 1, 3000, 0, 0);
    xdp_policer_get_stats(pt->pol, SLOT, XDP_POLICER_EGRESS, 0, &st_q);
    for (int i = 0; i < 2; i++) {
        racers[i].pt = pt;
        racers[i].passed = 0;
        pthread_create(&threads[i], NULL, racer_main, &racers[i]);
    }
    xt_run(&pt->t, pt->t.main_fd, p.data, p.len, NULL, NULL, 20000, NULL);
    for (int i = 0; i < 2; i++) {
        pthread_join(threads[i], NULL);
    }
    xdp_policer_get_stats(pt->pol, SLOT, XDP_POLICER_EGRESS, 0, &st_port);
    uint64_t xdp_green = st_port.xdp.packets[0] - st_q.xdp.packets[0];
    uint64_t user_green = st_port.user.packets[0] - st_q.user.packets[0];
    printf("race, burst 3000: %s\n",
           (xdp_green + user_green == 30
            && user_green == racers[0].passed + racers[1].passed)
           ? "30 passed" : "wrong");
    if (xdp_green + user_green != 30) {
        printf("  xdp %"PRIu64" user %"PRIu64"\n", xdp_green, user_green);
    }
}

static void
test_config(struct pt *pt)
{
    struct xdp_policer_config cfg = { .kind = XDP_POLICER_BYTES };
    struct pkt p;
    char *error;
    int err;

    frame(&p, 100);
    set(pt, XDP_POLICER_INGRESS, 0, XDP_POLICER_BYTES, 100, 300, 0, 0);
    printf("burst 300: %d of 4 passed", run_n(pt, &p, 4));
    set(pt, XDP_POLICER_INGRESS, 0, XDP_POLICER_BYTES, 100, 300, 0, 0);
    printf(", same again: %d of 2", run_n(pt, &p, 2));
    set(pt, XDP_POLICER_INGRESS, 0, XDP_POLICER_BYTES, 100, 200, 0, 0);
    printf(", burst 200: %d of 3\n", run_n(pt, &p, 3));

    cfg.rate = 0;
    cfg.burst = 100;
    err = xdp_policer_set(pt->pol, SLOT, XDP_POLICER_EGRESS, 0, &cfg, &error);
    printf("rate 0: %s: %s\n", ovs_strerror(err), error);
    free(error);
    cfg.rate = 1;
    cfg.burst = UINT64_C(1) << 40;
    err = xdp_policer_set(pt->pol, SLOT, XDP_POLICER_EGRESS, 0, &cfg, &error);
    printf("burst 2^40 at 1 byte/s: %s: %s\n", ovs_strerror(err), error);
    free(error);
    cfg.kind = XDP_POLICER_TRTCM;
    cfg.burst = 1000;
    for (uint32_t q = 0; q < XDP_POLICE_MAX_QUEUES; q++) {
        set(pt, XDP_POLICER_QUEUE, q * 10, XDP_POLICER_TRTCM, 1, 1000, 0, 0);
    }
    err = xdp_policer_set(pt->pol, SLOT, XDP_POLICER_QUEUE, 1000, &cfg,
                          &error);
    printf("queue 17: %s: %s\n", ovs_strerror(err), error);
    free(error);
    set(pt, XDP_POLICER_QUEUE, 150, XDP_POLICER_NONE, 0, 0, 0, 0);
    err = xdp_policer_set(pt->pol, SLOT, XDP_POLICER_QUEUE, 1000, &cfg,
                          &error);
    printf("queue 17 after one is removed: %s\n", err ? error : "ok");

    struct ds s = DS_EMPTY_INITIALIZER;
    set(pt, XDP_POLICER_EGRESS, 0, XDP_POLICER_BYTES, 125000, 12500, 0, 0);
    for (uint32_t q = 1; q < XDP_POLICE_MAX_QUEUES; q++) {
        set(pt, XDP_POLICER_QUEUE, q * 10, XDP_POLICER_NONE, 0, 0, 0, 0);
    }
    xdp_policer_format_port(pt->pol, SLOT, &s);
    printf("%s", ds_cstr(&s));
    ds_destroy(&s);

    /* Without any policer the program reads one word and goes on. */
    xdp_policer_clear_port(pt->pol, SLOT);
    printf("cleared: police_active=%"PRIu32", %s, %s\n",
           pt->t.skel->bss->police_active, verdict_name(run(pt, &p)),
           xdp_policer_egress_active(pt->pol, SLOT) ? "egress active"
           : "egress inactive");
    uint32_t key = pt->t.ifindex;
    struct xdp_police_port port;
    ovs_assert(!bpf_map__lookup_elem(pt->t.skel->maps.police_ports, &key,
                                     sizeof key, &port, sizeof port, 0));
    printf("police_ports of lo: slot %d flags %d\n", port.slot, port.flags);
}

/* Not a test: ns per frame of a flow that outputs, through BPF_PROG_RUN,
 * without policers, with one on another port, and with the port's egress
 * policer (a rate no frame exceeds). */
static void
bench(struct pt *pt)
{
    static const char *const names[] = {
        "no policer", "policer on another port", "egress policer",
        "egress and ingress policers",
    };
    struct pkt p;

    frame(&p, 100);
    output_flow(pt, 0);
    for (int i = 0; i < ARRAY_SIZE(names); i++) {
        uint32_t best = UINT32_MAX;

        if (i == 1) {
            struct xdp_policer_config cfg = {
                .kind = XDP_POLICER_BYTES, .rate = 1, .burst = 1000,
            };
            char *error;

            ovs_assert(!xdp_policer_set(pt->pol, SLOT + 1,
                                        XDP_POLICER_EGRESS, 0, &cfg,
                                        &error));
        } else if (i == 2) {
            set(pt, XDP_POLICER_EGRESS, 0, XDP_POLICER_BYTES,
                UINT64_C(1) << 38, UINT64_C(1) << 30, 0, 0);
        } else if (i == 3) {
            set(pt, XDP_POLICER_INGRESS, 0, XDP_POLICER_BYTES,
                UINT64_C(1) << 38, UINT64_C(1) << 30, 0, 0);
        }
        for (int j = 0; j < 5; j++) {
            uint32_t ns;

            xt_run(&pt->t, pt->t.main_fd, p.data, p.len, NULL, NULL,
                   1000000, &ns);
            best = MIN(best, ns);
        }
        printf("%s: %"PRIu32" ns/frame\n", names[i], best);
    }
}

static void
test_xdp_policer_main(int argc, char *argv[])
{
    const char *cmd = argc > 1 ? argv[1] : "";
    struct pt pt;

    pt_open(&pt);
    if (!strcmp(cmd, "ingress")) {
        test_ingress(&pt);
    } else if (!strcmp(cmd, "packets")) {
        test_packets(&pt);
    } else if (!strcmp(cmd, "trtcm")) {
        test_trtcm(&pt);
    } else if (!strcmp(cmd, "egress")) {
        test_egress(&pt);
    } else if (!strcmp(cmd, "shared")) {
        test_shared(&pt);
    } else if (!strcmp(cmd, "config")) {
        test_config(&pt);
    } else if (!strcmp(cmd, "bench")) {
        bench(&pt);
    } else {
        ovs_fatal(0, "usage: %s ingress|packets|trtcm|egress|shared|config"
                  "|bench", argv[0]);
    }
    pt_close(&pt);
}

OVSTEST_REGISTER("test-xdp-policer", test_xdp_policer_main);
