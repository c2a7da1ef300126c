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

#include "netdev-xdp.h"

#include <errno.h>
#include <linux/if_xdp.h>
#include <poll.h>
#include <string.h>

#include "coverage.h"
#include "dp-packet.h"
#include "netdev-provider.h"
#include "netdev-xdp-private.h"
#include "odp-util.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "smap.h"
#include "timeval.h"
#include "util.h"
#include "xdp-flow-table.h"
#include "xdp-policer.h"
#include "xdp-prog.h"
#include "xdp-umem.h"
#include "xdp-xsk.h"

VLOG_DEFINE_THIS_MODULE(netdev_xdp);

static struct vlog_rate_limit config_rl = VLOG_RATE_LIMIT_INIT(5, 20);

COVERAGE_DEFINE(afxdp_tx_no_copy);
COVERAGE_DEFINE(afxdp_tx_copy);
COVERAGE_DEFINE(afxdp_tx_drop);
COVERAGE_DEFINE(afxdp_rx_ring_full);
COVERAGE_DEFINE(afxdp_rx_fill_ring_empty);

static struct netdev_class netdev_xdp_class;

/* All afxdp netdevs, for upkeep and xdp/show.  Main thread only. */
static struct ovs_list netdev_xdp_list
    = OVS_LIST_INITIALIZER(&netdev_xdp_list);

struct netdev_xdp *
netdev_xdp_cast(const struct netdev *netdev)
{
    ovs_assert(netdev->netdev_class == &netdev_xdp_class);
    return CONTAINER_OF(netdev, struct netdev_xdp, up.up);
}

bool
netdev_is_xdp(const struct netdev *netdev)
{
    return netdev->netdev_class == &netdev_xdp_class;
}

/* Tells 'netdev' whether the xdp datapath is adding it: a port that cannot
 * be set up then fails to be added, instead of staying inert. */
void
netdev_xdp_set_adding(struct netdev *netdev, bool adding)
{
    if (netdev_is_xdp(netdev)) {
        netdev_xdp_cast(netdev)->adding = adding;
    }
}

/* Tells 'netdev' its number in the datapath: the XDP program puts it in the
 * flow key of the packets it receives. */
void
netdev_xdp_set_odp_port(struct netdev *netdev, odp_port_t odp_port)
{
    if (netdev_is_xdp(netdev)) {
        netdev_xdp_cast(netdev)->odp_port = odp_port;
    }
}

odp_port_t
netdev_xdp_get_odp_port(const struct netdev *netdev)
{
    return netdev_is_xdp(netdev) ? netdev_xdp_cast(netdev)->odp_port
                                 : ODPP_NONE;
}

/* Fills 'port' for the flow offload provider, from any thread, with a new
 * reference to the port's program (release it with xdp_prog_unref()).
 * Returns false if 'netdev' is not an afxdp port that is set up. */
bool
netdev_xdp_get_port(const struct netdev *netdev, struct netdev_xdp_port *port)
{
    struct netdev_xdp *dev;
    bool ok = false;

    if (!netdev_is_xdp(netdev)) {
        return false;
    }
    dev = netdev_xdp_cast(netdev);
    ovs_mutex_lock(&netdev_xdp_offload_mutex);
    if (dev->offload_prog) {
        port->prog = xdp_prog_find(xdp_prog_dp_name(dev->offload_prog));
        port->ifindex = dev->ifindex;
        port->odp_port = dev->odp_port;
        port->tx_ok = dev->tx_ok;
        ok = port->prog != NULL;
    }
    ovs_mutex_unlock(&netdev_xdp_offload_mutex);
    return ok;
}

/* Returns the errno value of the last failed attempt to set 'netdev' up,
 * 0 if it is up. */
int
netdev_xdp_get_setup_error(const struct netdev *netdev)
{
    return netdev_is_xdp(netdev) ? netdev_xdp_cast(netdev)->setup_error : 0;
}

static struct netdev *
netdev_xdp_alloc(void)
{
    struct netdev_xdp *dev = xzalloc(sizeof *dev);
    return &dev->up.up;
}

static void
netdev_xdp_dealloc(struct netdev *netdev)
{
    free(netdev_xdp_cast(netdev));
}

static int
netdev_xdp_construct(struct netdev *netdev)
{
    struct netdev_xdp *dev = netdev_xdp_cast(netdev);
    int error;

    error = netdev_linux_class.construct(netdev);
    if (error) {
        return error;
    }
    dev->requested.n_rxq = 1;
    dev->requested.mode = XDP_MODE_BEST_EFFORT;
    dev->requested.need_wakeup = true;
    dev->slot = -1;
    dev->odp_port = ODPP_NONE;
    ovs_list_init(&dev->umem_user.node);
    /* The shaper may hold frames of the UMEM that a teardown lets go. */
    dev->before_teardown = netdev_xdp_qos_drain;
    dev->umem_user.release = netdev_xdp_umem_release;
    ovs_list_push_back(&netdev_xdp_list, &dev->list_node);
    netdev_request_reconfigure(netdev);
    return 0;
}

static void
netdev_xdp_destruct(struct netdev *netdev)
{
    struct netdev_xdp *dev = netdev_xdp_cast(netdev);

    /* The shaper sends what it holds while the sockets are there. */
    netdev_xdp_qos_destroy(dev);
    netdev_xdp_teardown(dev);
    ovs_list_remove(&dev->list_node);
    free(dev->dp_name);
    free(dev->error);
    free(dev->config_error);
    free(dev->tx_note);
    netdev_linux_class.destruct(netdev);
}


static bool
netdev_xdp_config_equal(const struct netdev_xdp_config *a,
                        const struct netdev_xdp_config *b)
{
    return (a->n_rxq == b->n_rxq && a->mode == b->mode
            && a->need_wakeup == b->need_wakeup
            && a->busy_poll == b->busy_poll);
}

/* True if 'dev' is set up as requested. */
static bool
netdev_xdp_is_current(const struct netdev_xdp *dev)
{
    return (dev->n_xsks
            && netdev_xdp_config_equal(&dev->applied, &dev->requested));
}

/* Ports that failed to be added, by device name: the bridge tries again
 * at every change it sees, and every attempt changes the device (XDP
 * program attached and detached), which the bridge sees.  The same
 * options on the same device are tried again only after a back-off, and
 * their error is logged once.  Main thread only. */
struct netdev_xdp_failure {
    struct netdev_xdp_config config;
    int ifindex;
    int error;
    char *msg;
    long long int retry_at;     /* time_msec() of the next attempt. */
    int backoff;                /* Milliseconds. */
};
static struct shash netdev_xdp_failures
    = SHASH_INITIALIZER(&netdev_xdp_failures);
#define NETDEV_XDP_BACKOFF_MIN 1000
#define NETDEV_XDP_BACKOFF_MAX 60000

static struct netdev_xdp_failure *
netdev_xdp_failure_find(const struct netdev_xdp *dev)
{
    struct netdev_xdp_failure *f;

    f = shash_find_data(&netdev_xdp_failures, netdev_get_name(&dev->up.up));
    if (f && (f->ifindex != netdev_get_ifindex(&dev->up.up)
              || !netdev_xdp_config_equal(&f->config, &dev->requested))) {
        /* Another device under that name, or other options. */
        free(f->msg);
        free(shash_find_and_delete(&netdev_xdp_failures,
                                   netdev_get_name(&dev->up.up)));
        f = NULL;
    }
    return f;
}

/* Records that adding 'dev' failed with 'error' and 'msg'.  Returns true
 * if the same failure was already recorded (then it is not logged). */
static bool
netdev_xdp_failure_note(const struct netdev_xdp *dev, int error,
                        const char *msg)
{
    struct netdev_xdp_failure *f = netdev_xdp_failure_find(dev);
    bool again = f && f->error == error && !strcmp(f->msg, msg);

    if (!f) {
        f = xzalloc(sizeof *f);
        f->config = dev->requested;
        f->ifindex = netdev_get_ifindex(&dev->up.up);
        f->backoff = NETDEV_XDP_BACKOFF_MIN;
        shash_add(&netdev_xdp_failures, netdev_get_name(&dev->up.up), f);
    } else {
        f->backoff = MIN(f->backoff * 2, NETDEV_XDP_BACKOFF_MAX);
        free(f->msg);
    }
    f->error = error;
    f->msg = xstrdup(msg);
    f->retry_at = time_msec() + f->backoff;
    return again;
}

static void
netdev_xdp_failure_clear(const struct netdev_xdp *dev)
{
    struct netdev_xdp_failure *f;

    f = shash_find_and_delete(&netdev_xdp_failures,
                              netdev_get_name(&dev->up.up));
    if (f) {
        free(f->msg);
        free(f);
    }
}


static int
netdev_xdp_reconfigure(struct netdev *netdev)
{
    struct netdev_xdp *dev = netdev_xdp_cast(netdev);
    struct netdev_xdp_failure *failure;
    char *error_msg = NULL;
    int error;

    /* dpif-netdev reconfigures every port for changes of its own. */
    if (netdev_xdp_is_current(dev)) {
        return 0;
    }

    failure = dev->adding ? netdev_xdp_failure_find(dev) : NULL;
    if (failure && time_msec() < failure->retry_at) {
        /* Too soon to try the same again. */
        free(dev->error);
        dev->error = xstrdup(failure->msg);
        dev->setup_error = failure->error;
        netdev_request_reconfigure(netdev);
        return failure->error == EOPNOTSUPP ? EINVAL : failure->error;
    }

    /* Not under 'dev->up.mutex': netdev-linux's getters take it.  Ports are
     * configured by the main thread only, with the datapath quiesced. */
    if (!netdev_xdp_resize(dev)) {
        netdev->n_rxq = dev->n_xsks;
        netdev->n_txq = dev->n_xsks;
        netdev_change_seq_changed(netdev);
        return 0;
    }

    /* The program stays loaded while the port sets up again, even if it
     * is the datapath's only port: a reload would empty the XDP flow table
     * under the flows that dpif-netdev believes are there. */
    struct xdp_prog *keep = (dev->prog
                             ? xdp_prog_find(xdp_prog_dp_name(dev->prog))
                             : NULL);

    free(dev->error);
    dev->error = NULL;
    error = netdev_xdp_setup_or_revert(dev, &error_msg);
    dev->setup_error = error;
    if (error) {
        if (!dev->adding || !netdev_xdp_failure_note(dev, error,
                                                      error_msg)) {
            VLOG_ERR("%s", error_msg);
        }
        dev->error = error_msg;
        netdev_xdp_teardown(dev);
        netdev->n_rxq = 1;
        if (!dev->adding) {
            /* For a port already in the datapath, dpif-netdev would drop
             * the port without telling the bridge.  Keep it, inert (one
             * queue that never has packets), with the reason in its status,
             * until its configuration changes. */
            error = 0;
        } else {
            /* The port is not added; the bridge may try again with this
             * same netdev, which must then try again to set up. */
            netdev_request_reconfigure(netdev);
            /* dpif-netdev takes EOPNOTSUPP as "nothing to reconfigure".
             * The datapath reports 'setup_error' itself. */
            if (error == EOPNOTSUPP) {
                error = EINVAL;
            }
        }
    } else {
        if (dev->adding) {
            netdev_xdp_failure_clear(dev);
        }
        /* A port's policers go with its slot in the program. */
        netdev_xdp_qos_port_up(dev);
        VLOG_INFO("%s: XDP program id %"PRIu32" attached in %s mode, %d "
                  "AF_XDP socket%s, %s UMEM", netdev_get_name(netdev),
                  xdp_prog_id(dev->prog), netdev_xdp_mode_name(dev->mode),
                  dev->n_xsks, dev->n_xsks == 1 ? "" : "s",
                  dev->umem->shared ? "shared" : "private");
        netdev->n_rxq = dev->n_xsks;
        netdev->n_txq = dev->n_xsks;
    }
    xdp_prog_unref(keep);
    netdev_change_seq_changed(netdev);
    return error;
}

/* Parses and checks the options in 'args' into 'cfg'.  Returns 0, or an
 * errno value with a message in '*errp'. */
static int
netdev_xdp_parse_config(struct netdev *netdev, const struct smap *args,
                        struct netdev_xdp_config *cfg, char **errp)
{
    const char *name = netdev_get_name(netdev);
    const char *mode_str;

    const char *n_rxq_str = smap_get(args, "n_rxq");
    cfg->n_rxq = 1;
    if ((n_rxq_str && !str_to_int(n_rxq_str, 10, &cfg->n_rxq))
        || cfg->n_rxq < 1 || cfg->n_rxq > XDP_ABI_MAX_QUEUES) {
        *errp = xasprintf("%s: n_rxq must be between 1 and %d, not \"%s\"",
                          name, XDP_ABI_MAX_QUEUES,
                          smap_get_def(args, "n_rxq", ""));
        return EINVAL;
    }
    mode_str = smap_get_def(args, "xdp-mode", "best-effort");
    if (!netdev_xdp_mode_from_string(mode_str, &cfg->mode)) {
        *errp = xasprintf("%s: unknown xdp-mode \"%s\" (best-effort, "
                          "native-with-zerocopy, native or generic)", name,
                          mode_str);
        return EINVAL;
    }
    const char *wakeup = smap_get_def(args, "use-need-wakeup", "true");
    if (strcmp(wakeup, "true") && strcmp(wakeup, "false")) {
        *errp = xasprintf("%s: use-need-wakeup must be true or false, not "
                          "\"%s\"", name, wakeup);
        return EINVAL;
    }
    cfg->need_wakeup = !strcmp(wakeup, "true");
    const char *busy_poll = smap_get(args, "xdp-busy-poll");
    cfg->busy_poll = 0;
    if ((busy_poll && !str_to_int(busy_poll, 10, &cfg->busy_poll))
        || cfg->busy_poll < 0) {
        *errp = xasprintf("%s: xdp-busy-poll must be microseconds >= 0",
                          name);
        return EINVAL;
    }
    return netdev_xdp_check_device(netdev, cfg->n_rxq, errp);
}

static int
netdev_xdp_set_config(struct netdev *netdev, const struct smap *args,
                      char **errp)
{
    struct netdev_xdp *dev = netdev_xdp_cast(netdev);
    struct netdev_xdp_config cfg;
    char *msg = NULL;
    int error;

    error = netdev_xdp_parse_config(netdev, args, &cfg, &msg);
    if (error && !dev->n_xsks) {
        /* A port that is not working yet: the bridge does not add it and
         * shows the error in the interface's error column. */
        VLOG_WARN_RL(&config_rl, "%s", msg);
        *errp = msg;
        return error;
    }

    ovs_mutex_lock(&dev->up.mutex);
    if (error) {
        /* A port that works keeps working as it is: the bridge would
         * delete it for an error.  The status shows what was refused. */
        if (!nullable_string_is_equal(msg, dev->config_error)) {
            VLOG_WARN("%s; the port keeps the configuration it has", msg);
            free(dev->config_error);
            dev->config_error = msg;
            memset(&dev->refused, 0, sizeof dev->refused);
            netdev_change_seq_changed(netdev);
        } else {
            free(msg);
        }
    } else if (dev->config_error
               && netdev_xdp_config_equal(&cfg, &dev->refused)) {
        /* These failed to set up already: not again until they change. */
    } else {
        if (dev->config_error) {
            free(dev->config_error);
            dev->config_error = NULL;
            netdev_change_seq_changed(netdev);
        }
        if (!netdev_xdp_config_equal(&cfg, &dev->requested)) {
            dev->requested = cfg;
            netdev_request_reconfigure(netdev);
        }
    }
    ovs_mutex_unlock(&dev->up.mutex);
    return 0;
}

static int
netdev_xdp_get_config(const struct netdev *netdev, struct smap *args)
{
    struct netdev_xdp *dev = netdev_xdp_cast(netdev);

    ovs_mutex_lock(&dev->up.mutex);
    smap_add_format(args, "n_rxq", "%d", dev->requested.n_rxq);
    smap_add(args, "xdp-mode", netdev_xdp_mode_name(dev->requested.mode));
    smap_add(args, "use-need-wakeup",
             dev->requested.need_wakeup ? "true" : "false");
    if (dev->requested.busy_poll) {
        smap_add_format(args, "xdp-busy-poll", "%d",
                        dev->requested.busy_poll);
    }
    ovs_mutex_unlock(&dev->up.mutex);
    return 0;
}

static int
netdev_xdp_get_status(const struct netdev *netdev, struct smap *smap)
{
    struct netdev_xdp *dev = netdev_xdp_cast(netdev);
    int error = netdev_linux_class.get_status(netdev, smap);

    ovs_mutex_lock(&dev->up.mutex);
    if (dev->prog) {
        smap_add(smap, "xdp-mode", netdev_xdp_mode_name(dev->mode));
        smap_add(smap, "zero-copy",
                 dev->mode == XDP_MODE_NATIVE_ZC ? "true" : "false");
        smap_add_format(smap, "xdp-prog-id", "%"PRIu32,
                        xdp_prog_id(dev->prog));
        smap_add_format(smap, "n_rxq", "%d", dev->n_xsks);
        smap_add(smap, "umem", dev->umem->shared ? "shared" : "private");
        if (dev->umem_note) {
            smap_add(smap, "umem-private-reason", dev->umem_note);
        }
        smap_add(smap, "use-need-wakeup",
                 dev->applied.need_wakeup ? "true" : "false");
        /* Whether flows that output here can run in XDP, and why not. */
        smap_add(smap, "xdp-output", dev->tx_ok ? "direct" : "userspace");
        /* Frames on a queue without a socket go to the kernel's stack. */
        int n_dev_rxq = netdev_xdp_n_dev_rxq(netdev_get_name(netdev));
        if (n_dev_rxq > dev->n_xsks) {
            smap_add_format(smap, "xdp-queues-without-socket",
                            "%d of %d: their frames go to the kernel; set "
                            "n_rxq=%d or reduce the device's queues",
                            n_dev_rxq - dev->n_xsks, n_dev_rxq, n_dev_rxq);
        }
        if (dev->tx_note) {
            smap_add(smap, "xdp-output-reason", dev->tx_note);
        }
    } else if (dev->error) {
        smap_add(smap, "xdp-error", dev->error);
    }
    if (dev->config_error) {
        smap_add(smap, "xdp-config-error", dev->config_error);
    }
    netdev_xdp_qos_get_status(dev, smap);
    ovs_mutex_unlock(&dev->up.mutex);
    return error;
}

static int
netdev_xdp_set_mtu(struct netdev *netdev, int mtu)
{
    char *msg;
    int error = netdev_xdp_check_mtu(netdev_get_name(netdev), mtu, &msg);

    if (error) {
        VLOG_WARN("%s", msg);
        free(msg);
        return error;
    }
    return netdev_linux_class.set_mtu(netdev, mtu);
}

static void netdev_xdp_xsk_stats(const struct netdev_xdp *,
                                 struct xdp_statistics *);

static int
netdev_xdp_get_custom_stats(const struct netdev *netdev,
                            struct netdev_custom_stats *stats)
{
    struct netdev_xdp *dev = netdev_xdp_cast(netdev);
    static const char *const names[] = {
        "tx_no_copy", "tx_copy", "tx_dropped_afxdp",
        "rx_xsk_ring_full", "rx_xsk_fill_ring_empty", "rx_xsk_dropped",
    };
    atomic_uint64_t *counters[] = {
        &dev->tx_no_copy, &dev->tx_copy, &dev->tx_dropped,
    };
    struct xdp_statistics st;

    netdev_xdp_xsk_stats(dev, &st);
    stats->counters = xcalloc(ARRAY_SIZE(names), sizeof *stats->counters);
    stats->size = ARRAY_SIZE(names);
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        ovs_strlcpy(stats->counters[i].name, names[i],
                    NETDEV_CUSTOM_STATS_NAME_SIZE);
        if (i < ARRAY_SIZE(counters)) {
            atomic_read_relaxed(counters[i], &stats->counters[i].value);
        }
    }
    stats->counters[3].value = st.rx_ring_full;
    stats->counters[4].value = st.rx_fill_ring_empty_descs;
    stats->counters[5].value = st.rx_dropped;
    return 0;
}

static struct netdev_rxq *
netdev_xdp_rxq_alloc(void)
{
    return xzalloc(sizeof(struct netdev_rxq));
}

static int
netdev_xdp_rxq_construct(struct netdev_rxq *rxq OVS_UNUSED)
{
    return 0;
}

static void
netdev_xdp_rxq_destruct(struct netdev_rxq *rxq OVS_UNUSED)
{
}

static void
netdev_xdp_rxq_dealloc(struct netdev_rxq *rxq)
{
    free(rxq);
}

static struct xdp_xsk *
netdev_xdp_rxq_xsk(const struct netdev_rxq *rxq)
{
    struct netdev_xdp *dev = netdev_xdp_cast(rxq->netdev);

    return rxq->queue_id < dev->n_xsks ? &dev->xsks[rxq->queue_id] : NULL;
}

/* Receives that filled their batch, in this thread. */
DEFINE_STATIC_PER_THREAD_DATA(unsigned int, full_batches, 0);

/* The number of receives in this thread so far that filled their batch: a
 * change tells the caller that a ring had more than it took. */
unsigned int
netdev_xdp_full_batches(void)
{
    return *full_batches_get();
}

static int
netdev_xdp_rxq_recv(struct netdev_rxq *rxq, struct dp_packet_batch *batch,
                    int *qfill)
{
    struct netdev_xdp *dev = netdev_xdp_cast(rxq->netdev);
    struct xdp_xsk *xsk = netdev_xdp_rxq_xsk(rxq);
    int error;

    if (!xsk) {
        return EAGAIN;
    }
    error = xdp_xsk_recv(xsk, dev->umem, dev->applied.need_wakeup,
                         dev->prog ? xdp_prog_meta_cookie(dev->prog) : 0,
                         batch);
    if (!error && qfill) {
        *qfill = 0;
    }
    if (!error && dp_packet_batch_size(batch) == NETDEV_MAX_BURST) {
        (*full_batches_get())++;
    }
    return error;
}

static void
netdev_xdp_rxq_wait(struct netdev_rxq *rxq)
{
    struct xdp_xsk *xsk = netdev_xdp_rxq_xsk(rxq);

    if (xsk) {
        poll_fd_wait(xdp_xsk_fd(xsk), POLLIN);
    }
}

static int
netdev_xdp_rxq_drain(struct netdev_rxq *rxq OVS_UNUSED)
{
    return 0;
}

static int
netdev_xdp_send(struct netdev *netdev, int qid, struct dp_packet_batch *batch,
                bool concurrent_txq OVS_UNUSED)
{
    struct netdev_xdp *dev = netdev_xdp_cast(netdev);
    struct xdp_xsk_tx_result r;
    uint64_t orig;

    if (!dev->n_xsks) {
        atomic_add_relaxed(&dev->tx_dropped, dp_packet_batch_size(batch),
                           &orig);
        COVERAGE_ADD(afxdp_tx_drop, dp_packet_batch_size(batch));
        dp_packet_delete_batch(batch, true);
        return 0;
    }
    netdev_xdp_qos_police(dev, batch);
    if (netdev_xdp_qos_send(dev, batch)) {
        return 0;
    }
    /* Copy mode transmits only from sendto(). */
    xdp_xsk_send(&dev->xsks[qid % dev->n_xsks], dev->umem,
                 dev->mode != XDP_MODE_NATIVE_ZC || !dev->applied.need_wakeup,
                 netdev_get_name(netdev), batch, &r);
    atomic_add_relaxed(&dev->tx_no_copy, r.n_no_copy, &orig);
    atomic_add_relaxed(&dev->tx_copy, r.n_copy, &orig);
    atomic_add_relaxed(&dev->tx_dropped, r.n_dropped, &orig);
    COVERAGE_ADD(afxdp_tx_no_copy, r.n_no_copy);
    COVERAGE_ADD(afxdp_tx_copy, r.n_copy);
    COVERAGE_ADD(afxdp_tx_drop, r.n_dropped);
    return 0;
}

/* Sums the kernel's statistics of 'dev''s sockets into '*st'. */
static void
netdev_xdp_xsk_stats(const struct netdev_xdp *dev, struct xdp_statistics *st)
{
    memset(st, 0, sizeof *st);
    for (int i = 0; i < dev->n_xsks; i++) {
        struct xdp_statistics one;

        xdp_xsk_get_stats(&dev->xsks[i], &one);
        st->rx_dropped += one.rx_dropped;
        st->rx_ring_full += one.rx_ring_full;
        st->rx_fill_ring_empty_descs += one.rx_fill_ring_empty_descs;
    }
}

/* Packets that the program sent to userspace and the kernel dropped, for
 * want of room in a socket's rx ring or of frames in its fill ring: the
 * upcalls lost under a burst.  Counted as coverage, where users look. */
static void
netdev_xdp_count_xsk_drops(struct netdev_xdp *dev)
{
    struct xdp_statistics st;

    netdev_xdp_xsk_stats(dev, &st);
    if (st.rx_ring_full > dev->xsk_ring_full) {
        COVERAGE_ADD(afxdp_rx_ring_full, st.rx_ring_full - dev->xsk_ring_full);
    }
    if (st.rx_fill_ring_empty_descs > dev->xsk_fill_empty) {
        COVERAGE_ADD(afxdp_rx_fill_ring_empty,
                     st.rx_fill_ring_empty_descs - dev->xsk_fill_empty);
    }
    dev->xsk_ring_full = st.rx_ring_full;
    dev->xsk_fill_empty = st.rx_fill_ring_empty_descs;
}

/* Upkeep of the afxdp ports, for the datapath to call about once a second:
 * checks again where XDP can output and counts the kernel's drops. */
void
netdev_xdp_upkeep(void)
{
    struct netdev_xdp *dev;

    LIST_FOR_EACH (dev, list_node, &netdev_xdp_list) {
        if (dev->prog) {
            netdev_xdp_check_tx(dev);
            netdev_xdp_count_xsk_drops(dev);
        }
    }
}

/* Work of the afxdp ports at every run of the datapath: packets that
 * shaped ports release. */
void
netdev_xdp_run(void)
{
    netdev_xdp_qos_run();
}

void
netdev_xdp_wait(void)
{
    netdev_xdp_qos_wait();
}

/* Appends to 'ds' a few lines on each afxdp port that uses 'prog' (with
 * 'verbose', more), for xdp/show. */
void
netdev_xdp_format_ports(struct ds *ds, const struct xdp_prog *prog,
                        bool verbose)
{
    struct xdp_flow_table *table = xdp_prog_flow_table(prog);
    struct netdev_xdp *port;

    LIST_FOR_EACH (port, list_node, &netdev_xdp_list) {
        struct xdp_statistics st;

        if (port->prog != prog) {
            continue;
        }
        ds_put_format(ds, "  %s: xdp-mode %s, zero-copy %s, %d queue%s, "
                      "%s UMEM, output %s\n",
                      netdev_get_name(&port->up.up),
                      netdev_xdp_mode_name(port->mode),
                      port->mode == XDP_MODE_NATIVE_ZC ? "yes" : "no",
                      port->n_xsks, port->n_xsks == 1 ? "" : "s",
                      port->umem->shared ? "shared" : "private",
                      port->tx_ok ? "direct" : "via userspace");
        netdev_xdp_xsk_stats(port, &st);
        if (st.rx_ring_full || st.rx_fill_ring_empty_descs
            || st.rx_dropped) {
            ds_put_format(ds, "    lost on the way to userspace: "
                          "%llu rx ring full, %llu no fill frame, "
                          "%llu other\n",
                          (unsigned long long) st.rx_ring_full,
                          (unsigned long long) st.rx_fill_ring_empty_descs,
                          (unsigned long long) st.rx_dropped);
        }
        if (port->slot >= 0 && xdp_prog_policers(prog)) {
            xdp_policer_format_port(xdp_prog_policers(prog), port->slot,
                                    ds);
        }
        if (verbose) {
            uint32_t in_port = odp_to_u32(port->odp_port);

            ds_put_format(ds, "    flows in XDP: %"PRIu32"\n",
                          xdp_flow_table_count(table, in_port));
            if (port->tx_note) {
                ds_put_format(ds, "    output via userspace: %s\n",
                              port->tx_note);
            }
        }
    }
}

/* Appends to 'ds' a line on each afxdp port that is not set up, and why. */
void
netdev_xdp_format_errors(struct ds *ds)
{
    struct netdev_xdp *dev;

    LIST_FOR_EACH (dev, list_node, &netdev_xdp_list) {
        if (dev->error) {
            ds_put_format(ds, "%s: not set up: %s\n",
                          netdev_get_name(&dev->up.up), dev->error);
        }
    }
}

/* Registers "afxdp" in place of OVS's own AF_XDP types. */
void
netdev_xdp_register(void)
{
    netdev_unregister_provider("afxdp");
    netdev_unregister_provider("afxdp-nonpmd");

    /* The common members (addresses, MTU, flags, stats, QoS) are
     * netdev-linux's, which accepts this class because 'run' is its own. */
    netdev_xdp_class = netdev_linux_class;
    netdev_xdp_class.type = "afxdp";
    netdev_xdp_class.is_pmd = false;
    netdev_xdp_class.alloc = netdev_xdp_alloc;
    netdev_xdp_class.construct = netdev_xdp_construct;
    netdev_xdp_class.destruct = netdev_xdp_destruct;
    netdev_xdp_class.dealloc = netdev_xdp_dealloc;
    netdev_xdp_class.set_config = netdev_xdp_set_config;
    netdev_xdp_class.get_config = netdev_xdp_get_config;
    netdev_xdp_class.reconfigure = netdev_xdp_reconfigure;
    netdev_xdp_class.get_status = netdev_xdp_get_status;
    netdev_xdp_class.set_mtu = netdev_xdp_set_mtu;
    netdev_xdp_class.get_custom_stats = netdev_xdp_get_custom_stats;
    netdev_xdp_class.send = netdev_xdp_send;
    netdev_xdp_class.rxq_alloc = netdev_xdp_rxq_alloc;
    netdev_xdp_class.rxq_construct = netdev_xdp_rxq_construct;
    netdev_xdp_class.rxq_destruct = netdev_xdp_rxq_destruct;
    netdev_xdp_class.rxq_dealloc = netdev_xdp_rxq_dealloc;
    netdev_xdp_class.rxq_recv = netdev_xdp_rxq_recv;
    netdev_xdp_class.rxq_wait = netdev_xdp_rxq_wait;
    netdev_xdp_class.rxq_drain = netdev_xdp_rxq_drain;

    netdev_xdp_qos_init_class(&netdev_xdp_class);
    netdev_register_provider(&netdev_xdp_class);
}
