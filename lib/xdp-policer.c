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

#include <config.h>

#include "xdp-policer.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/thread.h"
#include "openvswitch/vlog.h"
#include "ovs-atomic.h"
#include "util.h"
#include "xdp-map.h"

VLOG_DEFINE_THIS_MODULE(xdp_policer);

/* Userspace-only flag of 'xdp_policers->flags': a queue other than 0 has
 * a policer (XDP never sees a packet's queue). */
#define XDP_POLICER_F_QUEUES 4
#define XDP_POLICER_F_PROG (XDP_POLICE_F_INGRESS | XDP_POLICE_F_EGRESS)

/* CLOCK_MONOTONIC nanoseconds times 2^XDP_POLICE_TICK_SHIFT. */
#define XDP_POLICER_SEC_TICKS (1000000000ULL << XDP_POLICE_TICK_SHIFT)

struct xdp_policers {
    struct ovs_mutex mutex;
    struct xdp_police_entry *entries;   /* 'policers', mmapped. */
    size_t mapped;                      /* Bytes mapped at 'entries'. */
    int stats_fd;
    int ports_fd;
    int ports_big_fd;
    uint32_t *active;                   /* 'police_active'. */
    int n_cpus;

    /* XDP_POLICE_F_* and XDP_POLICER_F_QUEUES, by slot. */
    atomic_uint16_t flags[XDP_ABI_MAX_PORTS];
    uint32_t ifindex[XDP_ABI_MAX_PORTS] OVS_GUARDED;    /* Bound ifindex
                                                         * + 1, 0: none. */
    struct xdp_policer_config configs[XDP_POLICE_ENTRIES] OVS_GUARDED;
};

/* Maps the 'policers' map of 'maps'.  Returns NULL with a message in
 * '*errorp' on failure. */
struct xdp_policers *
xdp_policers_create(const struct xdp_policer_maps *maps, char **errorp)
{
    size_t page = sysconf(_SC_PAGESIZE);
    size_t size = ROUND_UP(XDP_POLICE_ENTRIES
                           * sizeof(struct xdp_police_entry), page);
    struct xdp_policers *p;
    void *mem;

    BUILD_ASSERT_DECL(sizeof(struct xdp_police_entry) == 128);

    mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
               maps->policers, 0);
    if (mem == MAP_FAILED) {
        *errorp = xasprintf("cannot map the XDP program's policers (%s)",
                            ovs_strerror(errno));
        return NULL;
    }
    p = xzalloc(sizeof *p);
    ovs_mutex_init(&p->mutex);
    p->entries = mem;
    p->mapped = size;
    p->stats_fd = maps->stats;
    p->ports_fd = maps->ports;
    p->ports_big_fd = maps->ports_big;
    p->active = maps->active;
    p->n_cpus = MAX(libbpf_num_possible_cpus(), 1);
    for (int i = 0; i < XDP_ABI_MAX_PORTS; i++) {
        atomic_init(&p->flags[i], 0);
    }
    return p;
}

void
xdp_policers_destroy(struct xdp_policers *p)
{
    if (p) {
        munmap(p->entries, p->mapped);
        ovs_mutex_destroy(&p->mutex);
        free(p);
    }
}

/* CLOCK_MONOTONIC in nanoseconds: the clock of bpf_ktime_get_ns(). */
uint64_t
xdp_policer_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint16_t
xdp_policer_flags(const struct xdp_policers *p, int slot)
{
    uint16_t flags;

    atomic_read_relaxed(&CONST_CAST(struct xdp_policers *, p)->flags[slot],
                        &flags);
    return flags;
}

static uint32_t
xdp_policer_kind(const struct xdp_police_entry *e)
{
    return *(const volatile uint32_t *) &e->kind;
}

/* Index of the entry of queue 'queue_id' of 'slot': queue 0's is fixed,
 * the others are wherever the queue's policer was put.  With 'alloc', a
 * free entry for a queue without one.  Returns -1 if none. */
static int
xdp_policer_queue_index(const struct xdp_policers *p, int slot,
                        uint32_t queue_id, bool alloc)
{
    int base = slot * XDP_POLICE_PER_PORT + XDP_POLICE_QUEUE0;
    int free_index = -1;

    if (!queue_id) {
        return base;
    }
    for (int i = 1; i < XDP_POLICE_MAX_QUEUES; i++) {
        const struct xdp_police_entry *e = &p->entries[base + i];

        if (xdp_policer_kind(e) == XDP_POLICE_NONE) {
            if (free_index < 0) {
                free_index = base + i;
            }
        } else if (e->queue_id == queue_id) {
            return base + i;
        }
    }
    return alloc ? free_index : -1;
}

/* Index of the policer at 'point' ('queue_id' for XDP_POLICER_QUEUE) of
 * 'slot', or -1. */
static int
xdp_policer_index(const struct xdp_policers *p, int slot,
                  enum xdp_policer_point point, uint32_t queue_id,
                  bool alloc)
{
    if (slot < 0 || slot >= XDP_ABI_MAX_PORTS) {
        return -1;
    }
    switch (point) {
    case XDP_POLICER_INGRESS:
    case XDP_POLICER_INGRESS_PKTS:
    case XDP_POLICER_EGRESS:
        return slot * XDP_POLICE_PER_PORT + point;
    case XDP_POLICER_QUEUE:
        return xdp_policer_queue_index(p, slot, queue_id, alloc);
    }
    return -1;
}

/* Sets 'inc' and 'tau' of a bucket of 'rate' units per second and 'burst'
 * units.  A rate or burst of 0 makes no bucket. */
static int
xdp_policer_bucket(uint64_t rate, uint64_t burst, __u64 *inc, __u64 *tau,
                   const char *what, char **errorp)
{
    *inc = *tau = 0;
    if (!rate || !burst) {
        return 0;
    }
    /* Rounded to the nearest tick. */
    *inc = (XDP_POLICER_SEC_TICKS + rate / 2) / rate;
    if (!*inc) {
        *errorp = xasprintf("%s %"PRIu64"/s is too high", what, rate);
        return EINVAL;
    }
    if (burst > XDP_POLICE_MAX_TAU / *inc) {
        *errorp = xasprintf("burst %"PRIu64" is too large for %s "
                            "%"PRIu64"/s (at most %"PRIu64")", burst, what,
                            rate, (uint64_t) (XDP_POLICE_MAX_TAU / *inc));
        return EINVAL;
    }
    *tau = burst * *inc;
    return 0;
}

/* Checks 'cfg' and makes the parameters of its entry. */
static int
xdp_policer_params(const struct xdp_policer_config *cfg,
                   struct xdp_police_entry *params, char **errorp)
{
    const char *unit = cfg->kind == XDP_POLICER_PACKETS ? "packets" : "bytes";
    int error;

    memset(params, 0, sizeof *params);
    params->kind = cfg->kind;
    switch (cfg->kind) {
    case XDP_POLICER_NONE:
        return 0;
    case XDP_POLICER_BYTES:
    case XDP_POLICER_PACKETS:
        if (!cfg->rate || !cfg->burst) {
            *errorp = xasprintf("a %s policer needs a rate and a burst "
                                "above 0 (rate %"PRIu64", burst %"PRIu64")",
                                unit, cfg->rate, cfg->burst);
            return EINVAL;
        }
        return xdp_policer_bucket(cfg->rate, cfg->burst, &params->inc[0],
                                  &params->tau[0], unit, errorp);
    case XDP_POLICER_TRTCM:
        if ((!cfg->rate || !cfg->burst) && (!cfg->eir || !cfg->ebs)) {
            *errorp = xasprintf("a trTCM policer needs cir and cbs, or eir "
                                "and ebs, above 0");
            return EINVAL;
        }
        error = xdp_policer_bucket(cfg->rate, cfg->burst, &params->inc[0],
                                   &params->tau[0], "cir", errorp);
        if (!error) {
            error = xdp_policer_bucket(cfg->eir, cfg->ebs, &params->inc[1],
                                       &params->tau[1], "eir", errorp);
        }
        return error;
    }
    *errorp = xasprintf("unknown policer kind %d", cfg->kind);
    return EINVAL;
}

/* Checks 'cfg' as xdp_policer_set() would, without a program: returns 0,
 * or EINVAL with a message in '*errorp' (the caller frees it). */
int
xdp_policer_check(const struct xdp_policer_config *cfg, char **errorp)
{
    struct xdp_police_entry params;

    *errorp = NULL;
    return xdp_policer_params(cfg, &params, errorp);
}

static void
xdp_policer_zero_stats(struct xdp_policers *p, uint32_t index)
{
    struct xdp_police_count *zero = xcalloc(p->n_cpus, sizeof *zero);

    xdp_map_update(p->stats_fd, "police_stats", &index, zero, BPF_ANY);
    free(zero);
}

/* Writes the 'police_ports' entry of 'ifindex', port 'slot'. */
static void
xdp_policer_write_port(struct xdp_policers *p, uint32_t ifindex, int slot)
    OVS_REQUIRES(p->mutex)
{
    struct xdp_police_port value = {
        .slot = slot,
        .flags = xdp_policer_flags(p, slot) & XDP_POLICER_F_PROG,
    };

    if (ifindex < XDP_ABI_PORT_INDEX_SIZE) {
        if (!value.flags) {
            value.slot = 0;
        }
        xdp_map_update(p->ports_fd, "police_ports", &ifindex, &value,
                       BPF_ANY);
    } else if (value.flags) {
        xdp_map_update(p->ports_big_fd, "police_ports_big", &ifindex,
                       &value, BPF_ANY);
    } else {
        /* Logged if it fails, ENOENT (nothing there) aside. */
        xdp_map_delete(p->ports_big_fd, "police_ports_big", &ifindex);
    }
}

/* Recomputes the flags of 'slot' from its entries, and what the program
 * reads of them. */
static void
xdp_policer_update_flags(struct xdp_policers *p, int slot)
    OVS_REQUIRES(p->mutex)
{
    const struct xdp_police_entry *e
        = &p->entries[slot * XDP_POLICE_PER_PORT];
    uint16_t flags = 0;
    bool active = false;

    if (xdp_policer_kind(&e[XDP_POLICE_INGRESS])
        || xdp_policer_kind(&e[XDP_POLICE_INGRESS_PKTS])) {
        flags |= XDP_POLICE_F_INGRESS;
    }
    if (xdp_policer_kind(&e[XDP_POLICE_EGRESS])
        || xdp_policer_kind(&e[XDP_POLICE_QUEUE0])) {
        flags |= XDP_POLICE_F_EGRESS;
    }
    for (int i = 1; i < XDP_POLICE_MAX_QUEUES; i++) {
        if (xdp_policer_kind(&e[XDP_POLICE_QUEUE0 + i])) {
            flags |= XDP_POLICER_F_QUEUES;
        }
    }
    if (flags == xdp_policer_flags(p, slot)) {
        return;
    }
    atomic_store_relaxed(&p->flags[slot], flags);
    for (int i = 0; i < XDP_ABI_MAX_PORTS; i++) {
        if (xdp_policer_flags(p, i) & XDP_POLICER_F_PROG) {
            active = true;
        }
    }
    /* Before the port's entry, so that a new policer applies at once. */
    if (active) {
        *(volatile uint32_t *) p->active = 1;
    }
    if (p->ifindex[slot]) {
        xdp_policer_write_port(p, p->ifindex[slot] - 1, slot);
    }
    if (!active) {
        *(volatile uint32_t *) p->active = 0;
    }
}

/* Writes 'params' into entry 'index', with a full bucket.  The entry is
 * without a kind while it changes. */
static void
xdp_policer_write(struct xdp_policers *p, uint32_t index,
                  const struct xdp_police_entry *params, uint32_t queue_id)
    OVS_REQUIRES(p->mutex)
{
    struct xdp_police_entry *e = &p->entries[index];
    bool fresh = xdp_policer_kind(e) == XDP_POLICE_NONE;
    uint64_t now = xdp_policer_now() << XDP_POLICE_TICK_SHIFT;

    *(volatile uint32_t *) &e->kind = XDP_POLICE_NONE;
    atomic_thread_fence(memory_order_seq_cst);
    e->queue_id = queue_id;
    for (int i = 0; i < 2; i++) {
        e->inc[i] = params->inc[i];
        e->tau[i] = params->tau[i];
        __atomic_store_n(&e->tat[i], now, __ATOMIC_RELAXED);
    }
    if (fresh && params->kind != XDP_POLICE_NONE) {
        /* A new policer counts from zero. */
        memset(&e->user, 0, sizeof e->user);
        xdp_policer_zero_stats(p, index);
    }
    atomic_thread_fence(memory_order_seq_cst);
    *(volatile uint32_t *) &e->kind = params->kind;
}

/* Gives port 'slot' the policer 'cfg' at 'point' (for XDP_POLICER_QUEUE,
 * of queue 'queue_id'); XDP_POLICER_NONE removes it.  A new or changed
 * policer starts with full buckets; setting the same configuration again
 * changes nothing.  Returns 0 or a positive errno value with a message in
 * '*errorp' (the caller frees it): EINVAL for a bad configuration, ENOSPC
 * for more than XDP_POLICE_MAX_QUEUES queues. */
int
xdp_policer_set(struct xdp_policers *p, int slot,
                enum xdp_policer_point point, uint32_t queue_id,
                const struct xdp_policer_config *cfg, char **errorp)
{
    struct xdp_policer_config copy = *cfg;
    struct xdp_police_entry params;
    int error, index;

    *errorp = NULL;
    if (slot < 0 || slot >= XDP_ABI_MAX_PORTS) {
        *errorp = xasprintf("no port slot %d", slot);
        return EINVAL;
    }
    error = xdp_policer_params(cfg, &params, errorp);
    if (error) {
        return error;
    }
    if (point != XDP_POLICER_QUEUE) {
        queue_id = 0;
    }
    if (copy.kind != XDP_POLICER_TRTCM) {
        copy.eir = copy.ebs = 0;
    }
    if (copy.kind == XDP_POLICER_NONE) {
        copy.rate = copy.burst = 0;
    }

    ovs_mutex_lock(&p->mutex);
    index = xdp_policer_index(p, slot, point, queue_id,
                              copy.kind != XDP_POLICER_NONE);
    if (index < 0) {
        if (copy.kind != XDP_POLICER_NONE) {
            *errorp = xasprintf("at most %d queues of a port can have a "
                                "policer", XDP_POLICE_MAX_QUEUES);
            error = ENOSPC;
        }
        goto out;
    }
    if (xdp_policer_kind(&p->entries[index]) == copy.kind
        && !memcmp(&p->configs[index], &copy, sizeof copy)) {
        goto out;
    }
    xdp_policer_write(p, index, &params, queue_id);
    p->configs[index] = copy;
    xdp_policer_update_flags(p, slot);

out:
    ovs_mutex_unlock(&p->mutex);
    return error;
}

/* Reads back the configuration of a policer.  Returns 0, or ENOENT if it
 * has none. */
int
xdp_policer_get(const struct xdp_policers *p_, int slot,
                enum xdp_policer_point point, uint32_t queue_id,
                struct xdp_policer_config *cfg)
{
    struct xdp_policers *p = CONST_CAST(struct xdp_policers *, p_);
    int index, error = ENOENT;

    ovs_mutex_lock(&p->mutex);
    index = xdp_policer_index(p, slot, point, queue_id, false);
    if (index >= 0 && xdp_policer_kind(&p->entries[index])) {
        *cfg = p->configs[index];
        error = 0;
    }
    ovs_mutex_unlock(&p->mutex);
    return error;
}

/* Removes every policer of 'slot': for a port that goes away. */
void
xdp_policer_clear_port(struct xdp_policers *p, int slot)
{
    static const struct xdp_police_entry none;

    if (slot < 0 || slot >= XDP_ABI_MAX_PORTS) {
        return;
    }
    ovs_mutex_lock(&p->mutex);
    for (int i = 0; i < XDP_POLICE_PER_PORT; i++) {
        uint32_t index = slot * XDP_POLICE_PER_PORT + i;

        if (xdp_policer_kind(&p->entries[index])) {
            xdp_policer_write(p, index, &none, 0);
        }
        memset(&p->configs[index], 0, sizeof p->configs[index]);
    }
    xdp_policer_update_flags(p, slot);
    ovs_mutex_unlock(&p->mutex);
}

/* Tells the program that 'ifindex' is the port of 'slot'. */
void
xdp_policers_bind_port(struct xdp_policers *p, uint32_t ifindex, int slot)
{
    if (slot < 0 || slot >= XDP_ABI_MAX_PORTS) {
        return;
    }
    ovs_mutex_lock(&p->mutex);
    for (int i = 0; i < XDP_ABI_MAX_PORTS; i++) {
        if (p->ifindex[i] == ifindex + 1 && i != slot) {
            p->ifindex[i] = 0;
        }
    }
    p->ifindex[slot] = ifindex + 1;
    xdp_policer_write_port(p, ifindex, slot);
    ovs_mutex_unlock(&p->mutex);
}

/* Tells the program that 'ifindex' is no port: its frames are not
 * policed. */
void
xdp_policers_unbind_port(struct xdp_policers *p, uint32_t ifindex)
{
    ovs_mutex_lock(&p->mutex);
    for (int i = 0; i < XDP_ABI_MAX_PORTS; i++) {
        if (p->ifindex[i] == ifindex + 1) {
            struct xdp_police_port zero = { 0, 0 };

            p->ifindex[i] = 0;
            if (ifindex < XDP_ABI_PORT_INDEX_SIZE) {
                xdp_map_update(p->ports_fd, "police_ports", &ifindex, &zero,
                               BPF_ANY);
            } else {
                xdp_map_delete(p->ports_big_fd, "police_ports_big",
                               &ifindex);
            }
        }
    }
    ovs_mutex_unlock(&p->mutex);
}

/* True if frames that userspace sends to port 'slot' must go through
 * xdp_policer_admit(). */
bool
xdp_policer_egress_active(const struct xdp_policers *p, int slot)
{
    return (slot >= 0 && slot < XDP_ABI_MAX_PORTS
            && (xdp_policer_flags(p, slot)
                & (XDP_POLICE_F_EGRESS | XDP_POLICER_F_QUEUES)));
}

/* Runs policer 'index' for userspace, as xdp_police_run() in XDP. */
static int
xdp_policer_run(struct xdp_policers *p, int index, uint32_t len,
                uint64_t now, int color)
{
    struct xdp_police_entry *e = &p->entries[index];
    uint32_t kind = xdp_policer_kind(e);

    if (kind == XDP_POLICE_NONE) {
        return color;
    }
    color = xdp_police_color(e, kind, now, len, color);
    __atomic_fetch_add(&e->user.packets[color], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&e->user.bytes[color], len, __ATOMIC_RELAXED);
    return color;
}

/* Whether userspace may send a frame of 'len' bytes (the whole frame) of
 * queue 'queue_id' (OVS's skb_priority; a queue without a policer counts
 * as queue 0) to port 'slot' at 'now_ns' (xdp_policer_now()): the queue's
 * policer color-blind, then the port's color-aware, on the buckets that
 * XDP uses.  Returns false if the frame must be dropped. */
bool
xdp_policer_admit(struct xdp_policers *p, int slot, uint32_t queue_id,
                  uint32_t len, uint64_t now_ns)
{
    uint64_t now = now_ns << XDP_POLICE_TICK_SHIFT;
    int color, index;

    if (!xdp_policer_egress_active(p, slot)) {
        return true;
    }
    index = xdp_policer_queue_index(p, slot, queue_id, false);
    if (index < 0) {
        index = slot * XDP_POLICE_PER_PORT + XDP_POLICE_QUEUE0;
    }
    color = xdp_policer_run(p, index, len, now, XDP_POLICE_GREEN);
    if (color != XDP_POLICE_RED) {
        color = xdp_policer_run(p, slot * XDP_POLICE_PER_PORT
                                + XDP_POLICE_EGRESS, len, now, color);
    }
    return color != XDP_POLICE_RED;
}

/* Sums what a policer decided.  Returns 0, or ENOENT if there is no such
 * policer (with '*stats' zeroed). */
int
xdp_policer_get_stats(const struct xdp_policers *p, int slot,
                      enum xdp_policer_point point, uint32_t queue_id,
                      struct xdp_policer_stats *stats)
{
    struct xdp_police_count *values;
    const struct xdp_police_entry *e;
    uint32_t index;
    int i;

    memset(stats, 0, sizeof *stats);
    i = xdp_policer_index(p, slot, point, queue_id, false);
    if (i < 0 || !xdp_policer_kind(&p->entries[i])) {
        return ENOENT;
    }
    index = i;
    e = &p->entries[index];
    for (int c = 0; c < XDP_POLICE_N_COLORS; c++) {
        stats->user.packets[c] = __atomic_load_n(&e->user.packets[c],
                                                 __ATOMIC_RELAXED);
        stats->user.bytes[c] = __atomic_load_n(&e->user.bytes[c],
                                               __ATOMIC_RELAXED);
    }
    values = xcalloc(p->n_cpus, sizeof *values);
    if (!bpf_map_lookup_elem(p->stats_fd, &index, values)) {
        for (int cpu = 0; cpu < p->n_cpus; cpu++) {
            for (int c = 0; c < XDP_POLICE_N_COLORS; c++) {
                stats->xdp.packets[c] += values[cpu].packets[c];
                stats->xdp.bytes[c] += values[cpu].bytes[c];
            }
        }
    }
    free(values);
    return 0;
}

static void
xdp_policer_format_count(struct ds *s, const char *who,
                         const struct xdp_police_count *c, bool trtcm)
{
    ds_put_format(s, " %s passed %"PRIu64" (%"PRIu64" bytes)", who,
                  (uint64_t) (c->packets[XDP_POLICE_GREEN]
                              + c->packets[XDP_POLICE_YELLOW]),
                  (uint64_t) (c->bytes[XDP_POLICE_GREEN]
                              + c->bytes[XDP_POLICE_YELLOW]));
    if (trtcm) {
        ds_put_format(s, " yellow %"PRIu64,
                      (uint64_t) c->packets[XDP_POLICE_YELLOW]);
    }
    ds_put_format(s, " dropped %"PRIu64" (%"PRIu64" bytes)",
                  (uint64_t) c->packets[XDP_POLICE_RED],
                  (uint64_t) c->bytes[XDP_POLICE_RED]);
}

static void
xdp_policer_format_one(const struct xdp_policers *p, int slot,
                       enum xdp_policer_point point, uint32_t queue_id,
                       const char *name, struct ds *s)
{
    struct xdp_policer_config cfg;
    struct xdp_policer_stats st;
    bool trtcm;

    if (xdp_policer_get(p, slot, point, queue_id, &cfg)
        || xdp_policer_get_stats(p, slot, point, queue_id, &st)) {
        return;
    }
    trtcm = cfg.kind == XDP_POLICER_TRTCM;
    ds_put_format(s, "  policed %s", name);
    if (point == XDP_POLICER_QUEUE) {
        ds_put_format(s, " %"PRIu32, queue_id);
    }
    ds_put_cstr(s, ": ");
    switch (cfg.kind) {
    case XDP_POLICER_BYTES:
        ds_put_format(s, "%"PRIu64" bytes/s burst %"PRIu64" bytes",
                      cfg.rate, cfg.burst);
        break;
    case XDP_POLICER_PACKETS:
        ds_put_format(s, "%"PRIu64" packets/s burst %"PRIu64" packets",
                      cfg.rate, cfg.burst);
        break;
    case XDP_POLICER_TRTCM:
        ds_put_format(s, "trtcm cir %"PRIu64" cbs %"PRIu64" eir %"PRIu64
                      " ebs %"PRIu64, cfg.rate, cfg.burst, cfg.eir, cfg.ebs);
        break;
    case XDP_POLICER_NONE:
    default:
        break;
    }
    ds_put_char(s, '\n');
    ds_put_cstr(s, "   ");
    xdp_policer_format_count(s, "xdp", &st.xdp, trtcm);
    ds_put_char(s, '\n');
    ds_put_cstr(s, "   ");
    xdp_policer_format_count(s, "userspace", &st.user, trtcm);
    ds_put_char(s, '\n');
}

/* Appends to 's' a "policed" line per policer of 'slot' (for xdp/show),
 * with what XDP and userspace decided. */
void
xdp_policer_format_port(const struct xdp_policers *p, int slot,
                        struct ds *s)
{
    if (slot < 0 || slot >= XDP_ABI_MAX_PORTS || !xdp_policer_flags(p, slot)) {
        return;
    }
    xdp_policer_format_one(p, slot, XDP_POLICER_INGRESS, 0, "ingress", s);
    xdp_policer_format_one(p, slot, XDP_POLICER_INGRESS_PKTS, 0,
                           "ingress (packets)", s);
    xdp_policer_format_one(p, slot, XDP_POLICER_EGRESS, 0, "egress", s);
    for (int i = 0; i < XDP_POLICE_MAX_QUEUES; i++) {
        const struct xdp_police_entry *e
            = &p->entries[slot * XDP_POLICE_PER_PORT + XDP_POLICE_QUEUE0 + i];

        if (xdp_policer_kind(e)) {
            xdp_policer_format_one(p, slot, XDP_POLICER_QUEUE,
                                   i ? e->queue_id : 0, "queue", s);
        }
    }
}
