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

#include "xdp-conntrack.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conntrack.h"
#include "coverage.h"
#include "ct-dpif.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/thread.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "ovs-atomic.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(xdp_conntrack);

COVERAGE_DEFINE(xdp_ct_offloaded);
COVERAGE_DEFINE(xdp_ct_full);
COVERAGE_DEFINE(xdp_ct_deleted);
COVERAGE_DEFINE(xdp_ct_handed_back);
COVERAGE_DEFINE(xdp_ct_slot_gone);
COVERAGE_DEFINE(xdp_ct_pulled);

/* OVS's conntrack-tcp.c: window scale flags of struct tcp_peer's
 * 'wscale'. */
#define XDP_CT_WSCALE_FLAG 0x80
#define XDP_CT_WSCALE_UNKNOWN 0x40
#define XDP_CT_WSCALE_MASK 0xf
#define XDP_CT_MAX_WSCALE 14

#define NSEC_PER_MSEC 1000000ULL

/* A slot of 'ct_conns' and 'ct_expire', as userspace knows it. */
struct xdp_ct_slot {
    struct hmap_node node;      /* In 'by_conn', while in use. */
    struct conn *conn;          /* NULL if free. */
    uint32_t generation;        /* In use: the entry's; free: the last. */
    bool tcp;
    bool one_way;               /* UDP seen one way: only keys[0] is in
                                 * the map, answering +new. */
    struct xdp_ct_key keys[2];  /* Original and reply direction. */
    uint64_t packets[2];        /* XDP's counts already in conntrack. */
    uint64_t bytes[2];
    uint64_t used_ns;           /* Last use by XDP already in conntrack. */
    uint64_t expire_ns;         /* Deadline last written to 'ct_expire'. */
};

struct xdp_conntrack {
    struct hmap_node node;      /* In 'caches'. */
    struct conntrack *ct;

    /* Lock order: a connection's lock (conntrack_conn_lock()), then this:
     * the hook is called with the connection's lock held. */
    struct ovs_mutex mutex;
    struct xdp_ct_maps maps OVS_GUARDED;    /* -1 while unbound. */
    atomic_uint64_t cookie;                 /* Bound program's, 0 if none:
                                             * written under 'mutex'. */
    bool rebinding OVS_GUARDED;             /* Offloads nothing meanwhile. */
    uint64_t lock_flag OVS_GUARDED;         /* BPF_F_LOCK, or 0 for maps
                                             * whose value has no lock. */
    uint32_t max_conns OVS_GUARDED;
    struct xdp_ct_slot *slots OVS_GUARDED;  /* 'max_conns' of them. */
    uint32_t *free_slots OVS_GUARDED;       /* Stack of free slots. */
    uint32_t n_free OVS_GUARDED;
    struct hmap by_conn OVS_GUARDED;        /* 'struct xdp_ct_slot's. */
    struct xdp_conntrack_stats stats OVS_GUARDED;

    /* Bound, not rebinding, with a free slot: read without the mutex by
     * the hook, so that a full or unbound cache costs the packets of
     * established connections no lock. */
    atomic_bool can_offload;
    atomic_uint64_t n_full;
    long long int next_sync;                /* Main thread only. */
};

/* Updates 'can_offload' after a change of what it depends on. */
static void
xdp_ct_update_can_offload(struct xdp_conntrack *xc)
    OVS_REQUIRES(xc->mutex)
{
    atomic_store_relaxed(&xc->can_offload,
                         xc->maps.keys4 >= 0 && !xc->rebinding && xc->n_free);
}

static uint64_t
xdp_conntrack_cookie__(const struct xdp_conntrack *xc_)
{
    struct xdp_conntrack *xc = CONST_CAST(struct xdp_conntrack *, xc_);
    uint64_t cookie;

    atomic_read_relaxed(&xc->cookie, &cookie);
    return cookie;
}

static struct ovs_mutex caches_mutex = OVS_MUTEX_INITIALIZER;
static struct hmap caches OVS_GUARDED_BY(caches_mutex)
    = HMAP_INITIALIZER(&caches);

static atomic_uint32_t max_conns_cfg = XDP_CT_DEFAULT_MAX_CONNS;

static const struct conntrack_offload_class xdp_ct_offload_class;

/* Sets the size of caches bound from now on (other_config:xdp-max-conns). */
void
xdp_conntrack_set_max_conns(uint32_t n)
{
    atomic_store_relaxed(&max_conns_cfg, n);
}

/* The size the program should give its conntrack cache: 'ct_conns' and
 * 'ct_expire' this many entries, each keys map twice as many. */
uint32_t
xdp_conntrack_max_conns(void)
{
    uint32_t n;

    atomic_read_relaxed(&max_conns_cfg, &n);
    return n;
}

/* Maps conntrack's 'tuple' of one direction of a connection in 'zone' to
 * the key of the packets of that direction. */
void
xdp_conntrack_key_from_tuple(const struct ct_dpif_tuple *tuple,
                             uint16_t zone, struct xdp_ct_key *key)
{
    memset(key, 0, sizeof *key);
    if (tuple->l3_type == AF_INET6) {
        memcpy(key->src, &tuple->src.in6, sizeof key->src);
        memcpy(key->dst, &tuple->dst.in6, sizeof key->dst);
        key->ipv6 = 1;
    } else {
        key->src[0] = tuple->src.ip;
        key->dst[0] = tuple->dst.ip;
    }
    key->src_port = tuple->src_port;
    key->dst_port = tuple->dst_port;
    key->zone = zone;
    key->nw_proto = tuple->ip_proto;
}

/* The window scale that tcp_conn_update() applies to the windows of a
 * peer whose 'wscale' (struct tcp_peer's, with flags) is 'own', talking to
 * one whose is 'other': the peer's own scale if both sent one, the
 * largest if neither is known, otherwise none. */
uint8_t
xdp_conntrack_tcp_shift(uint8_t own, uint8_t other)
{
    if (own & XDP_CT_WSCALE_FLAG && other & XDP_CT_WSCALE_FLAG) {
        return own & XDP_CT_WSCALE_MASK;
    } else if (own & XDP_CT_WSCALE_UNKNOWN && other & XDP_CT_WSCALE_UNKNOWN) {
        return XDP_CT_MAX_WSCALE;
    }
    return 0;
}

static uint32_t
hash_conn(const struct conn *conn)
{
    return hash_pointer(conn, 0);
}

static struct xdp_ct_slot *
xdp_ct_slot_find(const struct xdp_conntrack *xc, const struct conn *conn)
    OVS_REQUIRES(xc->mutex)
{
    struct xdp_ct_slot *s;

    HMAP_FOR_EACH_WITH_HASH (s, node, hash_conn(conn), &xc->by_conn) {
        if (s->conn == conn) {
            return s;
        }
    }
    return NULL;
}

static void
xdp_ct_maps_close(struct xdp_ct_maps *maps)
{
    int *fds[] = { &maps->keys4, &maps->keys6, &maps->conns,
                   &maps->expire };

    for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
        if (*fds[i] >= 0) {
            close(*fds[i]);
            *fds[i] = -1;
        }
    }
}

/* Creates the cache keeper of 'ct' and sets itself as the offload hook of
 * 'ct'.  Unbound: it offloads nothing until xdp_conntrack_bind(). */
struct xdp_conntrack *
xdp_conntrack_create(struct conntrack *ct)
{
    struct xdp_conntrack *xc = xzalloc(sizeof *xc);

    xc->ct = ct;
    ovs_mutex_init(&xc->mutex);
    xc->maps.keys4 = xc->maps.keys6 = -1;
    xc->maps.conns = xc->maps.expire = -1;
    hmap_init(&xc->by_conn);
    atomic_init(&xc->can_offload, false);
    atomic_init(&xc->n_full, 0);
    atomic_init(&xc->cookie, 0);

    ovs_mutex_lock(&caches_mutex);
    hmap_insert(&caches, &xc->node, hash_pointer(ct, 0));
    ovs_mutex_unlock(&caches_mutex);

    conntrack_set_offload(ct, &xdp_ct_offload_class, xc);
    return xc;
}

/* Returns the cache keeper of 'ct', made if there is none or if 'ct' lost
 * it (a conntrack destroyed and another made at the same address). */
struct xdp_conntrack *
xdp_conntrack_get(struct conntrack *ct)
{
    struct xdp_conntrack *xc = xdp_conntrack_find(ct);

    if (xc && conntrack_get_offload_aux(ct) != xc) {
        xdp_conntrack_bind(xc, NULL, 0);
        conntrack_set_offload(ct, &xdp_ct_offload_class, xc);
    }
    return xc ? xc : xdp_conntrack_create(ct);
}

/* Returns the cache keeper of 'ct', or NULL. */
struct xdp_conntrack *
xdp_conntrack_find(const struct conntrack *ct)
{
    struct xdp_conntrack *xc, *found = NULL;

    ovs_mutex_lock(&caches_mutex);
    HMAP_FOR_EACH_WITH_HASH (xc, node, hash_pointer(ct, 0), &caches) {
        if (xc->ct == ct) {
            found = xc;
            break;
        }
    }
    ovs_mutex_unlock(&caches_mutex);
    return found;
}

/* Empties the cache, unhooks it from its conntrack and frees it.  The
 * conntrack must still exist. */
void
xdp_conntrack_destroy(struct xdp_conntrack *xc)
{
    if (!xc) {
        return;
    }
    xdp_conntrack_bind(xc, NULL, 0);
    conntrack_set_offload(xc->ct, NULL, NULL);

    ovs_mutex_lock(&caches_mutex);
    hmap_remove(&caches, &xc->node);
    ovs_mutex_unlock(&caches_mutex);

    hmap_destroy(&xc->by_conn);
    ovs_mutex_destroy(&xc->mutex);
    free(xc);
}

static int
xdp_ct_map_update(int fd, const void *key, const void *value, uint64_t flags)
{
    return bpf_map_update_elem(fd, key, value, flags) ? errno : 0;
}

/* Returns the keys map of 'maps' that holds 'key' and sets '*map_key' to
 * the key there: 'key' itself for IPv6, its 16-byte form, stored in
 * '*key4', for IPv4. */
static int
xdp_ct_keys_map(const struct xdp_ct_maps *maps, const struct xdp_ct_key *key,
                struct xdp_ct_key4 *key4, const void **map_key)
{
    if (key->ipv6) {
        *map_key = key;
        return maps->keys6;
    }
    memset(key4, 0, sizeof *key4);
    key4->src = key->src[0];
    key4->dst = key->dst[0];
    key4->src_port = key->src_port;
    key4->dst_port = key->dst_port;
    key4->zone = key->zone;
    key4->nw_proto = key->nw_proto;
    *map_key = key4;
    return maps->keys4;
}

/* Sets 'key' to 'ref' in the keys maps of 'maps'.  Returns 0 or a
 * positive errno value. */
int
xdp_conntrack_keys_update(const struct xdp_ct_maps *maps,
                          const struct xdp_ct_key *key,
                          const struct xdp_ct_ref *ref)
{
    struct xdp_ct_key4 key4;
    const void *map_key;
    int fd = xdp_ct_keys_map(maps, key, &key4, &map_key);

    return xdp_ct_map_update(fd, map_key, ref, 0);
}

/* Returns 0, or a positive errno value (ENOENT if 'key' was not there). */
static int
xdp_ct_keys_delete(const struct xdp_ct_maps *maps,
                   const struct xdp_ct_key *key)
{
    struct xdp_ct_key4 key4;
    const void *map_key;
    int fd = xdp_ct_keys_map(maps, key, &key4, &map_key);

    return bpf_map_delete_elem(fd, map_key) ? errno : 0;
}

/* Deletes 'key' from the keys maps of 'maps' if it still leads to 'slot'
 * of 'generation': a connection with the same key may have taken it since
 * (conntrack makes a new connection while an expired one waits for its
 * sweep), and its key must stay.  Returns 0, or a positive errno value
 * (ENOENT if 'key' was not there). */
static int
xdp_ct_keys_delete_own(const struct xdp_ct_maps *maps,
                       const struct xdp_ct_key *key, uint32_t slot,
                       uint32_t generation)
{
    struct xdp_ct_ref ref;
    int error = xdp_conntrack_keys_lookup(maps, key, &ref);

    if (error || ref.slot != slot || ref.generation != generation) {
        return error;
    }
    return xdp_ct_keys_delete(maps, key);
}

/* Looks 'key' up in the keys maps of 'maps'.  Returns 0 and stores the
 * reference in '*ref', or a positive errno value. */
int
xdp_conntrack_keys_lookup(const struct xdp_ct_maps *maps,
                          const struct xdp_ct_key *key, struct xdp_ct_ref *ref)
{
    struct xdp_ct_key4 key4;
    const void *map_key;
    int fd = xdp_ct_keys_map(maps, key, &key4, &map_key);

    return bpf_map_lookup_elem(fd, map_key, ref) ? errno : 0;
}

/* Sets the NAT of 'ref', the key of direction 'reply' of a connection with
 * NAT_ACTION_* bits 'nat_action' whose other direction's key is 'other', as
 * conntrack's nat_packet() rewrites a packet of that direction: the reply
 * direction undoes the original's NAT (nat_action_reverse()); the address
 * NATed becomes 'other''s, reversed, and so do both ports (pat_packet()). */
void
xdp_conntrack_ref_set_nat(struct xdp_ct_ref *ref, uint16_t nat_action,
                          bool reply, const struct xdp_ct_key *other)
{
    bool src = nat_action & (reply ? NAT_ACTION_DST : NAT_ACTION_SRC);
    bool dst = nat_action & (reply ? NAT_ACTION_SRC : NAT_ACTION_DST);

    ref->nat = 0;
    memset(ref->nat_addr, 0, sizeof ref->nat_addr);
    ref->nat_src_port = ref->nat_dst_port = 0;
    if (!src && !dst) {
        return;
    }
    /* nat_packet() takes the source when the action has both (the OVS
     * patch offers no such connection). */
    if (src) {
        ref->nat = XDP_CT_NAT_SRC;
        memcpy(ref->nat_addr, other->dst, sizeof ref->nat_addr);
    } else {
        ref->nat = XDP_CT_NAT_DST;
        memcpy(ref->nat_addr, other->src, sizeof ref->nat_addr);
    }
    ref->nat_src_port = other->dst_port;
    ref->nat_dst_port = other->src_port;
}

/* Puts 'conn' in free slot 's' (taken off the free stack by the caller).
 * Returns 0 or a positive errno value, having then undone what it did. */
static int
xdp_ct_fill(struct xdp_conntrack *xc, struct xdp_ct_slot *s, struct conn *conn)
    OVS_REQUIRES(xc->mutex)
{
    uint32_t slot = s - xc->slots;
    struct ct_dpif_tuple tuples[2];
    struct xdp_ct_conn value;
    uint16_t zone = conntrack_conn_get_zone(conn);
    int error;

    conntrack_conn_get_tuples(conn, &tuples[0], &tuples[1]);
    for (int i = 0; i < 2; i++) {
        xdp_conntrack_key_from_tuple(&tuples[i], zone, &s->keys[i]);
    }

    /* A UDP connection seen one way only is +new for conntrack, and its
     * first reply changes its state: the program answers for the original
     * direction only until then. */
    s->one_way = !conntrack_conn_seen_reply(conn);
    s->generation = s->generation + 1 ? s->generation + 1 : 1;
    memset(&value, 0, sizeof value);
    value.generation = s->generation;
    value.mark = conntrack_conn_get_mark(conn);
    value.zone = zone;
    value.nw_proto = conntrack_conn_get_nw_proto(conn);

    struct conntrack_tcp_peer peers[2];
    s->tcp = conntrack_conn_get_tcp_peers(conn, peers);
    if (s->tcp) {
        value.flags |= XDP_CT_CONN_TCP;
        for (int i = 0; i < 2; i++) {
            value.peer[i].seqlo = peers[i].seqlo;
            value.peer[i].seqhi = peers[i].seqhi;
            value.peer[i].max_win = peers[i].max_win;
            value.peer[i].shift = xdp_conntrack_tcp_shift(peers[i].wscale,
                                                          peers[!i].wscale);
        }
    }

    /* The slot first, then its deadline, then the keys that lead to it:
     * the program never finds a key whose slot is not ready. */
    long long int expiration = conntrack_conn_get_expiration(conn);
    s->expire_ns = expiration > 0 ? expiration * NSEC_PER_MSEC : 0;
    error = xdp_ct_map_update(xc->maps.conns, &slot, &value, xc->lock_flag);
    if (!error) {
        error = xdp_ct_map_update(xc->maps.expire, &slot, &s->expire_ns, 0);
    }
    uint16_t nat_action = conntrack_conn_get_nat_action(conn);
    for (int i = 0; i < (s->one_way ? 1 : 2) && !error; i++) {
        struct xdp_ct_ref ref = {
            .slot = slot,
            .generation = s->generation,
            .reply = i,
            .ct_state = (s->one_way ? XDP_CT_STATE_NEW
                         : XDP_CT_STATE_ESTABLISHED
                           | (i ? XDP_CT_STATE_REPLY_DIR : 0)),
        };
        xdp_conntrack_ref_set_nat(&ref, nat_action, i, &s->keys[!i]);
        error = xdp_conntrack_keys_update(&xc->maps, &s->keys[i], &ref);
    }
    if (error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

        VLOG_WARN_RL(&rl, "conntrack cache: offloading a connection to slot "
                     "%"PRIu32" failed (%s)", slot, ovs_strerror(error));
        for (int i = 0; i < 2; i++) {
            xdp_ct_keys_delete_own(&xc->maps, &s->keys[i], slot,
                                   s->generation);
        }
        memset(&value, 0, sizeof value);
        xdp_ct_map_update(xc->maps.conns, &slot, &value, xc->lock_flag);
        xc->stats.n_errors++;
        return error;
    }

    s->conn = conn;
    memset(s->packets, 0, sizeof s->packets);
    memset(s->bytes, 0, sizeof s->bytes);
    s->used_ns = 0;
    hmap_insert(&xc->by_conn, &s->node, hash_conn(conn));
    xc->stats.n_offloaded++;
    COVERAGE_INC(xdp_ct_offloaded);
    return 0;
}

/* Reads slot 's' into '*value'.  Returns 0 or a positive errno value. */
static int
xdp_ct_read(const struct xdp_conntrack *xc, const struct xdp_ct_slot *s,
            struct xdp_ct_conn *value)
    OVS_REQUIRES(xc->mutex)
{
    uint32_t slot = s - xc->slots;

    return bpf_map_lookup_elem_flags(xc->maps.conns, &slot, value,
                                     xc->lock_flag) ? errno : 0;
}

/* Adds to conntrack's counters of the connection in 's' what XDP counted
 * in 'value' since last time; refreshes its expiration by XDP's last use.
 * The connection's lock is held. */
static void
xdp_ct_account(struct xdp_conntrack *xc, struct xdp_ct_slot *s,
               const struct xdp_ct_conn *value)
    OVS_REQUIRES(xc->mutex)
{
    uint64_t packets[2], bytes[2];
    bool any = false;

    for (int i = 0; i < 2; i++) {
        /* A slot's counters only grow while it is in use. */
        packets[i] = value->packets[i] - s->packets[i];
        bytes[i] = value->bytes[i] - s->bytes[i];
        any |= packets[i] || bytes[i];
        s->packets[i] = value->packets[i];
        s->bytes[i] = value->bytes[i];
    }
    if (any) {
        conntrack_conn_add_counters(s->conn, packets, bytes);
    }
    if (value->used_ns > s->used_ns) {
        s->used_ns = value->used_ns;
        conntrack_conn_refresh(xc->ct, s->conn,
                               value->used_ns / NSEC_PER_MSEC);
    }
}

/* Merges the window that the program tracked for a TCP peer, 'x', into
 * conntrack's, 'peer'.  Both only move forward, and conntrack may have
 * seen segments after the connection was offloaded (those in flight, those
 * the program sent up for other reasons), so each bound is the later of
 * the two. */
static void
xdp_ct_merge_peer(struct conntrack_tcp_peer *peer,
                  const struct xdp_ct_tcp_peer *x)
{
    if ((int32_t) (x->seqlo - peer->seqlo) > 0) {
        peer->seqlo = x->seqlo;
    }
    if ((int32_t) (x->seqhi - peer->seqhi) > 0) {
        peer->seqhi = x->seqhi;
    }
    peer->max_win = MAX(peer->max_win, x->max_win);
}

/* Merges the TCP window in 'value', slot 's''s as the program left it,
 * into the connection's. */
static void
xdp_ct_merge_window(struct xdp_ct_slot *s, const struct xdp_ct_conn *value)
{
    struct conntrack_tcp_peer peers[2];

    if (s->tcp && conntrack_conn_get_tcp_peers(s->conn, peers)) {
        for (int i = 0; i < 2; i++) {
            xdp_ct_merge_peer(&peers[i], &value->peer[i]);
        }
        conntrack_conn_set_tcp_peers(s->conn, peers);
    }
}

/* Removes the connection in 's' from the cache: the keys first, so that
 * the program finds it no more, then the slot.  The TCP window the program
 * tracked is merged into conntrack's, whatever the reason: a connection
 * withdrawn for a new mark stays in conntrack.  If 'hand_back', also marks
 * the connection not offloaded.  The connection's lock is held. */
static void
xdp_ct_remove(struct xdp_conntrack *xc, struct xdp_ct_slot *s, bool hand_back)
    OVS_REQUIRES(xc->mutex)
{
    uint32_t slot = s - xc->slots;
    struct xdp_ct_conn value;

    for (int i = 0; i < 2; i++) {
        int error = xdp_ct_keys_delete_own(&xc->maps, &s->keys[i], slot,
                                           s->generation);

        if (error && error != ENOENT) {
            xc->stats.n_errors++;
        }
    }
    if (!xdp_ct_read(xc, s, &value) && value.generation == s->generation) {
        xdp_ct_account(xc, s, &value);
        xdp_ct_merge_window(s, &value);
    }
    memset(&value, 0, sizeof value);
    if (xdp_ct_map_update(xc->maps.conns, &slot, &value, xc->lock_flag)) {
        xc->stats.n_errors++;
    }
    uint64_t zero = 0;
    xdp_ct_map_update(xc->maps.expire, &slot, &zero, 0);

    if (hand_back) {
        conntrack_conn_set_offloaded(s->conn, false);
    }
    hmap_remove(&xc->by_conn, &s->node);
    s->conn = NULL;
    xc->free_slots[xc->n_free++] = slot;
    xdp_ct_update_can_offload(xc);
}

/* The offload hook: 'conn' is established in both directions. */
static bool
xdp_ct_conn_established(void *xc_, struct conntrack *ct OVS_UNUSED,
                        struct conn *conn)
{
    struct xdp_conntrack *xc = xc_;
    bool taken = false;
    bool can;

    atomic_read_relaxed(&xc->can_offload, &can);
    if (!can) {
        if (xdp_conntrack_cookie__(xc)) {
            uint64_t orig;

            atomic_add_relaxed(&xc->n_full, 1, &orig);
            COVERAGE_INC(xdp_ct_full);
        }
        return false;
    }

    ovs_mutex_lock(&xc->mutex);
    if (xc->maps.keys4 >= 0 && !xc->rebinding && xc->n_free
        && !xdp_ct_slot_find(xc, conn)) {
        uint32_t slot = xc->free_slots[--xc->n_free];

        taken = !xdp_ct_fill(xc, &xc->slots[slot], conn);
        if (!taken) {
            xc->n_free++;
        }
        xdp_ct_update_can_offload(xc);
    }
    ovs_mutex_unlock(&xc->mutex);
    return taken;
}

/* The offload hook: conntrack deletes 'conn'. */
static void
xdp_ct_conn_deleted(void *xc_, struct conntrack *ct OVS_UNUSED,
                    struct conn *conn)
{
    struct xdp_conntrack *xc = xc_;

    ovs_mutex_lock(&xc->mutex);
    struct xdp_ct_slot *s = xdp_ct_slot_find(xc, conn);
    if (s) {
        xdp_ct_remove(xc, s, false);
        xc->stats.n_deleted++;
        COVERAGE_INC(xdp_ct_deleted);
    }
    ovs_mutex_unlock(&xc->mutex);
}

/* The offload hook: conntrack is about to update offloaded 'conn' with a
 * packet that did not come with a hand-back (a miss in a later pass, a
 * flow XDP cannot finish, another port, metadata that did not fit): the
 * window and counters the program has are brought in first, or conntrack
 * would judge the packet on the window it had when it offloaded 'conn'.
 * A connection the program has handed back meanwhile is taken back. */
static void
xdp_ct_conn_pull(void *xc_, struct conntrack *ct OVS_UNUSED,
                 struct conn *conn)
{
    struct xdp_conntrack *xc = xc_;
    struct xdp_ct_conn value;

    ovs_mutex_lock(&xc->mutex);
    struct xdp_ct_slot *s = xdp_ct_slot_find(xc, conn);
    if (s && !xdp_ct_read(xc, s, &value)
        && value.generation == s->generation) {
        if (value.flags & XDP_CT_CONN_HANDED_BACK || s->one_way) {
            /* A one-way connection's packet here may be its first reply:
             * taken back, it is offered again in the state the packet
             * leaves it in. */
            xdp_ct_remove(xc, s, true);
            xc->stats.n_handed_back++;
            COVERAGE_INC(xdp_ct_handed_back);
        } else {
            xdp_ct_account(xc, s, &value);
            xdp_ct_merge_window(s, &value);
            COVERAGE_INC(xdp_ct_pulled);
        }
    }
    ovs_mutex_unlock(&xc->mutex);
}

static const struct conntrack_offload_class xdp_ct_offload_class = {
    .conn_established = xdp_ct_conn_established,
    .conn_deleted = xdp_ct_conn_deleted,
    .conn_pull = xdp_ct_conn_pull,
};

/* Calls 'cb' for the connection in slot 'slot' with its lock and the
 * mutex held, if the slot is in use.  The connection's lock must be taken
 * before the mutex, so the slot is checked again under both. */
static void
xdp_ct_with_slot(struct xdp_conntrack *xc, uint32_t slot,
                 void (*cb)(struct xdp_conntrack *, struct xdp_ct_slot *))
    OVS_EXCLUDED(xc->mutex)
{
    struct conn *conn = NULL;
    uint32_t generation = 0;

    ovs_mutex_lock(&xc->mutex);
    if (slot < xc->max_conns && xc->slots[slot].conn) {
        conn = xc->slots[slot].conn;
        generation = xc->slots[slot].generation;
    }
    ovs_mutex_unlock(&xc->mutex);
    if (!conn) {
        COVERAGE_INC(xdp_ct_slot_gone);
        return;
    }

    /* 'conn' is freed only after an RCU grace period: this thread is not
     * quiescent. */
    conntrack_conn_lock(conn);
    ovs_mutex_lock(&xc->mutex);
    if (slot < xc->max_conns && xc->slots[slot].conn == conn
        && xc->slots[slot].generation == generation) {
        cb(xc, &xc->slots[slot]);
    }
    ovs_mutex_unlock(&xc->mutex);
    conntrack_conn_unlock(conn);
}

static void
xdp_ct_hand_back_cb(struct xdp_conntrack *xc, struct xdp_ct_slot *s)
    OVS_REQUIRES(xc->mutex)
{
    xdp_ct_remove(xc, s, true);
    xc->stats.n_handed_back++;
    COVERAGE_INC(xdp_ct_handed_back);
}

/* Takes back the connection in 'slot' that the program handed back: its
 * window, counters and last use go to conntrack, it leaves the cache.  Call
 * before conntrack sees the packet that came up with it. */
void
xdp_conntrack_hand_back(struct xdp_conntrack *xc, uint32_t slot)
{
    xdp_ct_with_slot(xc, slot, xdp_ct_hand_back_cb);
}

/* xdp_conntrack_hand_back() for the cache bound to the program with
 * 'meta_cookie', given the metadata's 'ct_slot' (slot + 1). */
void
xdp_conntrack_hand_back_by_cookie(uint64_t meta_cookie, uint32_t ct_slot)
{
    struct xdp_conntrack *xc = xdp_conntrack_find_by_cookie(meta_cookie);

    if (xc && ct_slot) {
        xdp_conntrack_hand_back(xc, ct_slot - 1);
    }
}

/* Returns the cache bound to the program with 'meta_cookie', or NULL. */
struct xdp_conntrack *
xdp_conntrack_find_by_cookie(uint64_t meta_cookie)
{
    struct xdp_conntrack *xc, *found = NULL;

    if (!meta_cookie) {
        return NULL;
    }
    ovs_mutex_lock(&caches_mutex);
    HMAP_FOR_EACH (xc, node, &caches) {
        if (xdp_conntrack_cookie(xc) == meta_cookie) {
            found = xc;
            break;
        }
    }
    ovs_mutex_unlock(&caches_mutex);
    return found;
}

static void
xdp_ct_unbind_cb(struct xdp_conntrack *xc, struct xdp_ct_slot *s)
    OVS_REQUIRES(xc->mutex)
{
    xdp_ct_remove(xc, s, true);
}

static void
xdp_ct_sync_cb(struct xdp_conntrack *xc, struct xdp_ct_slot *s)
    OVS_REQUIRES(xc->mutex)
{
    uint32_t slot = s - xc->slots;
    struct xdp_ct_conn value;

    if (!xdp_ct_read(xc, s, &value) && value.generation == s->generation) {
        xdp_ct_account(xc, s, &value);
    }

    /* Conntrack's expiration also moves with the packets it sees itself. */
    long long int expiration = conntrack_conn_get_expiration(s->conn);
    uint64_t expire_ns = expiration > 0 ? expiration * NSEC_PER_MSEC : 0;
    if (expire_ns != s->expire_ns
        && !xdp_ct_map_update(xc->maps.expire, &slot, &expire_ns, 0)) {
        s->expire_ns = expire_ns;
    }
}

/* Calls 'cb' for every slot in use. */
static void
xdp_ct_for_each_slot(struct xdp_conntrack *xc,
                     void (*cb)(struct xdp_conntrack *, struct xdp_ct_slot *))
    OVS_EXCLUDED(xc->mutex)
{
    struct xdp_ct_slot *s;
    uint32_t *slots;
    size_t n = 0;

    ovs_mutex_lock(&xc->mutex);
    slots = xmalloc(MAX(hmap_count(&xc->by_conn), 1) * sizeof *slots);
    HMAP_FOR_EACH (s, node, &xc->by_conn) {
        slots[n++] = s - xc->slots;
    }
    ovs_mutex_unlock(&xc->mutex);

    for (size_t i = 0; i < n; i++) {
        xdp_ct_with_slot(xc, slots[i], cb);
    }
    free(slots);
}

/* Reads all 'n' slots of the 'ct_conns' map 'fd' in batches.  Returns
 * them, indexed by slot (free() them), or NULL if batches are not
 * available. */
static struct xdp_ct_conn *
xdp_ct_read_all(int fd, uint32_t n, uint64_t lock_flag)
{
    struct xdp_ct_conn *values = xmalloc(n * sizeof *values);
    uint32_t *keys = xmalloc(n * sizeof *keys);
    LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = lock_flag);
    uint32_t done = 0, token = 0;

    while (done < n) {
        uint32_t count = n - done;
        int error = (bpf_map_lookup_batch(fd, done ? &token : NULL, &token,
                                          keys + done, values + done,
                                          &count, &opts)
                     ? errno : 0);

        done += count;
        if (error == ENOENT) {
            break;
        } else if (error || !count) {
            done = 0;
            break;
        }
    }
    /* An array gives its slots in order. */
    for (uint32_t i = 0; i < done; i++) {
        if (keys[i] != i) {
            done = 0;
        }
    }
    free(keys);
    if (done != n) {
        free(values);
        return NULL;
    }
    return values;
}

/* A slot in use, as the sync's first pass, without locks, sees it. */
struct xdp_ct_sync_item {
    uint32_t slot;
    struct conn *conn;
    uint32_t generation;
    uint64_t packets[2];
    uint64_t used_ns;
    uint64_t expire_ns;
};

/* Brings what the program saw of the cached connections into conntrack:
 * counters and last use (which refreshes their expiration), and writes
 * conntrack's expirations back as the program's deadlines.  Unless 'force',
 * does its work at most every XDP_CONNTRACK_SYNC_MSEC.
 *
 * Reads all slots in batches first, then takes the locks only for the
 * connections with something new. */
void
xdp_conntrack_sync(struct xdp_conntrack *xc, bool force)
{
    long long int now = time_msec();
    struct xdp_ct_sync_item *items;
    struct xdp_ct_conn *values = NULL;
    struct xdp_ct_slot *s;
    size_t n = 0;

    if (!force && now < xc->next_sync) {
        return;
    }
    xc->next_sync = now + XDP_CONNTRACK_SYNC_MSEC;

    ovs_mutex_lock(&xc->mutex);
    items = xmalloc(MAX(hmap_count(&xc->by_conn), 1) * sizeof *items);
    HMAP_FOR_EACH (s, node, &xc->by_conn) {
        struct xdp_ct_sync_item *item = &items[n++];

        item->slot = s - xc->slots;
        item->conn = s->conn;
        item->generation = s->generation;
        item->packets[0] = s->packets[0];
        item->packets[1] = s->packets[1];
        item->used_ns = s->used_ns;
        item->expire_ns = s->expire_ns;
    }
    if (n) {
        values = xdp_ct_read_all(xc->maps.conns, xc->max_conns,
                                 xc->lock_flag);
    }
    ovs_mutex_unlock(&xc->mutex);

    for (size_t i = 0; i < n; i++) {
        const struct xdp_ct_sync_item *item = &items[i];

        if (values) {
            const struct xdp_ct_conn *v = &values[item->slot];
            /* 'item->conn' is freed only after an RCU grace period, and
             * its expiration is atomic. */
            long long int exp = conntrack_conn_get_expiration(item->conn);
            uint64_t exp_ns = exp > 0 ? exp * NSEC_PER_MSEC : 0;

            if (v->generation != item->generation
                || (v->used_ns <= item->used_ns
                    && v->packets[0] == item->packets[0]
                    && v->packets[1] == item->packets[1]
                    && exp_ns == item->expire_ns)) {
                continue;
            }
        }
        xdp_ct_with_slot(xc, item->slot, xdp_ct_sync_cb);
    }
    free(values);
    free(items);
}

static uint32_t
xdp_ct_map_max_entries(int fd)
{
    struct bpf_map_info info;
    uint32_t len = sizeof info;

    memset(&info, 0, sizeof info);
    return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.max_entries;
}

/* Binds the cache to the program's 'maps' (whose meta cookie is
 * 'meta_cookie'), or to none if 'maps' is null.  Connections cached in the
 * maps bound before are taken back first, as if handed back.  Does nothing
 * if already bound to the program with 'meta_cookie'. */
void
xdp_conntrack_bind(struct xdp_conntrack *xc, const struct xdp_ct_maps *maps,
                   uint64_t meta_cookie)
{
    ovs_mutex_lock(&xc->mutex);
    bool same = maps ? xc->maps.keys4 >= 0
                       && xdp_conntrack_cookie__(xc) == meta_cookie
                     : xc->maps.keys4 < 0;
    xc->rebinding = !same;
    xdp_ct_update_can_offload(xc);
    ovs_mutex_unlock(&xc->mutex);
    if (same) {
        return;
    }

    xdp_ct_for_each_slot(xc, xdp_ct_unbind_cb);

    ovs_mutex_lock(&xc->mutex);
    xdp_ct_maps_close(&xc->maps);
    free(xc->slots);
    free(xc->free_slots);
    xc->slots = NULL;
    xc->free_slots = NULL;
    xc->max_conns = xc->n_free = 0;
    atomic_store_relaxed(&xc->cookie, 0);
    hmap_clear(&xc->by_conn);

    if (maps) {
        uint32_t n = MIN(xdp_ct_map_max_entries(maps->conns),
                         xdp_ct_map_max_entries(maps->expire));
        n = MIN(n, xdp_ct_map_max_entries(maps->keys4) / 2);
        n = MIN(n, xdp_ct_map_max_entries(maps->keys6) / 2);
        xc->maps.keys4 = dup(maps->keys4);
        xc->maps.keys6 = dup(maps->keys6);
        xc->maps.conns = dup(maps->conns);
        xc->maps.expire = dup(maps->expire);
        if (!n || xc->maps.keys4 < 0 || xc->maps.keys6 < 0
            || xc->maps.conns < 0
            || xc->maps.expire < 0) {
            VLOG_WARN("conntrack cache: maps unusable (%s); connections "
                      "stay in userspace", n ? ovs_strerror(errno)
                                             : "no entries");
            xdp_ct_maps_close(&xc->maps);
        } else {
            struct xdp_ct_conn value;
            uint32_t zero = 0;

            /* Maps made by the program have a bpf_spin_lock in the value;
             * test maps made without BTF do not. */
            xc->lock_flag = BPF_F_LOCK;
            if (bpf_map_lookup_elem_flags(xc->maps.conns, &zero, &value,
                                          BPF_F_LOCK)) {
                xc->lock_flag = 0;
            }
            atomic_store_relaxed(&xc->cookie, meta_cookie);
            xc->max_conns = n;
            xc->slots = xcalloc(n, sizeof *xc->slots);
            xc->free_slots = xmalloc(n * sizeof *xc->free_slots);
            for (uint32_t i = 0; i < n; i++) {
                /* Slot 0 on top. */
                xc->free_slots[i] = n - 1 - i;
            }
            xc->n_free = n;
        }
    }
    xc->rebinding = false;
    xdp_ct_update_can_offload(xc);
    ovs_mutex_unlock(&xc->mutex);
}

/* The meta cookie of the program whose maps 'xc' is bound to, 0 if
 * none. */
uint64_t
xdp_conntrack_cookie(const struct xdp_conntrack *xc)
{
    return xdp_conntrack_cookie__(xc);
}

void
xdp_conntrack_get_stats(const struct xdp_conntrack *xc_,
                        struct xdp_conntrack_stats *stats)
{
    struct xdp_conntrack *xc = CONST_CAST(struct xdp_conntrack *, xc_);

    ovs_mutex_lock(&xc->mutex);
    *stats = xc->stats;
    atomic_read_relaxed(&xc->n_full, &stats->n_full);
    stats->n_conns = hmap_count(&xc->by_conn);
    stats->max_conns = xc->max_conns;
    stats->value_lock = xc->lock_flag != 0;
    ovs_mutex_unlock(&xc->mutex);
}

/* Looks 'key' up in the bound keys maps.  Returns 0 and stores the
 * reference in '*ref', or a positive errno value. */
int
xdp_conntrack_slot_of_key(const struct xdp_conntrack *xc_,
                          const struct xdp_ct_key *key, struct xdp_ct_ref *ref)
{
    struct xdp_conntrack *xc = CONST_CAST(struct xdp_conntrack *, xc_);
    int error;

    ovs_mutex_lock(&xc->mutex);
    error = (xc->maps.keys4 < 0 ? ENODEV
             : xdp_conntrack_keys_lookup(&xc->maps, key, ref));
    ovs_mutex_unlock(&xc->mutex);
    return error;
}

static void
xdp_ct_format_addr(struct ds *s, const __be32 addr[4], bool ipv6)
{
    if (ipv6) {
        struct in6_addr in6;

        memcpy(&in6, addr, sizeof in6);
        ds_put_char(s, '[');
        ipv6_format_addr(&in6, s);
        ds_put_char(s, ']');
    } else {
        ds_put_format(s, IP_FMT, IP_ARGS(addr[0]));
    }
}

/* Appends to 's' a line per cached connection, by slot: its original
 * direction as packets carry it. */
void
xdp_conntrack_format_conns(const struct xdp_conntrack *xc_, struct ds *s)
{
    struct xdp_conntrack *xc = CONST_CAST(struct xdp_conntrack *, xc_);

    ovs_mutex_lock(&xc->mutex);
    for (uint32_t i = 0; i < xc->max_conns; i++) {
        const struct xdp_ct_slot *slot = &xc->slots[i];
        const struct xdp_ct_key *k = &slot->keys[0];

        if (!slot->conn) {
            continue;
        }
        ds_put_format(s, "    slot %"PRIu32" (generation %"PRIu32"): %s ",
                      i, slot->generation,
                      k->nw_proto == IPPROTO_TCP ? "tcp" : "udp");
        xdp_ct_format_addr(s, k->src, k->ipv6);
        ds_put_format(s, ":%"PRIu16" > ", ntohs(k->src_port));
        xdp_ct_format_addr(s, k->dst, k->ipv6);
        ds_put_format(s, ":%"PRIu16" zone %"PRIu16"\n", ntohs(k->dst_port),
                      k->zone);
    }
    ovs_mutex_unlock(&xc->mutex);
}
