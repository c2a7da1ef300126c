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
#include "netdev-xdp-qos-private.h"
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
#include "xdp-policer.h"
#include "xdp-prog.h"
#include "xdp-xsk.h"

VLOG_DEFINE_THIS_MODULE(netdev_xdp_qos);


/* Queue numbers, as OVS's linux-htb (its class ids stop below 0xf000). */
#define QOS_MAX_QUEUES 0xf000

/* Queues a shaped port has at most: each holds a ring of 1000 packets. */
#define QOS_MAX_SHAPED_QUEUES 1024

/* Port rate when neither the QoS row nor the link says: OVS's default
 * (NETDEV_DEFAULT_BPS). */
#define QOS_DEFAULT_MAX_RATE (10ULL * 1000 * 1000 * 1000)

static const char *const htb_qos_keys[] = { "max-rate", NULL };
static const char *const htb_queue_keys[] = {
    "min-rate", "max-rate", "burst", "priority", NULL
};
static const char *const hfsc_queue_keys[] = {
    "min-rate", "max-rate", NULL
};
static const char *const no_keys[] = { NULL };
static const char *const srtcm_keys[] = { "cir", "cbs", NULL };
static const char *const trtcm_keys[] = { "cir", "cbs", "eir", "ebs", NULL };

static const struct qos_type qos_types[] = {
    { "linux-htb", QOS_SHAPE, htb_qos_keys, htb_queue_keys, QOS_MAX_QUEUES },
    { "linux-hfsc", QOS_SHAPE, htb_qos_keys, hfsc_queue_keys,
      QOS_MAX_QUEUES },
    { "linux-noop", QOS_NOOP, no_keys, no_keys, 0 },
    { "egress-policer", QOS_POLICE, srtcm_keys, no_keys, 0 },
    { "trtcm-policer", QOS_TRTCM, trtcm_keys, trtcm_keys, QOS_MAX_QUEUES },
};



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

/* The refusals of 'qos', in one string (to free). */
static char *
qos_errors(const struct netdev_xdp_qos *qos)
{
    const struct smap_node **nodes = smap_sort(&qos->errors);
    struct ds s = DS_EMPTY_INITIALIZER;

    for (size_t i = 0; i < smap_count(&qos->errors); i++) {
        ds_put_format(&s, "%s%s", i ? "; " : "", nodes[i]->value);
    }
    free(nodes);
    return ds_steal_cstr(&s);
}

/* Parses the policer keys of 'details' ("cir", "cbs", "eir", "ebs": bytes
 * per second and bytes, as OVS-DPDK's) into 'p'.  'inherit': no keys at
 * all is fine (trtcm-policer's queue 0 takes the port's).  Returns NULL or
 * a message. */
static char *
qos_parse_policer(const struct netdev_xdp *dev, const struct smap *details,
                  bool inherit, struct qos_policer_params *p)
{
    uint64_t frame = qos_mtu(dev);
    char *msg;

    if (inherit && smap_is_empty(details)) {
        return NULL;
    }
    msg = qos_get_number(details, "cir", &p->cir);
    if (!msg) {
        msg = qos_get_number(details, "cbs", &p->cbs);
    }
    if (!msg) {
        msg = qos_get_number(details, "eir", &p->eir);
    }
    if (!msg) {
        msg = qos_get_number(details, "ebs", &p->ebs);
    }
    if (msg) {
        return msg;
    }
    if (!p->cir) {
        return xstrdup("cir (bytes per second) must be at least 1");
    }
    /* A policer counts frames without their Ethernet header, as
     * OVS-DPDK's: a bucket smaller than the MTU never passes a full
     * frame. */
    if (p->cbs < frame) {
        return xasprintf("cbs=%"PRIu64" bytes is less than one frame of the "
                         "port's MTU (%"PRIu64" bytes)", p->cbs, frame);
    }
    if (p->eir && p->ebs < frame) {
        return xasprintf("ebs=%"PRIu64" bytes is less than one frame of the "
                         "port's MTU (%"PRIu64" bytes)", p->ebs, frame);
    }
    /* What XDP's buckets can hold (their time arithmetic has limits):
     * refused now, so that the previous configuration stays in force. */
    struct xdp_policer_config cfg = {
        .kind = XDP_POLICER_TRTCM,
        .rate = p->cir, .burst = p->cbs, .eir = p->eir, .ebs = p->ebs,
    };
    if (xdp_policer_check(&cfg, &msg)) {
        return msg;
    }
    return NULL;
}

/* Parses a QoS row of 'type' into '*max_rate' (shapers) or 'police'
 * (policers).  Returns NULL or a message. */
static char *
qos_parse(const struct netdev_xdp *dev, const struct qos_type *type,
          const struct smap *details, uint64_t *max_rate,
          struct qos_policer_params *police)
{
    char *msg = qos_check_keys(details, type->qos_keys, "QoS", type->name);

    *max_rate = 0;
    memset(police, 0, sizeof *police);
    if (msg) {
        return msg;
    }
    if (type->kind == QOS_POLICE || type->kind == QOS_TRTCM) {
        return qos_parse_policer(dev, details, false, police);
    }
    if (type->kind != QOS_SHAPE) {
        return NULL;
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
        /* As OVS's linux-htb: the link's speed, or 10 Gbit/s if it does
         * not say. */
        enum netdev_features current;

        *max_rate = (!netdev_get_features(&dev->up.up, &current, NULL, NULL,
                                          NULL)
                     ? netdev_features_to_bps(current, QOS_DEFAULT_MAX_RATE)
                     : QOS_DEFAULT_MAX_RATE);
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

    if (!msg && type->kind == QOS_TRTCM) {
        return qos_parse_policer(dev, details, q->id == 0, &q->police);
    }

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
    struct netdev_xdp *dev = netdev_xdp_from_netdev(netdev);
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
    if (qos && qos_is_policer(qos) && dev->prog && dev->slot >= 0) {
        struct netdev_queue_stats st;

        /* The port's policer, as a queue's statistics read. */
        qos_policer_stats(dev, XDP_POLICER_EGRESS, 0, &st);
        smap_add_format(details, "tx_packets", "%"PRIu64, st.tx_packets);
        smap_add_format(details, "tx_bytes", "%"PRIu64, st.tx_bytes);
        smap_add_format(details, "tx_errors", "%"PRIu64, st.tx_errors);
    }
    if (qos && !smap_is_empty(&qos->errors)) {
        smap_add_nocopy(details, xstrdup("error"), qos_errors(qos));
    }
    return 0;
}

static int
netdev_xdp_set_qos(struct netdev *netdev, const char *type,
                   const struct smap *details)
{
    struct netdev_xdp *dev = netdev_xdp_from_netdev(netdev);
    struct netdev_xdp_qos *qos = qos_get(dev);
    struct qos_policer_params police;
    const struct qos_type *t = NULL;
    uint64_t max_rate = 0;
    char *msg = NULL;

    memset(&police, 0, sizeof police);
    if (type && type[0]) {
        t = qos_type_find(type);
        if (!t) {
            struct ds types = DS_EMPTY_INITIALIZER;

            for (size_t i = 0; i < ARRAY_SIZE(qos_types); i++) {
                ds_put_format(&types, "%s%s", i ? ", " : "",
                              qos_types[i].name);
            }
            qos_note_error(dev, qos, "QoS",
                           xasprintf("QoS type \"%s\" is not supported on "
                                     "afxdp ports (types: %s)", type,
                                     ds_cstr(&types)));
            ds_destroy(&types);
            return EOPNOTSUPP;
        }
        msg = qos_parse(dev, t, details, &max_rate, &police);
        if (msg) {
            qos_note_error(dev, qos, "QoS", msg);
            return EINVAL;
        }
    }
    qos_note_error(dev, qos, "QoS", NULL);

    if (t == qos->type && (!t || (smap_equal(details, &qos->details)
                                  && max_rate == qos->max_rate
                                  && !memcmp(&police, &qos->police,
                                             sizeof police)))) {
        return 0;
    }
    if (t != qos->type) {
        /* A new type starts with no queues, and no queue errors. */
        struct smap_node *node;

        /* The scheduler points to the queues: it sends what it holds and
         * goes first. */
        qos_destroy_scheduler(qos);
        qos_free_queues(&qos->queues);
        hmap_init(&qos->queues);
        SMAP_FOR_EACH_SAFE (node, &qos->errors) {
            if (!strncmp(node->key, "queue ", 6)) {
                smap_remove(&qos->errors, node->key);
            }
        }
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
    qos->police = police;
    qos_build_scheduler(qos);
    qos_apply_policers(dev);
    /* A port that shapes takes its output out of XDP. */
    dev->qos_output_reason = (!t || t->kind != QOS_SHAPE ? NULL
                              : !strcmp(t->name, "linux-htb")
                              ? "egress QoS linux-htb shapes this port in "
                                "userspace"
                              : "egress QoS linux-hfsc shapes this port in "
                                "userspace");
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

/* Sets '*qp' to queue 'queue_id' of 'netdev''s QoS.  Returns 0,
 * EOPNOTSUPP without QoS, ENOENT without that queue. */
static int
qos_lookup_queue(const struct netdev *netdev, unsigned int queue_id,
                 const struct qos_queue **qp)
{
    struct netdev_xdp *dev = netdev_xdp_from_netdev(netdev);

    if (!dev->qos || !dev->qos->type) {
        return EOPNOTSUPP;
    }
    *qp = qos_queue_find(dev->qos, queue_id);
    return *qp ? 0 : ENOENT;
}

static int
netdev_xdp_get_queue(const struct netdev *netdev, unsigned int queue_id,
                     struct smap *details)
{
    const struct qos_queue *q;
    int error = qos_lookup_queue(netdev, queue_id, &q);

    if (error) {
        return error;
    }
    qos_queue_details(q, details);
    return 0;
}

static int
netdev_xdp_set_queue(struct netdev *netdev, unsigned int queue_id,
                     const struct smap *details)
{
    struct netdev_xdp *dev = netdev_xdp_from_netdev(netdev);
    struct netdev_xdp_qos *qos = dev->qos;
    struct qos_queue parsed, *q;
    char *what, *msg;

    if (!qos || !qos->type) {
        return EOPNOTSUPP;
    }
    if (queue_id >= qos->type->n_queues) {
        if (smap_is_empty(details)) {
            /* The bridge sets an empty queue 0 on every type. */
            return EOPNOTSUPP;
        }
        what = xasprintf("queue %u", queue_id);
        qos_note_error(dev, qos, what,
                       xasprintf("queue %u: QoS type %s has %s", queue_id,
                                 qos->type->name,
                                 (qos->type->n_queues ? "queues 0 to 61439"
                                  : "no queues")));
        free(what);
        return EINVAL;
    }
    what = xasprintf("queue %u", queue_id);
    memset(&parsed, 0, sizeof parsed);
    parsed.id = queue_id;
    msg = qos_parse_queue(dev, qos->type, details, &parsed);
    if (!msg && qos->type->kind == QOS_TRTCM && !qos_queue_find(qos, queue_id)
        && hmap_count(&qos->queues) >= XDP_POLICE_MAX_QUEUES) {
        msg = xasprintf("trtcm-policer polices at most %d queues per port",
                        XDP_POLICE_MAX_QUEUES);
    }
    if (!msg && qos->type->kind == QOS_SHAPE && !qos_queue_find(qos, queue_id)
        && hmap_count(&qos->queues) >= QOS_MAX_SHAPED_QUEUES) {
        msg = xasprintf("a port shapes at most %d queues",
                        QOS_MAX_SHAPED_QUEUES);
    }
    if (msg) {
        qos_note_error(dev, qos, what, xasprintf("queue %u: %s", queue_id,
                                                 msg));
        free(msg);
        free(what);
        return EINVAL;
    }
    qos_note_error(dev, qos, what, NULL);
    free(what);

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
    q->police = parsed.police;
    qos_apply_policers(dev);
    return 0;
}

static int
netdev_xdp_delete_queue(struct netdev *netdev, unsigned int queue_id)
{
    struct netdev_xdp *dev = netdev_xdp_from_netdev(netdev);
    struct netdev_xdp_qos *qos = dev->qos;
    struct qos_queue *q;

    if (!qos || !qos->type) {
        return EOPNOTSUPP;
    }
    q = qos_queue_find(qos, queue_id);
    if (!q) {
        return ENOENT;
    }
    if (!queue_id) {
        /* Queue 0 always exists (packets of unknown queues go there), so
         * the bridge, which deletes the queues that have no row, deletes
         * it at every reconfiguration and sets it again: it only goes
         * back to its defaults, and nothing changes if it had them. */
        struct qos_queue defaults;

        memset(&defaults, 0, sizeof defaults);
        if (q->min_rate || q->max_rate || q->burst || q->priority
            || memcmp(&q->police, &defaults.police, sizeof q->police)) {
            q->min_rate = q->max_rate = q->burst = 0;
            q->priority = 0;
            q->police = defaults.police;
            qos->stale = true;
            qos_apply_policers(dev);
        }
        return 0;
    }
    /* The scheduler still points to it: rebuild first, which moves its
     * packets to queue 0. */
    hmap_remove(&qos->queues, &q->node);
    qos_build_scheduler(qos);
    free(q);
    qos_apply_policers(dev);
    return 0;
}

static void
qos_queue_stats(const struct netdev_xdp *dev, const struct qos_queue *q,
                struct netdev_queue_stats *stats)
{
    if (dev->qos->type->kind == QOS_TRTCM) {
        qos_policer_stats(dev, XDP_POLICER_QUEUE, q->id, stats);
    } else {
        stats->tx_packets = q->tx_packets;
        stats->tx_bytes = q->tx_bytes;
        stats->tx_errors = q->tx_errors;
    }
    stats->created = q->created;
}

static int
netdev_xdp_get_queue_stats(const struct netdev *netdev, unsigned int queue_id,
                           struct netdev_queue_stats *stats)
{
    const struct qos_queue *q;
    int error = qos_lookup_queue(netdev, queue_id, &q);

    if (!error) {
        qos_queue_stats(netdev_xdp_from_netdev(netdev), q, stats);
    }
    return error;
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
    struct netdev_xdp *dev = netdev_xdp_from_netdev(netdev);
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
    struct netdev_xdp *dev = netdev_xdp_from_netdev(netdev);
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
    struct netdev_xdp *dev = netdev_xdp_from_netdev(netdev);
    const struct qos_queue *q;

    if (!dev->qos || !dev->qos->type) {
        return EOPNOTSUPP;
    }
    HMAP_FOR_EACH (q, node, &dev->qos->queues) {
        struct netdev_queue_stats stats;

        qos_queue_stats(dev, q, &stats);
        cb(q->id, &stats, aux);
    }
    return 0;
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
        smap_destroy(&qos->errors);
        ovs_list_remove(&qos->node);
        free(qos);
        dev->qos = NULL;
    }
}

/* Adds QoS to the status of 'dev'. */
void
netdev_xdp_qos_get_status(const struct netdev_xdp *dev, struct smap *smap)
{
    if (dev->qos && !smap_is_empty(&dev->qos->errors)) {
        smap_add_nocopy(smap, xstrdup("qos-error"), qos_errors(dev->qos));
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
    class->set_policing = netdev_xdp_set_policing;
}
