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

/* Egress QoS of afxdp ports, as the QoS and Queue tables ask: the netdev
 * class's QoS members, with OVS's type names and keys.
 *
 * XDP redirects and AF_XDP sends never pass a qdisc, so none of this is
 * tc.  Shaping types (linux-htb, linux-hfsc) run in userspace on a PIFO
 * scheduler (lib/pifo-sched.c) just before the port's AF_XDP TX ring: while
 * a port shapes, XDP does not output to it (it leaves 'tx_ports'), so the
 * flows that output there run their last step in userspace.  Packets wait
 * in the scheduler until their departure time; the datapath's main loop
 * sleeps until the earliest one (a timerfd, for microsecond wake-ups) and
 * releases what is due in batches.
 *
 * A configuration that does not parse or check is refused with a message
 * (log and qos/show, in the interface's status too) and the previous one
 * stays in force.  The bridge sets the same configuration again at every
 * change of the database: setting what is already set costs nothing. */

#include <config.h>

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "coverage.h"
#include "dp-packet.h"
#include "netdev-provider.h"
#include "netdev-xdp-private.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "pifo-sched.h"
#include "smap.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"
#include "xdp-xsk.h"

VLOG_DEFINE_THIS_MODULE(netdev_xdp_qos);

COVERAGE_DEFINE(afxdp_qos_enqueued);
COVERAGE_DEFINE(afxdp_qos_dropped);
COVERAGE_DEFINE(afxdp_qos_released);

/* Queue numbers, as OVS's linux-htb (its class ids stop below 0xf000). */
#define QOS_MAX_QUEUES 0xf000

/* Packets a queue holds before it drops, as a tc qdisc's default. */
#define QOS_QUEUE_LEN 1000

/* Port rate when the QoS row does not say: OVS's default when the link
 * speed is unknown (NETDEV_DEFAULT_BPS). */
#define QOS_DEFAULT_MAX_RATE (10ULL * 1000 * 1000 * 1000)

enum qos_kind {
    QOS_NOOP,                   /* linux-noop: nothing, as OVS. */
    QOS_SHAPE,                  /* linux-htb, linux-hfsc: the scheduler. */
};

struct qos_type {
    const char *name;
    enum qos_kind kind;
    const char *const *qos_keys;        /* NULL-terminated. */
    const char *const *queue_keys;
    unsigned int n_queues;
};

static const char *const htb_qos_keys[] = { "max-rate", NULL };
static const char *const htb_queue_keys[] = {
    "min-rate", "max-rate", "burst", "priority", NULL
};
static const char *const hfsc_queue_keys[] = {
    "min-rate", "max-rate", NULL
};
static const char *const no_keys[] = { NULL };

static const struct qos_type qos_types[] = {
    { "linux-htb", QOS_SHAPE, htb_qos_keys, htb_queue_keys, QOS_MAX_QUEUES },
    { "linux-hfsc", QOS_SHAPE, htb_qos_keys, hfsc_queue_keys,
      QOS_MAX_QUEUES },
    { "linux-noop", QOS_NOOP, no_keys, no_keys, 0 },
};

/* A Queue row, as applied. */
struct qos_queue {
    struct hmap_node node;      /* In 'qos->queues', by 'id'. */
    unsigned int id;
    uint64_t min_rate;          /* bit/s, 0: not set. */
    uint64_t max_rate;          /* bit/s, 0: not set (the port's). */
    uint64_t burst;             /* bits, 0: not set (default). */
    uint32_t priority;
    uint32_t index;             /* In the scheduler, while it exists. */

    /* Statistics, kept across scheduler rebuilds. */
    uint64_t tx_packets;
    uint64_t tx_bytes;
    uint64_t tx_errors;         /* Dropped: queue full or no room. */
    long long int created;      /* time_msec(). */
};

struct netdev_xdp_qos {
    struct ovs_list node;       /* In 'qos_ports'. */
    struct netdev_xdp *dev;
    const struct qos_type *type;
    struct smap details;        /* QoS other_config as applied. */
    uint64_t max_rate;          /* bit/s. */
    struct hmap queues;         /* 'struct qos_queue's. */
    char *error;                /* Why the last configuration was refused. */

    /* The scheduler: rebuilt from 'queues' when they change. */
    struct pifo_htb *htb;
    bool stale;                 /* 'htb' does not match 'queues'. */
    struct qos_queue **by_index;
    uint32_t n_indexes;
};

/* Ports with QoS, for the datapath's run and wait.  Main thread only. */
static struct ovs_list qos_ports = OVS_LIST_INITIALIZER(&qos_ports);

/* Wakes the main thread at the earliest departure. */
static int qos_timerfd = -1;

static struct vlog_rate_limit qos_rl = VLOG_RATE_LIMIT_INIT(5, 20);

static uint64_t
qos_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000 * 1000 * 1000 + ts.tv_nsec;
}

static const struct qos_type *
qos_type_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(qos_types); i++) {
        if (!strcmp(name, qos_types[i].name)) {
            return &qos_types[i];
        }
    }
    return NULL;
}

static bool
qos_key_known(const char *const *keys, const char *key)
{
    for (; *keys; keys++) {
        if (!strcmp(*keys, key)) {
            return true;
        }
    }
    return false;
}

/* Checks that 'details' has only 'keys'.  Returns NULL or a message. */
static char *
qos_check_keys(const struct smap *details, const char *const *keys,
               const char *what, const char *type)
{
    const struct smap_node **nodes = smap_sort(details);
    char *msg = NULL;

    for (size_t i = 0; i < smap_count(details) && !msg; i++) {
        if (!qos_key_known(keys, nodes[i]->key)) {
            struct ds known = DS_EMPTY_INITIALIZER;

            for (const char *const *k = keys; *k; k++) {
                ds_put_format(&known, "%s%s", k == keys ? "" : ", ", *k);
            }
            msg = xasprintf("unknown %s key \"%s\" for type %s (it takes: "
                            "%s)", what, nodes[i]->key, type,
                            known.length ? ds_cstr(&known) : "none");
            ds_destroy(&known);
        }
    }
    free(nodes);
    return msg;
}

/* Parses 'key' of 'details' as a number into '*value' (0 if absent).
 * Returns NULL or a message. */
static char *
qos_get_number(const struct smap *details, const char *key,
               uint64_t *value)
{
    const char *s = smap_get(details, key);
    unsigned long long int n;

    *value = 0;
    if (!s) {
        return NULL;
    }
    if (s[0] == '-' || !str_to_ullong(s, 10, &n)) {
        return xasprintf("%s=\"%s\" is not a number >= 0", key, s);
    }
    *value = n;
    return NULL;
}

/* The port's MTU, or Ethernet's if it cannot say (its device is gone). */
static int
qos_mtu(const struct netdev_xdp *dev)
{
    int mtu;

    return !netdev_get_mtu(&dev->up.up, &mtu) && mtu > 0 ? mtu
                                                          : ETH_PAYLOAD_MAX;
}

/* The largest frame the port sends, in bits: a burst must hold one. */
static uint64_t
qos_frame_bits(const struct netdev_xdp *dev)
{
    return 8ULL * (qos_mtu(dev) + ETH_HEADER_LEN + VLAN_HEADER_LEN);
}

static void
qos_free_queues(struct hmap *queues)
{
    struct qos_queue *q;

    HMAP_FOR_EACH_POP (q, node, queues) {
        free(q);
    }
    hmap_destroy(queues);
}

static struct qos_queue *
qos_queue_find(const struct netdev_xdp_qos *qos, unsigned int id)
{
    struct qos_queue *q;

    HMAP_FOR_EACH_WITH_HASH (q, node, hash_int(id, 0), &qos->queues) {
        if (q->id == id) {
            return q;
        }
    }
    return NULL;
}

/* Notes that 'dev''s last configuration was refused with 'msg' (taken), or
 * accepted if 'msg' is NULL.  Logs each new refusal once. */
static void
qos_note_error(struct netdev_xdp *dev, struct netdev_xdp_qos *qos, char *msg)
{
    if (!nullable_string_is_equal(msg, qos->error)) {
        if (msg) {
            VLOG_WARN("%s: QoS configuration refused, the previous one "
                      "stays in force: %s", netdev_get_name(&dev->up.up),
                      msg);
        }
        free(qos->error);
        qos->error = msg;
        netdev_change_seq_changed(&dev->up.up);
    } else {
        free(msg);
    }
}

static struct netdev_xdp_qos *
qos_get(struct netdev_xdp *dev)
{
    if (!dev->qos) {
        struct netdev_xdp_qos *qos = xzalloc(sizeof *qos);

        qos->dev = dev;
        smap_init(&qos->details);
        hmap_init(&qos->queues);
        ovs_list_push_back(&qos_ports, &qos->node);
        dev->qos = qos;
    }
    return dev->qos;
}

/* Sends what 'qos' holds now, whatever its departure times, as the
 * scheduler goes away.  Returns the packets that found no room, which are
 * counted as dropped. */
static void qos_release(struct netdev_xdp_qos *, uint64_t now, bool all);

static void
qos_destroy_scheduler(struct netdev_xdp_qos *qos)
{
    if (qos->htb) {
        qos_release(qos, qos_now_ns(), true);
        pifo_htb_destroy(qos->htb);
        qos->htb = NULL;
    }
    free(qos->by_index);
    qos->by_index = NULL;
    qos->n_indexes = 0;
}

/* Builds the scheduler of 'qos' from its queues; packets queued in the old
 * one move to the new one, in the order the old one releases them. */
static void
qos_build_scheduler(struct netdev_xdp_qos *qos)
{
    const char *name = netdev_get_name(&qos->dev->up.up);
    struct pifo_htb_queue_config *qcs;
    struct pifo_htb_config cfg;
    struct pifo_htb *htb, *old;
    struct qos_queue **by_index;
    struct qos_queue *q;
    uint64_t now = qos_now_ns();
    char *error = NULL;
    uint32_t n = 0;
    int mtu = qos_mtu(qos->dev);

    qos->stale = false;
    if (!qos->type || qos->type->kind != QOS_SHAPE) {
        qos_destroy_scheduler(qos);
        return;
    }
    if (!qos_queue_find(qos, 0)) {
        /* Packets of unknown queues go to queue 0, which always exists. */
        q = xzalloc(sizeof *q);
        q->created = time_msec();
        hmap_insert(&qos->queues, &q->node, hash_int(0, 0));
    }

    by_index = xmalloc(hmap_count(&qos->queues) * sizeof *by_index);
    qcs = xcalloc(hmap_count(&qos->queues), sizeof *qcs);
    HMAP_FOR_EACH (q, node, &qos->queues) {
        by_index[n++] = q;
    }
    for (uint32_t i = 0; i < n; i++) {
        q = by_index[i];
        q->index = i;
        /* As OVS's linux-htb: a queue is guaranteed at least one MTU per
         * second, and at most the port's rate. */
        qcs[i].min_rate = MIN(MAX(q->min_rate, 8ULL * mtu), qos->max_rate);
        qcs[i].max_rate = MIN(q->max_rate ? q->max_rate : qos->max_rate,
                              qos->max_rate);
        qcs[i].max_rate = MAX(qcs[i].max_rate, qcs[i].min_rate);
        qcs[i].burst = q->burst;
        qcs[i].priority = q->priority;
    }
    memset(&cfg, 0, sizeof cfg);
    cfg.max_rate = qos->max_rate;
    cfg.mtu = mtu + ETH_HEADER_LEN + VLAN_HEADER_LEN;
    cfg.queue_len = QOS_QUEUE_LEN;
    cfg.n_queues = n;
    cfg.queues = qcs;
    htb = pifo_htb_create(&cfg, now, &error);
    free(qcs);
    if (!htb) {
        /* Checked before: should not happen.  Keep the old one. */
        VLOG_ERR("%s: cannot build the QoS scheduler: %s", name, error);
        free(error);
        free(by_index);
        return;
    }

    old = qos->htb;
    struct qos_queue **old_by_index = qos->by_index;
    uint32_t old_n = qos->n_indexes;
    qos->htb = htb;
    qos->by_index = by_index;
    qos->n_indexes = n;
    if (old) {
        uint32_t index, bytes;
        void *packet;

        while ((packet = pifo_htb_flush(old, now, &index, &bytes))) {
            struct qos_queue *oq = index < old_n ? old_by_index[index] : NULL;
            /* Its queue may be gone: queue 0 takes it. */
            uint32_t qi = (oq && qos_queue_find(qos, oq->id) == oq
                           ? oq->index : qos_queue_find(qos, 0)->index);

            if (!pifo_htb_enqueue(htb, qi, packet, bytes, now)) {
                by_index[qi]->tx_errors++;
                COVERAGE_INC(afxdp_qos_dropped);
                dp_packet_delete(packet);
            }
        }
        pifo_htb_destroy(old);
    }
    free(old_by_index);
}

/* Parses a QoS row of 'type' into 'max_rate'.  Returns NULL or a message. */
static char *
qos_parse(const struct netdev_xdp *dev, const struct qos_type *type,
          const struct smap *details, uint64_t *max_rate)
{
    char *msg = qos_check_keys(details, type->qos_keys, "QoS", type->name);

    *max_rate = 0;
    if (msg || type->kind != QOS_SHAPE) {
        return msg;
    }
    msg = qos_get_number(details, "max-rate", max_rate);
    if (msg) {
        return msg;
    }
    if (smap_get(details, "max-rate") && !*max_rate) {
        return xstrdup("max-rate=0: a port's rate must be at least 1 bit/s "
                       "(remove the key for the default)");
    }
    if (!*max_rate) {
        *max_rate = QOS_DEFAULT_MAX_RATE;
    }
    if (*max_rate < qos_frame_bits(dev)) {
        return xasprintf("max-rate=%"PRIu64" is less than one frame per "
                         "second (%"PRIu64" bits)", *max_rate,
                         qos_frame_bits(dev));
    }
    return NULL;
}

/* Parses a Queue row of 'type' into 'q'.  Returns NULL or a message. */
static char *
qos_parse_queue(const struct netdev_xdp *dev, const struct qos_type *type,
                const struct smap *details, struct qos_queue *q)
{
    char *msg = qos_check_keys(details, type->queue_keys, "Queue",
                               type->name);
    uint64_t priority = 0;

    /* 0 means "not set", as OVN writes unset rates. */
    if (!msg) {
        msg = qos_get_number(details, "min-rate", &q->min_rate);
    }
    if (!msg) {
        msg = qos_get_number(details, "max-rate", &q->max_rate);
    }
    if (!msg) {
        msg = qos_get_number(details, "burst", &q->burst);
    }
    if (!msg) {
        msg = qos_get_number(details, "priority", &priority);
    }
    if (msg) {
        return msg;
    }
    if (priority > UINT32_MAX) {
        return xasprintf("priority=%"PRIu64" is above %"PRIu32, priority,
                         UINT32_MAX);
    }
    q->priority = priority;
    if (q->max_rate && q->min_rate > q->max_rate) {
        return xasprintf("min-rate=%"PRIu64" is above max-rate=%"PRIu64,
                         q->min_rate, q->max_rate);
    }
    if (q->burst && q->burst < qos_frame_bits(dev)) {
        return xasprintf("burst=%"PRIu64" bits is less than one frame of "
                         "the port's MTU (%"PRIu64" bits)", q->burst,
                         qos_frame_bits(dev));
    }
    return NULL;
}

static int
netdev_xdp_get_qos_types(const struct netdev *netdev OVS_UNUSED,
                         struct sset *types)
{
    for (size_t i = 0; i < ARRAY_SIZE(qos_types); i++) {
        sset_add(types, qos_types[i].name);
    }
    return 0;
}

static int
netdev_xdp_get_qos_capabilities(const struct netdev *netdev OVS_UNUSED,
                                const char *type,
                                struct netdev_qos_capabilities *caps)
{
    const struct qos_type *t = qos_type_find(type);

    if (!t) {
        return EOPNOTSUPP;
    }
    caps->n_queues = t->n_queues;
    return 0;
}

static int
netdev_xdp_get_qos(const struct netdev *netdev, const char **typep,
                   struct smap *details)
{
    struct netdev_xdp *dev = netdev_xdp_cast(netdev);
    struct netdev_xdp_qos *qos = dev->qos;

    *typep = qos && qos->type ? qos->type->name : "";
    if (qos && qos->type) {
        smap_clone(details, &qos->details);
        if (qos->type->kind == QOS_SHAPE) {
            char *rate = xasprintf("%"PRIu64, qos->max_rate);

            /* The rate in force, default included. */
            smap_replace(details, "max-rate", rate);
            free(rate);
        }
    }
    if (qos && qos->error) {
        smap_add(details, "error", qos->error);
    }
    return 0;
}

static int
netdev_xdp_set_qos(struct netdev *netdev, const char *type,
                   const struct smap *details)
{
    struct netdev_xdp *dev = netdev_xdp_cast(netdev);
    struct netdev_xdp_qos *qos = qos_get(dev);
    const struct qos_type *t = NULL;
    uint64_t max_rate = 0;
    char *msg = NULL;

    if (type && type[0]) {
        t = qos_type_find(type);
        if (!t) {
            struct ds types = DS_EMPTY_INITIALIZER;

            for (size_t i = 0; i < ARRAY_SIZE(qos_types); i++) {
                ds_put_format(&types, "%s%s", i ? ", " : "",
                              qos_types[i].name);
            }
            qos_note_error(dev, qos, xasprintf("QoS type \"%s\" is not "
                                               "supported on afxdp ports "
                                               "(types: %s)", type,
                                               ds_cstr(&types)));
            ds_destroy(&types);
            return EOPNOTSUPP;
        }
        msg = qos_parse(dev, t, details, &max_rate);
        if (msg) {
            qos_note_error(dev, qos, msg);
            return EINVAL;
        }
    }
    qos_note_error(dev, qos, NULL);

    if (t == qos->type && (!t || (smap_equal(details, &qos->details)
                                  && max_rate == qos->max_rate))) {
        return 0;
    }
    if (t != qos->type) {
        /* A new type starts with no queues. */
        qos_free_queues(&qos->queues);
        hmap_init(&qos->queues);
        VLOG_INFO("%s: QoS %s", netdev_get_name(netdev),
                  t ? t->name : "removed");
    }
    qos->type = t;
    smap_destroy(&qos->details);
    if (details && t) {
        smap_clone(&qos->details, details);
    } else {
        smap_init(&qos->details);
    }
    qos->max_rate = max_rate;
    qos_build_scheduler(qos);
    /* A port that shapes takes its output out of XDP. */
    if (dev->prog) {
        netdev_xdp_check_tx(dev);
    }
    return 0;
}

static void
qos_queue_details(const struct qos_queue *q, struct smap *details)
{
    if (q->min_rate) {
        smap_add_format(details, "min-rate", "%"PRIu64, q->min_rate);
    }
    if (q->max_rate) {
        smap_add_format(details, "max-rate", "%"PRIu64, q->max_rate);
    }
    if (q->burst) {
        smap_add_format(details, "burst", "%"PRIu64, q->burst);
    }
    if (q->priority) {
        smap_add_format(details, "priority", "%"PRIu32, q->priority);
    }
}

static int
netdev_xdp_get_queue(const struct netdev *netdev, unsigned int queue_id,
                     struct smap *details)
{
    struct netdev_xdp *dev = netdev_xdp_cast(netdev);
    const struct qos_queue *q;

    if (!dev->qos || !dev->qos->type) {
        return EOPNOTSUPP;
    }
    q = qos_queue_find(dev->qos, queue_id);
    if (!q) {
        return ENOENT;
    }
    qos_queue_details(q, details);
    return 0;
}

static int
netdev_xdp_set_queue(struct netdev *netdev, unsigned int queue_id,
                     const struct smap *details)
{
    struct netdev_xdp *dev = netdev_xdp_cast(netdev);
    struct netdev_xdp_qos *qos = dev->qos;
    struct qos_queue parsed, *q;
    char *msg;

    if (!qos || !qos->type) {
        return EOPNOTSUPP;
    }
    if (queue_id >= qos->type->n_queues) {
        if (smap_is_empty(details)) {
            /* The bridge sets an empty queue 0 on every type. */
            return EOPNOTSUPP;
        }
        qos_note_error(dev, qos, xasprintf("queue %u: QoS type %s has %s",
                                           queue_id, qos->type->name,
                                           (qos->type->n_queues
                                            ? "queues 0 to 61439"
                                            : "no queues")));
        return EINVAL;
    }
    memset(&parsed, 0, sizeof parsed);
    msg = qos_parse_queue(dev, qos->type, details, &parsed);
    if (msg) {
        char *full = xasprintf("queue %u: %s", queue_id, msg);

        free(msg);
        qos_note_error(dev, qos, full);
        return EINVAL;
    }

    q = qos_queue_find(qos, queue_id);
    if (!q) {
        q = xzalloc(sizeof *q);
        q->id = queue_id;
        q->created = time_msec();
        hmap_insert(&qos->queues, &q->node, hash_int(queue_id, 0));
        qos->stale = true;
    } else if (q->min_rate != parsed.min_rate
               || q->max_rate != parsed.max_rate
               || q->burst != parsed.burst
               || q->priority != parsed.priority) {
        qos->stale = true;
    }
    q->min_rate = parsed.min_rate;
    q->max_rate = parsed.max_rate;
    q->burst = parsed.burst;
    q->priority = parsed.priority;
    return 0;
}

static int
netdev_xdp_delete_queue(struct netdev *netdev, unsigned int queue_id)
{
    struct netdev_xdp *dev = netdev_xdp_cast(netdev);
    struct netdev_xdp_qos *qos = dev->qos;
    struct qos_queue *q;

    if (!qos || !qos->type) {
        return EOPNOTSUPP;
    }
    q = qos_queue_find(qos, queue_id);
    if (!q) {
        return ENOENT;
    }
    /* The scheduler still points to it: rebuild first, which moves its
     * packets to queue 0. */
    hmap_remove(&qos->queues, &q->node);
    qos_build_scheduler(qos);
    free(q);
    return 0;
}

static void
qos_queue_stats(const struct qos_queue *q, struct netdev_queue_stats *stats)
{
    stats->tx_packets = q->tx_packets;
    stats->tx_bytes = q->tx_bytes;
    stats->tx_errors = q->tx_errors;
    stats->created = q->created;
}

static int
netdev_xdp_get_queue_stats(const struct netdev *netdev, unsigned int queue_id,
                           struct netdev_queue_stats *stats)
{
    struct netdev_xdp *dev = netdev_xdp_cast(netdev);
    const struct qos_queue *q;

    if (!dev->qos || !dev->qos->type) {
        return EOPNOTSUPP;
    }
    q = qos_queue_find(dev->qos, queue_id);
    if (!q) {
        return ENOENT;
    }
    qos_queue_stats(q, stats);
    return 0;
}

/* Queue dumps: a sorted snapshot of the queue numbers. */
struct qos_dump {
    unsigned int *ids;
    size_t n, i;
};

static int
qos_compare_ids(const void *a_, const void *b_)
{
    unsigned int a = *(const unsigned int *) a_;
    unsigned int b = *(const unsigned int *) b_;

    return a < b ? -1 : a > b;
}

static int
netdev_xdp_queue_dump_start(const struct netdev *netdev, void **statep)
{
    struct netdev_xdp *dev = netdev_xdp_cast(netdev);
    struct qos_dump *dump = xzalloc(sizeof *dump);
    const struct qos_queue *q;

    if (dev->qos && dev->qos->type) {
        dump->ids = xmalloc(MAX(1, hmap_count(&dev->qos->queues))
                            * sizeof *dump->ids);
        HMAP_FOR_EACH (q, node, &dev->qos->queues) {
            dump->ids[dump->n++] = q->id;
        }
        qsort(dump->ids, dump->n, sizeof *dump->ids, qos_compare_ids);
    }
    *statep = dump;
    return 0;
}

static int
netdev_xdp_queue_dump_next(const struct netdev *netdev, void *state,
                           unsigned int *queue_id, struct smap *details)
{
    struct netdev_xdp *dev = netdev_xdp_cast(netdev);
    struct qos_dump *dump = state;

    while (dump->i < dump->n) {
        const struct qos_queue *q;

        *queue_id = dump->ids[dump->i++];
        q = dev->qos ? qos_queue_find(dev->qos, *queue_id) : NULL;
        if (q) {
            qos_queue_details(q, details);
            if (dev->qos->htb) {
                struct pifo_htb_queue_stats st;

                pifo_htb_get_queue_stats(dev->qos->htb, q->index, &st);
                smap_add_format(details, "backlog-packets", "%"PRIu32,
                                st.backlog_packets);
                smap_add_format(details, "backlog-bytes", "%"PRIu64,
                                st.backlog_bytes);
            }
            return 0;
        }
    }
    return EOF;
}

static int
netdev_xdp_queue_dump_done(const struct netdev *netdev OVS_UNUSED,
                           void *state)
{
    struct qos_dump *dump = state;

    free(dump->ids);
    free(dump);
    return 0;
}

static int
netdev_xdp_dump_queue_stats(const struct netdev *netdev,
                            void (*cb)(unsigned int queue_id,
                                       struct netdev_queue_stats *,
                                       void *aux),
                            void *aux)
{
    struct netdev_xdp *dev = netdev_xdp_cast(netdev);
    const struct qos_queue *q;

    if (!dev->qos || !dev->qos->type) {
        return EOPNOTSUPP;
    }
    HMAP_FOR_EACH (q, node, &dev->qos->queues) {
        struct netdev_queue_stats stats;

        qos_queue_stats(q, &stats);
        cb(q->id, &stats, aux);
    }
    return 0;
}

/* True if 'dev' shapes its output in userspace, with why in '*reason'. */
bool
netdev_xdp_qos_shapes(const struct netdev_xdp *dev, const char **reason)
{
    if (dev->qos && dev->qos->type && dev->qos->type->kind == QOS_SHAPE) {
        *reason = (!strcmp(dev->qos->type->name, "linux-htb")
                   ? "egress QoS linux-htb shapes this port in userspace"
                   : "egress QoS linux-hfsc shapes this port in userspace");
        return true;
    }
    return false;
}

/* Sends up to a batch of what 'qos' releases at 'now' ('all': everything
 * it holds), as long as the TX ring has room.  Returns the packets sent. */
static size_t
qos_release_batch(struct netdev_xdp_qos *qos, uint64_t now, bool all)
{
    struct netdev_xdp *dev = qos->dev;
    void *packets[NETDEV_MAX_BURST];
    uint32_t indexes[NETDEV_MAX_BURST];
    struct dp_packet_batch batch;
    struct xdp_xsk_tx_result r;
    size_t n = 0;

    if (all) {
        uint32_t bytes;

        while (n < NETDEV_MAX_BURST
               && (packets[n] = pifo_htb_flush(qos->htb, now, &indexes[n],
                                               &bytes))) {
            n++;
        }
    } else {
        n = pifo_htb_dequeue(qos->htb, now, packets, indexes,
                             NETDEV_MAX_BURST);
    }
    if (!n) {
        return 0;
    }

    dp_packet_batch_init(&batch);
    for (size_t i = 0; i < n; i++) {
        struct qos_queue *q = qos->by_index[indexes[i]];

        q->tx_packets++;
        q->tx_bytes += dp_packet_size(packets[i]);
        dp_packet_batch_add(&batch, packets[i]);
    }
    COVERAGE_ADD(afxdp_qos_released, n);
    if (!dev->n_xsks) {
        dp_packet_delete_batch(&batch, true);
        return n;
    }
    xdp_xsk_send(&dev->xsks[0], dev->umem,
                 dev->mode != XDP_MODE_NATIVE_ZC || !dev->applied.need_wakeup,
                 netdev_get_name(&dev->up.up), &batch, &r);
    if (r.n_dropped) {
        /* No room in the ring: counted against the last queue released. */
        qos->by_index[indexes[n - 1]]->tx_errors += r.n_dropped;
        COVERAGE_ADD(afxdp_qos_dropped, r.n_dropped);
    }
    return n;
}

static void
qos_release(struct netdev_xdp_qos *qos, uint64_t now, bool all)
{
    if (!qos->htb) {
        return;
    }
    while (qos_release_batch(qos, now, all) == NETDEV_MAX_BURST) {
        continue;
    }
}

/* Takes the packets of 'batch' if 'dev' shapes: they wait in its scheduler
 * for their departure, and what is due goes out now.  Returns false if the
 * port does not shape (the caller sends the batch). */
bool
netdev_xdp_qos_send(struct netdev_xdp *dev, struct dp_packet_batch *batch)
{
    struct netdev_xdp_qos *qos = dev->qos;
    struct dp_packet *packet;
    uint64_t now;

    if (!qos || !qos->type || qos->type->kind != QOS_SHAPE) {
        return false;
    }
    if (qos->stale || !qos->htb) {
        qos_build_scheduler(qos);
        if (!qos->htb) {
            return false;
        }
    }
    now = qos_now_ns();
    DP_PACKET_BATCH_FOR_EACH (i, packet, batch) {
        /* set_queue puts the queue number in the packet's priority. */
        struct qos_queue *q = qos_queue_find(qos, packet->md.skb_priority);

        if (!q) {
            q = qos_queue_find(qos, 0);
        }
        if (pifo_htb_enqueue(qos->htb, q->index, packet,
                             dp_packet_size(packet), now)) {
            COVERAGE_INC(afxdp_qos_enqueued);
        } else {
            q->tx_errors++;
            COVERAGE_INC(afxdp_qos_dropped);
            dp_packet_delete(packet);
        }
    }
    dp_packet_batch_init(batch);
    qos_release(qos, now, false);
    return true;
}

/* Releases what is due on every port that shapes.  The datapath calls it
 * from its run. */
void
netdev_xdp_qos_run(void)
{
    struct netdev_xdp_qos *qos;
    uint64_t now;

    if (ovs_list_is_empty(&qos_ports)) {
        return;
    }
    if (qos_timerfd >= 0) {
        uint64_t expirations;

        /* Clears a wake-up that fired. */
        ignore(read(qos_timerfd, &expirations, sizeof expirations));
    }
    now = qos_now_ns();
    LIST_FOR_EACH (qos, node, &qos_ports) {
        if (qos->stale) {
            qos_build_scheduler(qos);
        }
        qos_release(qos, now, false);
    }
}

/* Arranges to wake up when a shaped port's next packet is due. */
void
netdev_xdp_qos_wait(void)
{
    struct netdev_xdp_qos *qos;
    uint64_t now = qos_now_ns(), next = UINT64_MAX;

    LIST_FOR_EACH (qos, node, &qos_ports) {
        uint64_t when;

        if (qos->stale) {
            poll_immediate_wake();
            return;
        }
        if (qos->htb && pifo_htb_next_time(qos->htb, now, &when)) {
            next = MIN(next, when);
        }
    }
    if (next == UINT64_MAX) {
        return;
    }
    if (next <= now) {
        poll_immediate_wake();
        return;
    }
    if (qos_timerfd < 0) {
        qos_timerfd = timerfd_create(CLOCK_MONOTONIC,
                                     TFD_NONBLOCK | TFD_CLOEXEC);
        if (qos_timerfd < 0) {
            VLOG_WARN_RL(&qos_rl, "timerfd_create failed (%s): shaping "
                         "wakes up at millisecond resolution",
                         ovs_strerror(errno));
        }
    }
    if (qos_timerfd >= 0) {
        struct itimerspec its = {
            .it_value = {
                .tv_sec = next / (1000 * 1000 * 1000),
                .tv_nsec = next % (1000 * 1000 * 1000),
            },
        };

        if (!timerfd_settime(qos_timerfd, TFD_TIMER_ABSTIME, &its, NULL)) {
            poll_fd_wait(qos_timerfd, POLLIN);
            return;
        }
    }
    /* Round up: never wake before the departure. */
    poll_timer_wait(MAX(1, (next - now + 999999) / 1000000));
}

/* Frees the QoS state of 'dev', sending what it still holds. */
void
netdev_xdp_qos_destroy(struct netdev_xdp *dev)
{
    struct netdev_xdp_qos *qos = dev->qos;

    if (qos) {
        qos_destroy_scheduler(qos);
        qos_free_queues(&qos->queues);
        smap_destroy(&qos->details);
        free(qos->error);
        ovs_list_remove(&qos->node);
        free(qos);
        dev->qos = NULL;
    }
}

/* Adds QoS to the status of 'dev'. */
void
netdev_xdp_qos_get_status(const struct netdev_xdp *dev, struct smap *smap)
{
    if (dev->qos && dev->qos->error) {
        smap_add(smap, "qos-error", dev->qos->error);
    }
}

/* Makes 'class''s QoS members ours, in place of netdev-linux's tc ones. */
void
netdev_xdp_qos_init_class(struct netdev_class *class)
{
    class->get_qos_types = netdev_xdp_get_qos_types;
    class->get_qos_capabilities = netdev_xdp_get_qos_capabilities;
    class->get_qos = netdev_xdp_get_qos;
    class->set_qos = netdev_xdp_set_qos;
    class->get_queue = netdev_xdp_get_queue;
    class->set_queue = netdev_xdp_set_queue;
    class->delete_queue = netdev_xdp_delete_queue;
    class->get_queue_stats = netdev_xdp_get_queue_stats;
    class->queue_dump_start = netdev_xdp_queue_dump_start;
    class->queue_dump_next = netdev_xdp_queue_dump_next;
    class->queue_dump_done = netdev_xdp_queue_dump_done;
    class->dump_queue_stats = netdev_xdp_dump_queue_stats;
}
