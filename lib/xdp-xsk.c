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

#include <config.h>

#include "xdp-xsk.h"

#include <errno.h>
#include <linux/if_xdp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "coverage.h"
#include "dp-packet.h"
#include "netdev-provider.h"
#include "ovs-atomic.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"
#include "xdp-meta.h"
#include "xdp-umem.h"

VLOG_DEFINE_THIS_MODULE(xdp_xsk);

COVERAGE_DEFINE(afxdp_fill_empty);
COVERAGE_DEFINE(afxdp_rx_flow_mark);
COVERAGE_DEFINE(afxdp_rx_no_meta);

#define BATCH NETDEV_MAX_BURST
/* xdp_xsk_tx_result's 'dropped_map' has a bit per packet of a batch. */
BUILD_ASSERT_DECL(NETDEV_MAX_BURST <= 32);
/* Largest packet a frame holds: the kernel keeps XDP_PACKET_HEADROOM. */
#define MAX_FRAME_LEN (XDP_UMEM_FRAME_SIZE - XDP_PACKET_HEADROOM)

/* The frame that holds UMEM offset 'addr'. */
static void *
frame_of(const struct xdp_umem *umem, uint64_t addr)
{
    return xdp_umem_ptr(umem, addr & ~(uint64_t) (XDP_UMEM_FRAME_SIZE - 1));
}

/* Tops 'xsk''s fill ring up to XDP_UMEM_SOCKET_FILL frames of 'umem', 'max'
 * at most. */
static void
xdp_xsk_fill(struct xdp_xsk *xsk, struct xdp_umem *umem, uint32_t max)
{
    uint32_t in_ring = XDP_UMEM_RING_SIZE
                       - xsk_prod_nb_free(&xsk->fill, XDP_UMEM_RING_SIZE);
    uint32_t n = (in_ring < XDP_UMEM_SOCKET_FILL
                  ? MIN(XDP_UMEM_SOCKET_FILL - in_ring, max) : 0);
    void *frames[BATCH];
    uint32_t idx = 0;

    while (n > 0) {
        uint32_t batch = MIN(n, BATCH);

        if (umem_elem_pop_n(&umem->pool, batch, frames)) {
            COVERAGE_INC(afxdp_fill_empty);
            return;
        }
        xsk_ring_prod__reserve(&xsk->fill, batch, &idx);
        for (uint32_t i = 0; i < batch; i++) {
            *xsk_ring_prod__fill_addr(&xsk->fill, idx + i)
                = xdp_umem_addr(umem, frames[i]);
        }
        xsk_ring_prod__submit(&xsk->fill, batch);
        n -= batch;
    }
}

static bool
xdp_xsk_is_zero_copy(int fd)
{
    struct xdp_options opts;
    socklen_t len = sizeof opts;

    return !getsockopt(fd, SOL_XDP, XDP_OPTIONS, &opts, &len)
           && opts.flags & XDP_OPTIONS_ZEROCOPY;
}

static void
xdp_xsk_set_busy_poll(int fd, int usecs, const char *name)
{
#ifdef SO_PREFER_BUSY_POLL
    int one = 1, budget = BATCH;

    if (setsockopt(fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof one)
        || setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &usecs, sizeof usecs)
        || setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget,
                      sizeof budget)) {
        VLOG_WARN("%s: cannot turn on busy polling (%s)", name,
                  ovs_strerror(errno));
    }
#else
    VLOG_WARN("%s: busy polling is not supported by this build", name);
#endif
}

/* Opens 'xsk' on queue 'queue' of device 'devname', on 'umem', and gives
 * its fill ring frames.  On failure the socket may be left half made, for
 * xdp_xsk_close(). */
int
xdp_xsk_open(struct xdp_xsk *xsk, const char *devname, int queue,
             struct xdp_umem *umem, const struct xdp_xsk_options *options,
             char **errorp)
{
    struct xsk_socket_config cfg = {
        .rx_size = XDP_UMEM_RING_SIZE,
        .tx_size = XDP_UMEM_RING_SIZE,
        .libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
        .bind_flags = options->bind_flags,
    };
    int error, fd;

    memset(xsk, 0, sizeof *xsk);
    ovs_spin_init(&xsk->tx_lock);
    /* The kernel releases a closed socket's hold on its queue from a work
     * queue: a socket re-created at once may find it busy. */
    for (int try = 0; ; try++) {
        error = -xsk_socket__create_shared(&xsk->socket, devname, queue,
                                           umem->umem, &xsk->rx, &xsk->tx,
                                           &xsk->fill, &xsk->comp, &cfg);
        if (error != EBUSY || try >= 250) {
            break;
        }
        xnanosleep(2 * 1000 * 1000);
    }
    if (error) {
        xsk->socket = NULL;
        *errorp = xasprintf("%s: cannot bind AF_XDP socket to queue %d in "
                            "%s mode (%s)", devname, queue,
                            (options->bind_flags & XDP_ZEROCOPY
                             ? "zero-copy" : "copy"),
                            ovs_strerror(error));
        return error;
    }
    fd = xsk_socket__fd(xsk->socket);
    if (options->bind_flags & XDP_ZEROCOPY && !xdp_xsk_is_zero_copy(fd)) {
        /* A socket that shares a UMEM takes the mode of the UMEM's first
         * socket, whatever it asked for. */
        *errorp = xasprintf("%s: queue %d is not in zero-copy mode (the "
                            "UMEM it shares is not)", devname, queue);
        return EOPNOTSUPP;
    }
    if (options->busy_poll) {
        xdp_xsk_set_busy_poll(fd, options->busy_poll, devname);
    }
    xdp_xsk_fill(xsk, umem, XDP_UMEM_SOCKET_FILL);
    return 0;
}

/* Returns the frames that 'xsk''s rings still hold to 'umem''s pool. */
static void
xdp_xsk_reclaim(struct xdp_xsk *xsk, struct xdp_umem *umem)
{
    uint32_t idx, n;

    n = xsk_ring_cons__peek(&xsk->rx, XDP_UMEM_RING_SIZE, &idx);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t addr = xsk_ring_cons__rx_desc(&xsk->rx, idx + i)->addr;

        umem_elem_push(&umem->pool, frame_of(umem, addr));
    }
    xsk_ring_cons__release(&xsk->rx, n);

    n = xsk_ring_cons__peek(&xsk->comp, XDP_UMEM_RING_SIZE, &idx);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t addr = *xsk_ring_cons__comp_addr(&xsk->comp, idx + i);

        umem_elem_push(&umem->pool, frame_of(umem, addr));
    }
    xsk_ring_cons__release(&xsk->comp, n);

    /* Frames given to the kernel that it has not taken yet. */
    for (uint32_t i = *xsk->fill.consumer; i != *xsk->fill.producer; i++) {
        uint64_t addr = *xsk_ring_prod__fill_addr(&xsk->fill, i);

        umem_elem_push(&umem->pool, xdp_umem_ptr(umem, addr));
    }
}

/* Undoes xdp_xsk_open(): the frames that 'xsk' holds go back to 'umem'. */
void
xdp_xsk_close(struct xdp_xsk *xsk, struct xdp_umem *umem)
{
    if (xsk->socket) {
        xdp_xsk_reclaim(xsk, umem);
        xsk_socket__delete(xsk->socket);
        xsk->socket = NULL;
    }
    ovs_spin_destroy(&xsk->tx_lock);
}

int
xdp_xsk_fd(const struct xdp_xsk *xsk)
{
    return xsk_socket__fd(xsk->socket);
}

/* True if 'xsk' is the socket that registered 'umem' with the kernel (its
 * first). */
bool
xdp_xsk_holds_umem(const struct xdp_xsk *xsk, const struct xdp_umem *umem)
{
    return xsk->socket && xdp_xsk_fd(xsk) == xsk_umem__fd(umem->umem);
}

/* Returns completed transmit frames to the pool.  The caller holds
 * 'tx_lock'. */
static void
xdp_xsk_complete(struct xdp_xsk *xsk, struct xdp_umem *umem)
{
    void *frames[BATCH];
    uint32_t idx, n;

    while ((n = xsk_ring_cons__peek(&xsk->comp, BATCH, &idx)) > 0) {
        for (uint32_t i = 0; i < n; i++) {
            frames[i] = frame_of(umem, *xsk_ring_cons__comp_addr(&xsk->comp,
                                                                 idx + i));
        }
        xsk_ring_cons__release(&xsk->comp, n);
        umem_elem_push_n(&umem->pool, n, frames);
        xsk->outstanding_tx -= MIN(n, xsk->outstanding_tx);
    }
}

static ATOMIC(xdp_xsk_ct_slot_cb *) ct_slot_cb;

/* Reads the metadata that the XDP program wrote in front of the packet of
 * 'len' bytes at 'addr': a partially offloaded flow's packets carry its
 * mark, so that dpif-netdev runs that flow's actions without a lookup.
 * Only metadata with 'cookie', the cookie of the program that the socket
 * receives from, counts: anything else leaves the packet a plain miss. */
static void
xdp_xsk_read_meta(struct xdp_umem *umem, uint64_t addr, uint32_t len,
                  uint64_t cookie, struct dp_packet *packet)
{
    struct xdp_abi_meta meta;

    /* Frames are aligned: the offset in the frame is the headroom. */
    if (xdp_meta_take(xdp_umem_ptr(umem, addr), addr % XDP_UMEM_FRAME_SIZE,
                      len, cookie, &meta) != XDP_META_OK) {
        COVERAGE_INC(afxdp_rx_no_meta);
        return;
    }
    if (meta.reason == XDP_ABI_UPCALL_PARTIAL) {
        dp_packet_set_flow_mark(packet, meta.flow_mark);
        COVERAGE_INC(afxdp_rx_flow_mark);
    }
    if (meta.ct_slot) {
        xdp_xsk_ct_slot_cb *cb;

        atomic_read_relaxed(&ct_slot_cb, &cb);
        if (cb) {
            cb(cookie, meta.ct_slot);
        }
    }
}

/* Sets the function called for each received packet whose metadata names
 * a conntrack cache slot that the program handed back, before the packet
 * leaves xdp_xsk_recv(). */
void
xdp_xsk_set_ct_slot_cb(xdp_xsk_ct_slot_cb *cb)
{
    atomic_store_relaxed(&ct_slot_cb, cb);
}

/* Receives up to a batch of packets from 'xsk' into 'batch', as packets of
 * 'umem' (no copy), tops the fill ring up and takes back completed sends.
 * Returns 0, or EAGAIN if no packet was waiting. */
int
xdp_xsk_recv(struct xdp_xsk *xsk, struct xdp_umem *umem, bool need_wakeup,
             uint64_t meta_cookie, struct dp_packet_batch *batch)
{
    uint32_t idx, n;

    /* Frames that sends have finished with feed the fill ring: without
     * this, a port that only receives would leave them there until its
     * next send. */
    if (xsk->outstanding_tx) {
        ovs_spin_lock(&xsk->tx_lock);
        xdp_xsk_complete(xsk, umem);
        ovs_spin_unlock(&xsk->tx_lock);
    }
    xdp_xsk_fill(xsk, umem, BATCH);

    n = xsk_ring_cons__peek(&xsk->rx, BATCH, &idx);
    if (!n) {
        if (need_wakeup && xsk_ring_prod__needs_wakeup(&xsk->fill)) {
            recvfrom(xdp_xsk_fd(xsk), NULL, 0, MSG_DONTWAIT, NULL, NULL);
        }
        return EAGAIN;
    }
    for (uint32_t i = 0; i < n; i++) {
        const struct xdp_desc *desc = xsk_ring_cons__rx_desc(&xsk->rx,
                                                             idx + i);
        struct dp_packet *packet = xdp_umem_packet(umem, desc->addr,
                                                   desc->len);

        xdp_xsk_read_meta(umem, desc->addr, desc->len, meta_cookie, packet);
        dp_packet_batch_add(batch, packet);
    }
    xsk_ring_cons__release(&xsk->rx, n);
    return 0;
}

static void
xdp_xsk_kick_tx(struct xdp_xsk *xsk, const char *devname)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

    if (sendto(xdp_xsk_fd(xsk), NULL, 0, MSG_DONTWAIT, NULL, 0) < 0
        && errno != EAGAIN && errno != EBUSY && errno != ENOBUFS
        && errno != ENETDOWN) {
        VLOG_WARN_RL(&rl, "%s: AF_XDP transmit failed (%s)", devname,
                     ovs_strerror(errno));
    }
}

/* Sends the packets of 'batch' on 'xsk' and deletes them.  A packet in a
 * frame of 'umem' goes out as it is (the frame comes back through the
 * completion ring); others are copied into frames taken from the pool in
 * one go.  Kicks the kernel if 'always_kick' (copy mode transmits only on
 * sendto()) or if it asks for it.  Any thread may send: the rings are
 * taken under 'tx_lock', uncontended but for a port polled and sent to by
 * different threads. */
void
xdp_xsk_send(struct xdp_xsk *xsk, struct xdp_umem *umem, bool always_kick,
             const char *devname, struct dp_packet_batch *batch,
             struct xdp_xsk_tx_result *result)
{
    uint32_t n_in = dp_packet_batch_size(batch);
    uint64_t addrs[NETDEV_MAX_BURST];
    uint32_t lens[NETDEV_MAX_BURST];
    void *frames[NETDEV_MAX_BURST];
    uint32_t n = 0, n_frames = 0, used = 0, room, idx = 0;
    struct dp_packet *packet;

    memset(result, 0, sizeof *result);
    ovs_spin_lock(&xsk->tx_lock);
    xdp_xsk_complete(xsk, umem);
    room = xsk_prod_nb_free(&xsk->tx, n_in);
    if (room < n_in) {
        xdp_xsk_kick_tx(xsk, devname);
        xdp_xsk_complete(xsk, umem);
        room = xsk_prod_nb_free(&xsk->tx, n_in);
    }
    room = MIN(room, n_in);

    /* Frames for the packets to copy, under one hold of the pool's lock. */
    DP_PACKET_BATCH_FOR_EACH (i, packet, batch) {
        n_frames += !xdp_umem_owns(umem, packet);
    }
    n_frames = MIN(n_frames, room);
    if (n_frames && umem_elem_pop_n(&umem->pool, n_frames, frames)) {
        n_frames = 0;
    }

    DP_PACKET_BATCH_FOR_EACH (i, packet, batch) {
        uint32_t size = dp_packet_size(packet);

        if (size > MAX_FRAME_LEN || n >= room) {
            result->n_dropped++;
            result->dropped_map |= UINT32_C(1) << i;
        } else if (xdp_umem_owns(umem, packet)) {
            /* Same UMEM: the frame itself goes out, and comes back to the
             * pool through the completion ring instead of on free. */
            struct dp_packet_afxdp *xpacket
                = CONTAINER_OF(packet, struct dp_packet_afxdp, packet);

            addrs[n] = xdp_umem_addr(umem, dp_packet_data(packet));
            lens[n++] = size;
            xpacket->mpool = NULL;
            result->n_no_copy++;
        } else if (used < n_frames) {
            memcpy(frames[used], dp_packet_data(packet), size);
            addrs[n] = xdp_umem_addr(umem, frames[used++]);
            lens[n++] = size;
            result->n_copy++;
        } else {
            result->n_dropped++;
            result->dropped_map |= UINT32_C(1) << i;
        }
    }
    if (used < n_frames) {
        umem_elem_push_n(&umem->pool, n_frames - used, &frames[used]);
    }

    if (n) {
        xsk_ring_prod__reserve(&xsk->tx, n, &idx);
        for (uint32_t i = 0; i < n; i++) {
            struct xdp_desc *desc = xsk_ring_prod__tx_desc(&xsk->tx, idx + i);

            desc->addr = addrs[i];
            desc->len = lens[i];
            desc->options = 0;
        }
        xsk_ring_prod__submit(&xsk->tx, n);
        xsk->outstanding_tx += n;
        if (always_kick || xsk_ring_prod__needs_wakeup(&xsk->tx)) {
            xdp_xsk_kick_tx(xsk, devname);
        }
    }
    ovs_spin_unlock(&xsk->tx_lock);
    dp_packet_delete_batch(batch, true);
}

/* Returns how many frames a send on 'xsk' could put in its TX ring now,
 * after taking back completed sends. */
uint32_t
xdp_xsk_tx_room(struct xdp_xsk *xsk, struct xdp_umem *umem)
{
    uint32_t room;

    ovs_spin_lock(&xsk->tx_lock);
    xdp_xsk_complete(xsk, umem);
    room = xsk_prod_nb_free(&xsk->tx, XDP_UMEM_RING_SIZE);
    ovs_spin_unlock(&xsk->tx_lock);
    return room;
}

/* Asks the kernel to send what 'xsk''s TX ring holds. */
void
xdp_xsk_kick(struct xdp_xsk *xsk, const char *devname)
{
    xdp_xsk_kick_tx(xsk, devname);
}

/* The kernel's statistics of 'xsk' (zeros if it cannot say). */
void
xdp_xsk_get_stats(const struct xdp_xsk *xsk, struct xdp_statistics *st)
{
    socklen_t len = sizeof *st;

    if (!xsk->socket
        || getsockopt(xdp_xsk_fd(xsk), SOL_XDP, XDP_STATISTICS, st, &len)) {
        memset(st, 0, sizeof *st);
    }
}
