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

/* Setting an afxdp port up and taking it down: the datapath's XDP program
 * attached to the device in the best mode it has, one AF_XDP socket per rx
 * queue on the datapath's shared UMEM (or the port's own), the port in the
 * program's maps, and whether XDP can output to the device.  Sockets are
 * added and removed in place when only n_rxq changes.  The options, status
 * and packet I/O of the port are netdev-xdp.c's; one socket's rings are
 * xdp-xsk.c's. */

#include <config.h>

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netdev-provider.h"
#include "netdev-xdp-private.h"
#include "odp-util.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "util.h"
#include "xdp-prog.h"
#include "xdp-umem.h"
#include "xdp-veth.h"
#include "xdp-xsk.h"

VLOG_DEFINE_THIS_MODULE(netdev_xdp_setup);

/* Frames of a datapath's shared UMEM, and of a port's private one. */
#define SHARED_UMEM_FRAMES (16 * XDP_UMEM_SOCKET_FRAMES)
/* For 'N' sockets: a UMEM holds at least the frames they need. */
#define UMEM_FRAMES(MIN_FRAMES, N) \
    MAX(MIN_FRAMES, (N) * XDP_UMEM_SOCKET_FRAMES)
/* Largest packet a frame holds: the kernel keeps XDP_PACKET_HEADROOM. */
#define MAX_FRAME_LEN (XDP_UMEM_FRAME_SIZE - XDP_PACKET_HEADROOM)

static void netdev_xdp_close_socket(struct netdev_xdp *, struct xdp_umem *,
                                    int i);

static const char *const xdp_mode_names[] = {
    [XDP_MODE_BEST_EFFORT] = "best-effort",
    [XDP_MODE_NATIVE_ZC] = "native-with-zerocopy",
    [XDP_MODE_NATIVE] = "native",
    [XDP_MODE_GENERIC] = "generic",
};

/* Protects what other threads read of a port: see netdev_xdp_get_port(). */
struct ovs_mutex netdev_xdp_offload_mutex = OVS_MUTEX_INITIALIZER;

const char *
netdev_xdp_mode_name(enum xdp_mode mode)
{
    return xdp_mode_names[mode];
}

/* Sets '*mode' to the mode named 'name'.  Returns false if there is
 * none. */
bool
netdev_xdp_mode_from_string(const char *name, enum xdp_mode *mode)
{
    for (size_t i = 0; i < ARRAY_SIZE(xdp_mode_names); i++) {
        if (!strcmp(name, xdp_mode_names[i])) {
            *mode = i;
            return true;
        }
    }
    return false;
}

/* The UMEM that 'user''s port uses is retiring: let go of it now, set up
 * again on the next reconfiguration. */
void
netdev_xdp_umem_release(struct xdp_umem_user *user)
{
    struct netdev_xdp *dev = CONTAINER_OF(user, struct netdev_xdp,
                                          umem_user);

    VLOG_INFO("%s: moving to a new UMEM", netdev_get_name(&dev->up.up));
    netdev_xdp_teardown(dev);
    netdev_request_reconfigure(&dev->up.up);
}

/* Undoes netdev_xdp_setup(). */
void
netdev_xdp_teardown(struct netdev_xdp *dev)
{
    const char *name = netdev_get_name(&dev->up.up);

    if (dev->before_teardown) {
        dev->before_teardown(dev);
    }
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

/* Creates the socket of 'dev''s queue 'i' on 'umem', bound with
 * 'bind_flags', and puts it in the program's XSKMAP.  On failure the
 * socket is left for netdev_xdp_close_socket(). */
static int
netdev_xdp_open_socket(struct netdev_xdp *dev, struct xdp_umem *umem, int i,
                       uint16_t bind_flags, char **errorp)
{
    const char *name = netdev_get_name(&dev->up.up);
    struct xdp_xsk_options options = {
        .bind_flags = bind_flags,
        .busy_poll = dev->requested.busy_poll,
    };
    struct xdp_xsk *xsk = &dev->xsks[i];
    int error;

    error = xdp_xsk_open(xsk, name, i, umem, &options, errorp);
    if (xdp_xsk_holds_umem(xsk, umem)) {
        dev->umem_anchor = true;
        xdp_umem_set_anchor(umem, dev->ifindex);
    }
    if (error) {
        return error;
    }
    error = xdp_prog_set_xsk(dev->prog, dev->slot, i, xdp_xsk_fd(xsk));
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
    if (dev->prog) {
        xdp_prog_del_xsk(dev->prog, dev->slot, i);
    }
    xdp_xsk_close(&dev->xsks[i], umem);
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
int
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

int
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
int
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
void
netdev_xdp_check_tx(struct netdev_xdp *dev)
{
    const char *name = netdev_get_name(&dev->up.up);
    char *reason = NULL;
    bool ok;

    if (dev->qos_output_reason) {
        ok = false;
        reason = xstrdup(dev->qos_output_reason);
    } else if (dev->mode == XDP_MODE_GENERIC) {
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
                      netdev_xdp_mode_name(best_effort[i]), *errorp);
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
/* Changes the number of sockets of 'dev', set up, to the requested number,
 * keeping the others, when nothing else that binds them changes: the
 * port's first queue goes on forwarding, and if its first socket holds the
 * datapath's UMEM, the other ports keep it.  Returns 0, or an errno value
 * (with nothing changed) if the port must be set up again instead. */
int
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
int
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
