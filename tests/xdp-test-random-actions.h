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

#ifndef XDP_TEST_RANDOM_ACTIONS_H
#define XDP_TEST_RANDOM_ACTIONS_H 1

/* Random ODP action lists for differential tests of the XDP program's
 * actions: set and masked set actions on every field that XDP rewrites
 * (and SCTP ports, which it does not), VLAN pushes and pops, outputs and
 * drops, restricted to what the megaflow of a packet could have, as
 * ofproto-dpif's translation guarantees.  The sequence depends only on
 * OVS's random seed (random_set_seed()). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "odp-netlink.h"

struct flow;
struct ofpbuf;

/* The ODP port that XDP can output to (the ingress device: XDP_TX), and one
 * it cannot. */
#define OUT_PORT 2
#define NO_XDP_PORT 3

struct set_field {
    const char *name;
    enum ovs_key_attr key;
    size_t offset;              /* In the key attribute. */
    size_t size;
    size_t flow_offset;         /* Of the packet's value in struct flow. */
};

/* Every field that XDP rewrites, and SCTP ports, which it does not. */
#define N_SET_FIELDS 17
extern const struct set_field set_fields[N_SET_FIELDS];

/* The key attributes of those fields, for plain sets. */
#define N_SET_KEYS 6
extern const enum ovs_key_attr set_keys[N_SET_KEYS];

struct list_stats {
    bool unmasked;              /* A masked value with bits outside its
                                 * mask, which ofproto never emits. */
};

bool key_applies(enum ovs_key_attr, const struct flow *);
void put_set(struct ofpbuf *, enum ovs_key_attr, bool masked,
             uint32_t field_bits, const struct flow *, struct list_stats *);
void put_random_list(struct ofpbuf *, const struct flow *,
                     struct list_stats *);

#endif /* xdp-test-random-actions.h */
