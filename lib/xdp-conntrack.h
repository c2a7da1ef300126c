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

#ifndef XDP_CONNTRACK_H
#define XDP_CONNTRACK_H 1

/* The keeper of the XDP conntrack cache: keeps the program's 'ct_keys4',
 * 'ct_keys6', 'ct_conns' and 'ct_expire' maps (datapath-xdp/xdp-ct-abi.h)
 * in step with OVS's userspace conntrack, through the offload hook of
 * ovs-patches/0001-conntrack-offload-hook.patch.
 *
 * One 'struct xdp_conntrack' per conntrack (per datapath).  It offloads a
 * connection when conntrack says it is established, removes it when
 * conntrack deletes it, takes back a connection the program handed back
 * (xdp_conntrack_hand_back()) and brings XDP's last use and counters into
 * conntrack (xdp_conntrack_sync()).  See
 * Documentation/topics/conntrack-offload.rst. */

#include <stdbool.h>
#include <stdint.h>

#include "xdp-ct-abi.h"

struct conntrack;
struct ct_dpif_tuple;
struct ds;

/* The cache's maps, as file descriptors (the cache dups them). */
struct xdp_ct_maps {
    int keys4;                  /* 'ct_keys4': IPv4 connections. */
    int keys6;                  /* 'ct_keys6': IPv6 connections. */
    int conns;                  /* 'ct_conns'. */
    int expire;                 /* 'ct_expire'. */
};

/* Size of the cache (other_config:xdp-max-conns): the program sizes
 * 'ct_conns' and 'ct_expire' with it, each keys map with twice it. */
void xdp_conntrack_set_max_conns(uint32_t);
uint32_t xdp_conntrack_max_conns(void);

struct xdp_conntrack *xdp_conntrack_create(struct conntrack *);
void xdp_conntrack_destroy(struct xdp_conntrack *);
struct xdp_conntrack *xdp_conntrack_find(const struct conntrack *);
struct xdp_conntrack *xdp_conntrack_get(struct conntrack *);
struct xdp_conntrack *xdp_conntrack_find_by_cookie(uint64_t meta_cookie);

void xdp_conntrack_bind(struct xdp_conntrack *, const struct xdp_ct_maps *,
                        uint64_t meta_cookie);
uint64_t xdp_conntrack_cookie(const struct xdp_conntrack *);

void xdp_conntrack_hand_back(struct xdp_conntrack *, uint32_t slot);
void xdp_conntrack_hand_back_by_cookie(uint64_t meta_cookie,
                                       uint32_t ct_slot);

#define XDP_CONNTRACK_SYNC_MSEC 500
void xdp_conntrack_sync(struct xdp_conntrack *, bool force);

struct xdp_conntrack_stats {
    uint32_t n_conns;           /* Connections in the cache. */
    uint32_t max_conns;         /* Its size (0 without a program). */
    uint64_t n_full;            /* Offers of established connections
                                 * refused, cache full (one per packet
                                 * conntrack accepts while it is). */
    uint64_t n_offloaded;       /* Connections put in the cache. */
    uint64_t n_deleted;         /* Removed because conntrack deleted
                                 * them. */
    uint64_t n_handed_back;     /* Taken back from the program. */
    uint64_t n_errors;          /* Map updates that failed. */
    bool value_lock;            /* Slots read and written with
                                 * BPF_F_LOCK. */
};
void xdp_conntrack_get_stats(const struct xdp_conntrack *,
                             struct xdp_conntrack_stats *);
void xdp_conntrack_format_conns(const struct xdp_conntrack *, struct ds *);

/* Exposed for tests. */
void xdp_conntrack_key_from_tuple(const struct ct_dpif_tuple *,
                                  uint16_t zone, struct xdp_ct_key *);
void xdp_conntrack_ref_set_nat(struct xdp_ct_ref *, uint16_t nat_action,
                               bool reply, const struct xdp_ct_key *other);
uint8_t xdp_conntrack_tcp_shift(uint8_t own_wscale, uint8_t other_wscale);
int xdp_conntrack_keys_update(const struct xdp_ct_maps *,
                              const struct xdp_ct_key *,
                              const struct xdp_ct_ref *);
int xdp_conntrack_keys_lookup(const struct xdp_ct_maps *,
                              const struct xdp_ct_key *, struct xdp_ct_ref *);
int xdp_conntrack_slot_of_key(const struct xdp_conntrack *,
                              const struct xdp_ct_key *,
                              struct xdp_ct_ref *);

#endif /* xdp-conntrack.h */
