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

/* Unit tests of the schedulers built on the PIFO (lib/pifo-sched.c):
 * strict priority, start-time fair queueing, the token-bucket shaper, the
 * policers and linux-htb, in simulated time: every result is
 * deterministic.  Each command prints what it measured on stdout and every
 * failed check on stderr, and exits with status 1 if a check failed. */

#include <config.h>

#undef NDEBUG
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovstest.h"
#include "pifo.h"
#include "pifo-sched.h"
#include "test-pifo.h"
#include "random.h"
#include "util.h"

#define NS_PER_S UINT64_C(1000000000)
#define SIM_TIME (10 * NS_PER_S)

static double
rel_err(double measured, double expected)
{
    return (measured - expected) / expected;
}

/* Strict priority: rank = priority in a non-circular PIFO. */
static void
test_prio(void)
{
    struct pifo *p = make_pifo(32768, 8, 0, 64, false, PIFO_DROP_ARRIVING);
    uint32_t last_seq[8];
    uint32_t n_pops = 0, n_wrong = 0;
    struct pifo_entry e;

    random_set_seed(1);
    /* Random arrivals of 8 priorities, 3 pushes per pop: whenever a packet
     * of priority P leaves, nothing of priority < P is queued. */
    uint32_t queued[8] = { 0 };
    uint32_t seq = 0;
    memset(last_seq, 0, sizeof last_seq);
    for (uint32_t i = 0; i < 30000; i++) {
        uint32_t prio = random_range(8);

        push(p, prio, (seq++ << 3) | prio);
        queued[prio]++;
        if (i % 3 == 2) {
            CHECK(pifo_pop(p, &e), "empty");
            uint32_t prio_out = e.tag & 7;
            for (uint32_t q = 0; q < prio_out; q++) {
                n_wrong += queued[q] != 0;
            }
            CHECK(e.rank == prio_out, "rank");
            CHECK((e.tag >> 3) >= last_seq[prio_out], "FIFO within prio");
            last_seq[prio_out] = e.tag >> 3;
            queued[prio_out]--;
            n_pops++;
        }
    }
    CHECK(!n_wrong, "%"PRIu32" pops with a higher priority queued",
          n_wrong);
    pifo_destroy(p);
    printf("strict priority: %"PRIu32" pops, order ok\n", n_pops);
}

/* STFQ, weights 1:2:3, always backlogged, mixed sizes, virtual time
 * starting just below 2^64. */
static void
test_stfq(void)
{
    struct pifo *p = make_pifo(64, 4096, 6, 64, true, PIFO_DROP_ARRIVING);
    struct pifo_stfq stfq;
    uint64_t bytes[3] = { 0, 0, 0 };
    uint64_t total = 0;
    struct pifo_entry e;

    random_set_seed(2);
    pifo_stfq_init(&stfq, 3, 6);
    for (uint32_t f = 0; f < 3; f++) {
        pifo_stfq_set_weight(&stfq, f, f + 1);
        stfq.finish[f] = UINT64_MAX - 100000;
    }
    stfq.vtime = UINT64_MAX - 100000;

    /* Tag: flow in the low 2 bits, size above. */
    for (uint32_t f = 0; f < 3; f++) {
        for (int i = 0; i < 8; i++) {
            uint32_t len = 64 + random_range(1437);

            push(p, pifo_stfq_rank(&stfq, f, len), (len << 2) | f);
        }
    }
    for (uint32_t i = 0; i < 300000; i++) {
        CHECK(pifo_pop(p, &e), "empty");
        pifo_stfq_dequeued(&stfq, e.rank);

        uint32_t f = e.tag & 3, len = e.tag >> 2;
        bytes[f] += len;
        total += len;

        len = 64 + random_range(1437);
        push(p, pifo_stfq_rank(&stfq, f, len), (len << 2) | f);
    }
    printf("stfq 1:2:3 shares:");
    for (uint32_t f = 0; f < 3; f++) {
        double share = (double) bytes[f] / total;
        double expected = (f + 1) / 6.0;

        printf(" %.4f", share);
        CHECK(fabs(rel_err(share, expected)) < 0.02,
              "flow %"PRIu32": share %.4f, expected %.4f", f, share,
              expected);
    }
    printf("\n");

    struct pifo_stats s;
    pifo_get_stats(p, &s);
    CHECK(stfq.vtime < UINT64_MAX / 2, "virtual time did not wrap");
    CHECK(!s.n_clamped_low && !s.n_clamped_high, "clamped");
    pifo_stfq_destroy(&stfq);
    pifo_destroy(p);
}

/* Shaper: offered twice the rate for 10 s, departure times from a token
 * bucket, released by pifo_pop_due(). */
static void
test_shaper(void)
{
    static const uint64_t rates[] = { 10000000, 100000000, 1000000000 };

    random_set_seed(3);
    for (size_t r = 0; r < ARRAY_SIZE(rates); r++) {
        uint64_t rate = rates[r];
        uint64_t burst = 2 * 8 * 1518;
        uint32_t capacity = 1000;
        /* The window covers the queue: 1000 frames at the rate. */
        uint64_t span = capacity * 8 * UINT64_C(1518) * NS_PER_S / rate;
        unsigned int shift = 0;
        while ((UINT64_C(8192) << shift) < span) {
            shift++;
        }
        struct pifo *p = make_pifo(capacity, 4096, shift, 64, true,
                                   PIFO_DROP_ARRIVING);
        struct pifo_tb tb, meter;
        /* Start near the wrap of the clock. */
        uint64_t t0 = UINT64_MAX - NS_PER_S;
        uint64_t now = t0, next_arrival = t0;
        uint64_t out_bits = 0, in_bits = 0, n_early = 0, n_drops = 0;
        uint64_t n_nonconform = 0;

        pifo_tb_init(&tb, rate, burst, now);
        pifo_tb_init(&meter, rate, burst, now);
        while (now - t0 < SIM_TIME) {
            struct pifo_entry e;

            while (pifo_pop_due(p, now, &e)) {
                n_early += pifo_rank_before(now, e.rank, 64);
                n_nonconform += !pifo_tb_consume(&meter, now, e.tag * 8);
                out_bits += e.tag * 8;
            }
            if (now == next_arrival) {
                uint32_t len = random_range(4) ? 1518 : 64;

                if (pifo_is_full(p)) {
                    n_drops++;
                } else {
                    uint64_t dep = pifo_tb_departure(&tb, now, len * 8);

                    push(p, dep, len);
                }
                in_bits += len * 8;
                /* Twice the rate, on average (the mean size is 1154.5). */
                next_arrival += 1154.5 * 8 * NS_PER_S / (2 * rate);
            }

            uint64_t next = next_arrival;
            if (pifo_peek(p, &e) && pifo_rank_before(e.rank, next, 64)) {
                next = e.rank;
            }
            now = next;
        }
        double measured = out_bits * 1e9 / SIM_TIME;
        double offered = in_bits * 1e9 / SIM_TIME;
        printf("shaper %"PRIu64" bit/s: offered %.4g, output %.6g bit/s "
               "(%+.3f%%), %"PRIu64" drops\n", rate, offered, measured,
               100 * rel_err(measured, rate), n_drops);
        CHECK(fabs(rel_err(measured, rate)) < 0.01, "rate");
        CHECK(!n_early, "%"PRIu64" released early", n_early);
        CHECK(!n_nonconform, "%"PRIu64" above the rate", n_nonconform);
        CHECK(n_drops > 0, "no drops at twice the rate");
        while (pifo_count(p)) {
            struct pifo_entry e;
            pifo_pop(p, &e);
        }
        pifo_destroy(p);
    }
}

/* Policers: srTCM (egress-policer) and trTCM (RFC 4115). */
static void
test_policer(void)
{
    struct pifo_policer pol;
    uint64_t bytes[3];

    random_set_seed(4);
    for (int kind = 0; kind < 2; kind++) {
        uint64_t cir = 1250000, cbs = 15000, eir = 625000, ebs = 30000;

        if (kind == 0) {
            pifo_policer_init_srtcm(&pol, cir, cbs, 0, 0);
            eir = ebs = 0;
        } else {
            pifo_policer_init_trtcm(&pol, cir, cbs, eir, ebs, 0);
        }
        memset(bytes, 0, sizeof bytes);

        /* Offered: 3 x cir, random sizes and gaps. */
        uint64_t now = 0;
        while (now < SIM_TIME) {
            uint32_t len = 64 + random_range(1437);

            bytes[pifo_policer_color(&pol, now, len)] += len;
            now += random_range(2 * 782 * NS_PER_S / (3 * cir));
        }
        double green = bytes[PIFO_GREEN] * 1e9 / SIM_TIME;
        double yellow = bytes[PIFO_YELLOW] * 1e9 / SIM_TIME;
        printf("%s: green %.6g B/s (%+.3f%%), yellow %.6g B/s\n",
               kind ? "trtcm" : "srtcm", green, 100 * rel_err(green, cir),
               yellow);
        CHECK(bytes[PIFO_GREEN] <= cir * 10 + cbs, "green above cir");
        CHECK(fabs(rel_err(green, cir)) < 0.01, "green rate");
        if (kind) {
            CHECK(bytes[PIFO_YELLOW] <= eir * 10 + ebs, "yellow above eir");
            CHECK(fabs(rel_err(yellow, eir)) < 0.01, "yellow rate");
        } else {
            CHECK(!bytes[PIFO_YELLOW], "yellow without ebs");
        }
    }

    /* srTCM with ebs: the excess bucket fills only from the committed
     * bucket's overflow. */
    pifo_policer_init_srtcm(&pol, 1000, 1500, 3000, 0);
    CHECK(pifo_policer_color(&pol, 0, 1500) == PIFO_GREEN, "green");
    CHECK(pifo_policer_color(&pol, 0, 1500) == PIFO_YELLOW, "yellow");
    CHECK(pifo_policer_color(&pol, 0, 1500) == PIFO_YELLOW, "yellow");
    CHECK(pifo_policer_color(&pol, 0, 1500) == PIFO_RED, "red");
    /* 1.5 s: committed full again, 0 overflow. */
    CHECK(pifo_policer_color(&pol, 1500 * NS_PER_S / 1000, 100)
          == PIFO_GREEN, "refilled");
    CHECK(pifo_policer_color(&pol, 1500 * NS_PER_S / 1000, 1500)
          == PIFO_RED, "no overflow yet");
    /* 5 s later: 1500 to committed, 3000 overflows to excess. */
    CHECK(pifo_policer_color(&pol, 6500 * NS_PER_S / 1000, 1500)
          == PIFO_GREEN, "refilled");
    CHECK(pifo_policer_color(&pol, 6500 * NS_PER_S / 1000, 3000)
          == PIFO_YELLOW, "overflowed");
    CHECK(pifo_policer_color(&pol, 6500 * NS_PER_S / 1000, 1501)
          == PIFO_RED, "larger than cbs");
    printf("srtcm overflow: ok\n");
}

/* linux-htb simulation: CBR arrivals per queue, the scheduler woken exactly
 * at pifo_htb_next_time(). */
struct htb_case {
    const char *name;
    uint64_t port_rate;
    struct pifo_htb_queue_config q[4];
    uint64_t offered[4];        /* bit/s; 0: an idle queue. */
    double expected[4];
    double tolerance;
    uint64_t period;            /* 0: the scheduler runs at the times it
                                 * asks for; else only every 'period' ns,
                                 * as a busy poll loop runs late, with what
                                 * arrived meanwhile enqueued then. */
};

static void
run_htb_case(const struct htb_case *c)
{
    uint32_t n_queues = 0;
    while (n_queues < 4 && c->q[n_queues].min_rate) {
        n_queues++;
    }

    struct pifo_htb_config cfg = {
        .max_rate = c->port_rate,
        .mtu = 1500,
        .queue_len = 1000,
        .n_queues = n_queues,
        .queues = c->q,
    };
    char *error;
    uint64_t t0 = UINT64_MAX - 3 * NS_PER_S;      /* The clock wraps. */
    struct pifo_htb *htb = pifo_htb_create(&cfg, t0, &error);
    if (!htb) {
        ovs_fatal(0, "%s", error);
    }

    uint64_t next_arrival[4], interval[4], out_bits[4] = { 0, 0, 0, 0 };
    uint64_t now = t0, port_bits = 0;
    uint64_t n_events = 0, n_early_wakeups = 0;
    const uint32_t len = 1514;

    for (uint32_t q = 0; q < n_queues; q++) {
        /* An idle queue's first arrival is after the end. */
        interval[q] = (c->offered[q]
                       ? 8 * (uint64_t) len * NS_PER_S / c->offered[q]
                       : 2 * SIM_TIME);
        next_arrival[q] = c->offered[q] ? t0 + q : t0 + 2 * SIM_TIME;
    }
    while (now - t0 < SIM_TIME) {
        for (uint32_t q = 0; q < n_queues; q++) {
            while (!pifo_rank_before(now, next_arrival[q], 64)) {
                pifo_htb_enqueue(htb, q, pkt(q), len, now);
                next_arrival[q] += interval[q];
            }
        }

        void *pkts[32];
        uint32_t queues[32];
        size_t n, total = 0;
        do {
            n = pifo_htb_dequeue(htb, now, pkts, queues, 32);
            for (size_t i = 0; i < n; i++) {
                CHECK(pkt_index(pkts[i]) == queues[i], "wrong queue");
                out_bits[queues[i]] += 8 * len;
                port_bits += 8 * len;
            }
            total += n;
        } while (n == 32);

        uint64_t next = next_arrival[0], when;
        for (uint32_t q = 1; q < n_queues; q++) {
            if (pifo_rank_before(next_arrival[q], next, 64)) {
                next = next_arrival[q];
            }
        }
        if (pifo_htb_next_time(htb, now, &when)) {
            CHECK(!pifo_rank_before(when, now, 64), "wake-up in the past");
            if (when == now) {
                /* A wake-up that releases nothing is a wasted one. */
                n_early_wakeups += !total;
                when++;
            }
            if (pifo_rank_before(when, next, 64)) {
                next = when;
            }
        }
        now = c->period ? now + c->period : next;
        n_events++;
    }

    double port = port_bits * 1e9 / SIM_TIME;
    printf("%s: port %.4g bit/s;", c->name, port);
    CHECK(port_bits <= c->port_rate * 10 + 2 * 8 * 1518 + c->port_rate / 100,
          "port above its max-rate");
    for (uint32_t q = 0; q < n_queues; q++) {
        double rate = out_bits[q] * 1e9 / SIM_TIME;
        struct pifo_htb_queue_stats st;

        pifo_htb_get_queue_stats(htb, q, &st);
        if (!c->offered[q]) {
            printf(" queue %"PRIu32" idle", q);
            CHECK(!out_bits[q], "idle queue %"PRIu32" sent", q);
            continue;
        }
        printf(" queue %"PRIu32" %.4g (%+.2f%%)", q, rate,
               100 * rel_err(rate, c->expected[q]));
        CHECK(fabs(rel_err(rate, c->expected[q])) < c->tolerance,
              "%s: queue %"PRIu32": %.6g bit/s, expected %.6g", c->name, q,
              rate, c->expected[q]);
        CHECK(st.tx_packets * 8 * len == out_bits[q], "tx_packets");
        CHECK(!c->offered[q] || st.tx_errors > 0,
              "no drops when oversubscribed");
        if (c->q[q].max_rate) {
            CHECK(out_bits[q] <= c->q[q].max_rate * 10 + 1e6,
                  "queue %"PRIu32" above max-rate", q);
        }
    }
    printf("\n");
    CHECK(c->period || n_early_wakeups < n_events / 1000,
          "%"PRIu64" useless wake-ups", n_early_wakeups);

    /* What is left comes out by pifo_htb_flush(). */
    uint32_t q, bytes, n_left = 0;
    uint32_t backlog = 0;
    for (q = 0; q < n_queues; q++) {
        struct pifo_htb_queue_stats st;

        pifo_htb_get_queue_stats(htb, q, &st);
        backlog += st.backlog_packets;
    }
    while (pifo_htb_flush(htb, now, &q, &bytes)) {
        n_left++;
    }
    CHECK(n_left == backlog, "flushed %"PRIu32" of %"PRIu32, n_left,
          backlog);
    pifo_htb_destroy(htb);
}

static void
test_htb(void)
{
    static const struct htb_case cases[] = {
        {
            "guarantees 100M/200M/300M under 600M", 600000000,
            { { .min_rate = 100000000 }, { .min_rate = 200000000 },
              { .min_rate = 300000000 } },
            { 200000000, 400000000, 600000000 },
            { 100e6, 200e6, 300e6 }, 0.05, 0,
        },
        {
            "guarantees, scheduler late by 1 ms", 600000000,
            { { .min_rate = 100000000 }, { .min_rate = 200000000 },
              { .min_rate = 300000000 } },
            { 400000000, 400000000, 400000000 },
            { 100e6, 200e6, 300e6 }, 0.05, 1000000,
        },
        {
            /* OVS's queue 0 when no row sets it: one MTU a second. */
            "guarantees, an idle queue of 12 kbit/s min-rate", 600000000,
            { { .min_rate = 100000000 }, { .min_rate = 200000000 },
              { .min_rate = 300000000 }, { .min_rate = 12000 } },
            { 400000000, 400000000, 400000000, 0 },
            { 100e6, 200e6, 300e6, 0 }, 0.05, 1000000,
        },
        {
            "guarantees, scheduler late by 3 ms", 600000000,
            { { .min_rate = 100000000 }, { .min_rate = 200000000 },
              { .min_rate = 300000000 } },
            { 400000000, 400000000, 400000000 },
            { 100e6, 200e6, 300e6 }, 0.05, 3000000,
        },
        {
            "priority: high saturating, low keeps its min", 600000000,
            { { .min_rate = 100000000, .priority = 0 },
              { .min_rate = 100000000, .priority = 1 } },
            { 1000000000, 1000000000 },
            { 500e6, 100e6 }, 0.01, 0,
        },
        {
            "excess in proportion to min-rate", 600000000,
            { { .min_rate = 50000000, .priority = 3 },
              { .min_rate = 100000000, .priority = 3 } },
            { 1000000000, 1000000000 },
            { 200e6, 400e6 }, 0.02, 0,
        },
        {
            "max-rate caps", 1000000000,
            { { .min_rate = 10000000, .max_rate = 50000000 },
              { .min_rate = 10000000, .max_rate = 200000000 } },
            { 500000000, 500000000 },
            { 50e6, 200e6 }, 0.01, 0,
        },
        {
            "port max-rate", 300000000,
            { { .min_rate = 10000000 }, { .min_rate = 10000000 } },
            { 500000000, 500000000 },
            { 150e6, 150e6 }, 0.01, 0,
        },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        run_htb_case(&cases[i]);
    }
}

/* Bad configurations are refused with a message. */
static void
test_htb_config(void)
{
    struct pifo_htb_queue_config q = { .min_rate = 1000 };
    struct pifo_htb_config cfg = {
        .max_rate = 1000000, .mtu = 1500, .n_queues = 1, .queues = &q,
    };
    struct pifo_htb *htb;
    char *error;

    q.min_rate = 0;
    htb = pifo_htb_create(&cfg, 0, &error);
    CHECK(!htb && error && strstr(error, "min-rate"), "min-rate 0");
    printf("%s\n", error);
    free(error);

    q.min_rate = 2000000;
    htb = pifo_htb_create(&cfg, 0, &error);
    CHECK(!htb && error && strstr(error, "above max-rate"), "min > max");
    printf("%s\n", error);
    free(error);

    q.min_rate = 1000;
    q.burst = 8000;
    htb = pifo_htb_create(&cfg, 0, &error);
    CHECK(!htb && error && strstr(error, "frame"), "burst");
    printf("%s\n", error);
    free(error);

    q.burst = 0;
    cfg.max_rate = 0;
    htb = pifo_htb_create(&cfg, 0, &error);
    CHECK(!htb && error, "max-rate 0");
    printf("%s\n", error);
    free(error);

    cfg.max_rate = 1000000;
    htb = pifo_htb_create(&cfg, 0, &error);
    CHECK(htb && !error, "good configuration refused");
    pifo_htb_destroy(htb);
}

static void
test_pifo_sched_main(int argc, char *argv[])
{
    const char *cmd = argc > 1 ? argv[1] : "";

    if (!strcmp(cmd, "prio")) {
        test_prio();
    } else if (!strcmp(cmd, "stfq")) {
        test_stfq();
    } else if (!strcmp(cmd, "shaper")) {
        test_shaper();
    } else if (!strcmp(cmd, "policer")) {
        test_policer();
    } else if (!strcmp(cmd, "htb")) {
        test_htb();
    } else if (!strcmp(cmd, "htb-config")) {
        test_htb_config();
    } else {
        ovs_fatal(0, "usage: %s prio|stfq|shaper|policer|htb|htb-config",
                  argv[0]);
    }
    if (n_failures) {
        fprintf(stderr, "%d checks failed\n", n_failures);
        exit(1);
    }
}

OVSTEST_REGISTER("test-pifo-sched", test_pifo_sched_main);
