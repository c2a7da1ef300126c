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

#include "xdp-umem.h"

#include <errno.h>
#include <xdp/xsk.h>

#include "dp-packet.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(xdp_umem);

/* Shared UMEMs that take new sockets, by datapath name.  Only the main
 * thread configures ports, so no lock is needed. */
static struct shash shared_umems = SHASH_INITIALIZER(&shared_umems);

/* Every UMEM, retired ones included. */
static struct ovs_list all_umems = OVS_LIST_INITIALIZER(&all_umems);

static void
xdp_umem_destroy(struct xdp_umem *umem)
{
    if (!ovs_list_is_empty(&umem->node)) {
        ovs_list_remove(&umem->node);
    }
    if (umem->umem) {
        int error = xsk_umem__delete(umem->umem);
        if (error) {
            VLOG_WARN("%s: cannot free UMEM (%s)", umem->name,
                      ovs_strerror(-error));
        }
    }
    umem_pool_cleanup(&umem->pool);
    xpacket_pool_cleanup(&umem->xpool);
    free_pagealign(umem->buffer);
    free(umem->fill_tmp);
    free(umem->comp_tmp);
    free(umem->name);
    free(umem);
}

static struct xdp_umem *
xdp_umem_create(const char *name, bool shared, uint32_t n_frames,
                char **errorp)
{
    struct xsk_umem_config cfg = {
        .fill_size = XDP_UMEM_RING_SIZE,
        .comp_size = XDP_UMEM_RING_SIZE,
        .frame_size = XDP_UMEM_FRAME_SIZE,
        .frame_headroom = 0,
        .flags = 0,
    };
    struct xdp_umem *umem;
    int error;

    umem = xzalloc(sizeof *umem);
    umem->name = xstrdup(name);
    umem->shared = shared;
    umem->n_frames = n_frames;
    ovs_list_init(&umem->node);
    ovs_list_init(&umem->users);
    umem->buffer = xmalloc_pagealign((size_t) n_frames * XDP_UMEM_FRAME_SIZE);
    umem->fill_tmp = xzalloc(sizeof *umem->fill_tmp);
    umem->comp_tmp = xzalloc(sizeof *umem->comp_tmp);

    error = xsk_umem__create(&umem->umem, umem->buffer,
                             (uint64_t) n_frames * XDP_UMEM_FRAME_SIZE,
                             umem->fill_tmp, umem->comp_tmp, &cfg);
    if (error) {
        *errorp = xasprintf("%s: cannot register %"PRIu32" frames as UMEM "
                            "(%s)", name, n_frames, ovs_strerror(-error));
        umem->umem = NULL;
        xdp_umem_destroy(umem);
        return NULL;
    }

    umem_pool_init(&umem->pool, n_frames);
    xpacket_pool_init(&umem->xpool, n_frames);
    for (uint32_t i = 0; i < n_frames; i++) {
        umem_elem_push(&umem->pool,
                       (char *) umem->buffer + (size_t) i
                       * XDP_UMEM_FRAME_SIZE);
    }
    VLOG_INFO("%s: %s UMEM of %"PRIu32" frames", name,
              shared ? "shared" : "private", n_frames);
    ovs_list_push_back(&all_umems, &umem->node);
    return umem;
}

/* Returns the UMEM that a new socket of a port should use: the datapath's
 * shared one ('shared', 'name' is the datapath), created if needed, or a
 * new private one ('name' is the port). */
struct xdp_umem *
xdp_umem_get(const char *name, bool shared, uint32_t n_frames, char **errorp)
{
    struct xdp_umem *umem;

    *errorp = NULL;
    if (shared) {
        umem = shash_find_data(&shared_umems, name);
        if (umem) {
            return umem;
        }
    }
    umem = xdp_umem_create(name, shared, n_frames, errorp);
    if (umem && shared) {
        shash_add(&shared_umems, name, umem);
    }
    return umem;
}

/* Records that 'user' bound 'n' sockets to 'umem'. */
void
xdp_umem_add_user(struct xdp_umem *umem, struct xdp_umem_user *user, int n)
{
    umem->n_sockets += n;
    ovs_list_push_back(&umem->users, &user->node);
}

/* Takes 'umem' out of the datapath's choice for new sockets, for good.  Its
 * users keep it. */
void
xdp_umem_retire(struct xdp_umem *umem)
{
    if (!umem->retired) {
        umem->retired = true;
        if (umem->shared
            && shash_find_data(&shared_umems, umem->name) == umem) {
            shash_find_and_delete(&shared_umems, umem->name);
        }
    }
}

/* Records that the first socket of 'umem' is on device 'ifindex'. */
void
xdp_umem_set_anchor(struct xdp_umem *umem, int ifindex)
{
    umem->anchor_ifindex = ifindex;
    umem->anchor_parked = false;
}

/* True if 'umem' can take 'n_sockets' more sockets, each with
 * XDP_UMEM_SOCKET_FRAMES frames. */
bool
xdp_umem_has_room(const struct xdp_umem *umem, int n_sockets)
{
    return ((uint64_t) (umem->n_sockets + n_sockets) * XDP_UMEM_SOCKET_FRAMES
            <= umem->n_frames);
}

/* Records that a user of 'umem' has 'delta' more sockets (or fewer). */
void
xdp_umem_sockets_changed(struct xdp_umem *umem, int delta)
{
    umem->n_sockets += delta;
}

/* Records that 'user' deleted its 'n' sockets on 'umem', one of which was
 * the UMEM's first if 'had_anchor'.  Frees 'umem' with its last socket. */
void
xdp_umem_remove_user(struct xdp_umem *umem, struct xdp_umem_user *user,
                     int n, bool had_anchor)
{
    ovs_list_remove(&user->node);
    umem->n_sockets -= n;
    if (had_anchor) {
        /* libxdp leaves the first socket open and bound with the UMEM. */
        umem->anchor_parked = true;
    }
    if (!umem->n_sockets && !umem->releasing) {
        xdp_umem_retire(umem);
        xdp_umem_destroy(umem);
    }
}

/* Device 'ifindex' is about to be set up: if a UMEM's parked first socket
 * holds one of its queues, that UMEM must go, its users onto a new one. */
void
xdp_umem_free_device(int ifindex)
{
    struct xdp_umem *umem;

    LIST_FOR_EACH_SAFE (umem, node, &all_umems) {
        if (!umem->anchor_parked || umem->anchor_ifindex != ifindex
            || umem->releasing) {
            continue;
        }
        VLOG_INFO("%s: UMEM whose first socket holds a queue of ifindex %d "
                  "goes: its %d socket%s move to a new UMEM", umem->name,
                  ifindex, umem->n_sockets, umem->n_sockets == 1 ? "" : "s");
        xdp_umem_retire(umem);
        umem->releasing = true;
        while (!ovs_list_is_empty(&umem->users)) {
            struct xdp_umem_user *u = CONTAINER_OF(ovs_list_front(
                                          &umem->users),
                                          struct xdp_umem_user, node);
            u->release(u);
        }
        umem->releasing = false;
        xdp_umem_destroy(umem);
    }
}

/* True if 'packet' is a frame of 'umem'. */
bool
xdp_umem_owns(const struct xdp_umem *umem, const struct dp_packet *packet)
{
    if (packet->source != DPBUF_AFXDP) {
        return false;
    }
    const struct dp_packet_afxdp *xpacket
        = CONTAINER_OF(packet, struct dp_packet_afxdp, packet);
    return xpacket->mpool == &umem->pool;
}

uint64_t
xdp_umem_addr(const struct xdp_umem *umem, const void *p)
{
    return (const char *) p - (const char *) umem->buffer;
}

void *
xdp_umem_ptr(const struct xdp_umem *umem, uint64_t addr)
{
    return xsk_umem__get_data(umem->buffer, addr);
}

/* Makes the frame at 'addr' (an rx descriptor's address: frame plus
 * headroom) a packet of 'len' bytes, returned to the pool when freed. */
struct dp_packet *
xdp_umem_packet(struct xdp_umem *umem, uint64_t addr, uint32_t len)
{
    uint64_t frame = addr / XDP_UMEM_FRAME_SIZE;
    struct dp_packet_afxdp *xpacket = &umem->xpool.array[frame];
    char *data = xdp_umem_ptr(umem, addr);
    uint32_t headroom = addr % XDP_UMEM_FRAME_SIZE;

    dp_packet_use_afxdp(&xpacket->packet, data, XDP_UMEM_FRAME_SIZE,
                        headroom);
    dp_packet_set_size(&xpacket->packet, len);
    xpacket->mpool = &umem->pool;
    return &xpacket->packet;
}
