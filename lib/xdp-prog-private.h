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

#ifndef XDP_PROG_PRIVATE_H
#define XDP_PROG_PRIVATE_H 1

/* The program's own data, shared by its two halves: xdp-prog.c (loading,
 * pinning, attaching, the datapath's settings) and xdp-prog-ports.c (the
 * port maps: slots, 'port_map', 'port_index', 'xsk_map', 'tx_ports', and
 * their check).  Nothing else includes it. */

#include <stdbool.h>
#include <stdint.h>

#include "openvswitch/hmap.h"
#include "openvswitch/thread.h"
#include "xdp-abi.h"

/* What userspace wrote for a port in the port maps, for xdp/check. */
struct xdp_prog_port {
    struct hmap_node node;      /* In 'xdp_prog->ports', by ifindex. */
    uint32_t ifindex;
    bool in_port_map;           /* In 'port_map' (and 'port_index'). */
    struct xdp_abi_port port;   /* Its 'port_map' value, if so. */
    bool in_tx_ports;           /* In 'tx_ports'. */
};

struct xdp_prog {
    char *dp_name;
    int refcount;
    struct ovs_xdp *skel;
    uint32_t prog_id;
    uint64_t meta_cookie;       /* The program's 'meta_cookie'. */
    char *pin_dir;
    int pin_lock_fd;            /* flock() on pin_dir, held while alive. */
    unsigned long *slots;       /* XDP_ABI_MAX_PORTS bits: slots in use. */
    struct hmap attachments;
    struct hmap ports;          /* 'struct xdp_prog_port's. */
    struct xdp_flow_table *flows;
    struct xdp_policers *policers;  /* Its policers (lib/xdp-policer.c). */
    int vlan_limit;             /* 'flow_vlan_limit' given to the parser,
                                 * -1 if none yet. */
};

extern struct ovs_mutex xdp_prog_mutex;

#endif /* xdp-prog-private.h */
