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
 * The first socket of a UMEM holds the UMEM's registration in the kernel,
 * on that socket's queue, until the UMEM is freed.  When that socket goes
 * while others still use the UMEM, the UMEM retires: its other users
 * release their sockets at once (so that the queue is free again) and are
 * asked to reconfigure onto a new UMEM. */
struct xdp_umem {
    char *name;                 /* Datapath name, or port name if private. */
    bool shared;
    bool retired;               /* No new sockets. */
    bool releasing;             /* Users are releasing their sockets. */
    int n_sockets;
    struct xsk_umem *umem;
    void *buffer;
    uint32_t n_frames;
    struct umem_pool pool;      /* Free frames (OVS's LIFO of pointers). */
    struct xpacket_pool xpool;  /* One dp_packet_afxdp per frame. */
    struct xsk_ring_prod *fill_tmp;   /* Rings made with the UMEM, taken */
    struct xsk_ring_cons *comp_tmp;   /* over by its first socket. */
    struct ovs_list users;      /* 'struct xdp_umem_user's. */
};

/* A port using a UMEM.  When the UMEM retires, 'release' must delete the
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

bool xdp_umem_owns(const struct xdp_umem *, const struct dp_packet *);
uint64_t xdp_umem_addr(const struct xdp_umem *, const void *);
void *xdp_umem_ptr(const struct xdp_umem *, uint64_t addr);
struct dp_packet *xdp_umem_packet(struct xdp_umem *, uint64_t addr,
                                  uint32_t len);

#endif /* xdp-umem.h */
