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

#ifndef NETDEV_XDP_PRIVATE_H
#define NETDEV_XDP_PRIVATE_H 1

/* The afxdp port class's own data, shared by its two halves: netdev-xdp.c
 * (the class: options, status, statistics, rx and tx) and
 * netdev-xdp-setup.c (setting a port up: the program on the device, the
 * sockets on a UMEM, where XDP can output).  Nothing else includes it. */

#include <stdbool.h>
#include <stdint.h>

/* Gives struct netdev_linux; it also defines static helpers unused here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "netdev-linux-private.h"
#pragma GCC diagnostic pop
#include "openvswitch/list.h"
#include "ovs-atomic.h"
#include "ovs-thread.h"
#include "xdp-umem.h"

struct xdp_prog;
struct xdp_xsk;

enum xdp_mode {
    XDP_MODE_BEST_EFFORT,
    XDP_MODE_NATIVE_ZC,
    XDP_MODE_NATIVE,
    XDP_MODE_GENERIC,
};


/* What the options of an afxdp port ask for. */
struct netdev_xdp_config {
    int n_rxq;
    enum xdp_mode mode;
    bool need_wakeup;
    int busy_poll;              /* Microseconds; 0: off. */
};

struct netdev_xdp {
    struct netdev_linux up;
    struct ovs_list list_node;  /* In 'netdev_xdp_list'. */

    /* Requested configuration (set_config), applied by reconfigure. */
    struct netdev_xdp_config requested;
    /* Configuration in use, while 'n_xsks' is nonzero. */
    struct netdev_xdp_config applied;
    /* Options that failed to set up while the port worked with others: not
     * tried again until they change.  Valid if 'config_error'. */
    struct netdev_xdp_config refused;
    enum xdp_mode mode;         /* XDP_MODE_NATIVE_ZC, _NATIVE or _GENERIC. */
    char *dp_name;
    int ifindex;
    struct xdp_prog *prog;
    int slot;
    struct xdp_umem *umem;
    struct xdp_umem_user umem_user;
    bool umem_anchor;           /* Our first socket is the UMEM's first. */
    char *umem_note;            /* Why the UMEM is private, or NULL. */
    struct xdp_xsk *xsks;       /* One socket per rx queue. */
    int n_xsks;
    char *error;                /* Why the port is not working, or NULL. */
    char *config_error;         /* Why the last options were refused while
                                 * the port kept the ones it had, or NULL. */
    int setup_error;            /* Errno value that goes with 'error'. */
    bool adding;                /* Being added to an xdp datapath. */
    odp_port_t odp_port;        /* Number in the datapath, or ODPP_NONE. */
    bool tx_ok;                 /* In 'tx_ports': XDP can output here. */
    char *tx_note;              /* Why XDP cannot output here, or NULL. */

    /* The program, for the flow offload provider, set while the port is
     * set up.  Protected by 'netdev_xdp_offload_mutex'. */
    struct xdp_prog *offload_prog;

    /* The kernel's drops of packets for userspace, summed over the
     * sockets, as last read (main thread). */
    uint64_t xsk_ring_full;
    uint64_t xsk_fill_empty;

    /* Egress QoS (netdev-xdp-qos.c), NULL if never configured. */
    struct netdev_xdp_qos *qos;
    const char *qos_output_reason;  /* Why QoS keeps XDP from outputting
                                     * here (the port shapes), or NULL. */
    void (*before_teardown)(struct netdev_xdp *);   /* Called by
                                                     * netdev_xdp_teardown()
                                                     * first. */

    /* Counters, updated by the thread that polls or sends. */
    atomic_uint64_t tx_no_copy;
    atomic_uint64_t tx_copy;
    atomic_uint64_t tx_dropped;
};

/* Protects what other threads read of a port: see netdev_xdp_get_port(). */
extern struct ovs_mutex netdev_xdp_offload_mutex;

struct netdev_xdp *netdev_xdp_cast(const struct netdev *);

/* For the class's members outside netdev-xdp.c, which only ever get an
 * afxdp netdev. */
static inline struct netdev_xdp *
netdev_xdp_from_netdev(const struct netdev *netdev)
{
    return CONTAINER_OF(netdev, struct netdev_xdp, up.up);
}

/* netdev-xdp-setup.c. */
const char *netdev_xdp_mode_name(enum xdp_mode);
bool netdev_xdp_mode_from_string(const char *, enum xdp_mode *);
int netdev_xdp_setup_or_revert(struct netdev_xdp *, char **error_msg);
int netdev_xdp_resize(struct netdev_xdp *);
void netdev_xdp_teardown(struct netdev_xdp *);
void netdev_xdp_umem_release(struct xdp_umem_user *);
int netdev_xdp_check_device(struct netdev *, int n_rxq, char **errorp);
int netdev_xdp_check_mtu(const char *name, int mtu, char **errorp);
void netdev_xdp_check_tx(struct netdev_xdp *);
int netdev_xdp_n_dev_rxq(const char *name);

/* netdev-xdp-qos.c. */
struct dp_packet_batch;
struct netdev_class;
struct smap;
void netdev_xdp_qos_init_class(struct netdev_class *);
bool netdev_xdp_qos_send(struct netdev_xdp *, struct dp_packet_batch *);
void netdev_xdp_qos_get_status(const struct netdev_xdp *, struct smap *);
void netdev_xdp_qos_destroy(struct netdev_xdp *);
void netdev_xdp_qos_port_up(struct netdev_xdp *);
void netdev_xdp_qos_drain(struct netdev_xdp *);
void netdev_xdp_qos_police(struct netdev_xdp *, struct dp_packet_batch *);
void netdev_xdp_qos_run(void);
void netdev_xdp_qos_wait(void);

#endif /* netdev-xdp-private.h */
