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

#ifndef NETDEV_OFFLOAD_XDP_H
#define NETDEV_OFFLOAD_XDP_H 1

#include <stdbool.h>

#include "openvswitch/types.h"

struct ds;

/* The "xdp" flow API provider: megaflows of xdp datapaths into the XDP
 * flow table, through OVS's netdev offload API. */
void netdev_offload_xdp_register(void);
void netdev_offload_xdp_format_reasons(struct ds *);

/* Sets '*ufid' to the UFID under which the datapath knows the megaflow that
 * the flow API provider knows as 'mega_ufid'; false if there is none. */
typedef bool netdev_offload_xdp_ufid_fn(const ovs_u128 *mega_ufid,
                                        ovs_u128 *ufid, void *aux);
void netdev_offload_xdp_format_flows(struct ds *, bool verbose,
                                     netdev_offload_xdp_ufid_fn *,
                                     void *aux);

#endif /* netdev-offload-xdp.h */
