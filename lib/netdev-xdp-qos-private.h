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

#ifndef NETDEV_XDP_QOS_PRIVATE_H
#define NETDEV_XDP_QOS_PRIVATE_H 1

/* Egress QoS of an afxdp port, shared by netdev-xdp-qos.c (configuration:
 * types, rows, statistics) and netdev-xdp-shaper.c (the transmit side of
 * shaping).  Nothing else includes it. */

#include <stdbool.h>
#include <stdint.h>

#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "smap.h"
#include "xdp-police-abi.h"
#include "xdp-policer.h"

struct netdev_xdp;
struct pifo_htb;
struct xdp_prog;

enum qos_kind {
    QOS_NOOP,                   /* linux-noop: nothing, as OVS. */
    QOS_SHAPE,                  /* linux-htb, linux-hfsc: the scheduler. */
    QOS_POLICE,                 /* egress-policer: a token bucket in XDP. */
    QOS_TRTCM,                  /* trtcm-policer: RFC 4115, per port and
                                 * per queue, in XDP. */
};

struct qos_type {
    const char *name;
    enum qos_kind kind;
    const char *const *qos_keys;        /* NULL-terminated. */
    const char *const *queue_keys;
    unsigned int n_queues;
};

/* A policer's keys in a QoS or Queue row, as OVS-DPDK's: cir and eir in
 * bytes per second, cbs and ebs in bytes. */
struct qos_policer_params {
    uint64_t cir, cbs, eir, ebs;
};

/* A Queue row, as applied. */
struct qos_queue {
    struct hmap_node node;      /* In 'qos->queues', by 'id'. */
    unsigned int id;
    uint64_t min_rate;          /* bit/s, 0: not set. */
    uint64_t max_rate;          /* bit/s, 0: not set (the port's). */
    uint64_t burst;             /* bits, 0: not set (default). */
    uint32_t priority;
    struct qos_policer_params police;   /* trtcm-policer. */
    uint32_t index;             /* In the scheduler, while it exists. */

    /* Statistics, kept across scheduler rebuilds. */
    uint64_t tx_packets;
    uint64_t tx_bytes;
    uint64_t tx_errors;         /* Dropped: queue full or no room. */
    long long int created;      /* time_msec(). */
};

struct netdev_xdp_qos {
    struct ovs_list node;       /* In 'netdev_xdp_qos_ports'. */
    struct netdev_xdp *dev;
    const struct qos_type *type;
    struct smap details;        /* QoS other_config as applied. */
    uint64_t max_rate;          /* bit/s. */
    struct qos_policer_params police;   /* Policer types. */
    struct hmap queues;         /* 'struct qos_queue's. */
    struct smap errors;         /* Why configurations were refused, by what
                                 * ("QoS", "queue N", "ingress policing"). */

    /* Interface ingress_policing_*, as set_policing() gave them (bursts
     * with OVS's defaults). */
    uint32_t kbits_rate, kbits_burst, kpkts_rate, kpkts_burst;

    /* Queue policers written to the program for the port's 'slot'. */
    const struct xdp_prog *police_prog;
    int police_slot;
    unsigned int police_queues[XDP_POLICE_MAX_QUEUES];
    size_t n_police_queues;

    /* The scheduler: rebuilt from 'queues' when they change. */
    struct pifo_htb *htb;
    bool stale;                 /* 'htb' does not match 'queues'. */
    uint64_t ring_full_wait;    /* ns before looking again at a full TX
                                 * ring, 0 if it had room. */
    uint32_t held_frames;       /* Queued packets that are UMEM frames. */
    struct qos_queue **by_index;
    uint32_t n_indexes;
};

/* Ports with QoS, for the datapath's run and wait.  Main thread only. */
extern struct ovs_list netdev_xdp_qos_ports;

/* netdev-xdp-qos-state.c. */
struct qos_queue *qos_queue_find(const struct netdev_xdp_qos *,
                                 unsigned int id);
int qos_mtu(const struct netdev_xdp *);
struct netdev_xdp_qos *qos_get(struct netdev_xdp *);
void qos_note_error(struct netdev_xdp *, struct netdev_xdp_qos *,
                    const char *what, char *msg);

/* netdev-xdp-police.c. */
struct netdev;
struct netdev_queue_stats;
bool qos_is_policer(const struct netdev_xdp_qos *);
void qos_apply_policers(struct netdev_xdp *);
void qos_policer_stats(const struct netdev_xdp *, enum xdp_policer_point,
                       uint32_t queue_id, struct netdev_queue_stats *);
int netdev_xdp_set_policing(struct netdev *, uint32_t kbits_rate,
                            uint32_t kbits_burst, uint32_t kpkts_rate,
                            uint32_t kpkts_burst);

/* netdev-xdp-shaper.c. */
void qos_build_scheduler(struct netdev_xdp_qos *);
void qos_destroy_scheduler(struct netdev_xdp_qos *);

#endif /* netdev-xdp-qos-private.h */
