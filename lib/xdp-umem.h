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

#ifndef XDP_UMEM_H
#define XDP_UMEM_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netdev-afxdp-pool.h"
#include "openvswitch/list.h"

struct dp_packet;
struct xsk_umem;

/* Frame layout: OVS's AF_XDP packet buffers find their frame by masking the
 * buffer address, so frames are 4 kB and 4 kB aligned. */
#define XDP_UMEM_FRAME_SIZE 4096
#define XDP_UMEM_RING_SIZE 2048

/* The packet memory of AF_XDP sockets.  One UMEM is shared by all the afxdp
 * ports of a datapath (XDP_SHARED_UMEM), so that a packet received on one
 * port and sent out of another moves as a descriptor, without a copy.
 *
 * The kernel keeps a UMEM's registration on its first socket, which stays
 * bound to its port's queue until the UMEM is freed.  When that port goes,
 * its first socket stays behind, "parked": out of the XSKMAP, on a device
 * the program no longer runs on, so the other ports go on undisturbed.
 * Only if the parked socket's device is set up again, whose queue it still
 * holds, must the UMEM go: its users then release their sockets and set up
 * again on a new one (xdp_umem_free_device()).
 *
 * A UMEM that can take no more sockets (its parked socket's device is gone,
 * or it has no frames to spare) retires: it keeps its users, and new ports
 * of the datapath get a new shared UMEM. */
struct xdp_umem {
    char *name;                 /* Datapath name, or port name if private. */
    struct ovs_list node;       /* In 'all_umems'. */
    bool shared;
    bool retired;               /* No new sockets. */
    bool releasing;             /* Users are releasing their sockets. */
    int n_sockets;
    int anchor_ifindex;         /* Device of the first socket, 0 if none. */
    bool anchor_parked;         /* The first socket's port is gone. */
    struct xsk_umem *umem;
    void *buffer;
    uint32_t n_frames;
    struct umem_pool pool;      /* Free frames (OVS's LIFO of pointers). */
    struct xpacket_pool xpool;  /* One dp_packet_afxdp per frame. */
    struct xsk_ring_prod *fill_tmp;   /* Rings made with the UMEM, taken */
    struct xsk_ring_cons *comp_tmp;   /* over by its first socket. */
    struct ovs_list users;      /* 'struct xdp_umem_user's. */
};

/* Frames a socket's fill ring is kept at.  A UMEM takes sockets while each
 * can have that many there and as many elsewhere (rx, tx and completion
 * rings, packets in flight): frames given to a fill ring come back only as
 * packets arrive, so a UMEM must never promise more than it has. */
#define XDP_UMEM_SOCKET_FILL 1024
#define XDP_UMEM_SOCKET_FRAMES (2 * XDP_UMEM_SOCKET_FILL)

/* A port using a UMEM.  When the UMEM must go, 'release' must delete the
 * user's sockets (calling xdp_umem_remove_user()) and arrange for it to
 * set up again. */
struct xdp_umem_user {
    struct ovs_list node;
    void (*release)(struct xdp_umem_user *);
};

struct xdp_umem *xdp_umem_get(const char *name, bool shared,
                              uint32_t n_frames, char **errorp);
void xdp_umem_add_user(struct xdp_umem *, struct xdp_umem_user *, int n);
void xdp_umem_remove_user(struct xdp_umem *, struct xdp_umem_user *, int n,
                          bool had_anchor);
void xdp_umem_sockets_changed(struct xdp_umem *, int delta);
void xdp_umem_set_anchor(struct xdp_umem *, int ifindex);
void xdp_umem_retire(struct xdp_umem *);
bool xdp_umem_has_room(const struct xdp_umem *, int n_sockets);
void xdp_umem_free_device(int ifindex);

bool xdp_umem_owns(const struct xdp_umem *, const struct dp_packet *);
uint64_t xdp_umem_addr(const struct xdp_umem *, const void *);
void *xdp_umem_ptr(const struct xdp_umem *, uint64_t addr);
struct dp_packet *xdp_umem_packet(struct xdp_umem *, uint64_t addr,
                                  uint32_t len);

#endif /* xdp-umem.h */
