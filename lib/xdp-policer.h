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

#ifndef XDP_POLICER_H
#define XDP_POLICER_H 1

/* The policers of a datapath's XDP program, from userspace: token buckets
 * (GCRA) in a map that userspace mmaps, so that the program's packets and
 * userspace's sends take from the same bucket.  Per port (its slot in the
 * program): ingress policers, run by XDP on every frame the port receives
 * before the flow lookup; an egress policer and up to
 * XDP_POLICE_MAX_QUEUES queue policers, run by XDP on every frame it
 * outputs to the port (the port's and queue 0's) and by
 * xdp_policer_admit() on every frame userspace sends there (the port's and
 * the frame's queue's).  See Documentation/topics/qos.rst, "Policing in
 * XDP".
 *
 * Thread safety: xdp_policer_admit() and xdp_policer_get_stats() may run
 * in any thread at any time; the others are serialized inside. */

#include <stdbool.h>
#include <stdint.h>

#include "xdp-police-abi.h"

struct ds;
struct xdp_policers;

/* What a policer is. */
enum xdp_policer_kind {
    XDP_POLICER_NONE = XDP_POLICE_NONE,         /* No policer. */
    XDP_POLICER_BYTES = XDP_POLICE_BYTES,       /* 'rate' bytes/s, 'burst'
                                                 * bytes. */
    XDP_POLICER_PACKETS = XDP_POLICE_PACKETS,   /* 'rate' packets/s,
                                                 * 'burst' packets. */
    XDP_POLICER_TRTCM = XDP_POLICE_TRTCM,       /* RFC 4115: committed
                                                 * 'rate'/'burst' and excess
                                                 * 'eir'/'ebs', in bytes/s
                                                 * and bytes. */
};

struct xdp_policer_config {
    enum xdp_policer_kind kind;
    uint64_t rate;              /* Bytes/s or packets/s (trTCM: cir). */
    uint64_t burst;             /* Bytes or packets (trTCM: cbs). */
    uint64_t eir;               /* trTCM only, bytes/s (0: no excess). */
    uint64_t ebs;               /* trTCM only, bytes. */
};

/* Where a policer of a port applies. */
enum xdp_policer_point {
    XDP_POLICER_INGRESS = XDP_POLICE_INGRESS,           /* Received frames
                                                         * (byte rate). */
    XDP_POLICER_INGRESS_PKTS = XDP_POLICE_INGRESS_PKTS, /* Received frames
                                                         * (packet rate). */
    XDP_POLICER_EGRESS = XDP_POLICE_EGRESS,             /* Frames sent: the
                                                         * port's. */
    XDP_POLICER_QUEUE = XDP_POLICE_QUEUE0,              /* Frames sent: the
                                                         * queue's. */
};

/* The maps of a loaded program that hold its policers. */
struct xdp_policer_maps {
    int policers;               /* 'policers' (mmapable). */
    int stats;                  /* 'police_stats'. */
    int ports;                  /* 'police_ports'. */
    int ports_big;              /* 'police_ports_big'. */
    uint32_t *active;           /* 'police_active' in the mmapped .bss. */
};

/* Decisions of one policer, by color (XDP_POLICE_GREEN, _YELLOW: passed;
 * _RED: dropped), in XDP and in userspace.  Bytes are whole frames. */
struct xdp_policer_stats {
    struct xdp_police_count xdp;
    struct xdp_police_count user;
};

struct xdp_policers *xdp_policers_create(const struct xdp_policer_maps *,
                                         char **errorp);
void xdp_policers_destroy(struct xdp_policers *);

/* Configuration (ovs-vswitchd's QoS code). */
int xdp_policer_check(const struct xdp_policer_config *, char **errorp);
int xdp_policer_set(struct xdp_policers *, int slot,
                    enum xdp_policer_point, uint32_t queue_id,
                    const struct xdp_policer_config *, char **errorp);
void xdp_policer_clear_port(struct xdp_policers *, int slot);
int xdp_policer_get(const struct xdp_policers *, int slot,
                    enum xdp_policer_point, uint32_t queue_id,
                    struct xdp_policer_config *);

/* Ports (lib/xdp-prog-ports.c): which ifindex has which slot. */
void xdp_policers_bind_port(struct xdp_policers *, uint32_t ifindex,
                            int slot);
void xdp_policers_unbind_port(struct xdp_policers *, uint32_t ifindex);

/* Userspace sends. */
uint64_t xdp_policer_now(void);
bool xdp_policer_egress_active(const struct xdp_policers *, int slot);
bool xdp_policer_admit(struct xdp_policers *, int slot, uint32_t queue_id,
                       uint32_t len, uint64_t now_ns);

/* Statistics. */
int xdp_policer_get_stats(const struct xdp_policers *, int slot,
                          enum xdp_policer_point, uint32_t queue_id,
                          struct xdp_policer_stats *);
void xdp_policer_format_port(const struct xdp_policers *, int slot,
                             struct ds *);

#endif /* xdp-policer.h */
