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

#ifndef XDP_FLOW_USER_H
#define XDP_FLOW_USER_H 1

/* Conversions between Open vSwitch's struct flow and struct match and the
 * XDP flow key and mask (datapath-xdp/xdp-flow-abi.h). */

#include <stddef.h>
#include <stdint.h>

#include "xdp-flow-abi.h"

struct ds;
struct flow;
struct match;

void xdp_flow_key_from_flow(struct xdp_flow_key *, const struct flow *);
void xdp_flow_key_to_flow(const struct xdp_flow_key *, struct flow *);

const char *xdp_flow_match_unsupported(const struct match *);
const char *xdp_flow_from_match(const struct match *,
                                struct xdp_flow_key *key,
                                struct xdp_flow_key *mask);
void xdp_flow_to_match(const struct xdp_flow_key *key,
                       const struct xdp_flow_key *mask, struct match *);

void xdp_flow_key_mask(struct xdp_flow_key *dst,
                       const struct xdp_flow_key *key,
                       const struct xdp_flow_key *mask);
/* Words of struct xdp_flow_key: recirc_id's, and the last (pad), zero in
 * every packet's key. */
#define XDP_FLOW_RECIRC_WORD 1
#define XDP_FLOW_PAD_WORD 31

void xdp_flow_mask_compile(const struct xdp_flow_key *mask,
                           struct xdp_flow_mask *);
uint32_t xdp_flow_mask_passes(const struct xdp_flow_key *mask,
                              const struct xdp_flow_key *key);
size_t xdp_flow_lookup_make(const struct xdp_flow_mask *, uint32_t mask_index,
                            const struct xdp_flow_key *key,
                            struct xdp_flow_lookup *);
size_t xdp_flow_lookup_size(enum xdp_flow_width);
void xdp_flow_key_format(struct ds *, const struct xdp_flow_key *);

#endif /* xdp-flow.h */
