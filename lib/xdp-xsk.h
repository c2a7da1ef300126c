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

#ifndef XDP_XSK_H
#define XDP_XSK_H 1

/* One AF_XDP socket, bound to one rx queue of a device, on a UMEM: its four
 * rings and the moves of frames between them and the UMEM's pool (fill,
 * receive, transmit, completion).  Frames move in batches.
 *
 * Which sockets a port has, on which UMEM and in which mode is the port
 * class's business (netdev-xdp); putting a socket in the program's XSKMAP
 * is the program's (xdp-prog); the UMEM and its pool are xdp-umem's. */

#include <stdbool.h>
#include <stdint.h>
#include <xdp/xsk.h>

#include "ovs-thread.h"

struct dp_packet_batch;
struct xdp_statistics;
struct xdp_umem;

struct xdp_xsk {
    struct xsk_socket *socket;  /* NULL if not open. */
    struct xsk_ring_cons rx;
    struct xsk_ring_prod tx;
    struct xsk_ring_prod fill;
    struct xsk_ring_cons comp;
    struct ovs_spin tx_lock;    /* Transmit and completion rings. */
    uint32_t outstanding_tx;    /* Sent, completion not seen yet. */
};

/* How 'xdp_xsk_open()' binds a socket. */
struct xdp_xsk_options {
    uint16_t bind_flags;        /* XDP_ZEROCOPY or XDP_COPY, and maybe
                                 * XDP_USE_NEED_WAKEUP. */
    int busy_poll;              /* Microseconds of busy polling; 0: off. */
};

int xdp_xsk_open(struct xdp_xsk *, const char *devname, int queue,
                 struct xdp_umem *, const struct xdp_xsk_options *,
                 char **errorp);
void xdp_xsk_close(struct xdp_xsk *, struct xdp_umem *);
int xdp_xsk_fd(const struct xdp_xsk *);
bool xdp_xsk_holds_umem(const struct xdp_xsk *, const struct xdp_umem *);

int xdp_xsk_recv(struct xdp_xsk *, struct xdp_umem *, bool need_wakeup,
                 uint64_t meta_cookie, struct dp_packet_batch *);

/* What 'xdp_xsk_send()' did with a batch. */
struct xdp_xsk_tx_result {
    uint32_t n_no_copy;         /* Frames of the socket's UMEM, sent as is. */
    uint32_t n_copy;            /* Copied into a frame of the UMEM. */
    uint32_t n_dropped;         /* Too long, or no room or frame for them. */
    uint32_t dropped_map;       /* Bit i: the batch's packet i was dropped
                                 * (batches hold NETDEV_MAX_BURST, 32). */
};
void xdp_xsk_send(struct xdp_xsk *, struct xdp_umem *, bool always_kick,
                  const char *devname, struct dp_packet_batch *,
                  struct xdp_xsk_tx_result *);

uint32_t xdp_xsk_tx_room(struct xdp_xsk *, struct xdp_umem *);
void xdp_xsk_kick(struct xdp_xsk *, const char *devname);

void xdp_xsk_get_stats(const struct xdp_xsk *, struct xdp_statistics *);

/* Called, from the receiving thread, for a received packet whose metadata
 * names a handed-back conntrack cache slot: 'meta_cookie' of the program
 * that wrote it, 'ct_slot' (1 + the slot). */
typedef void xdp_xsk_ct_slot_cb(uint64_t meta_cookie, uint32_t ct_slot);
void xdp_xsk_set_ct_slot_cb(xdp_xsk_ct_slot_cb *);

#endif /* xdp-xsk.h */
