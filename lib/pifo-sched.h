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

#ifndef PIFO_SCHED_H
#define PIFO_SCHED_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Schedulers as rank functions over PIFOs (lib/pifo.h), as in the PIFO
 * paper (Sivaraman et al., SIGCOMM 2016), and their composition into an
 * OVS linux-htb port.  Time is always an argument, in ns (any monotonic
 * clock); nothing here reads a clock, so that tests can simulate time.
 *
 * Rank functions:
 *   - strict priority: rank = priority, in a non-circular PIFO; FIFO within
 *     a priority comes from the PIFO's FIFO buckets.
 *   - start-time fair queueing (struct pifo_stfq): rank = virtual start time
 *     max(V, F[flow]), F[flow] = start + bytes * scale / weight[flow], V =
 *     the start time of the last packet dequeued.
 *   - shaping (struct pifo_tb, pifo_tb_departure()): rank = the time at
 *     which a token bucket lets the packet go; a PIFO popped with
 *     pifo_pop_due() releases it no earlier.
 *
 * Also a policer (struct pifo_policer): srTCM (RFC 2697) and trTCM (RFC
 * 4115, as OVS's trtcm-policer) colouring, the userspace reference of the
 * XDP policers. */

/* Token bucket.  Units are the caller's (bits for shapers, bytes for
 * policers): 'rate' units per second, at most 'burst' units of credit.
 * Credit is kept exactly, in units * 10^9 (one unit per second accrues
 * one "nano-unit" per ns), so rates have no rounding error. */
struct pifo_tb {
    uint64_t rate;              /* Units per second, > 0. */
    uint64_t burst;             /* Units, > 0. */
    uint64_t credit;            /* Nano-units, at most burst * 10^9. */
    uint64_t time;              /* Time of 'credit', ns. */
};

void pifo_tb_init(struct pifo_tb *, uint64_t rate, uint64_t burst,
                  uint64_t now);
uint64_t pifo_tb_conform_time(const struct pifo_tb *, uint64_t now,
                              uint64_t cost);
bool pifo_tb_consume(struct pifo_tb *, uint64_t now, uint64_t cost);
uint64_t pifo_tb_departure(struct pifo_tb *, uint64_t now, uint64_t cost);
void pifo_tb_refill(struct pifo_tb *, uint64_t now);
void pifo_tb_catch_up(struct pifo_tb *, uint64_t now, uint64_t slack);
void pifo_tb_settle(struct pifo_tb *);

/* Start-time fair queueing over 'n_flows' flows. */
struct pifo_stfq {
    uint64_t vtime;             /* V: start tag of the last dequeued. */
    uint64_t scale;
    uint64_t *weight;           /* Per flow, > 0. */
    uint64_t *finish;           /* Per flow: F, finish tag of its last. */
    uint32_t n_flows;
};

void pifo_stfq_init(struct pifo_stfq *, uint32_t n_flows, uint64_t scale);
void pifo_stfq_destroy(struct pifo_stfq *);
void pifo_stfq_set_weight(struct pifo_stfq *, uint32_t flow,
                          uint64_t weight);
uint64_t pifo_stfq_rank(struct pifo_stfq *, uint32_t flow, uint32_t bytes);
void pifo_stfq_dequeued(struct pifo_stfq *, uint64_t rank);

/* Policer colours. */
enum pifo_color {
    PIFO_GREEN,
    PIFO_YELLOW,
    PIFO_RED,
};

/* Policer in bytes: 'cir' and 'eir' in bytes per second, 'cbs' and 'ebs' in
 * bytes, as OVS's egress-policer and trtcm-policer keys. */
struct pifo_policer {
    struct pifo_tb committed;
    struct pifo_tb excess;
    bool srtcm;                 /* RFC 2697: excess fills from committed's
                                 * overflow, at 'cir'. */
};

void pifo_policer_init_srtcm(struct pifo_policer *, uint64_t cir,
                             uint64_t cbs, uint64_t ebs, uint64_t now);
void pifo_policer_init_trtcm(struct pifo_policer *, uint64_t cir,
                             uint64_t cbs, uint64_t eir, uint64_t ebs,
                             uint64_t now);
enum pifo_color pifo_policer_color(struct pifo_policer *, uint64_t now,
                                   uint32_t bytes);

/* linux-htb on PIFOs: a port with a maximum rate and queues under it.
 *
 * Semantics of vswitch.xml: a backlogged queue gets at least its min-rate;
 * bandwidth left over goes to lower 'priority' numbers first and is shared
 * in proportion to min-rate among queues of the same priority; no queue
 * passes its max-rate, and the port never passes its max-rate.
 *
 * Queues are numbered 0 to n_queues - 1 (the caller maps OVS queue ids to
 * them).  Each is a FIFO of at most 'queue_len' packets; a packet that
 * arrives at a full queue is dropped and counted (tx_errors). */
struct pifo_htb_queue_config {
    uint64_t min_rate;          /* bit/s, >= 1. */
    uint64_t max_rate;          /* bit/s, 0: the port's. */
    uint64_t burst;             /* bits, 0: default. */
    uint32_t priority;          /* Smaller first; default 0. */
};

struct pifo_htb_config {
    uint64_t max_rate;          /* Port, bit/s, >= 1. */
    uint64_t burst;             /* Port, bits, 0: default. */
    uint32_t mtu;               /* Bytes, for default and minimum bursts. */
    uint32_t queue_len;         /* Packets per queue, 0: default 1000. */
    uint32_t n_queues;
    const struct pifo_htb_queue_config *queues;
};

struct pifo_htb_queue_stats {
    uint64_t tx_packets;
    uint64_t tx_bytes;
    uint64_t tx_errors;         /* Dropped: queue full. */
    uint64_t green_packets;     /* Sent within min-rate. */
    uint32_t backlog_packets;
    uint64_t backlog_bytes;
};

struct pifo_htb;

struct pifo_htb *pifo_htb_create(const struct pifo_htb_config *,
                                 uint64_t now, char **errorp);
void pifo_htb_destroy(struct pifo_htb *);
uint32_t pifo_htb_n_queues(const struct pifo_htb *);

bool pifo_htb_enqueue(struct pifo_htb *, uint32_t queue, void *packet,
                      uint32_t bytes, uint64_t now);
size_t pifo_htb_dequeue(struct pifo_htb *, uint64_t now, void **packets,
                        uint32_t *queues, size_t max);
bool pifo_htb_next_time(struct pifo_htb *, uint64_t now, uint64_t *when);
void *pifo_htb_flush(struct pifo_htb *, uint64_t now, uint32_t *queue,
                     uint32_t *bytes);
void pifo_htb_get_queue_stats(const struct pifo_htb *, uint32_t queue,
                              struct pifo_htb_queue_stats *);
uint64_t pifo_htb_default_burst(uint64_t rate, uint32_t mtu);

#endif /* pifo-sched.h */
