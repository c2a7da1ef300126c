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

/* The transmit side of shaping on afxdp ports: the PIFO scheduler
 * (lib/pifo-sched.c) built from a port's queues, packets enqueued as the
 * datapath sends them, and released at their departure times onto the
 * port's AF_XDP TX ring, in batches.  The datapath's main loop sleeps until
 * the earliest departure of any port (a timerfd, for microsecond
 * wake-ups).  The configuration is netdev-xdp-qos.c's. */

#include <config.h>

#include <errno.h>
#include <string.h>
#include <poll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "coverage.h"
#include "dp-packet.h"
#include "netdev-provider.h"
#include "netdev-xdp-private.h"
#include "netdev-xdp-qos-private.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "pifo-sched.h"
#include "util.h"
#include "xdp-umem.h"
#include "xdp-xsk.h"

VLOG_DEFINE_THIS_MODULE(netdev_xdp_shaper);

COVERAGE_DEFINE(afxdp_qos_enqueued);
COVERAGE_DEFINE(afxdp_qos_dropped);
COVERAGE_DEFINE(afxdp_qos_released);
COVERAGE_DEFINE(afxdp_qos_copied);

/* Packets a queue holds before it drops, as a tc qdisc's default. */
#define QOS_QUEUE_LEN 1000

/* Each wake-up of the main thread runs its whole loop (a hundred
 * microseconds or so); released one or two at a time, packets would cost
 * that each.  Wake-ups for departures are at least this far apart, which
 * delays a shaped packet by at most as much (the rate is kept: the
 * scheduler catches up) and lets each wake-up release several.  Packets
 * that may leave when they are sent leave at once. */
#define QOS_WAKE_SPACING_NS (500 * 1000)

/* Longest wait between looks at a TX ring that stays full. */
#define QOS_RING_FULL_WAIT_MAX_NS (100 * 1000 * 1000)

/* Frames of a UMEM that a shaped port holds at most; packets beyond are
 * copied out of the UMEM, which has frames enough for its sockets' rings
 * but not for long queues (1000 packets a queue). */
#define QOS_MAX_HELD_FRAMES 1024

/* When netdev_xdp_qos_run() last released, in qos_now_ns() time. */
static uint64_t qos_last_run;

/* Wakes the main thread at the earliest departure. */
static int qos_timerfd = -1;

static struct vlog_rate_limit shaper_rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* True if 'packet' is an AF_XDP frame of a UMEM. */
static bool
qos_is_umem_frame(const struct dp_packet *packet)
{
    return packet->source == DPBUF_AFXDP;
}

static uint64_t
qos_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000 * 1000 * 1000 + ts.tv_nsec;
}

/* Sends what 'qos' holds now, whatever its departure times, as the
 * scheduler goes away.  Returns the packets that found no room, which are
 * counted as dropped. */
static void qos_release(struct netdev_xdp_qos *, uint64_t now, bool all);

void
qos_destroy_scheduler(struct netdev_xdp_qos *qos)
{
    if (qos->htb) {
        qos_release(qos, qos_now_ns(), true);
        pifo_htb_destroy(qos->htb);
        qos->htb = NULL;
    }
    free(qos->by_index);
    qos->by_index = NULL;
    qos->n_indexes = 0;
}

/* Builds the scheduler of 'qos' from its queues; packets queued in the old
 * one move to the new one, in the order the old one releases them. */
void
qos_build_scheduler(struct netdev_xdp_qos *qos)
{
    const char *name = netdev_get_name(&qos->dev->up.up);
    struct pifo_htb_queue_config *qcs;
    struct pifo_htb_config cfg;
    struct pifo_htb *htb, *old;
    struct qos_queue **by_index;
    struct qos_queue *q;
    uint64_t now = qos_now_ns();
    char *error = NULL;
    uint32_t n = 0;
    int mtu = qos_mtu(qos->dev);

    qos->stale = false;
    if (!qos->type || qos->type->kind != QOS_SHAPE) {
        qos_destroy_scheduler(qos);
        return;
    }
    if (!qos_queue_find(qos, 0)) {
        /* Packets of unknown queues go to queue 0, which always exists. */
        q = xzalloc(sizeof *q);
        q->created = time_msec();
        hmap_insert(&qos->queues, &q->node, hash_int(0, 0));
    }

    by_index = xmalloc(hmap_count(&qos->queues) * sizeof *by_index);
    qcs = xcalloc(hmap_count(&qos->queues), sizeof *qcs);
    HMAP_FOR_EACH (q, node, &qos->queues) {
        by_index[n++] = q;
    }
    for (uint32_t i = 0; i < n; i++) {
        q = by_index[i];
        /* As OVS's linux-htb: a queue is guaranteed at least one MTU per
         * second, and at most the port's rate. */
        qcs[i].min_rate = MIN(MAX(q->min_rate, 8ULL * mtu), qos->max_rate);
        qcs[i].max_rate = MIN(q->max_rate ? q->max_rate : qos->max_rate,
                              qos->max_rate);
        qcs[i].max_rate = MAX(qcs[i].max_rate, qcs[i].min_rate);
        qcs[i].burst = q->burst;
        qcs[i].priority = q->priority;
    }
    memset(&cfg, 0, sizeof cfg);
    cfg.max_rate = qos->max_rate;
    cfg.mtu = mtu;              /* pifo-sched adds the frame's headers. */
    cfg.queue_len = QOS_QUEUE_LEN;
    cfg.n_queues = n;
    cfg.queues = qcs;
    htb = pifo_htb_create(&cfg, now, &error);
    free(qcs);
    if (!htb) {
        /* The configuration was checked: this should not happen.  The old
         * scheduler's queues may be gone, so it goes too, and the port
         * sends unshaped until the configuration changes. */
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);

        VLOG_ERR_RL(&rl, "%s: cannot build the QoS scheduler: %s", name,
                    error);
        qos_note_error(qos->dev, qos, "QoS",
                       xasprintf("cannot build the scheduler (%s); the port "
                                 "sends unshaped", error));
        free(error);
        free(by_index);
        qos_destroy_scheduler(qos);
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        by_index[i]->index = i;
    }

    old = qos->htb;
    struct qos_queue **old_by_index = qos->by_index;
    uint32_t old_n = qos->n_indexes;
    qos->htb = htb;
    qos->by_index = by_index;
    qos->n_indexes = n;
    if (old) {
        uint32_t index, bytes;
        void *packet;

        while ((packet = pifo_htb_flush(old, now, &index, &bytes))) {
            struct qos_queue *oq = index < old_n ? old_by_index[index] : NULL;
            /* Its queue may be gone: queue 0 takes it. */
            uint32_t qi = (oq && qos_queue_find(qos, oq->id) == oq
                           ? oq->index : qos_queue_find(qos, 0)->index);

            if (!pifo_htb_enqueue(htb, qi, packet, bytes, now)) {
                if (qos_is_umem_frame(packet)) {
                    qos->held_frames--;
                }
                by_index[qi]->tx_errors++;
                COVERAGE_INC(afxdp_qos_dropped);
                dp_packet_delete(packet);
            }
        }
        pifo_htb_destroy(old);
    }
    free(old_by_index);
}

/* Sends up to a batch of what 'qos' releases at 'now' ('all': everything
 * it holds, as the scheduler goes), as long as the TX ring has room: what
 * does not fit stays queued.  Returns the packets taken out. */
static size_t
qos_release_batch(struct netdev_xdp_qos *qos, uint64_t now, bool all)
{
    struct netdev_xdp *dev = qos->dev;
    void *packets[NETDEV_MAX_BURST];
    uint32_t indexes[NETDEV_MAX_BURST];
    uint32_t sizes[NETDEV_MAX_BURST];
    struct dp_packet_batch batch;
    struct xdp_xsk_tx_result r;
    size_t max = NETDEV_MAX_BURST, n = 0;

    if (dev->n_xsks && !all) {
        max = MIN(max, xdp_xsk_tx_room(&dev->xsks[0], dev->umem));
        if (!max) {
            /* The kernel has not sent what the ring holds yet: look again
             * later, less and less often while it stays full (a link that
             * is down). */
            xdp_xsk_kick(&dev->xsks[0], netdev_get_name(&dev->up.up));
            qos->ring_full_wait = (qos->ring_full_wait
                                   ? MIN(2 * qos->ring_full_wait,
                                         QOS_RING_FULL_WAIT_MAX_NS)
                                   : QOS_WAKE_SPACING_NS);
            return 0;
        }
    }
    qos->ring_full_wait = 0;
    if (all) {
        uint32_t bytes;

        while (n < max
               && (packets[n] = pifo_htb_flush(qos->htb, now, &indexes[n],
                                               &bytes))) {
            n++;
        }
    } else {
        n = pifo_htb_dequeue(qos->htb, now, packets, indexes, max);
    }
    if (!n) {
        return 0;
    }

    dp_packet_batch_init(&batch);
    for (size_t i = 0; i < n; i++) {
        if (qos_is_umem_frame(packets[i])) {
            qos->held_frames--;
        }
        dp_packet_batch_add(&batch, packets[i]);
    }
    COVERAGE_ADD(afxdp_qos_released, n);
    if (!dev->n_xsks) {
        /* No socket to send on (the port is being set up again). */
        memset(&r, 0, sizeof r);
        r.n_dropped = n;
        dp_packet_delete_batch(&batch, true);
    } else {
        /* The send frees the packets: note their sizes first. */
        for (size_t i = 0; i < n; i++) {
            sizes[i] = dp_packet_size(packets[i]);
        }
        xdp_xsk_send(&dev->xsks[0], dev->umem,
                     (dev->mode != XDP_MODE_NATIVE_ZC
                      || !dev->applied.need_wakeup),
                     netdev_get_name(&dev->up.up), &batch, &r);
    }
    for (size_t i = 0; i < n; i++) {
        struct qos_queue *q = qos->by_index[indexes[i]];

        if (!dev->n_xsks || r.dropped_map & (UINT32_C(1) << i)) {
            q->tx_errors++;
            COVERAGE_INC(afxdp_qos_dropped);
        } else {
            q->tx_packets++;
            q->tx_bytes += sizes[i];
        }
    }
    return n;
}

static void
qos_release(struct netdev_xdp_qos *qos, uint64_t now, bool all)
{
    if (!qos->htb) {
        return;
    }
    while (qos_release_batch(qos, now, all) == NETDEV_MAX_BURST) {
        continue;
    }
}

/* Takes the packets of 'batch' if 'dev' shapes: they wait in its scheduler
 * for their departure, and what is due goes out now.  Returns false if the
 * port does not shape (the caller sends the batch). */
bool
netdev_xdp_qos_send(struct netdev_xdp *dev, struct dp_packet_batch *batch)
{
    struct netdev_xdp_qos *qos = dev->qos;
    struct dp_packet *packet;
    uint64_t now;

    if (!qos || !qos->type || qos->type->kind != QOS_SHAPE) {
        return false;
    }
    if (qos->stale || !qos->htb) {
        qos_build_scheduler(qos);
        if (!qos->htb) {
            return false;
        }
    }
    now = qos_now_ns();
    DP_PACKET_BATCH_FOR_EACH (i, packet, batch) {
        /* set_queue puts the queue number in the packet's priority. */
        struct qos_queue *q = qos_queue_find(qos, packet->md.skb_priority);

        if (!q) {
            q = qos_queue_find(qos, 0);
        }
        if (qos_is_umem_frame(packet)) {
            if (dev->umem && xdp_umem_owns(dev->umem, packet)
                && qos->held_frames < QOS_MAX_HELD_FRAMES) {
                qos->held_frames++;
            } else {
                /* A frame of another UMEM (which may go before the packet
                 * leaves) or one more than the UMEM can spare: a copy
                 * waits instead. */
                struct dp_packet *copy = dp_packet_clone(packet);

                dp_packet_delete(packet);
                packet = copy;
                COVERAGE_INC(afxdp_qos_copied);
            }
        }
        if (pifo_htb_enqueue(qos->htb, q->index, packet,
                             dp_packet_size(packet), now)) {
            COVERAGE_INC(afxdp_qos_enqueued);
        } else {
            if (qos_is_umem_frame(packet)) {
                qos->held_frames--;
            }
            q->tx_errors++;
            COVERAGE_INC(afxdp_qos_dropped);
            dp_packet_delete(packet);
        }
    }
    dp_packet_batch_init(batch);
    qos_release(qos, now, false);
    return true;
}

/* Sends or drops what 'dev''s scheduler holds, before the port lets go of
 * its sockets and UMEM (the packets may be frames of that UMEM).  The
 * scheduler is built again when the port next sends. */
void
netdev_xdp_qos_drain(struct netdev_xdp *dev)
{
    if (dev->qos && dev->qos->htb) {
        qos_destroy_scheduler(dev->qos);
        dev->qos->stale = true;
    }
}

/* Releases what is due on every port that shapes.  The datapath calls it
 * from its run. */
void
netdev_xdp_qos_run(void)
{
    struct netdev_xdp_qos *qos;
    uint64_t now;

    if (ovs_list_is_empty(&netdev_xdp_qos_ports)) {
        return;
    }
    if (qos_timerfd >= 0) {
        uint64_t expirations;

        /* Clears a wake-up that fired. */
        ignore(read(qos_timerfd, &expirations, sizeof expirations));
    }
    now = qos_now_ns();
    qos_last_run = now;
    LIST_FOR_EACH (qos, node, &netdev_xdp_qos_ports) {
        if (qos->stale) {
            qos_build_scheduler(qos);
        }
        qos_release(qos, now, false);
    }
}

/* Arranges to wake up when a shaped port's next packet is due. */
void
netdev_xdp_qos_wait(void)
{
    struct netdev_xdp_qos *qos;
    uint64_t now = qos_now_ns(), next = UINT64_MAX;
    uint64_t ring_full_wait = 0;

    LIST_FOR_EACH (qos, node, &netdev_xdp_qos_ports) {
        uint64_t when;

        if (qos->stale) {
            poll_immediate_wake();
            return;
        }
        if (qos->htb && pifo_htb_next_time(qos->htb, now, &when)) {
            next = MIN(next, when);
            ring_full_wait = MAX(ring_full_wait, qos->ring_full_wait);
        }
    }
    if (next == UINT64_MAX) {
        return;
    }
    if (ring_full_wait) {
        /* Room comes back as the kernel sends. */
        next = MAX(next, now + ring_full_wait);
    }
    next = MAX(next, qos_last_run + QOS_WAKE_SPACING_NS);
    if (next <= now) {
        poll_immediate_wake();
        return;
    }
    if (qos_timerfd < 0) {
        qos_timerfd = timerfd_create(CLOCK_MONOTONIC,
                                     TFD_NONBLOCK | TFD_CLOEXEC);
        if (qos_timerfd < 0) {
            VLOG_WARN_RL(&shaper_rl, "timerfd_create failed (%s): shaping "
                         "wakes up at millisecond resolution",
                         ovs_strerror(errno));
        }
    }
    if (qos_timerfd >= 0) {
        struct itimerspec its = {
            .it_value = {
                .tv_sec = next / (1000 * 1000 * 1000),
                .tv_nsec = next % (1000 * 1000 * 1000),
            },
        };

        if (!timerfd_settime(qos_timerfd, TFD_TIMER_ABSTIME, &its, NULL)) {
            poll_fd_wait(qos_timerfd, POLLIN);
            return;
        }
    }
    /* Round up: never wake before the departure. */
    poll_timer_wait(MAX(1, (next - now + 999999) / 1000000));
}
