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

#ifndef NETDEV_XDP_H
#define NETDEV_XDP_H 1

#include <stdbool.h>

#include "openvswitch/types.h"

struct netdev;
struct xdp_prog;

/* The "afxdp" port type of ovs-xdp: the datapath's XDP program on the
 * device and one AF_XDP socket per rx queue on the datapath's shared UMEM.
 * It takes the place of OVS's own "afxdp" type. */
void netdev_xdp_register(void);
bool netdev_is_xdp(const struct netdev *);
int netdev_xdp_get_setup_error(const struct netdev *);
void netdev_xdp_set_adding(struct netdev *, bool adding);
void netdev_xdp_set_odp_port(struct netdev *, odp_port_t);
odp_port_t netdev_xdp_get_odp_port(const struct netdev *);

/* What the flow offload provider needs of a port. */
struct netdev_xdp_port {
    struct xdp_prog *prog;      /* A reference: xdp_prog_unref() it. */
    int ifindex;
    odp_port_t odp_port;
    bool tx_ok;                 /* XDP can output to the port. */
};
bool netdev_xdp_get_port(const struct netdev *, struct netdev_xdp_port *);

void netdev_xdp_run(void);
void netdev_xdp_wait(void);
unsigned int netdev_xdp_full_batches(void);
void netdev_xdp_upkeep(void);

struct ds;
void netdev_xdp_format_ports(struct ds *, const struct xdp_prog *,
                             bool verbose);
void netdev_xdp_format_errors(struct ds *);

#endif /* netdev-xdp.h */
