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

#ifndef XDP_ODP_ACTIONS_H
#define XDP_ODP_ACTIONS_H 1

/* Translation between OVS datapath (ODP) actions and the actions of an XDP
 * flow entry (datapath-xdp/xdp-flow-abi.h), both ways.  Independent of OVS's
 * offload API. */

#include <stddef.h>
#include <stdint.h>

#include "openvswitch/types.h"
#include "xdp-flow.h"

struct nlattr;
struct ofpbuf;

/* Returns the ifindex that XDP outputs to for datapath port 'port', or 0
 * with a reason in '*reason' if XDP cannot output to it. */
typedef uint32_t xdp_odp_port_to_ifindex(odp_port_t port, void *aux,
                                         const char **reason);
/* Returns the datapath port of 'ifindex', or ODPP_NONE. */
typedef odp_port_t xdp_odp_ifindex_to_port(uint32_t ifindex, void *aux);

const char *xdp_odp_actions_to_entry(const struct nlattr *actions,
                                     size_t actions_len,
                                     xdp_odp_port_to_ifindex *, void *aux,
                                     struct xdp_flow_entry *);
void xdp_odp_actions_from_entry(const struct xdp_flow_entry *,
                                xdp_odp_ifindex_to_port *, void *aux,
                                struct ofpbuf *);
void xdp_flow_entry_make_partial(struct xdp_flow_entry *);
bool xdp_flow_entry_is_partial(const struct xdp_flow_entry *);

#endif /* xdp-odp-actions.h */
