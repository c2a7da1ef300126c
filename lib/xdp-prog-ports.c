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

/* The port maps of a datapath's XDP program: which ports it runs on and
 * their numbers ('port_map', 'port_index'), the block of 'xsk_map' that
 * each port's sockets take (its slot), and where XDP may output
 * ('tx_ports').  Userspace keeps what it wrote, so that xdp/check can read
 * the maps back and repair them.  Loading and attaching the program is
 * xdp-prog.c's. */

#include <config.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bitmap.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "ovs-xdp.skel.h"
#include "util.h"
#include "xdp-flow-table.h"
#include "xdp-map.h"
#include "xdp-policer.h"
#include "xdp-prog.h"
#include "xdp-prog-private.h"

VLOG_DEFINE_THIS_MODULE(xdp_prog_ports);

/* Returns a free port slot (a block of XDP_ABI_MAX_QUEUES sockets in the
 * XSKMAP), or -1 if the datapath has XDP_ABI_MAX_PORTS ports already. */
int
xdp_prog_slot_alloc(struct xdp_prog *prog)
{
    int slot;

    ovs_mutex_lock(&xdp_prog_mutex);
    slot = bitmap_scan(prog->slots, 0, 0, XDP_ABI_MAX_PORTS);
    if (slot < XDP_ABI_MAX_PORTS) {
        bitmap_set1(prog->slots, slot);
    } else {
        slot = -1;
    }
    ovs_mutex_unlock(&xdp_prog_mutex);
    return slot;
}

void
xdp_prog_slot_free(struct xdp_prog *prog, int slot)
{
    if (slot >= 0) {
        /* The next port in the slot starts without policers. */
        xdp_policer_clear_port(prog->policers, slot);
        ovs_mutex_lock(&xdp_prog_mutex);
        bitmap_set0(prog->slots, slot);
        ovs_mutex_unlock(&xdp_prog_mutex);
    }
}

/* Checked writes to a map of the skeleton, logged with its name. */
static int
xdp_prog_map_update(const struct bpf_map *map, const void *key,
                    const void *value, uint64_t flags)
{
    return xdp_map_update(bpf_map__fd(map), bpf_map__name(map), key, value,
                          flags);
}

static int
xdp_prog_map_delete(const struct bpf_map *map, const void *key)
{
    return xdp_map_delete(bpf_map__fd(map), bpf_map__name(map), key);
}

/* Makes 'ifindex' port 'port' of the program of 'skel'.  Returns 0 or a
 * positive errno value, with nothing written. */
int
xdp_prog_skel_set_port(const struct ovs_xdp *skel, uint32_t ifindex,
                       const struct xdp_abi_port *port)
{
    int error;

    error = xdp_prog_map_update(skel->maps.port_map, &ifindex, port,
                                BPF_ANY);
    if (error) {
        return error;
    }
    if (ifindex < XDP_ABI_PORT_INDEX_SIZE) {
        struct xdp_abi_port value = *port;

        value.in_use = 1;
        error = xdp_prog_map_update(skel->maps.port_index, &ifindex, &value,
                                    BPF_ANY);
        if (error) {
            xdp_prog_map_delete(skel->maps.port_map, &ifindex);
            return error;
        }
    }
    return 0;
}

static struct xdp_prog_port *
xdp_prog_port_find(struct xdp_prog *prog, uint32_t ifindex)
    OVS_REQUIRES(xdp_prog_mutex)
{
    struct xdp_prog_port *p;

    HMAP_FOR_EACH_WITH_HASH (p, node, hash_int(ifindex, 0), &prog->ports) {
        if (p->ifindex == ifindex) {
            return p;
        }
    }
    return NULL;
}

static struct xdp_prog_port *
xdp_prog_port_get(struct xdp_prog *prog, uint32_t ifindex)
    OVS_REQUIRES(xdp_prog_mutex)
{
    struct xdp_prog_port *p = xdp_prog_port_find(prog, ifindex);

    if (!p) {
        p = xzalloc(sizeof *p);
        p->ifindex = ifindex;
        hmap_insert(&prog->ports, &p->node, hash_int(ifindex, 0));
    }
    return p;
}

static void
xdp_prog_port_put(struct xdp_prog *prog, struct xdp_prog_port *p)
    OVS_REQUIRES(xdp_prog_mutex)
{
    if (p && !p->in_port_map && !p->in_tx_ports) {
        hmap_remove(&prog->ports, &p->node);
        free(p);
    }
}

int
xdp_prog_set_port(struct xdp_prog *prog, int ifindex,
                  const struct xdp_abi_port *port)
{
    int error;

    struct xdp_prog_port *p;

    ovs_mutex_lock(&xdp_prog_mutex);
    error = xdp_prog_skel_set_port(prog->skel, ifindex, port);
    p = xdp_prog_port_get(prog, ifindex);
    /* After a failure the port is not one: what is left of it in the
     * maps is stale. */
    p->in_port_map = !error;
    p->port = *port;
    if (!error) {
        xdp_policers_bind_port(prog->policers, ifindex, port->slot);
    }
    xdp_prog_port_put(prog, p);
    ovs_mutex_unlock(&xdp_prog_mutex);
    return error;
}

void
xdp_prog_del_port(struct xdp_prog *prog, int ifindex)
{
    uint32_t key = ifindex;
    struct xdp_prog_port *p;

    ovs_mutex_lock(&xdp_prog_mutex);
    if (key < XDP_ABI_PORT_INDEX_SIZE) {
        struct xdp_abi_port zero = { .in_use = 0 };

        xdp_prog_map_update(prog->skel->maps.port_index, &key, &zero,
                            BPF_ANY);
    }
    xdp_prog_map_delete(prog->skel->maps.port_map, &key);
    xdp_policers_unbind_port(prog->policers, key);
    /* Failures are logged; xdp/check finds what they left. */
    p = xdp_prog_port_find(prog, key);
    if (p) {
        p->in_port_map = false;
        xdp_prog_port_put(prog, p);
    }
    ovs_mutex_unlock(&xdp_prog_mutex);
}

int
xdp_prog_set_xsk(struct xdp_prog *prog, int slot, int queue, int xsk_fd)
{
    uint32_t key = slot * XDP_ABI_MAX_QUEUES + queue;
    uint32_t fd = xsk_fd;

    return xdp_prog_map_update(prog->skel->maps.xsk_map, &key, &fd, BPF_ANY);
}

/* Lets flows output to 'ifindex' in XDP ('deliverable') or not.  Returns 0
 * or a positive errno value. */
int
xdp_prog_set_tx_port(struct xdp_prog *prog, int ifindex, bool deliverable)
{
    uint32_t key = ifindex;
    struct xdp_prog_port *p;
    int error;

    ovs_mutex_lock(&xdp_prog_mutex);
    if (deliverable) {
        struct bpf_devmap_val val = { .ifindex = ifindex, .bpf_prog.fd = -1 };

        error = xdp_prog_map_update(prog->skel->maps.tx_ports, &key, &val, 0);
        p = xdp_prog_port_get(prog, key);
        p->in_tx_ports = !error;
        xdp_prog_port_put(prog, p);
    } else {
        error = xdp_prog_map_delete(prog->skel->maps.tx_ports, &key);
        if (error == ENOENT) {
            error = 0;
        }
        /* Even if the delete failed: the entry is stale for xdp/check. */
        p = xdp_prog_port_find(prog, key);
        if (p) {
            p->in_tx_ports = false;
            xdp_prog_port_put(prog, p);
        }
    }
    ovs_mutex_unlock(&xdp_prog_mutex);
    return error;
}

void
xdp_prog_del_xsk(struct xdp_prog *prog, int slot, int queue)
{
    uint32_t key = slot * XDP_ABI_MAX_QUEUES + queue;

    xdp_prog_map_delete(prog->skel->maps.xsk_map, &key);
}

static int
xdp_prog_compare_ports(const void *a_, const void *b_)
{
    const struct xdp_prog_port *const *a = a_;
    const struct xdp_prog_port *const *b = b_;

    return ((*a)->ifindex < (*b)->ifindex ? -1
            : (*a)->ifindex > (*b)->ifindex);
}

static int
xdp_prog_compare_u32(const void *a_, const void *b_)
{
    const uint32_t *a = a_, *b = b_;

    return *a < *b ? -1 : *a > *b;
}

/* Returns a new array of the ports of 'prog' that are in 'port_map' (with
 * 'in_port_map') or 'tx_ports' (otherwise), by ifindex, and their number
 * in '*n'. */
static struct xdp_prog_port **
xdp_prog_sorted_ports(struct xdp_prog *prog, bool in_port_map, size_t *n)
    OVS_REQUIRES(xdp_prog_mutex)
{
    struct xdp_prog_port **ports, *p;

    ports = xmalloc(MAX(1, hmap_count(&prog->ports)) * sizeof *ports);
    *n = 0;
    HMAP_FOR_EACH (p, node, &prog->ports) {
        if (in_port_map ? p->in_port_map : p->in_tx_ports) {
            ports[(*n)++] = p;
        }
    }
    qsort(ports, *n, sizeof *ports, xdp_prog_compare_ports);
    return ports;
}

/* A port map being checked. */
struct xdp_prog_walk {
    struct xdp_check *check;
    const struct bpf_map *map;  /* Hash map keyed by ifindex (u32). */
};

/* Walks the keys of 'w->map' and 'ports' (sorted by ifindex) together,
 * calling 'stale' for a key that no port has, 'missing' for a port that the
 * map lacks and 'same' for a port that it has. */
static void
xdp_prog_walk_ports(struct xdp_prog_walk *w, struct xdp_prog_port **ports,
                    size_t n_ports,
                    void (*stale)(struct xdp_prog_walk *, uint32_t ifindex),
                    void (*missing)(struct xdp_prog_walk *,
                                    const struct xdp_prog_port *),
                    void (*same)(struct xdp_prog_walk *,
                                 const struct xdp_prog_port *))
{
    uint32_t *keys;
    size_t n_keys, i, j;

    n_keys = xdp_map_keys(bpf_map__fd(w->map), sizeof *keys,
                          bpf_map__max_entries(w->map), (void **) &keys);
    qsort(keys, n_keys, sizeof *keys, xdp_prog_compare_u32);
    i = j = 0;
    while (i < n_keys || j < n_ports) {
        if (j >= n_ports || (i < n_keys && keys[i] < ports[j]->ifindex)) {
            stale(w, keys[i++]);
        } else if (i >= n_keys || keys[i] > ports[j]->ifindex) {
            missing(w, ports[j++]);
        } else {
            same(w, ports[j]);
            i++;
            j++;
        }
    }
    free(keys);
}

static void
xdp_prog_port_map_stale(struct xdp_prog_walk *w, uint32_t ifindex)
{
    int error = xdp_prog_map_delete(w->map, &ifindex);

    xdp_check_diff(w->check, error == ENOENT ? 0 : error, "stale entry in "
                   "port_map: ifindex %"PRIu32" not a port", ifindex);
}

static void
xdp_prog_port_map_missing(struct xdp_prog_walk *w,
                          const struct xdp_prog_port *p)
{
    int error = xdp_prog_map_update(w->map, &p->ifindex, &p->port, BPF_ANY);

    xdp_check_diff(w->check, error, "port ifindex %"PRIu32": missing in "
                   "port_map", p->ifindex);
}

static void
xdp_prog_port_map_same(struct xdp_prog_walk *w, const struct xdp_prog_port *p)
{
    struct xdp_abi_port value;

    if (bpf_map_lookup_elem(bpf_map__fd(w->map), &p->ifindex, &value)
        || memcmp(&value, &p->port, sizeof value)) {
        int error = xdp_prog_map_update(w->map, &p->ifindex, &p->port,
                                        BPF_ANY);

        xdp_check_diff(w->check, error, "port ifindex %"PRIu32": differs in "
                       "port_map", p->ifindex);
    }
}

static void
xdp_prog_tx_ports_stale(struct xdp_prog_walk *w, uint32_t ifindex)
{
    int error = xdp_prog_map_delete(w->map, &ifindex);

    xdp_check_diff(w->check, error == ENOENT ? 0 : error, "stale entry in "
                   "tx_ports: ifindex %"PRIu32" not a port that takes "
                   "output from XDP", ifindex);
}

static void
xdp_prog_tx_ports_missing(struct xdp_prog_walk *w,
                          const struct xdp_prog_port *p)
{
    struct bpf_devmap_val val = { .ifindex = p->ifindex, .bpf_prog.fd = -1 };
    int error = xdp_prog_map_update(w->map, &p->ifindex, &val, 0);

    xdp_check_diff(w->check, error, "port ifindex %"PRIu32": missing in "
                   "tx_ports", p->ifindex);
}

static void
xdp_prog_tx_ports_same(struct xdp_prog_walk *w,
                       const struct xdp_prog_port *p)
{
    struct bpf_devmap_val value;

    if (bpf_map_lookup_elem(bpf_map__fd(w->map), &p->ifindex, &value)
        || value.ifindex != p->ifindex) {
        struct bpf_devmap_val val = { .ifindex = p->ifindex,
                                      .bpf_prog.fd = -1 };
        int error = xdp_prog_map_update(w->map, &p->ifindex, &val, 0);

        xdp_check_diff(w->check, error, "port ifindex %"PRIu32": differs in "
                       "tx_ports", p->ifindex);
    }
}

/* Reads all of 'port_index' into 'values' (XDP_ABI_PORT_INDEX_SIZE of
 * them): in batches where the kernel can, else one by one.  Returns 0 or a
 * positive errno value. */
static int
xdp_prog_read_port_index(const struct xdp_prog *prog,
                         struct xdp_abi_port *values)
{
    int fd = bpf_map__fd(prog->skel->maps.port_index);
    uint32_t *keys = xmalloc(XDP_ABI_PORT_INDEX_SIZE * sizeof *keys);
    uint32_t count = XDP_ABI_PORT_INDEX_SIZE, out_batch;
    LIBBPF_OPTS(bpf_map_batch_opts, opts);
    int error = 0;

    if ((!bpf_map_lookup_batch(fd, NULL, &out_batch, keys, values, &count,
                               &opts) || errno == ENOENT)
        && count == XDP_ABI_PORT_INDEX_SIZE) {
        /* An array gives its keys in order. */
        for (uint32_t i = 0; i < count; i++) {
            if (keys[i] != i) {
                error = EPROTO;
                break;
            }
        }
    } else {
        for (uint32_t i = 0; i < XDP_ABI_PORT_INDEX_SIZE; i++) {
            if (bpf_map_lookup_elem(fd, &i, &values[i])) {
                error = errno;
                break;
            }
        }
    }
    free(keys);
    return error;
}

static void
xdp_prog_check_port_index(struct xdp_prog *prog, struct xdp_check *check)
    OVS_REQUIRES(xdp_prog_mutex)
{
    struct xdp_abi_port *values = xmalloc(XDP_ABI_PORT_INDEX_SIZE
                                          * sizeof *values);
    struct xdp_abi_port *expected = xcalloc(XDP_ABI_PORT_INDEX_SIZE,
                                            sizeof *expected);
    const struct bpf_map *map = prog->skel->maps.port_index;
    struct xdp_prog_port *p;
    int error;

    HMAP_FOR_EACH (p, node, &prog->ports) {
        if (p->in_port_map && p->ifindex < XDP_ABI_PORT_INDEX_SIZE) {
            expected[p->ifindex] = p->port;
            expected[p->ifindex].in_use = 1;
        }
    }
    error = xdp_prog_read_port_index(prog, values);
    if (error) {
        xdp_check_diff(check, error, "cannot read port_index");
        goto out;
    }
    for (uint32_t i = 0; i < XDP_ABI_PORT_INDEX_SIZE; i++) {
        if (!memcmp(&values[i], &expected[i], sizeof values[i])) {
            continue;
        }
        error = xdp_prog_map_update(map, &i, &expected[i], BPF_ANY);
        if (!expected[i].in_use) {
            xdp_check_diff(check, error, "stale entry in port_index: ifindex "
                           "%"PRIu32" not a port", i);
        } else {
            xdp_check_diff(check, error, "port ifindex %"PRIu32": %s in "
                           "port_index", i,
                           values[i].in_use ? "differs" : "missing");
        }
    }
out:
    free(values);
    free(expected);
}

static void
xdp_prog_check_ports(struct xdp_prog *prog, struct xdp_check *check)
    OVS_REQUIRES(xdp_prog_mutex)
{
    struct xdp_prog_walk w = { .check = check };
    struct xdp_prog_port **ports;
    size_t n;

    ports = xdp_prog_sorted_ports(prog, true, &n);
    check->n_ports += n;
    w.map = prog->skel->maps.port_map;
    xdp_prog_walk_ports(&w, ports, n, xdp_prog_port_map_stale,
                        xdp_prog_port_map_missing, xdp_prog_port_map_same);
    free(ports);

    xdp_prog_check_port_index(prog, check);

    ports = xdp_prog_sorted_ports(prog, false, &n);
    w.map = prog->skel->maps.tx_ports;
    xdp_prog_walk_ports(&w, ports, n, xdp_prog_tx_ports_stale,
                        xdp_prog_tx_ports_missing, xdp_prog_tx_ports_same);
    free(ports);
}

/* xdp/check for 'prog': compares its flow maps with its flow table, and
 * its port maps ('port_map', 'port_index', 'tx_ports') with what its ports
 * asked for, noting each difference in 'check' and repairing it.  The
 * sockets in 'xsk_map' cannot be read back and are not checked. */
void
xdp_prog_check(struct xdp_prog *prog, struct xdp_check *check)
{
    xdp_flow_table_check(prog->flows, check);

    ovs_mutex_lock(&xdp_prog_mutex);
    xdp_prog_check_ports(prog, check);
    ovs_mutex_unlock(&xdp_prog_mutex);
}

