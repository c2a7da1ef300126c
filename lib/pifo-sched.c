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

/* The rank functions of lib/pifo-sched.h and the linux-htb tree built from
 * them (see the header for what each does).  One file of about 1000 lines
 * on purpose: the tree is made of the token buckets and STFQ above it, and
 * they are tested together (tests/test-pifo-sched.c). */

#include <config.h>

#include "pifo-sched.h"

#include <stdlib.h>
#include <string.h>

#include "pifo.h"
#include "util.h"

#define NS_PER_S UINT64_C(1000000000)

/* Ethernet header and one VLAN tag on top of the MTU. */
#define HTB_FRAME_OVERHEAD 18

/* Buckets per half of the scheduler's PIFOs. */
#define HTB_PIFO_BUCKETS 1024

/* Largest burst whose credit (burst * 10^9) fits in 64 bits. */
#define TB_MAX_BURST (UINT64_MAX / NS_PER_S)

static inline bool
time_before(uint64_t a, uint64_t b)
{
    return pifo_rank_before(a, b, 64);
}

static inline uint64_t
time_max(uint64_t a, uint64_t b)
{
    return time_before(a, b) ? b : a;
}

/* Token bucket. */

void
pifo_tb_init(struct pifo_tb *tb, uint64_t rate, uint64_t burst, uint64_t now)
{
    tb->rate = MAX(rate, 1);
    tb->burst = MIN(burst, TB_MAX_BURST);
    tb->credit = tb->burst * NS_PER_S;
    tb->time = now;
}

/* Adds the credit that accrues from 'tb''s time to 'now', up to 'cap'
 * nano-units (credit already above 'cap' stays), and moves 'tb' to 'now'. */
static void
tb_fill(struct pifo_tb *tb, uint64_t now, uint64_t cap)
{
    uint64_t elapsed = now - tb->time;

    if (tb->credit < cap) {
        uint64_t room = cap - tb->credit;

        if (elapsed > room / tb->rate) {
            tb->credit = cap;
        } else {
            tb->credit += elapsed * tb->rate;
        }
    }
    tb->time = now;
}

/* Brings 'tb' forward to 'now'; nothing if 'now' is not later than its
 * time (a shaper's bucket may be ahead of the clock). */
void
pifo_tb_refill(struct pifo_tb *tb, uint64_t now)
{
    if (!time_before(tb->time, now)) {
        return;
    }

    tb_fill(tb, now, tb->burst * NS_PER_S);
}

/* Brings 'tb' forward to 'now', letting its credit grow to 'slack' units
 * above its burst: for a shaper whose queue stayed backlogged while its
 * dequeuer ran late, the credit that a dequeuer on time would have spent.
 * Without it, any lateness longer than the burst loses rate for good (a
 * poll loop's wake-ups are late by up to milliseconds under load). */
void
pifo_tb_catch_up(struct pifo_tb *tb, uint64_t now, uint64_t slack)
{
    if (time_before(tb->time, now)) {
        tb_fill(tb, now, (MIN(tb->burst + slack, TB_MAX_BURST)) * NS_PER_S);
    }
}

/* Takes back the credit that 'tb' holds above its burst (after
 * pifo_tb_catch_up()), once its queue has emptied. */
void
pifo_tb_settle(struct pifo_tb *tb)
{
    tb->credit = MIN(tb->credit, tb->burst * NS_PER_S);
}

/* A shaper's cost: a packet larger than the burst goes when the bucket is
 * full, so that it cannot block its queue forever. */
static inline uint64_t
tb_need(const struct pifo_tb *tb, uint64_t cost)
{
    return MIN(cost, tb->burst) * NS_PER_S;
}

/* Earliest time, not before 'now' nor before the bucket's own time, at which
 * 'tb' has credit for 'cost'. */
uint64_t
pifo_tb_conform_time(const struct pifo_tb *tb_, uint64_t now, uint64_t cost)
{
    struct pifo_tb tb = *tb_;
    uint64_t t = time_max(now, tb.time);
    uint64_t need = tb_need(&tb, cost);

    pifo_tb_refill(&tb, t);
    if (tb.credit >= need) {
        return t;
    }
    return t + DIV_ROUND_UP(need - tb.credit, tb.rate);
}

/* Takes 'cost' from 'tb' at 'now' if it has the credit. */
bool
pifo_tb_consume(struct pifo_tb *tb, uint64_t now, uint64_t cost)
{
    uint64_t need = tb_need(tb, cost);

    pifo_tb_refill(tb, now);
    if (tb->credit < need) {
        return false;
    }
    tb->credit -= need;
    return true;
}

/* Shaping rank function: the departure time of a packet of 'cost' that
 * arrives at 'now', after every packet already given a departure time by
 * 'tb'.  Takes the credit at that time. */
uint64_t
pifo_tb_departure(struct pifo_tb *tb, uint64_t now, uint64_t cost)
{
    uint64_t t = pifo_tb_conform_time(tb, now, cost);

    pifo_tb_refill(tb, t);
    tb->credit -= tb_need(tb, cost);
    return t;
}

/* Start-time fair queueing. */

/* 'scale' converts bytes / weight into virtual time: a packet of B bytes of
 * a flow of weight W advances the flow by B * scale / W.  With weights in
 * bit/s and scale 8 * 10^9, virtual time is in ns at the flow's rate. */
void
pifo_stfq_init(struct pifo_stfq *stfq, uint32_t n_flows, uint64_t scale)
{
    stfq->vtime = 0;
    stfq->scale = scale;
    stfq->n_flows = n_flows;
    stfq->weight = xmalloc(n_flows * sizeof *stfq->weight);
    stfq->finish = xzalloc(n_flows * sizeof *stfq->finish);
    for (uint32_t i = 0; i < n_flows; i++) {
        stfq->weight[i] = 1;
    }
}

void
pifo_stfq_destroy(struct pifo_stfq *stfq)
{
    free(stfq->weight);
    free(stfq->finish);
}

void
pifo_stfq_set_weight(struct pifo_stfq *stfq, uint32_t flow, uint64_t weight)
{
    stfq->weight[flow] = MAX(weight, 1);
}

static inline uint64_t
stfq_cost(uint64_t bytes, uint64_t scale, uint64_t weight)
{
    return bytes * scale / weight;
}

/* Rank of a packet of 'bytes' of 'flow', arriving now: its start tag. */
uint64_t
pifo_stfq_rank(struct pifo_stfq *stfq, uint32_t flow, uint32_t bytes)
{
    uint64_t start = time_max(stfq->vtime, stfq->finish[flow]);

    stfq->finish[flow] = start + stfq_cost(bytes, stfq->scale,
                                           stfq->weight[flow]);
    return start;
}

/* Tells 'stfq' that the packet of rank 'rank' was dequeued. */
void
pifo_stfq_dequeued(struct pifo_stfq *stfq, uint64_t rank)
{
    stfq->vtime = time_max(stfq->vtime, rank);
}

/* Policers. */

void
pifo_policer_init_srtcm(struct pifo_policer *p, uint64_t cir, uint64_t cbs,
                        uint64_t ebs, uint64_t now)
{
    pifo_tb_init(&p->committed, cir, cbs, now);
    pifo_tb_init(&p->excess, cir, ebs, now);
    p->srtcm = true;
}

void
pifo_policer_init_trtcm(struct pifo_policer *p, uint64_t cir, uint64_t cbs,
                        uint64_t eir, uint64_t ebs, uint64_t now)
{
    pifo_tb_init(&p->committed, cir, cbs, now);
    pifo_tb_init(&p->excess, eir, ebs, now);
    p->srtcm = false;
}

static void
policer_refill(struct pifo_policer *p, uint64_t now)
{
    if (!p->srtcm) {
        pifo_tb_refill(&p->committed, now);
        pifo_tb_refill(&p->excess, now);
        return;
    }

    /* RFC 2697: tokens at CIR go to the committed bucket, and what
     * overflows it to the excess bucket. */
    struct pifo_tb *c = &p->committed, *e = &p->excess;
    if (!time_before(c->time, now)) {
        return;
    }
    uint64_t elapsed = now - c->time;
    uint64_t room_c = c->burst * NS_PER_S - c->credit;
    uint64_t room_e = e->burst * NS_PER_S - e->credit;

    if (elapsed > (room_c + room_e) / c->rate) {
        c->credit += room_c;
        e->credit += room_e;
    } else {
        uint64_t gain = elapsed * c->rate;
        uint64_t to_c = MIN(gain, room_c);

        c->credit += to_c;
        e->credit += MIN(gain - to_c, room_e);
    }
    c->time = e->time = now;
}

static bool
policer_take(struct pifo_tb *tb, uint64_t bytes)
{
    uint64_t need = bytes * NS_PER_S;

    if (tb->credit < need) {
        return false;
    }
    tb->credit -= need;
    return true;
}

/* Colour-blind metering of a packet of 'bytes' at 'now': green if the
 * committed bucket has the bytes, else yellow if the excess bucket has
 * them, else red.  A packet larger than a bucket's size never fits it. */
enum pifo_color
pifo_policer_color(struct pifo_policer *p, uint64_t now, uint32_t bytes)
{
    policer_refill(p, now);
    if (policer_take(&p->committed, bytes)) {
        return PIFO_GREEN;
    } else if (policer_take(&p->excess, bytes)) {
        return PIFO_YELLOW;
    }
    return PIFO_RED;
}

/* linux-htb.
 *
 * A queue's packets are a FIFO, so the scheduler orders queues, not
 * packets: each backlogged queue has entries, ranked for its head packet,
 * in PIFOs that form the tree of the PIFO paper:
 *
 *   - 'green' (shaping, non-work-conserving): rank = the time at which the
 *     queue's min-rate bucket (and max-rate bucket) let the head go.  A due
 *     entry is served first, earliest first: that is the min-rate
 *     guarantee.
 *   - 'excess[level]' (STFQ, weights = min-rate): the queues of one
 *     priority level that are under their max-rate, ranked by virtual start
 *     time.  Served when no queue is green.
 *   - 'levels' (strict priority, non-circular): one entry per level with a
 *     non-empty 'excess' PIFO, rank = the level (0 for the smallest
 *     'priority').
 *   - 'wait' (shaping): the queues over their max-rate, rank = the time
 *     at which the max-rate bucket lets the head go; then they move to
 *     'excess'.
 *
 * A packet sent as green takes credit from the queue's min-rate bucket; a
 * packet sent as excess advances the queue's STFQ finish time instead
 * (htb's "borrowing").  Every packet takes credit from the queue's max-rate
 * bucket and from the port's bucket; if the port's bucket lacks it, nothing
 * goes until it has.  After each packet, the queue's entries are ranked
 * again for its new head: a few O(1) PIFO operations per packet. */

struct htb_queue {
    void **packets;             /* Ring of 'ring_mask' + 1. */
    uint32_t *lens;
    uint32_t head;
    uint32_t n;

    struct pifo_tb min_tb;      /* bits. */
    struct pifo_tb max_tb;      /* bits. */
    uint64_t min_rate;
    uint32_t level;
    uint64_t start;             /* STFQ start tag of its 'excess' entry. */
    uint64_t finish;            /* STFQ finish tag. */

    bool busy;                  /* Backlogged since its last dequeue. */

    uint32_t green_h;           /* Handles in the PIFOs, or PIFO_NONE. */
    uint32_t excess_h;
    uint32_t wait_h;

    struct pifo_htb_queue_stats stats;
};

struct pifo_htb {
    struct pifo_tb port_tb;     /* bits. */
    struct htb_queue *queues;
    uint32_t n_queues;
    uint32_t queue_len;
    uint32_t ring_mask;
    uint32_t n_levels;
    uint32_t backlog;           /* Packets. */
    bool busy;                  /* Backlogged since the last dequeue. */

    struct pifo *green;
    struct pifo *wait;
    struct pifo *levels;
    struct pifo **excess;       /* Per level. */
    uint64_t *vtime;            /* Per level: STFQ virtual time. */
    uint32_t *level_h;          /* Per level: handle in 'levels'. */
};

static uint32_t
frame_bytes(uint32_t mtu)
{
    return mtu + HTB_FRAME_OVERHEAD;
}

/* How late a backlogged shaper may catch up: 10 ms of traffic. */
static uint64_t
tb_catch_up_slack(const struct pifo_tb *tb)
{
    return tb->rate / 100;
}

/* Default burst for 'rate': 1 ms of traffic (as tc's htb with HZ 1000), and
 * at least two frames. */
uint64_t
pifo_htb_default_burst(uint64_t rate, uint32_t mtu)
{
    return MAX(rate / 1000, 2 * 8 * (uint64_t) frame_bytes(mtu));
}

static struct pifo *
htb_pifo(uint32_t capacity, uint32_t n_buckets, unsigned int shift,
         bool circular)
{
    struct pifo_config cfg = {
        .capacity = MAX(capacity, 1),
        .n_buckets = n_buckets,
        .granularity_shift = shift,
        .rank_bits = 64,
        .circular = circular,
        .drop_policy = PIFO_DROP_ARRIVING,
    };
    char *error;
    struct pifo *p = pifo_create(&cfg, &error);

    ovs_assert(p);
    return p;
}

static int
compare_u32(const void *a_, const void *b_)
{
    uint32_t a = *(const uint32_t *) a_, b = *(const uint32_t *) b_;

    return a < b ? -1 : a > b;
}

struct pifo_htb *
pifo_htb_create(const struct pifo_htb_config *cfg, uint64_t now,
                char **errorp)
{
    uint32_t mtu = cfg->mtu ? cfg->mtu : 1500;
    uint64_t frame_bits = 8 * (uint64_t) frame_bytes(mtu);

    *errorp = NULL;
    if (!cfg->max_rate) {
        *errorp = xstrdup("max-rate must be at least 1 bit/s");
        return NULL;
    }
    if (cfg->burst && cfg->burst < frame_bits) {
        *errorp = xasprintf("burst %"PRIu64" bits is less than one "
                            "%"PRIu32"-byte frame", cfg->burst,
                            frame_bytes(mtu));
        return NULL;
    }
    if (!cfg->n_queues) {
        *errorp = xstrdup("no queues");
        return NULL;
    }
    for (uint32_t i = 0; i < cfg->n_queues; i++) {
        const struct pifo_htb_queue_config *qc = &cfg->queues[i];
        uint64_t max_rate = qc->max_rate ? qc->max_rate : cfg->max_rate;

        if (!qc->min_rate) {
            *errorp = xasprintf("queue %"PRIu32": min-rate must be at "
                                "least 1 bit/s", i);
        } else if (qc->min_rate > max_rate) {
            *errorp = xasprintf("queue %"PRIu32": min-rate %"PRIu64" is "
                                "above max-rate %"PRIu64, i, qc->min_rate,
                                max_rate);
        } else if (qc->burst && qc->burst < frame_bits) {
            *errorp = xasprintf("queue %"PRIu32": burst %"PRIu64" bits is "
                                "less than one %"PRIu32"-byte frame", i,
                                qc->burst, frame_bytes(mtu));
        }
        if (*errorp) {
            return NULL;
        }
    }

    struct pifo_htb *htb = xzalloc(sizeof *htb);
    htb->n_queues = cfg->n_queues;
    htb->queue_len = cfg->queue_len ? cfg->queue_len : 1000;
    htb->ring_mask = (UINT32_C(1) << log_2_ceil(htb->queue_len)) - 1;
    pifo_tb_init(&htb->port_tb, cfg->max_rate,
                 cfg->burst ? cfg->burst
                 : pifo_htb_default_burst(cfg->max_rate, mtu), now);

    /* Priorities to dense levels. */
    uint32_t *prios = xmalloc(cfg->n_queues * sizeof *prios);
    for (uint32_t i = 0; i < cfg->n_queues; i++) {
        prios[i] = cfg->queues[i].priority;
    }
    qsort(prios, cfg->n_queues, sizeof *prios, compare_u32);
    uint32_t n_levels = 0;
    for (uint32_t i = 0; i < cfg->n_queues; i++) {
        if (!n_levels || prios[n_levels - 1] != prios[i]) {
            prios[n_levels++] = prios[i];
        }
    }
    htb->n_levels = n_levels;

    /* Bucket width of the time and virtual-time PIFOs: the longest wait
     * (one frame at the smallest min-rate) fits in one half of the
     * window. */
    htb->queues = xzalloc(cfg->n_queues * sizeof *htb->queues);
    for (uint32_t i = 0; i < cfg->n_queues; i++) {
        const struct pifo_htb_queue_config *qc = &cfg->queues[i];
        struct htb_queue *q = &htb->queues[i];
        uint64_t max_rate = qc->max_rate ? qc->max_rate : cfg->max_rate;
        uint64_t burst = (qc->burst ? qc->burst
                          : pifo_htb_default_burst(max_rate, mtu));

        q->packets = xmalloc((htb->ring_mask + 1) * sizeof *q->packets);
        q->lens = xmalloc((htb->ring_mask + 1) * sizeof *q->lens);
        q->min_rate = qc->min_rate;
        pifo_tb_init(&q->min_tb, qc->min_rate, burst, now);
        pifo_tb_init(&q->max_tb, max_rate, burst, now);
        uint32_t *level = bsearch(&qc->priority, prios, n_levels,
                                  sizeof *prios, compare_u32);
        q->level = level - prios;
        q->green_h = q->excess_h = q->wait_h = PIFO_NONE;
    }
    free(prios);

    /* Buckets of at most half a frame's time at the port's rate, so that
     * queues whose next packets are a frame apart stay in order; the
     * window then covers about 2 * HTB_PIFO_BUCKETS / 4 frames.  A queue
     * that is further ahead (a small min-rate's next green time, or
     * virtual start time) is clamped to the window's end, behind the
     * others, which is where it belongs.  (Sizing the window for the
     * slowest queue instead made buckets of a millisecond when a queue
     * had the one-MTU-a-second default, and queues shared the port in
     * arrival order.) */
    uint64_t half_frame = frame_bits * NS_PER_S / cfg->max_rate / 2;
    unsigned int shift = 0;
    while (((uint64_t) 2 << shift) <= half_frame && shift < 40) {
        shift++;
    }
    htb->green = htb_pifo(cfg->n_queues, HTB_PIFO_BUCKETS, shift, true);
    htb->wait = htb_pifo(cfg->n_queues, HTB_PIFO_BUCKETS, shift, true);
    htb->levels = htb_pifo(n_levels, 1u << log_2_ceil(n_levels), 0, false);
    htb->excess = xmalloc(n_levels * sizeof *htb->excess);
    htb->vtime = xzalloc(n_levels * sizeof *htb->vtime);
    htb->level_h = xmalloc(n_levels * sizeof *htb->level_h);
    for (uint32_t l = 0; l < n_levels; l++) {
        htb->excess[l] = htb_pifo(cfg->n_queues, HTB_PIFO_BUCKETS, shift,
                                  true);
        htb->level_h[l] = PIFO_NONE;
    }
    return htb;
}

/* Frees 'htb'.  Its packets must have been taken out (pifo_htb_flush()). */
void
pifo_htb_destroy(struct pifo_htb *htb)
{
    if (!htb) {
        return;
    }
    for (uint32_t i = 0; i < htb->n_queues; i++) {
        free(htb->queues[i].packets);
        free(htb->queues[i].lens);
    }
    free(htb->queues);
    for (uint32_t l = 0; l < htb->n_levels; l++) {
        pifo_destroy(htb->excess[l]);
    }
    free(htb->excess);
    free(htb->vtime);
    free(htb->level_h);
    pifo_destroy(htb->green);
    pifo_destroy(htb->wait);
    pifo_destroy(htb->levels);
    free(htb);
}

uint32_t
pifo_htb_n_queues(const struct pifo_htb *htb)
{
    return htb->n_queues;
}

static inline uint64_t
head_bits(const struct htb_queue *q)
{
    return 8 * (uint64_t) q->lens[q->head];
}

static void
excess_insert(struct pifo_htb *htb, struct htb_queue *q)
{
    struct pifo *excess = htb->excess[q->level];

    q->start = time_max(htb->vtime[q->level], q->finish);
    if (!pifo_count(excess)) {
        /* Entries leave by pifo_remove(): tell the empty PIFO where the
         * ranks start. */
        pifo_set_floor(excess, htb->vtime[q->level]);
        htb->level_h[q->level] = pifo_push(htb->levels, q->level, q,
                                           q->level, NULL);
    }
    q->excess_h = pifo_push(excess, q->start, q, q - htb->queues, NULL);
}

static void
htb_unschedule(struct pifo_htb *htb, struct htb_queue *q)
{
    struct pifo_entry e;

    if (q->green_h != PIFO_NONE) {
        pifo_remove(htb->green, q->green_h, &e);
        q->green_h = PIFO_NONE;
    }
    if (q->wait_h != PIFO_NONE) {
        pifo_remove(htb->wait, q->wait_h, &e);
        q->wait_h = PIFO_NONE;
    }
    if (q->excess_h != PIFO_NONE) {
        struct pifo *excess = htb->excess[q->level];

        pifo_remove(excess, q->excess_h, &e);
        q->excess_h = PIFO_NONE;
        if (!pifo_count(excess)) {
            pifo_remove(htb->levels, htb->level_h[q->level], &e);
            htb->level_h[q->level] = PIFO_NONE;
        }
    }
}

/* Ranks backlogged 'q', in no PIFO, for its head packet. */
static void
htb_schedule(struct pifo_htb *htb, struct htb_queue *q, uint64_t now)
{
    uint64_t bits = head_bits(q);
    uint64_t t_max = pifo_tb_conform_time(&q->max_tb, now, bits);
    uint64_t t_min = pifo_tb_conform_time(&q->min_tb, now, bits);
    uint32_t idx = q - htb->queues;

    /* Ranks are times from 'now' on. */
    if (!pifo_count(htb->green)) {
        pifo_set_floor(htb->green, now);
    }
    q->green_h = pifo_push(htb->green, time_max(t_min, t_max), q, idx, NULL);
    if (!time_before(now, t_max)) {
        excess_insert(htb, q);
    } else {
        if (!pifo_count(htb->wait)) {
            pifo_set_floor(htb->wait, now);
        }
        q->wait_h = pifo_push(htb->wait, t_max, q, idx, NULL);
    }
}

/* Queues 'packet' of 'bytes' on 'queue' (queue 0 if there is no such
 * queue).  Returns false if the queue is full: the packet is the caller's
 * to free, and counted in tx_errors. */
bool
pifo_htb_enqueue(struct pifo_htb *htb, uint32_t queue, void *packet,
                 uint32_t bytes, uint64_t now)
{
    struct htb_queue *q = &htb->queues[queue < htb->n_queues ? queue : 0];

    if (q->n >= htb->queue_len) {
        q->stats.tx_errors++;
        return false;
    }

    uint32_t slot = (q->head + q->n) & htb->ring_mask;
    q->packets[slot] = packet;
    q->lens[slot] = bytes;
    q->n++;
    q->stats.backlog_packets++;
    q->stats.backlog_bytes += bytes;
    htb->backlog++;
    if (q->n == 1) {
        htb_schedule(htb, q, now);
    }
    return true;
}

/* The queue to serve at 'now', NULL if none may send. */
static struct htb_queue *
htb_pick(struct pifo_htb *htb, uint64_t now, bool *green)
{
    struct pifo_entry e;

    /* Queues back under their max-rate. */
    while (pifo_pop_due(htb->wait, now, &e)) {
        struct htb_queue *q = e.data;

        q->wait_h = PIFO_NONE;
        excess_insert(htb, q);
    }

    if (pifo_peek(htb->green, &e) && !time_before(now, e.rank)) {
        *green = true;
        return e.data;
    }
    if (pifo_peek(htb->levels, &e)) {
        struct pifo_entry qe;

        ovs_assert(pifo_peek(htb->excess[e.tag], &qe));
        *green = false;
        return qe.data;
    }
    return NULL;
}

/* Takes out what may leave at 'now', up to 'max' packets, in order, into
 * 'packets' and their queue numbers into 'queues' (if nonnull).  Returns
 * how many.  Then pifo_htb_next_time() tells when to call again. */
size_t
pifo_htb_dequeue(struct pifo_htb *htb, uint64_t now, void **packets,
                 uint32_t *queues, size_t max)
{
    size_t n = 0;

    while (n < max && htb->backlog) {
        bool green;
        struct htb_queue *q = htb_pick(htb, now, &green);

        if (!q) {
            break;
        }

        uint64_t bits = head_bits(q);
        if (htb->busy) {
            pifo_tb_catch_up(&htb->port_tb, now,
                             tb_catch_up_slack(&htb->port_tb));
        }
        if (!pifo_tb_consume(&htb->port_tb, now, bits)) {
            break;
        }
        if (q->busy) {
            pifo_tb_catch_up(&q->max_tb, now, tb_catch_up_slack(&q->max_tb));
            pifo_tb_catch_up(&q->min_tb, now, tb_catch_up_slack(&q->min_tb));
        }
        pifo_tb_consume(&q->max_tb, now, bits);
        if (green) {
            pifo_tb_consume(&q->min_tb, now, bits);
            q->stats.green_packets++;
        } else {
            htb->vtime[q->level] = time_max(htb->vtime[q->level], q->start);
            q->finish = q->start + stfq_cost(bits, NS_PER_S, q->min_rate);
        }

        uint32_t bytes = q->lens[q->head];
        packets[n] = q->packets[q->head];
        if (queues) {
            queues[n] = q - htb->queues;
        }
        n++;
        q->head = (q->head + 1) & htb->ring_mask;
        q->n--;
        q->stats.tx_packets++;
        q->stats.tx_bytes += bytes;
        q->stats.backlog_packets--;
        q->stats.backlog_bytes -= bytes;
        htb->backlog--;

        htb_unschedule(htb, q);
        q->busy = q->n > 0;
        if (q->n) {
            htb_schedule(htb, q, now);
        } else {
            pifo_tb_settle(&q->max_tb);
            pifo_tb_settle(&q->min_tb);
        }
    }
    htb->busy = htb->backlog > 0;
    if (!htb->backlog) {
        pifo_tb_settle(&htb->port_tb);
    }
    return n;
}

/* If 'htb' has packets, stores in '*when' the earliest time, not before
 * 'now', at which pifo_htb_dequeue() may release one, and returns true:
 * the poll loop's timer. */
bool
pifo_htb_next_time(struct pifo_htb *htb, uint64_t now, uint64_t *when)
{
    struct htb_queue *q;
    struct pifo_entry e;
    uint64_t t;
    bool green;

    if (!htb->backlog) {
        return false;
    }

    q = htb_pick(htb, now, &green);
    t = now;
    if (!q) {
        /* Every backlogged queue waits for its min-rate (green) or its
         * max-rate (wait): the earlier of the two heads. */
        ovs_assert(pifo_peek(htb->green, &e));
        q = e.data;
        t = e.rank;
        if (pifo_peek(htb->wait, &e) && time_before(e.rank, t)) {
            q = e.data;
            t = e.rank;
        }
    }
    *when = pifo_tb_conform_time(&htb->port_tb, t, head_bits(q));
    return true;
}

/* Takes out any one packet regardless of rates, for a reconfiguration or
 * the port's removal: returns it, with its queue and size, or NULL if
 * 'htb' is empty. */
void *
pifo_htb_flush(struct pifo_htb *htb, uint64_t now, uint32_t *queue,
               uint32_t *bytes)
{
    for (uint32_t i = 0; i < htb->n_queues && htb->backlog; i++) {
        struct htb_queue *q = &htb->queues[i];

        if (q->n) {
            void *packet = q->packets[q->head];

            *queue = i;
            *bytes = q->lens[q->head];
            q->head = (q->head + 1) & htb->ring_mask;
            q->n--;
            q->stats.backlog_packets--;
            q->stats.backlog_bytes -= *bytes;
            htb->backlog--;
            htb_unschedule(htb, q);
            if (q->n) {
                htb_schedule(htb, q, now);
            }
            return packet;
        }
    }
    return NULL;
}

void
pifo_htb_get_queue_stats(const struct pifo_htb *htb, uint32_t queue,
                         struct pifo_htb_queue_stats *stats)
{
    *stats = htb->queues[queue].stats;
}
