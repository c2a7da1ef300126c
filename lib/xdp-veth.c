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

#include "xdp-veth.h"

#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netlink.h"
#include "netlink-socket.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(xdp_veth);

/* Where iproute2 ("ip netns add", "ip netns attach") names namespaces. */
#define XDP_VETH_NETNS_DIR "/run/netns"

/* The calling thread's own network namespace. */
#define XDP_VETH_THREAD_NETNS "/proc/thread-self/ns/net"

/* What RTM_GETLINK says about a device. */
struct xdp_veth_link {
    int ifindex;
    bool is_veth;               /* IFLA_INFO_KIND is "veth". */
    int peer_ifindex;           /* IFLA_LINK, 0 if absent. */
    bool peer_remote;           /* Peer is in another network namespace. */
    int peer_nsid;              /* IFLA_LINK_NETNSID, if 'peer_remote'. */
};

/* What makes a veth peer deliver redirected frames. */
struct xdp_veth_peer {
    char name[IFNAMSIZ];
    bool gro;                   /* GRO on. */
    bool xdp_native;            /* Native-mode XDP program attached. */
    bool xdp_generic;           /* Generic-mode XDP program attached. */
};

/* Asks the kernel about the device with 'ifindex', or if 'ifindex' is not
 * positive, the one named 'name'.  Returns 0 or a positive errno value. */
static int
xdp_veth_get_link(int ifindex, const char *name, struct xdp_veth_link *link)
{
    static const struct nl_policy link_policy[] = {
        [IFLA_LINK] = { .type = NL_A_U32, .optional = true },
        [IFLA_LINKINFO] = { .type = NL_A_NESTED, .optional = true },
        [IFLA_LINK_NETNSID] = { .type = NL_A_U32, .optional = true },
    };
    static const struct nl_policy info_policy[] = {
        [IFLA_INFO_KIND] = { .type = NL_A_STRING, .optional = true },
    };
    struct nlattr *attrs[ARRAY_SIZE(link_policy)];
    struct nlattr *info[ARRAY_SIZE(info_policy)];
    const struct ifinfomsg *reply_ifi;
    struct ifinfomsg *ifi;
    struct ofpbuf request;
    struct ofpbuf *reply;
    int error;

    memset(link, 0, sizeof *link);

    ofpbuf_init(&request, 0);
    nl_msg_put_nlmsghdr(&request, sizeof *ifi, RTM_GETLINK, NLM_F_REQUEST);
    ifi = ofpbuf_put_zeros(&request, sizeof *ifi);
    ifi->ifi_family = AF_UNSPEC;
    if (ifindex > 0) {
        ifi->ifi_index = ifindex;
    } else {
        nl_msg_put_string(&request, IFLA_IFNAME, name);
    }
    nl_msg_put_u32(&request, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    error = nl_transact(NETLINK_ROUTE, &request, &reply);
    ofpbuf_uninit(&request);
    if (error) {
        return error;
    }

    reply_ifi = ofpbuf_at(reply, NLMSG_HDRLEN, sizeof *reply_ifi);
    if (!reply_ifi
        || !nl_policy_parse(reply, NLMSG_HDRLEN + sizeof *reply_ifi,
                            link_policy, attrs, ARRAY_SIZE(link_policy))) {
        ofpbuf_delete(reply);
        return EPROTO;
    }

    link->ifindex = reply_ifi->ifi_index;
    if (attrs[IFLA_LINKINFO]
        && nl_parse_nested(attrs[IFLA_LINKINFO], info_policy, info,
                           ARRAY_SIZE(info_policy))
        && info[IFLA_INFO_KIND]) {
        link->is_veth = !strcmp(nl_attr_get_string(info[IFLA_INFO_KIND]),
                                "veth");
    }
    if (attrs[IFLA_LINK]) {
        link->peer_ifindex = nl_attr_get_u32(attrs[IFLA_LINK]);
    }
    if (attrs[IFLA_LINK_NETNSID]) {
        link->peer_remote = true;
        link->peer_nsid = (int) nl_attr_get_u32(attrs[IFLA_LINK_NETNSID]);
    }

    ofpbuf_delete(reply);
    return 0;
}

/* Stores in '*nsid' the id that the current network namespace gives the
 * namespace that 'fd' refers to, or -1 if it gives it none.  Returns 0 or a
 * positive errno value (e.g. if 'fd' is not a network namespace). */
static int
xdp_veth_nsid_of_fd(int fd, int *nsid)
{
    static const struct nl_policy nsid_policy[] = {
        [NETNSA_NSID] = { .type = NL_A_U32, .optional = true },
    };
    struct nlattr *attrs[ARRAY_SIZE(nsid_policy)];
    struct rtgenmsg rtgen = { .rtgen_family = AF_UNSPEC };
    struct ofpbuf request;
    struct ofpbuf *reply;
    int error;

    ofpbuf_init(&request, 0);
    nl_msg_put_nlmsghdr(&request, sizeof rtgen, RTM_GETNSID, NLM_F_REQUEST);
    nl_msg_put(&request, &rtgen, sizeof rtgen);
    nl_msg_put_u32(&request, NETNSA_FD, fd);
    error = nl_transact(NETLINK_ROUTE, &request, &reply);
    ofpbuf_uninit(&request);
    if (error) {
        return error;
    }

    if (!nl_policy_parse(reply, NLMSG_HDRLEN + NLMSG_ALIGN(sizeof rtgen),
                         nsid_policy, attrs, ARRAY_SIZE(nsid_policy))) {
        ofpbuf_delete(reply);
        return EPROTO;
    }
    *nsid = attrs[NETNSA_NSID] ? (int) nl_attr_get_u32(attrs[NETNSA_NSID])
                               : -1;
    ofpbuf_delete(reply);
    return 0;
}

/* Looks in XDP_VETH_NETNS_DIR for the network namespace to which the current
 * one gives 'nsid'.  On success, returns an fd for it in '*fdp' and its name
 * in '*namep' (caller closes and frees).  Returns ENOENT if there is none. */
static int
xdp_veth_find_netns(int nsid, int *fdp, char **namep)
{
    struct dirent *de;
    DIR *dir;

    *fdp = -1;
    *namep = NULL;

    dir = opendir(XDP_VETH_NETNS_DIR);
    if (!dir) {
        return errno == ENOENT ? ENOENT : errno;
    }

    while ((de = readdir(dir)) != NULL) {
        int entry_nsid;
        char *path;
        int fd;

        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) {
            continue;
        }

        path = xasprintf("%s/%s", XDP_VETH_NETNS_DIR, de->d_name);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        free(path);
        if (fd < 0) {
            continue;
        }

        /* A stale entry (nothing mounted on it) is not a namespace and makes
         * RTM_GETNSID fail: skip it. */
        if (!xdp_veth_nsid_of_fd(fd, &entry_nsid) && entry_nsid == nsid) {
            *fdp = fd;
            *namep = xstrdup(de->d_name);
            closedir(dir);
            return 0;
        }
        close(fd);
    }

    closedir(dir);
    return ENOENT;
}

/* Inspects the device with 'ifindex' in the calling thread's current network
 * namespace.  Uses only sockets that it opens and closes itself, so that it
 * may run while the thread visits another namespace.  Returns 0 or a
 * positive errno value.  Must not log: see xdp_veth_inspect_in_netns(). */
static int
xdp_veth_inspect(int ifindex, struct xdp_veth_peer *peer)
{
    struct bpf_xdp_query_opts query;
    struct ethtool_value ev;
    struct ifreq ifr;
    int error = 0;
    int sock;

    memset(peer, 0, sizeof *peer);

    sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) {
        return errno;
    }

    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_ifindex = ifindex;
    if (ioctl(sock, SIOCGIFNAME, &ifr) < 0) {
        error = errno;
        goto out;
    }
    ovs_strzcpy(peer->name, ifr.ifr_name, sizeof peer->name);

    memset(&ev, 0, sizeof ev);
    ev.cmd = ETHTOOL_GGRO;
    ifr.ifr_data = (void *) &ev;
    if (ioctl(sock, SIOCETHTOOL, &ifr) < 0) {
        error = errno;
        goto out;
    }
    peer->gro = ev.data != 0;

    /* Only a native-mode program makes the veth driver enable NAPI; a
     * generic-mode one never reaches the driver. */
    memset(&query, 0, sizeof query);
    query.sz = sizeof query;
    error = -bpf_xdp_query(ifindex, 0, &query);
    if (!error) {
        peer->xdp_native = query.drv_prog_id != 0;
        peer->xdp_generic = query.skb_prog_id != 0;
    }

out:
    close(sock);
    return error;
}

/* Runs xdp_veth_inspect() with the calling thread in the network namespace
 * that 'ns_fd' refers to, and brings the thread back into its own namespace
 * whatever happens.  setns() with CLONE_NEWNET moves only the calling
 * thread, so the rest of the process is unaffected.
 *
 * While the thread is away, nothing may create a socket that outlives the
 * visit (e.g. the Netlink socket pool or the log's syslog socket would then
 * stay bound to the wrong namespace), which is why nothing here logs. */
static int
xdp_veth_inspect_in_netns(int ns_fd, int ifindex, struct xdp_veth_peer *peer)
{
    int self_fd;
    int error;

    self_fd = open(XDP_VETH_THREAD_NETNS, O_RDONLY | O_CLOEXEC);
    if (self_fd < 0) {
        return errno;
    }

    if (setns(ns_fd, CLONE_NEWNET) < 0) {
        error = errno;
        close(self_fd);
        return error;
    }

    error = xdp_veth_inspect(ifindex, peer);

    if (setns(self_fd, CLONE_NEWNET) < 0) {
        /* The thread already entered and left namespaces with the same
         * privileges, so this cannot fail in practice.  If it did, the
         * thread would go on working in the wrong namespace, which is worse
         * than stopping. */
        ovs_abort(errno, "cannot return to the original network namespace");
    }
    close(self_fd);

    return error;
}

bool
xdp_veth_redirect_ok(int ifindex, const char *name, char **reason)
{
    struct xdp_veth_link link;
    struct xdp_veth_peer peer;
    char *netns_name = NULL;
    char *where = NULL;
    char *why = NULL;
    int error;

    error = xdp_veth_get_link(ifindex, name, &link);
    if (error) {
        why = xasprintf("cannot look up %s (ifindex %d): %s",
                        name, ifindex, ovs_strerror(error));
        goto out;
    }
    if (!link.is_veth) {
        VLOG_DBG("%s: not a veth, assuming XDP_REDIRECT into it works", name);
        goto out;
    }
    if (link.peer_ifindex <= 0) {
        why = xasprintf("cannot find the peer of veth %s (ifindex %d)",
                        name, link.ifindex);
        goto out;
    }

    if (!link.peer_remote) {
        error = xdp_veth_inspect(link.peer_ifindex, &peer);
        where = xasprintf("ifindex %d", link.peer_ifindex);
    } else {
        int ns_fd;

        error = xdp_veth_find_netns(link.peer_nsid, &ns_fd, &netns_name);
        if (error) {
            why = xasprintf("cannot inspect the peer of veth %s (ifindex %d "
                            "in unnamed netns id %d); name that netns with "
                            "'ip netns attach' so its GRO and XDP state can "
                            "be checked", name, link.peer_ifindex,
                            link.peer_nsid);
            goto out;
        }
        error = xdp_veth_inspect_in_netns(ns_fd, link.peer_ifindex, &peer);
        close(ns_fd);
        where = xasprintf("ifindex %d, netns %s",
                          link.peer_ifindex, netns_name);
    }
    if (error) {
        why = xasprintf("cannot inspect the peer of veth %s (%s): %s",
                        name, where, ovs_strerror(error));
        goto out;
    }

    VLOG_DBG("%s: veth peer %s (%s): GRO %s, native XDP %s, generic XDP %s",
             name, peer.name, where, peer.gro ? "on" : "off",
             peer.xdp_native ? "yes" : "no", peer.xdp_generic ? "yes" : "no");
    if (!peer.gro && !peer.xdp_native) {
        why = xasprintf("veth peer %s (%s) has neither GRO nor %s XDP "
                        "program, so XDP_REDIRECT into %s would be dropped",
                        peer.name, where,
                        peer.xdp_generic ? "a native-mode" : "an", name);
    }

out:
    free(netns_name);
    free(where);
    if (why) {
        VLOG_DBG("%s", why);
    }
    if (reason) {
        *reason = why;
    } else {
        free(why);
    }
    return !why;
}
