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

#ifndef DPIF_XDP_H
#define DPIF_XDP_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/types.h"
#include "xdp-prog.h"

struct dpif;

/* The "xdp" datapath type: OVS's userspace datapath (dpif-netdev) as the
 * slow path, with the XDP tier in front of it. */
#define DPIF_XDP_TYPE XDP_DATAPATH_TYPE

void dpif_xdp_register(void);
bool dpif_is_xdp(const struct dpif *);

/* For the datapath's commands (dpif-xdp-unixctl.c). */
struct nlattr;
bool dpif_xdp_mega_ufid(const struct nlattr *key, size_t key_len,
                        const struct nlattr *mask, size_t mask_len,
                        ovs_u128 *mega_ufid);
void dpif_xdp_unixctl_register(void);

#endif /* dpif-xdp.h */
