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
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <linux/if_xdp.h>
#include <net/ethernet.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <xdp/xsk.h>

#include "coverage.h"
#include "dp-packet.h"
/* Gives struct netdev_linux; it also defines static helpers unused here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "netdev-linux-private.h"
#pragma GCC diagnostic pop
#include "netdev-provider.h"
#include "odp-util.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "packets.h"
#include "smap.h"
#include "sset.h"
#include "unixctl.h"
#include "util.h"
#include "timeval.h"
#include "netdev-offload-xdp.h"
#include "xdp-flow-table.h"
#include "xdp-meta.h"
#include "xdp-prog.h"
#include "xdp-umem.h"
#include "xdp-veth.h"

VLOG_DEFINE_THIS_MODULE(netdev_xdp);

static struct vlog_rate_limit config_rl = VLOG_RATE_LIMIT_INIT(5, 20);

COVERAGE_DEFINE(afxdp_tx_no_copy);
COVERAGE_DEFINE(afxdp_tx_copy);
COVERAGE_DEFINE(afxdp_tx_drop);
COVERAGE_DEFINE(afxdp_fill_empty);
COVERAGE_DEFINE(afxdp_rx_ring_full);
COVERAGE_DEFINE(afxdp_rx_fill_ring_empty);
COVERAGE_DEFINE(afxdp_rx_flow_mark);
COVERAGE_DEFINE(afxdp_rx_no_meta);

/* Frames of a datapath's shared UMEM, and of a port's private one. */
#define SHARED_UMEM_FRAMES (16 * XDP_UMEM_SOCKET_FRAMES)
/* For 'N' sockets: a UMEM holds at least the frames they need. */
#define UMEM_FRAMES(MIN_FRAMES, N) \
    MAX(MIN_FRAMES, (N) * XDP_UMEM_SOCKET_FRAMES)
#define BATCH NETDEV_MAX_BURST
/* Largest packet a frame holds: the kernel keeps XDP_PACKET_HEADROOM. */
#define MAX_FRAME_LEN (XDP_UMEM_FRAME_SIZE - XDP_PACKET_HEADROOM)

enum xdp_mode {
    XDP_MODE_BEST_EFFORT,
    XDP_MODE_NATIVE_ZC,
    XDP_MODE_NATIVE,
    XDP_MODE_GENERIC,
};

static const char *const xdp_mode_names[] = {
    [XDP_MODE_BEST_EFFORT] = "best-effort",
    [XDP_MODE_NATIVE_ZC] = "native-with-zerocopy",
    [XDP_MODE_NATIVE] = "native",
    [XDP_MODE_GENERIC] = "generic",
};

/* One AF_XDP socket, bound to one rx queue of the port. */
struct xsk {
    struct xsk_socket *socket;
    struct xsk_ring_cons rx;
    struct xsk_ring_prod tx;
    struct xsk_ring_prod fill;
    struct xsk_ring_cons comp;
    struct ovs_spin tx_lock;    /* For sends from several threads. */
    uint32_t outstanding_tx;    /* Sent, completion not seen yet. */
};

/* What the options of an afxdp port ask for. */
struct netdev_xdp_config {
    int n_rxq;
    enum xdp_mode mode;
    bool need_wakeup;
    int busy_poll;              /* Microseconds; 0: off. */
};

struct netdev_xdp {
    struct netdev_linux up;
    struct ovs_list list_node;  /* In 'netdev_xdp_list'. */

    /* Requested configuration (set_config), applied by reconfigure. */
    struct netdev_xdp_config requested;
    /* Configuration in use, while 'n_xsks' is nonzero. */
    struct netdev_xdp_config applied;
    /* Options that failed to set up while the port worked with others: not
     * tried again until they change.  Valid if 'config_error'. */
    struct netdev_xdp_config refused;
    enum xdp_mode mode;         /* XDP_MODE_NATIVE_ZC, _NATIVE or _GENERIC. */
    char *dp_name;
    int ifindex;
    struct xdp_prog *prog;
    int slot;
    struct xdp_umem *umem;
    struct xdp_umem_user umem_user;
    bool umem_anchor;           /* Our first socket is the UMEM's first. */
    char *umem_note;            /* Why the UMEM is private, or NULL. */
    struct xsk *xsks;
    int n_xsks;
    char *error;                /* Why the port is not working, or NULL. */
    char *config_error;         /* Why the last options were refused while
                                 * the port kept the ones it had, or NULL. */
    int setup_error;            /* Errno value that goes with 'error'. */
    bool adding;                /* Being added to an xdp datapath. */
    odp_port_t odp_port;        /* Number in the datapath, or ODPP_NONE. */
    bool tx_ok;                 /* In 'tx_ports': XDP can output here. */
    char *tx_note;              /* Why XDP cannot output here, or NULL. */

    /* The program, for the flow offload provider, set while the port is
     * set up.  Protected by 'netdev_xdp_offload_mutex'. */
    struct xdp_prog *offload_prog;

    /* The kernel's drops of packets for userspace, summed over the
     * sockets, as last read (main thread). */
    uint64_t xsk_ring_full;
    uint64_t xsk_fill_empty;

    /* Counters, updated by the thread that polls or sends. */
    atomic_uint64_t tx_no_copy;
    atomic_uint64_t tx_copy;
    atomic_uint64_t tx_dropped;
};

static struct netdev_class netdev_xdp_class;

/* All afxdp netdevs, for xdp/show.  Main thread only. */
static struct ovs_list netdev_xdp_list
    = OVS_LIST_INITIALIZER(&netdev_xdp_list);

/* Protects what other threads read of a port: see netdev_xdp_get_port(). */
static struct ovs_mutex netdev_xdp_offload_mutex = OVS_MUTEX_INITIALIZER;

static struct netdev_xdp *
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

static void netdev_xdp_teardown(struct netdev_xdp *);
static void netdev_xdp_close_socket(struct netdev_xdp *, struct xdp_umem *,
                                    int i);

/* The UMEM that 'user''s port uses is retiring: let go of it now, set up
 * again on the next reconfiguration. */
static void
netdev_xdp_umem_release(struct xdp_umem_user *user)
{
    struct netdev_xdp *dev = CONTAINER_OF(user, struct netdev_xdp,
                                          umem_user);

    VLOG_INFO("%s: moving to a new UMEM", netdev_get_name(&dev->up.up));
    netdev_xdp_teardown(dev);
    netdev_request_reconfigure(&dev->up.up);
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
    dev->umem_user.release = netdev_xdp_umem_release;
    ovs_list_push_back(&netdev_xdp_list, &dev->list_node);
    netdev_request_reconfigure(netdev);
    return 0;
}

/* Returns the frames that 'xsk''s rings still hold to 'umem''s pool. */
static void
xsk_reclaim(struct xsk *xsk, struct xdp_umem *umem)
{
    uint32_t idx, n;

    n = xsk_ring_cons__peek(&xsk->rx, XDP_UMEM_RING_SIZE, &idx);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t addr = xsk_ring_cons__rx_desc(&xsk->rx, idx + i)->addr;
        umem_elem_push(&umem->pool, xdp_umem_ptr(umem, addr
                       & ~(uint64_t) (XDP_UMEM_FRAME_SIZE - 1)));
    }
    xsk_ring_cons__release(&xsk->rx, n);

    n = xsk_ring_cons__peek(&xsk->comp, XDP_UMEM_RING_SIZE, &idx);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t addr = *xsk_ring_cons__comp_addr(&xsk->comp, idx + i);
        umem_elem_push(&umem->pool, xdp_umem_ptr(umem, addr
                       & ~(uint64_t) (XDP_UMEM_FRAME_SIZE - 1)));
    }
    xsk_ring_cons__release(&xsk->comp, n);

    /* Frames given to the kernel that it has not taken yet. */
    for (uint32_t i = *xsk->fill.consumer; i != *xsk->fill.producer; i++) {
        uint64_t addr = *xsk_ring_prod__fill_addr(&xsk->fill, i);
        umem_elem_push(&umem->pool, xdp_umem_ptr(umem, addr));
    }
}

/* Undoes netdev_xdp_setup(). */
static void
netdev_xdp_teardown(struct netdev_xdp *dev)
{
    const char *name = netdev_get_name(&dev->up.up);

    ovs_mutex_lock(&netdev_xdp_offload_mutex);
    dev->offload_prog = NULL;
    ovs_mutex_unlock(&netdev_xdp_offload_mutex);
    if (dev->prog) {
        xdp_prog_set_tx_port(dev->prog, dev->ifindex, false);
        dev->tx_ok = false;
        xdp_prog_del_port(dev->prog, dev->ifindex);
        xdp_prog_detach(dev->prog, dev->ifindex, name, 0);
    }
    for (int i = 0; i < dev->n_xsks; i++) {
        netdev_xdp_close_socket(dev, dev->umem, i);
    }
    if (dev->umem) {
        xdp_umem_remove_user(dev->umem, &dev->umem_user, dev->n_xsks,
                             dev->umem_anchor);
        dev->umem = NULL;
    }
    free(dev->xsks);
    dev->xsks = NULL;
    dev->n_xsks = 0;
    dev->umem_anchor = false;
    if (dev->prog) {
        xdp_prog_slot_free(dev->prog, dev->slot);
        xdp_prog_unref(dev->prog);
        dev->prog = NULL;
    }
    dev->slot = -1;
    free(dev->umem_note);
    dev->umem_note = NULL;
}

static void
netdev_xdp_destruct(struct netdev *netdev)
{
    struct netdev_xdp *dev = netdev_xdp_cast(netdev);

    netdev_xdp_teardown(dev);
    ovs_list_remove(&dev->list_node);
    free(dev->dp_name);
    free(dev->error);
    free(dev->config_error);
    free(dev->tx_note);
    netdev_linux_class.destruct(netdev);
}

/* Tops 'xsk''s fill ring up to XDP_UMEM_SOCKET_FILL frames of 'umem', 'max'
 * at most. */
static void
xsk_fill(struct xsk *xsk, struct xdp_umem *umem, uint32_t max)
{
    uint32_t target = XDP_UMEM_SOCKET_FILL;
    uint32_t in_ring = XDP_UMEM_RING_SIZE
                       - xsk_prod_nb_free(&xsk->fill, XDP_UMEM_RING_SIZE);
    uint32_t n = in_ring < target ? MIN(target - in_ring, max) : 0;
    void *frames[BATCH];
    uint32_t idx = 0;

    while (n > 0) {
        uint32_t batch = MIN(n, BATCH);

        if (umem_elem_pop_n(&umem->pool, batch, frames)) {
            COVERAGE_INC(afxdp_fill_empty);
            return;
        }
        xsk_ring_prod__reserve(&xsk->fill, batch, &idx);
        for (uint32_t i = 0; i < batch; i++) {
            *xsk_ring_prod__fill_addr(&xsk->fill, idx + i)
                = xdp_umem_addr(umem, frames[i]);
        }
        xsk_ring_prod__submit(&xsk->fill, batch);
        n -= batch;
    }
}

static bool
xsk_is_zero_copy(int fd)
{
    struct xdp_options opts;
    socklen_t len = sizeof opts;

    return !getsockopt(fd, SOL_XDP, XDP_OPTIONS, &opts, &len)
           && opts.flags & XDP_OPTIONS_ZEROCOPY;
}

static void
xsk_set_busy_poll(int fd, int usecs, const char *name)
{
#ifdef SO_PREFER_BUSY_POLL
    int one = 1, budget = BATCH;

    if (setsockopt(fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof one)
        || setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &usecs, sizeof usecs)
        || setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget,
                      sizeof budget)) {
        VLOG_WARN("%s: cannot turn on busy polling (%s)", name,
                  ovs_strerror(errno));
    }
#else
    VLOG_WARN("%s: busy polling is not supported by this build", name);
#endif
}

/* Creates the socket of 'dev''s queue 'i' on 'umem', bound with
 * 'bind_flags', and puts it in the program's XSKMAP.  On failure the
 * socket is left for netdev_xdp_close_socket(). */
static int
netdev_xdp_open_socket(struct netdev_xdp *dev, struct xdp_umem *umem, int i,
                       uint16_t bind_flags, char **errorp)
{
    const char *name = netdev_get_name(&dev->up.up);
    struct xsk_socket_config cfg = {
        .rx_size = XDP_UMEM_RING_SIZE,
        .tx_size = XDP_UMEM_RING_SIZE,
        .libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
        .bind_flags = bind_flags,
    };
    struct xsk *xsk = &dev->xsks[i];
    int error;

    ovs_spin_init(&xsk->tx_lock);
    /* The kernel releases a closed socket's hold on its queue from a work
     * queue: a socket re-created at once may find it busy. */
    for (int try = 0; ; try++) {
        error = -xsk_socket__create_shared(&xsk->socket, name, i, umem->umem,
                                           &xsk->rx, &xsk->tx, &xsk->fill,
                                           &xsk->comp, &cfg);
        if (error != EBUSY || try >= 250) {
            break;
        }
        xnanosleep(2 * 1000 * 1000);
    }
    if (error) {
        xsk->socket = NULL;
        *errorp = xasprintf("%s: cannot bind AF_XDP socket to queue %d in "
                            "%s mode (%s)", name, i,
                            bind_flags & XDP_ZEROCOPY ? "zero-copy" : "copy",
                            ovs_strerror(error));
        return error;
    }
    int fd = xsk_socket__fd(xsk->socket);
    if (fd == xsk_umem__fd(umem->umem)) {
        dev->umem_anchor = true;
        xdp_umem_set_anchor(umem, dev->ifindex);
    }
    if (bind_flags & XDP_ZEROCOPY && !xsk_is_zero_copy(fd)) {
        /* A socket that shares a UMEM takes the mode of the UMEM's first
         * socket, whatever it asked for. */
        *errorp = xasprintf("%s: queue %d is not in zero-copy mode (the "
                            "UMEM it shares is not)", name, i);
        return EOPNOTSUPP;
    }
    if (dev->requested.busy_poll) {
        xsk_set_busy_poll(fd, dev->requested.busy_poll, name);
    }
    xsk_fill(xsk, umem, XDP_UMEM_SOCKET_FILL);
    error = xdp_prog_set_xsk(dev->prog, dev->slot, i, fd);
    if (error) {
        *errorp = xasprintf("%s: cannot add socket to XSKMAP (%s)", name,
                            ovs_strerror(error));
    }
    return error;
}

/* Undoes netdev_xdp_open_socket() for 'dev''s queue 'i' on 'umem'. */
static void
netdev_xdp_close_socket(struct netdev_xdp *dev, struct xdp_umem *umem,
                        int i)
{
    struct xsk *xsk = &dev->xsks[i];

    if (dev->prog) {
        xdp_prog_del_xsk(dev->prog, dev->slot, i);
    }
    if (xsk->socket) {
        xsk_reclaim(xsk, umem);
        xsk_socket__delete(xsk->socket);
        xsk->socket = NULL;
    }
    ovs_spin_destroy(&xsk->tx_lock);
}

/* Creates the sockets of 'dev' on 'umem', bound with 'bind_flags', and puts
 * them in the program's XSKMAP.  On failure deletes what it created. */
static int
netdev_xdp_create_sockets(struct netdev_xdp *dev, struct xdp_umem *umem,
                          int n_rxq, uint16_t bind_flags, char **errorp)
{
    int error = 0;
    int i;

    /* Room for every queue: libxdp keeps pointers to each socket's rings,
     * so the array never moves while the port has sockets. */
    dev->xsks = xcalloc(XDP_ABI_MAX_QUEUES, sizeof *dev->xsks);
    for (i = 0; i < n_rxq && !error; i++) {
        error = netdev_xdp_open_socket(dev, umem, i, bind_flags, errorp);
    }
    dev->n_xsks = i;
    dev->umem = umem;
    xdp_umem_add_user(umem, &dev->umem_user, dev->n_xsks);
    if (error) {
        for (int j = 0; j < dev->n_xsks; j++) {
            netdev_xdp_close_socket(dev, umem, j);
        }
        xdp_umem_remove_user(umem, &dev->umem_user, dev->n_xsks,
                             dev->umem_anchor);
        free(dev->xsks);
        dev->xsks = NULL;
        dev->n_xsks = 0;
        dev->umem = NULL;
        dev->umem_anchor = false;
    }
    return error;
}

/* Binds the sockets, on the datapath's shared UMEM if the kernel lets this
 * port share it, on a UMEM of the port's own otherwise. */
static int
netdev_xdp_bind(struct netdev_xdp *dev, int n_rxq, uint16_t bind_flags,
                char **errorp)
{
    const char *name = netdev_get_name(&dev->up.up);
    struct xdp_umem *umem;
    char *shared_error;
    int error;

    umem = xdp_umem_get(dev->dp_name, true,
                        UMEM_FRAMES(SHARED_UMEM_FRAMES, n_rxq), errorp);
    if (umem && !xdp_umem_has_room(umem, n_rxq)) {
        /* Frames are fixed when a UMEM is registered: more sockets than it
         * can feed start a new one. */
        VLOG_INFO("%s: shared UMEM of %s is full with %d sockets, starting "
                  "another", name, dev->dp_name, umem->n_sockets);
        xdp_umem_retire(umem);
        umem = xdp_umem_get(dev->dp_name, true,
                        UMEM_FRAMES(SHARED_UMEM_FRAMES, n_rxq), errorp);
    }
    if (!umem) {
        return ENOMEM;
    }
    bool first = !umem->n_sockets;
    error = netdev_xdp_create_sockets(dev, umem, n_rxq, bind_flags,
                                      &shared_error);
    if (!error) {
        return 0;
    } else if (first) {
        /* Nothing was shared: a UMEM of our own would fail the same way. */
        *errorp = shared_error;
        return error;
    } else if (umem->anchor_parked && error == EBADF) {
        /* The UMEM's first socket belonged to a port that is gone, and so
         * is its device, after which nothing can join the UMEM.
         * New ports get a new shared UMEM; the old one's keep it. */
        VLOG_INFO("%s: cannot join the shared UMEM of %s (%s), starting "
                  "another", name, dev->dp_name, shared_error);
        free(shared_error);
        xdp_umem_retire(umem);
        umem = xdp_umem_get(dev->dp_name, true,
                        UMEM_FRAMES(SHARED_UMEM_FRAMES, n_rxq), errorp);
        if (!umem) {
            return ENOMEM;
        }
        return netdev_xdp_create_sockets(dev, umem, n_rxq, bind_flags,
                                         errorp);
    }

    umem = xdp_umem_get(name, false, UMEM_FRAMES(0, n_rxq), errorp);
    if (!umem) {
        free(shared_error);
        return ENOMEM;
    }
    error = netdev_xdp_create_sockets(dev, umem, n_rxq, bind_flags, errorp);
    if (error) {
        free(shared_error);
        return error;
    }
    VLOG_WARN("%s: cannot share the UMEM of %s, using a private one: %s",
              name, dev->dp_name, shared_error);
    dev->umem_note = shared_error;
    return 0;
}

/* Attaches the program and binds the sockets in 'mode'. */
static int
netdev_xdp_try_mode(struct netdev_xdp *dev, enum xdp_mode mode, int n_rxq,
                    char **errorp)
{
    const char *name = netdev_get_name(&dev->up.up);
    uint32_t xdp_flags = (mode == XDP_MODE_GENERIC ? XDP_FLAGS_SKB_MODE
                          : XDP_FLAGS_DRV_MODE);
    uint16_t bind_flags = mode == XDP_MODE_NATIVE_ZC ? XDP_ZEROCOPY
                                                     : XDP_COPY;
    int error;

    if (dev->requested.need_wakeup) {
        bind_flags |= XDP_USE_NEED_WAKEUP;
    }
    error = xdp_prog_attach(dev->prog, dev->ifindex, name, xdp_flags,
                            errorp);
    if (error) {
        return error;
    }
    error = netdev_xdp_bind(dev, n_rxq, bind_flags, errorp);
    if (error) {
        xdp_prog_detach(dev->prog, dev->ifindex, name, xdp_flags);
        return error;
    }
    dev->mode = mode;
    return 0;
}

/* Returns the number of rx queues in use on 'name' (ethtool's channels), or
 * -1 if the driver does not say. */
static int
netdev_xdp_n_dev_rxq(const char *name)
{
    struct ethtool_channels channels = { .cmd = ETHTOOL_GCHANNELS };
    struct ifreq ifr;
    int fd, error;

    fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        return -1;
    }
    memset(&ifr, 0, sizeof ifr);
    ovs_strlcpy(ifr.ifr_name, name, sizeof ifr.ifr_name);
    ifr.ifr_data = (void *) &channels;
    error = ioctl(fd, SIOCETHTOOL, &ifr);
    close(fd);
    if (error) {
        return -1;
    }
    int n = channels.rx_count + channels.combined_count;
    return n > 0 ? n : -1;
}

static int
netdev_xdp_check_mtu(const char *name, int mtu, char **errorp)
{
    int max_mtu = MAX_FRAME_LEN - ETH_HEADER_LEN - 2 * VLAN_HEADER_LEN;

    if (mtu > max_mtu) {
        *errorp = xasprintf("%s: MTU %d is larger than an AF_XDP frame "
                            "holds (at most %d)", name, mtu, max_mtu);
        return EINVAL;
    }
    return 0;
}

/* Checks what can be checked of 'netdev' before the program is attached:
 * its MTU, its rx queues, an XDP program that is not ours. */
static int
netdev_xdp_check_device(struct netdev *netdev, int n_rxq, char **errorp)
{
    const char *name = netdev_get_name(netdev);
    uint32_t stale_id, stale_flags;
    int error, ifindex, mtu, n_dev_rxq;

    /* Whatever else is wrong, a program that a previous ovs-vswitchd left
     * must not go on forwarding. */
    ifindex = netdev_get_ifindex(netdev);
    if (ifindex > 0) {
        xdp_prog_remove_stale(ifindex, name);
    }
    if (!netdev_get_mtu(netdev, &mtu)) {
        error = netdev_xdp_check_mtu(name, mtu, errorp);
        if (error) {
            return error;
        }
    }
    n_dev_rxq = netdev_xdp_n_dev_rxq(name);
    if (n_dev_rxq > 0 && n_rxq > n_dev_rxq) {
        *errorp = xasprintf("%s: n_rxq=%d but the device has %d rx "
                            "queue%s", name, n_rxq, n_dev_rxq,
                            n_dev_rxq == 1 ? "" : "s");
        return EINVAL;
    }
    ifindex = netdev_get_ifindex(netdev);
    if (ifindex <= 0) {
        *errorp = xasprintf("%s: cannot get ifindex (%s)", name,
                            ovs_strerror(-ifindex));
        return -ifindex;
    }
    return xdp_prog_check_foreign(ifindex, name, &stale_id, &stale_flags,
                                  errorp);
}

/* Lists 'dev' in the program's 'tx_ports' if frames that XDP sends to it
 * are delivered, otherwise takes it out: flows that output to it then run
 * in userspace, which sends through the AF_XDP socket. */
static void
netdev_xdp_check_tx(struct netdev_xdp *dev)
{
    const char *name = netdev_get_name(&dev->up.up);
    char *reason = NULL;
    bool ok;

    if (dev->mode == XDP_MODE_GENERIC) {
        /* A driver without native XDP may lack ndo_xdp_xmit too. */
        ok = false;
        reason = xstrdup("the port's XDP program runs in generic mode");
    } else {
        ok = xdp_veth_redirect_ok(dev->ifindex, name, &reason);
    }
    if (ok && xdp_prog_set_tx_port(dev->prog, dev->ifindex, true)) {
        free(reason);
        reason = xstrdup("cannot add the port to the XDP program's "
                         "tx_ports map");
        ok = false;
    } else if (!ok) {
        xdp_prog_set_tx_port(dev->prog, dev->ifindex, false);
    }
    if (ok != dev->tx_ok || !nullable_string_is_equal(reason, dev->tx_note)) {
        /* The port's status shows it. */
        netdev_change_seq_changed(&dev->up.up);
        if (ok) {
            VLOG_INFO("%s: XDP outputs to this port directly", name);
        } else {
            VLOG_INFO("%s: flows that output to this port run in userspace: "
                      "%s", name, reason);
        }
    }
    ovs_mutex_lock(&netdev_xdp_offload_mutex);
    dev->tx_ok = ok;
    ovs_mutex_unlock(&netdev_xdp_offload_mutex);
    free(dev->tx_note);
    dev->tx_note = reason;
}

static int
netdev_xdp_setup(struct netdev_xdp *dev, char **errorp)
{
    static const enum xdp_mode best_effort[] = {
        XDP_MODE_NATIVE_ZC, XDP_MODE_NATIVE, XDP_MODE_GENERIC,
    };
    struct netdev *netdev = &dev->up.up;
    const char *name = netdev_get_name(netdev);
    const char *dpif_type = netdev_get_dpif_type(netdev);
    int n_rxq = dev->requested.n_rxq;
    int error;

    error = netdev_xdp_check_device(netdev, n_rxq, errorp);
    if (error) {
        return error;
    }
    dev->ifindex = netdev_get_ifindex(netdev);

    free(dev->dp_name);
    dev->dp_name = xdp_prog_dp_name_for_type(dpif_type);
    dev->prog = xdp_prog_ref(dev->dp_name, errorp);
    if (!dev->prog) {
        return EOPNOTSUPP;
    }
    /* A socket parked on this device since it last left a datapath holds
     * one of its queues.  (With our reference taken, the program stays
     * loaded while the ports that move let go of theirs.) */
    xdp_umem_free_device(dev->ifindex);
    dev->slot = xdp_prog_slot_alloc(dev->prog);
    if (dev->slot < 0) {
        *errorp = xasprintf("%s: %s has %d afxdp ports already", name,
                            dev->dp_name, XDP_ABI_MAX_PORTS);
        return EFBIG;
    }

    if (dev->requested.mode == XDP_MODE_BEST_EFFORT) {
        error = 0;
        for (size_t i = 0; i < ARRAY_SIZE(best_effort); i++) {
            free(*errorp);
            *errorp = NULL;
            error = netdev_xdp_try_mode(dev, best_effort[i], n_rxq, errorp);
            if (!error) {
                break;
            }
            VLOG_INFO("%s: %s mode not available: %s", name,
                      xdp_mode_names[best_effort[i]], *errorp);
        }
    } else {
        error = netdev_xdp_try_mode(dev, dev->requested.mode, n_rxq,
                                    errorp);
    }
    if (error) {
        return error;
    }

    struct xdp_abi_port port = {
        .slot = dev->slot,
        .n_rxq = n_rxq,
        .odp_port = odp_to_u32(dev->odp_port),
    };
    error = xdp_prog_set_port(dev->prog, dev->ifindex, &port);
    if (error) {
        *errorp = xasprintf("%s: cannot add port to the XDP program (%s)",
                            name, ovs_strerror(error));
        return error;
    }
    dev->applied = dev->requested;
    netdev_xdp_check_tx(dev);

    ovs_mutex_lock(&netdev_xdp_offload_mutex);
    dev->offload_prog = dev->prog;
    ovs_mutex_unlock(&netdev_xdp_offload_mutex);
    return 0;
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

/* Changes the number of sockets of 'dev', set up, to the requested number,
 * keeping the others, when nothing else that binds them changes: the
 * port's first queue goes on forwarding, and if its first socket holds the
 * datapath's UMEM, the other ports keep it.  Returns 0, or an errno value
 * (with nothing changed) if the port must be set up again instead. */
static int
netdev_xdp_resize(struct netdev_xdp *dev)
{
    const char *name = netdev_get_name(&dev->up.up);
    int old_n = dev->n_xsks, new_n = dev->requested.n_rxq;
    uint16_t bind_flags;
    char *msg = NULL;
    int error = 0;
    int i;

    if (!old_n || dev->applied.mode != dev->requested.mode
        || dev->applied.need_wakeup != dev->requested.need_wakeup
        || dev->applied.busy_poll != dev->requested.busy_poll
        || old_n == new_n) {
        return EAGAIN;
    }
    struct xdp_abi_port port = {
        .slot = dev->slot,
        .n_rxq = MIN(old_n, new_n),
        .odp_port = odp_to_u32(dev->odp_port),
    };
    if (new_n < old_n) {
        /* The program stops sending to the queues first. */
        error = xdp_prog_set_port(dev->prog, dev->ifindex, &port);
        if (error) {
            return error;
        }
        for (i = new_n; i < old_n; i++) {
            netdev_xdp_close_socket(dev, dev->umem, i);
        }
        xdp_umem_sockets_changed(dev->umem, new_n - old_n);
        dev->n_xsks = new_n;
    } else {
        bind_flags = (dev->mode == XDP_MODE_NATIVE_ZC ? XDP_ZEROCOPY
                      : XDP_COPY);
        if (dev->applied.need_wakeup) {
            bind_flags |= XDP_USE_NEED_WAKEUP;
        }
        memset(&dev->xsks[old_n], 0, (new_n - old_n) * sizeof *dev->xsks);
        for (i = old_n; i < new_n && !error; i++) {
            error = netdev_xdp_open_socket(dev, dev->umem, i, bind_flags,
                                           &msg);
        }
        if (error) {
            VLOG_INFO("%s: %s; setting the port up again", name, msg);
            free(msg);
            while (--i >= old_n) {
                netdev_xdp_close_socket(dev, dev->umem, i);
            }
            return error;
        }
        xdp_umem_sockets_changed(dev->umem, new_n - old_n);
        dev->n_xsks = new_n;
        port.n_rxq = new_n;
        error = xdp_prog_set_port(dev->prog, dev->ifindex, &port);
        if (error) {
            return error;
        }
    }
    dev->applied = dev->requested;
    VLOG_INFO("%s: %d AF_XDP socket%s (was %d)", name, new_n,
              new_n == 1 ? "" : "s", old_n);
    return 0;
}

/* Sets 'dev' up as requested.  If that fails while the port worked with
 * other options, sets it up again as it was, with the failure in
 * 'config_error', and returns 0. */
static int
netdev_xdp_setup_or_revert(struct netdev_xdp *dev, char **error_msg)
{
    const char *name = netdev_get_name(&dev->up.up);
    struct netdev_xdp_config prev = dev->applied;
    bool had_config = dev->n_xsks > 0;
    int error;

    netdev_xdp_teardown(dev);
    error = netdev_xdp_setup(dev, error_msg);
    if (!error || !had_config) {
        return error;
    }

    VLOG_WARN("%s; the port goes back to the configuration it had",
              *error_msg);
    ovs_mutex_lock(&dev->up.mutex);
    free(dev->config_error);
    dev->config_error = *error_msg;
    dev->refused = dev->requested;
    dev->requested = prev;
    ovs_mutex_unlock(&dev->up.mutex);
    *error_msg = NULL;

    netdev_xdp_teardown(dev);
    error = netdev_xdp_setup(dev, error_msg);
    if (error) {
        VLOG_WARN("%s: cannot go back to the configuration it had either",
                  name);
    }
    return error;
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
        VLOG_INFO("%s: XDP program id %"PRIu32" attached in %s mode, %d "
                  "AF_XDP socket%s, %s UMEM", netdev_get_name(netdev),
                  xdp_prog_id(dev->prog), xdp_mode_names[dev->mode],
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
    size_t i;

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
    for (i = 0; i < ARRAY_SIZE(xdp_mode_names); i++) {
        if (!strcmp(mode_str, xdp_mode_names[i])) {
            break;
        }
    }
    if (i == ARRAY_SIZE(xdp_mode_names)) {
        *errp = xasprintf("%s: unknown xdp-mode \"%s\" (best-effort, "
                          "native-with-zerocopy, native or generic)", name,
                          mode_str);
        return EINVAL;
    }
    cfg->mode = i;
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
    smap_add(args, "xdp-mode", xdp_mode_names[dev->requested.mode]);
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
        smap_add(smap, "xdp-mode", xdp_mode_names[dev->mode]);
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

static struct xsk *
netdev_xdp_rxq_xsk(const struct netdev_rxq *rxq)
{
    struct netdev_xdp *dev = netdev_xdp_cast(rxq->netdev);

    return rxq->queue_id < dev->n_xsks ? &dev->xsks[rxq->queue_id] : NULL;
}

/* Reads the metadata that the XDP program wrote in front of the packet of
 * 'len' bytes at 'addr': a partially offloaded flow's packets carry its
 * mark, so that dpif-netdev runs that flow's actions without a lookup.
 * Only metadata with 'cookie', the cookie of the program that the port's
 * socket receives from, counts: anything else leaves the packet a plain
 * miss. */
static void
netdev_xdp_read_meta(struct xdp_umem *umem, uint64_t addr, uint32_t len,
                     uint64_t cookie, struct dp_packet *packet)
{
    struct xdp_abi_meta meta;

    /* Frames are aligned: the offset in the frame is the headroom. */
    if (xdp_meta_take(xdp_umem_ptr(umem, addr), addr % XDP_UMEM_FRAME_SIZE,
                      len, cookie, &meta) != XDP_META_OK) {
        COVERAGE_INC(afxdp_rx_no_meta);
        return;
    }
    if (meta.reason == XDP_ABI_UPCALL_PARTIAL) {
        dp_packet_set_flow_mark(packet, meta.flow_mark);
        COVERAGE_INC(afxdp_rx_flow_mark);
    }
}

static int
netdev_xdp_rxq_recv(struct netdev_rxq *rxq, struct dp_packet_batch *batch,
                    int *qfill)
{
    struct netdev_xdp *dev = netdev_xdp_cast(rxq->netdev);
    struct xsk *xsk = netdev_xdp_rxq_xsk(rxq);
    uint64_t cookie;
    uint32_t idx, n;

    if (!xsk) {
        return EAGAIN;
    }
    cookie = dev->prog ? xdp_prog_meta_cookie(dev->prog) : 0;
    xsk_fill(xsk, dev->umem, BATCH);

    n = xsk_ring_cons__peek(&xsk->rx, BATCH, &idx);
    if (!n) {
        if (dev->applied.need_wakeup
            && xsk_ring_prod__needs_wakeup(&xsk->fill)) {
            recvfrom(xsk_socket__fd(xsk->socket), NULL, 0, MSG_DONTWAIT,
                     NULL, NULL);
        }
        return EAGAIN;
    }
    for (uint32_t i = 0; i < n; i++) {
        const struct xdp_desc *desc = xsk_ring_cons__rx_desc(&xsk->rx,
                                                             idx + i);

        struct dp_packet *packet = xdp_umem_packet(dev->umem, desc->addr,
                                                   desc->len);

        netdev_xdp_read_meta(dev->umem, desc->addr, desc->len, cookie,
                             packet);
        dp_packet_batch_add(batch, packet);
    }
    xsk_ring_cons__release(&xsk->rx, n);
    if (qfill) {
        *qfill = 0;
    }
    return 0;
}

static void
netdev_xdp_rxq_wait(struct netdev_rxq *rxq)
{
    struct xsk *xsk = netdev_xdp_rxq_xsk(rxq);

    if (xsk) {
        poll_fd_wait(xsk_socket__fd(xsk->socket), POLLIN);
    }
}

static int
netdev_xdp_rxq_drain(struct netdev_rxq *rxq OVS_UNUSED)
{
    return 0;
}

/* Returns completed transmit frames to the pool. */
static void
xsk_complete_tx(struct xsk *xsk, struct xdp_umem *umem)
{
    void *frames[BATCH];
    uint32_t idx, n;

    while ((n = xsk_ring_cons__peek(&xsk->comp, BATCH, &idx)) > 0) {
        for (uint32_t i = 0; i < n; i++) {
            uint64_t addr = *xsk_ring_cons__comp_addr(&xsk->comp, idx + i);

            frames[i] = xdp_umem_ptr(umem, addr & ~(uint64_t)
                                     (XDP_UMEM_FRAME_SIZE - 1));
        }
        xsk_ring_cons__release(&xsk->comp, n);
        umem_elem_push_n(&umem->pool, n, frames);
        xsk->outstanding_tx -= MIN(n, xsk->outstanding_tx);
    }
}

static void
xsk_kick_tx(struct xsk *xsk, const char *name)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

    if (sendto(xsk_socket__fd(xsk->socket), NULL, 0, MSG_DONTWAIT, NULL, 0)
        < 0 && errno != EAGAIN && errno != EBUSY && errno != ENOBUFS
        && errno != ENETDOWN) {
        VLOG_WARN_RL(&rl, "%s: AF_XDP transmit failed (%s)", name,
                     ovs_strerror(errno));
    }
}

static int
netdev_xdp_send(struct netdev *netdev, int qid, struct dp_packet_batch *batch,
                bool concurrent_txq)
{
    struct netdev_xdp *dev = netdev_xdp_cast(netdev);
    uint64_t addrs[NETDEV_MAX_BURST];
    uint32_t lens[NETDEV_MAX_BURST];
    uint32_t n_copy = 0, n_no_copy = 0, n_drop = 0, n = 0, idx = 0;
    struct dp_packet *packet;
    struct xsk *xsk;

    if (!dev->n_xsks) {
        atomic_add_relaxed(&dev->tx_dropped, dp_packet_batch_size(batch),
                           &(uint64_t) { 0 });
        COVERAGE_ADD(afxdp_tx_drop, dp_packet_batch_size(batch));
        dp_packet_delete_batch(batch, true);
        return 0;
    }
    xsk = &dev->xsks[qid % dev->n_xsks];
    if (concurrent_txq) {
        ovs_spin_lock(&xsk->tx_lock);
    }

    xsk_complete_tx(xsk, dev->umem);
    if (xsk_prod_nb_free(&xsk->tx, dp_packet_batch_size(batch))
        < dp_packet_batch_size(batch)) {
        xsk_kick_tx(xsk, netdev_get_name(netdev));
        xsk_complete_tx(xsk, dev->umem);
    }

    DP_PACKET_BATCH_FOR_EACH (i, packet, batch) {
        uint32_t size = dp_packet_size(packet);

        if (size > MAX_FRAME_LEN || !xsk_prod_nb_free(&xsk->tx, n + 1)) {
            n_drop++;
            continue;
        }
        if (xdp_umem_owns(dev->umem, packet)) {
            /* Same UMEM: the frame itself goes out, and comes back to the
             * pool through the completion ring instead of on free. */
            struct dp_packet_afxdp *xpacket
                = CONTAINER_OF(packet, struct dp_packet_afxdp, packet);

            addrs[n] = xdp_umem_addr(dev->umem, dp_packet_data(packet));
            xpacket->mpool = NULL;
            n_no_copy++;
        } else {
            void *frame = umem_elem_pop(&dev->umem->pool);

            if (!frame) {
                n_drop++;
                continue;
            }
            memcpy(frame, dp_packet_data(packet), size);
            addrs[n] = xdp_umem_addr(dev->umem, frame);
            n_copy++;
        }
        lens[n++] = size;
    }

    if (n) {
        xsk_ring_prod__reserve(&xsk->tx, n, &idx);
        for (uint32_t i = 0; i < n; i++) {
            struct xdp_desc *desc = xsk_ring_prod__tx_desc(&xsk->tx, idx + i);

            desc->addr = addrs[i];
            desc->len = lens[i];
            desc->options = 0;
        }
        xsk_ring_prod__submit(&xsk->tx, n);
        xsk->outstanding_tx += n;
        /* Copy mode transmits only from sendto(). */
        if (dev->mode != XDP_MODE_NATIVE_ZC || !dev->applied.need_wakeup
            || xsk_ring_prod__needs_wakeup(&xsk->tx)) {
            xsk_kick_tx(xsk, netdev_get_name(netdev));
        }
    }
    if (concurrent_txq) {
        ovs_spin_unlock(&xsk->tx_lock);
    }

    uint64_t orig;
    atomic_add_relaxed(&dev->tx_no_copy, n_no_copy, &orig);
    atomic_add_relaxed(&dev->tx_copy, n_copy, &orig);
    atomic_add_relaxed(&dev->tx_dropped, n_drop, &orig);
    COVERAGE_ADD(afxdp_tx_no_copy, n_no_copy);
    COVERAGE_ADD(afxdp_tx_copy, n_copy);
    COVERAGE_ADD(afxdp_tx_drop, n_drop);
    dp_packet_delete_batch(batch, true);
    return 0;
}

/* Work done once a second, from the main thread: re-ranks the masks of the
 * XDP flow tables and checks again where XDP can output. */
/* Sums the kernel's statistics of 'dev''s sockets into '*st'. */
static void
netdev_xdp_xsk_stats(const struct netdev_xdp *dev, struct xdp_statistics *st)
{
    memset(st, 0, sizeof *st);
    for (int i = 0; i < dev->n_xsks; i++) {
        struct xdp_statistics one;
        socklen_t len = sizeof one;

        if (dev->xsks[i].socket
            && !getsockopt(xsk_socket__fd(dev->xsks[i].socket), SOL_XDP,
                           XDP_STATISTICS, &one, &len)) {
            st->rx_dropped += one.rx_dropped;
            st->rx_ring_full += one.rx_ring_full;
            st->rx_fill_ring_empty_descs += one.rx_fill_ring_empty_descs;
        }
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

void
netdev_xdp_run(void)
{
    static long long int next;
    struct netdev_xdp *dev;

    if (time_msec() < next) {
        return;
    }
    next = time_msec() + 1000;
    xdp_prog_rerank_all();
    LIST_FOR_EACH (dev, list_node, &netdev_xdp_list) {
        if (dev->prog) {
            netdev_xdp_check_tx(dev);
            netdev_xdp_count_xsk_drops(dev);
        }
    }
}

void
netdev_xdp_wait(void)
{
    if (!ovs_list_is_empty(&netdev_xdp_list)) {
        poll_timer_wait(1000);
    }
}

/* xdp/show: the XDP program of each datapath, what it did, its ports. */
static void
netdev_xdp_unixctl_show(struct unixctl_conn *conn, int argc,
                        const char *argv[], void *aux OVS_UNUSED)
{
    bool verbose = argc > 1 && !strcmp(argv[1], "-m");
    struct ds s = DS_EMPTY_INITIALIZER;
    struct sset shown = SSET_INITIALIZER(&shown);
    struct netdev_xdp *dev, *port;

    LIST_FOR_EACH (dev, list_node, &netdev_xdp_list) {
        uint64_t c[XDP_ABI_N_COUNTERS];

        if (!dev->prog || !sset_add(&shown, dev->dp_name)) {
            continue;
        }
        xdp_prog_get_counters(dev->prog, c);
        ds_put_format(&s, "%s:\n  program: id %"PRIu32", maps in %s\n",
                      dev->dp_name, xdp_prog_id(dev->prog),
                      xdp_prog_pin_dir(dev->prog));
        ds_put_format(&s, "  packets: %"PRIu64" received, %"PRIu64" handled "
                      "in XDP, %"PRIu64" dropped, %"PRIu64" to the kernel\n",
                      c[XDP_ABI_CNT_RX], c[XDP_ABI_CNT_HANDLED],
                      c[XDP_ABI_CNT_DROPPED], c[XDP_ABI_CNT_PASS]);
        ds_put_format(&s, "  to userspace: %"PRIu64" (miss %"PRIu64", "
                      "partial %"PRIu64", unparsed %"PRIu64")\n",
                      c[XDP_ABI_CNT_TO_XSK], c[XDP_ABI_CNT_UPCALL_MISS],
                      c[XDP_ABI_CNT_UPCALL_PARTIAL],
                      c[XDP_ABI_CNT_UPCALL_UNPARSED]);
        uint64_t lookups = c[XDP_ABI_CNT_EMC_HIT] + c[XDP_ABI_CNT_EMC_MISS];
        ds_put_format(&s, "  cache: %"PRIu64" hits, %"PRIu64" misses "
                      "(hit rate %.1f%%); megaflow hits %"PRIu64"\n",
                      c[XDP_ABI_CNT_EMC_HIT], c[XDP_ABI_CNT_EMC_MISS],
                      lookups ? 100.0 * c[XDP_ABI_CNT_EMC_HIT] / lookups : 0,
                      c[XDP_ABI_CNT_MEGAFLOW_HIT]);
        ds_put_format(&s, "  output not possible in XDP: %"PRIu64", header "
                      "to rewrite truncated: %"PRIu64", failed actions: "
                      "%"PRIu64", no metadata room: %"PRIu64"\n",
                      c[XDP_ABI_CNT_NO_TX_PORT], c[XDP_ABI_CNT_SHORT_HEADER],
                      c[XDP_ABI_CNT_ACTION_ERROR], c[XDP_ABI_CNT_META_FAIL]);

        struct xdp_flow_table *table = xdp_prog_flow_table(dev->prog);
        struct xdp_flow_table_usage u;
        xdp_flow_table_get_usage(table, &u);
        ds_put_format(&s, "  flows: %"PRIu32"/%"PRIu32", masks: %"PRIu32
                      "/%"PRIu32"\n", u.n_flows, u.max_flows, u.n_masks,
                      u.max_masks);
        ds_put_format(&s, "  parser: vlan-limit %"PRIu32"\n", u.vlan_limit);
        if (verbose) {
            ds_put_format(&s, "  exact-match cache: %s (%.2f masks probed "
                          "per megaflow hit)\n",
                          u.emc_off ? "skipped" : "in use", u.probes);
        }
        if (verbose) {
            xdp_flow_table_format_masks(table, &s);
        }
        LIST_FOR_EACH (port, list_node, &netdev_xdp_list) {
            if (port->prog != dev->prog) {
                continue;
            }
            ds_put_format(&s, "  %s: xdp-mode %s, zero-copy %s, %d queue%s, "
                          "%s UMEM, output %s\n",
                          netdev_get_name(&port->up.up),
                          xdp_mode_names[port->mode],
                          port->mode == XDP_MODE_NATIVE_ZC ? "yes" : "no",
                          port->n_xsks, port->n_xsks == 1 ? "" : "s",
                          port->umem->shared ? "shared" : "private",
                          port->tx_ok ? "direct" : "via userspace");
            struct xdp_statistics st;

            netdev_xdp_xsk_stats(port, &st);
            if (st.rx_ring_full || st.rx_fill_ring_empty_descs
                || st.rx_dropped) {
                ds_put_format(&s, "    lost on the way to userspace: "
                              "%llu rx ring full, %llu no fill frame, "
                              "%llu other\n",
                              (unsigned long long) st.rx_ring_full,
                              (unsigned long long)
                              st.rx_fill_ring_empty_descs,
                              (unsigned long long) st.rx_dropped);
            }
            if (verbose) {
                uint32_t in_port = odp_to_u32(port->odp_port);

                ds_put_format(&s, "    flows in XDP: %"PRIu32"\n",
                              xdp_flow_table_count(table, in_port));
                if (port->tx_note) {
                    ds_put_format(&s, "    output via userspace: %s\n",
                                  port->tx_note);
                }
            }
        }
    }
    LIST_FOR_EACH (dev, list_node, &netdev_xdp_list) {
        if (dev->error) {
            ds_put_format(&s, "%s: not set up: %s\n",
                          netdev_get_name(&dev->up.up), dev->error);
        }
    }
    if (!sset_is_empty(&shown)) {
        struct ds reasons = DS_EMPTY_INITIALIZER;

        netdev_offload_xdp_format_reasons(&reasons);
        if (reasons.length) {
            ds_put_format(&s, "flows not fully in XDP, by reason:\n%s",
                          ds_cstr(&reasons));
        }
        ds_destroy(&reasons);
    }
    sset_destroy(&shown);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
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

    netdev_register_provider(&netdev_xdp_class);
    unixctl_command_register("xdp/show", "[-m]", 0, 1,
                             netdev_xdp_unixctl_show, NULL);
}
