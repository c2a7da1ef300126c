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

/* The "xdp" flow API provider: OVS 3.1's netdev offload API on top of the
 * XDP flow table.  dpif-netdev calls it from its offload thread for every
 * megaflow whose in_port is an afxdp port of an xdp datapath.  The
 * translation (lib/xdp-flow.c, lib/xdp-odp-actions.c) and the table
 * (lib/xdp-flow-table.c) know nothing of this API, so that OVS 3.7's
 * dpif-level offload API needs only another adapter like this one. */

#include <config.h>

#include "netdev-offload-xdp.h"

#include <errno.h>
#include <string.h>

#include "coverage.h"
#include "dpif.h"
#include "netdev-offload-provider.h"
#include "netdev-provider.h"
#include "netdev-xdp.h"
#include "odp-util.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofpbuf.h"
#include "simap.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "unixctl.h"
#include "util.h"
#include "uuid.h"
#include "xdp-flow.h"
#include "xdp-flow-table.h"
#include "xdp-map.h"
#include "xdp-odp-actions.h"
#include "xdp-prog.h"

VLOG_DEFINE_THIS_MODULE(netdev_offload_xdp);

COVERAGE_DEFINE(xdp_flow_full);
COVERAGE_DEFINE(xdp_flow_partial);
COVERAGE_DEFINE(xdp_flow_match_unsupported);
COVERAGE_DEFINE(xdp_flow_table_full);
COVERAGE_DEFINE(xdp_flow_put_error);

/* Why flows are not (fully) in XDP, with how often, for xdp/show. */
static struct ovs_mutex reasons_mutex = OVS_MUTEX_INITIALIZER;
static struct simap reasons OVS_GUARDED_BY(reasons_mutex)
    = SIMAP_INITIALIZER(&reasons);

static void
xdp_offload_note(const char *what, const char *reason)
{
    char *key = xasprintf("%s: %s", what, reason);

    ovs_mutex_lock(&reasons_mutex);
    simap_increase(&reasons, key, 1);
    ovs_mutex_unlock(&reasons_mutex);
    free(key);
}

/* Appends the reasons noted so far to 's'. */
void
netdev_offload_xdp_format_reasons(struct ds *s)
{
    const struct simap_node **nodes;

    ovs_mutex_lock(&reasons_mutex);
    nodes = simap_sort(&reasons);
    for (size_t i = 0; i < simap_count(&reasons); i++) {
        ds_put_format(s, "  %u flow%s %s\n", nodes[i]->data,
                      nodes[i]->data == 1 ? "" : "s", nodes[i]->name);
    }
    free(nodes);
    ovs_mutex_unlock(&reasons_mutex);
}

/* The program of 'netdev''s datapath, with a reference, or NULL. */
static struct xdp_prog *
xdp_offload_prog(const struct netdev *netdev)
{
    char *name = xdp_prog_dp_name_for_type(netdev_get_dpif_type(netdev));
    struct xdp_prog *prog = xdp_prog_find(name);

    free(name);
    return prog;
}

static int
xdp_offload_init_flow_api(struct netdev *netdev)
{
    const char *type = netdev_get_dpif_type(netdev);

    return (netdev_is_xdp(netdev) && type && !strcmp(type, XDP_DATAPATH_TYPE)
            ? 0 : EOPNOTSUPP);
}

struct xdp_offload_output_aux {
    struct xdp_prog *prog;      /* The ingress port's program. */
};

/* Where XDP can output: afxdp ports of the same datapath. */
static uint32_t
xdp_offload_port_to_ifindex(odp_port_t odp_port, void *aux_,
                            const char **reason)
{
    struct xdp_offload_output_aux *aux = aux_;
    struct netdev *netdev = netdev_ports_get(odp_port, XDP_DATAPATH_TYPE);
    struct netdev_xdp_port port;
    uint32_t ifindex = 0;

    if (!netdev) {
        *reason = "outputs to a port that is not an afxdp port (tunnel, "
                  "patch or special port)";
    } else if (!netdev_is_xdp(netdev)) {
        *reason = "outputs to a port that is not an afxdp port";
    } else if (!netdev_xdp_get_port(netdev, &port)) {
        *reason = "outputs to an afxdp port that is not set up";
    } else {
        if (port.prog == aux->prog) {
            ifindex = port.ifindex;
        } else {
            *reason = "outputs to an afxdp port of another datapath";
        }
        xdp_prog_unref(port.prog);
    }
    netdev_close(netdev);
    return ifindex;
}

static odp_port_t
xdp_offload_ifindex_to_port(uint32_t ifindex, void *aux OVS_UNUSED)
{
    odp_port_t port = netdev_ifindex_to_odp_port(ifindex);

    return port ? port : ODPP_NONE;
}

static int
xdp_offload_flow_put(struct netdev *netdev, struct match *match,
                     struct nlattr *actions, size_t actions_len,
                     const ovs_u128 *ufid, struct offload_info *info,
                     struct dpif_flow_stats *stats)
{
    const char *name = netdev_get_name(netdev);
    struct xdp_offload_output_aux aux;
    struct xdp_flow_key key, mask;
    struct xdp_flow_entry entry;
    struct netdev_xdp_port port;
    const char *reason;
    int error = 0;

    if (!netdev_xdp_get_port(netdev, &port)) {
        return EOPNOTSUPP;
    }
    if (stats) {
        memset(stats, 0, sizeof *stats);
    }

    reason = xdp_flow_from_match(match, &key, &mask);
    if (reason) {
        COVERAGE_INC(xdp_flow_match_unsupported);
        xdp_offload_note("in userspace", reason);
        VLOG_DBG("%s: flow "UUID_FMT" stays in userspace: it %s", name,
                 UUID_ARGS((struct uuid *) ufid), reason);
        error = EOPNOTSUPP;
        goto out;
    }

    memset(&entry, 0, sizeof entry);
    entry.mark = info->flow_mark;
    aux.prog = port.prog;
    reason = xdp_odp_actions_to_entry(actions, actions_len,
                                      xdp_offload_port_to_ifindex, &aux,
                                      &entry);
    if (reason) {
        COVERAGE_INC(xdp_flow_partial);
        xdp_offload_note("partial", reason);
        VLOG_DBG("%s: flow "UUID_FMT" is partial: it %s", name,
                 UUID_ARGS((struct uuid *) ufid), reason);
    } else {
        COVERAGE_INC(xdp_flow_full);
    }

    error = xdp_flow_table_put(xdp_prog_flow_table(port.prog), ufid, &key,
                               &mask, &entry, &reason);
    if (error) {
        if (error == ENOSPC) {
            COVERAGE_INC(xdp_flow_table_full);
        } else {
            COVERAGE_INC(xdp_flow_put_error);
        }
        xdp_offload_note("in userspace", reason);
        VLOG_DBG("%s: flow "UUID_FMT" stays in userspace: %s (%s)", name,
                 UUID_ARGS((struct uuid *) ufid), reason,
                 ovs_strerror(error));
    }

out:
    xdp_prog_unref(port.prog);
    /* dpif-netdev's offload thread never publishes its coverage counters
     * itself. */
    coverage_try_clear();
    return error;
}

static int
xdp_offload_flow_del(struct netdev *netdev, const ovs_u128 *ufid,
                     struct dpif_flow_stats *stats)
{
    struct xdp_prog *prog = xdp_offload_prog(netdev);
    struct xdp_flow_table_stats st;
    int error;

    if (!prog) {
        return ENOENT;
    }
    error = xdp_flow_table_del(xdp_prog_flow_table(prog), ufid, &st);
    if (!error && stats) {
        stats->n_packets = st.n_packets;
        stats->n_bytes = st.n_bytes;
        stats->used = st.used;
        stats->tcp_flags = st.tcp_flags;
    }
    xdp_prog_unref(prog);
    return error;
}

/* True if XDP runs all of 'entry''s actions right now: it is not partial
 * and its output port takes frames from XDP. */
static bool
xdp_offload_entry_is_full(const struct xdp_prog *prog,
                          const struct xdp_flow_entry *entry)
{
    const struct xdp_flow_action *last;

    if (xdp_flow_entry_is_partial(entry)) {
        return false;
    }
    if (!entry->n_actions || entry->n_actions > XDP_FLOW_MAX_ACTIONS) {
        return true;
    }
    last = &entry->actions[entry->n_actions - 1];
    return (last->type != XDP_FLOW_ACT_OUTPUT
            || xdp_prog_tx_port_ok(prog, last->arg));
}

/* Reads flow 'ufid' of 'prog'.  Any of 'match', 'actions' (with 'wbuffer'),
 * 'stats' and 'attrs' may be null. */
static int
xdp_offload_get(struct xdp_prog *prog, const ovs_u128 *ufid,
                struct match *match, struct nlattr **actions,
                struct dpif_flow_stats *stats, struct dpif_flow_attrs *attrs,
                struct ofpbuf *wbuffer)
{
    struct xdp_flow_table_stats st;
    struct xdp_flow_key key, mask;
    struct xdp_flow_entry entry;
    int error;

    error = xdp_flow_table_get(xdp_prog_flow_table(prog), ufid, &key, &mask,
                               &entry, &st);
    if (error) {
        return error;
    }
    if (match) {
        xdp_flow_to_match(&key, &mask, match);
    }
    if (actions && wbuffer) {
        struct ofpbuf buf;

        /* 'wbuffer' may be a fixed buffer on the caller's stack. */
        ofpbuf_init(&buf, 0);
        xdp_odp_actions_from_entry(&entry, xdp_offload_ifindex_to_port, NULL,
                                   &buf);
        if (buf.size <= ofpbuf_tailroom(wbuffer)) {
            *actions = ofpbuf_put(wbuffer, buf.data, buf.size);
        } else {
            *actions = NULL;
        }
        ofpbuf_uninit(&buf);
    }
    if (stats) {
        memset(stats, 0, sizeof *stats);
        stats->n_packets = st.n_packets;
        stats->n_bytes = st.n_bytes;
        stats->used = st.used;
        stats->tcp_flags = st.tcp_flags;
    }
    if (attrs) {
        /* OVS says "offloaded:partial" for offloaded flows in "ovs". */
        attrs->offloaded = true;
        attrs->dp_layer = xdp_offload_entry_is_full(prog, &entry)
                          ? "xdp" : "ovs";
        attrs->dp_extra_info = NULL;
    }
    return 0;
}

static int
xdp_offload_flow_get(struct netdev *netdev, struct match *match,
                     struct nlattr **actions, const ovs_u128 *ufid,
                     struct dpif_flow_stats *stats,
                     struct dpif_flow_attrs *attrs, struct ofpbuf *wbuffer)
{
    struct xdp_prog *prog = xdp_offload_prog(netdev);
    int error;

    if (!prog) {
        return ENOENT;
    }
    error = xdp_offload_get(prog, ufid, match, actions, stats, attrs,
                            wbuffer);
    xdp_prog_unref(prog);
    return error;
}

static int
xdp_offload_flow_flush(struct netdev *netdev)
{
    struct xdp_prog *prog = xdp_offload_prog(netdev);
    odp_port_t port = netdev_xdp_get_odp_port(netdev);

    if (prog && port != ODPP_NONE) {
        size_t n = xdp_flow_table_flush(xdp_prog_flow_table(prog),
                                        odp_to_u32(port));

        VLOG_DBG("%s: flushed %"PRIuSIZE" XDP flows",
                 netdev_get_name(netdev), n);
    }
    xdp_prog_unref(prog);
    return 0;
}

static int
xdp_offload_flow_get_n_flows(struct netdev *netdev, uint64_t *n_flows)
{
    struct xdp_prog *prog = xdp_offload_prog(netdev);
    odp_port_t port = netdev_xdp_get_odp_port(netdev);

    if (!prog) {
        return EOPNOTSUPP;
    }
    /* One counter per offload thread; the table is shared. */
    n_flows[0] += xdp_flow_table_count(xdp_prog_flow_table(prog),
                                       odp_to_u32(port));
    xdp_prog_unref(prog);
    return 0;
}

/* A dump of the flows of one port: their UFIDs when it began, each read
 * when its turn comes (a flow deleted meanwhile is skipped). */
struct xdp_offload_dump {
    struct netdev_flow_dump up;
    struct xdp_prog *prog;
    ovs_u128 *ufids;
    size_t n_ufids;
    size_t next;
};

static int
xdp_offload_flow_dump_create(struct netdev *netdev,
                             struct netdev_flow_dump **dump_, bool terse)
{
    struct xdp_offload_dump *dump;
    struct xdp_prog *prog = xdp_offload_prog(netdev);
    odp_port_t port = netdev_xdp_get_odp_port(netdev);

    if (!prog) {
        return EOPNOTSUPP;
    }
    dump = xzalloc(sizeof *dump);
    dump->up.netdev = netdev_ref(netdev);
    dump->up.port = port;
    dump->up.terse = terse;
    dump->prog = prog;
    dump->n_ufids = xdp_flow_table_ufids(xdp_prog_flow_table(prog),
                                         odp_to_u32(port), &dump->ufids);
    *dump_ = &dump->up;
    return 0;
}

static int
xdp_offload_flow_dump_destroy(struct netdev_flow_dump *dump_)
{
    struct xdp_offload_dump *dump = CONTAINER_OF(dump_,
                                                 struct xdp_offload_dump, up);

    netdev_close(dump->up.netdev);
    xdp_prog_unref(dump->prog);
    free(dump->ufids);
    free(dump);
    return 0;
}

static bool
xdp_offload_flow_dump_next(struct netdev_flow_dump *dump_,
                           struct match *match, struct nlattr **actions,
                           struct dpif_flow_stats *stats,
                           struct dpif_flow_attrs *attrs, ovs_u128 *ufid,
                           struct ofpbuf *rbuffer OVS_UNUSED,
                           struct ofpbuf *wbuffer)
{
    struct xdp_offload_dump *dump = CONTAINER_OF(dump_,
                                                 struct xdp_offload_dump, up);

    while (dump->next < dump->n_ufids) {
        *ufid = dump->ufids[dump->next++];
        ofpbuf_clear(wbuffer);
        if (!xdp_offload_get(dump->prog, ufid, match,
                             dump->up.terse ? NULL : actions,
                             stats, attrs, wbuffer)) {
            if (dump->up.terse) {
                *actions = NULL;
            }
            return true;
        }
    }
    return false;
}

static const struct netdev_flow_api netdev_offload_xdp = {
    .type = "xdp",
    .flow_flush = xdp_offload_flow_flush,
    .flow_dump_create = xdp_offload_flow_dump_create,
    .flow_dump_destroy = xdp_offload_flow_dump_destroy,
    .flow_dump_next = xdp_offload_flow_dump_next,
    .flow_put = xdp_offload_flow_put,
    .flow_get = xdp_offload_flow_get,
    .flow_del = xdp_offload_flow_del,
    .flow_get_n_flows = xdp_offload_flow_get_n_flows,
    .init_flow_api = xdp_offload_init_flow_api,
};

struct xdp_dump_flows_aux {
    struct ds *s;
    bool verbose;
    netdev_offload_xdp_ufid_fn *ufid_of;
    void *ufid_aux;
};

static bool
xdp_offload_dump_port(struct netdev *netdev, odp_port_t port,
                      void *aux_)
{
    struct xdp_dump_flows_aux *aux = aux_;
    struct netdev_flow_dump *dump;
    uint64_t wbuf_stub[1024 / 8];
    struct ofpbuf rbuffer, wbuffer;
    struct dpif_flow_stats stats;
    struct dpif_flow_attrs attrs;
    struct nlattr *actions;
    struct match match;
    ovs_u128 ufid;

    if (!netdev_is_xdp(netdev)
        || xdp_offload_flow_dump_create(netdev, &dump, false)) {
        return false;
    }
    ofpbuf_init(&rbuffer, 0);
    ofpbuf_use_stub(&wbuffer, wbuf_stub, sizeof wbuf_stub);
    while (xdp_offload_flow_dump_next(dump, &match, &actions, &stats, &attrs,
                                      &ufid, &rbuffer, &wbuffer)) {
        struct ds *s = aux->s;

        if (aux->verbose) {
            ovs_u128 ovs_ufid;

            /* The flow API knows a megaflow by a hash of its match; users
             * know it by the UFID that dpctl/dump-flows shows. */
            if (aux->ufid_of && aux->ufid_of(&ufid, &ovs_ufid,
                                             aux->ufid_aux)) {
                odp_format_ufid(&ovs_ufid, s);
            } else {
                ds_put_cstr(s, "megaflow-");
                odp_format_ufid(&ufid, s);
            }
            ds_put_cstr(s, ", ");
        }
        ds_put_format(s, "in_port(%"PRIu32"),", odp_to_u32(port));
        match.wc.masks.in_port.odp_port = 0;
        match_format(&match, NULL, s, OFP_DEFAULT_PRIORITY);
        ds_put_format(s, ", packets:%"PRIu64", bytes:%"PRIu64", used:",
                      stats.n_packets, stats.n_bytes);
        if (stats.used) {
            ds_put_format(s, "%.3fs",
                          (time_msec() - stats.used) / 1000.0);
        } else {
            ds_put_cstr(s, "never");
        }
        ds_put_format(s, ", %s, actions:",
                      !strcmp(attrs.dp_layer, "xdp") ? "xdp" : "partial");
        if (actions && wbuffer.size) {
            format_odp_actions(s, actions, wbuffer.size, NULL);
        } else if (!strcmp(attrs.dp_layer, "xdp")) {
            ds_put_cstr(s, "drop");
        } else {
            ds_put_cstr(s, "userspace");
        }
        ds_put_char(s, '\n');
    }
    ofpbuf_uninit(&wbuffer);
    ofpbuf_uninit(&rbuffer);
    xdp_offload_flow_dump_destroy(dump);
    return false;
}

/* Puts the flows in the XDP flow table, read back from it through the
 * provider's dump, in 's', one a line, with their UFIDs if 'verbose'
 * (found with 'ufid_of', which may be null). */
void
netdev_offload_xdp_format_flows(struct ds *s, bool verbose,
                                netdev_offload_xdp_ufid_fn *ufid_of,
                                void *ufid_aux)
{
    struct xdp_dump_flows_aux aux = {
        .s = s,
        .verbose = verbose,
        .ufid_of = ufid_of,
        .ufid_aux = ufid_aux,
    };

    netdev_ports_traverse(XDP_DATAPATH_TYPE, xdp_offload_dump_port, &aux);
}

void
netdev_offload_xdp_register(void)
{
    netdev_register_flow_api_provider(&netdev_offload_xdp);
}
