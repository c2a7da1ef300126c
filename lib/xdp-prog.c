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

#include "xdp-prog.h"
#include "xdp-prog-private.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <linux/if_link.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "bitmap.h"
#include "fatal-signal.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "ovs-xdp.skel.h"
#include "util.h"
#include "xdp-bpffs.h"
#include "xdp-conntrack.h"
#include "xdp-flow-table.h"
#include "xdp-map.h"
#include "xdp-meta.h"
#include "xdp-policer.h"

VLOG_DEFINE_THIS_MODULE(xdp_prog);

/* An interface the program is attached to. */
struct xdp_attachment {
    struct hmap_node node;      /* In 'xdp_prog->attachments', by ifindex. */
    int ifindex;
    uint32_t xdp_flags;
    char *devname;
};

struct ovs_mutex xdp_prog_mutex = OVS_MUTEX_INITIALIZER;
static struct shash xdp_progs OVS_GUARDED_BY(xdp_prog_mutex)
    = SHASH_INITIALIZER(&xdp_progs);

/* What programs are loaded with, as the datapath last said
 * (xdp_prog_configure()). */
static char *xdp_prog_bpffs_root OVS_GUARDED_BY(xdp_prog_mutex);
static uint32_t xdp_prog_max_flows OVS_GUARDED_BY(xdp_prog_mutex)
    = XDP_FLOW_DEFAULT_FLOWS;
static uint32_t xdp_prog_max_masks OVS_GUARDED_BY(xdp_prog_mutex)
    = XDP_FLOW_DEFAULT_MASKS;
static int xdp_prog_vlan_limit OVS_GUARDED_BY(xdp_prog_mutex) = -1;

static int
libbpf_print(enum libbpf_print_level level, const char *format, va_list args)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(20, 20);
    /* libbpf warns of failures that ovs-xdp reports itself, at the right
     * level, or that it expects (a mode the driver lacks, while trying the
     * next one). */
    enum vlog_level vlevel = level == LIBBPF_WARN ? VLL_INFO : VLL_DBG;

    if (!vlog_is_enabled(&this_module, vlevel)
        || vlog_should_drop(&this_module, vlevel, &rl)) {
        return 0;
    }

    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_format_valist(&s, format, args);
    ds_chomp(&s, '\n');
    vlog(&this_module, vlevel, "%s", ds_cstr(&s));
    ds_destroy(&s);
    return 0;
}

static void xdp_prog_fatal_hook(void *aux);

static void
xdp_prog_init(void)
{
    static struct ovsthread_once once = OVSTHREAD_ONCE_INITIALIZER;

    if (ovsthread_once_start(&once)) {
        libbpf_set_print(libbpf_print);
        /* Leave no program attached and nothing pinned, even on a signal. */
        fatal_signal_add_hook(xdp_prog_fatal_hook, NULL, NULL, true);
        ovsthread_once_done(&once);
    }
}

/* Mounts bpffs at the default mount point if nothing is mounted there, as
 * iproute2 and bpftool do; a mount point the user configured is only
 * checked. */
static int
xdp_prog_ensure_bpffs(const char *root, char **errorp)
{
    char *msg;

    if (!xdp_bpffs_check(root, &msg)) {
        return 0;
    }
    if (strcmp(root, XDP_BPFFS_DEFAULT)
        || mount("bpf", root, "bpf", 0, "mode=0700")) {
        *errorp = msg;
        return ENOTSUP;
    }
    free(msg);
    VLOG_INFO("mounted the BPF filesystem at %s", root);
    return 0;
}

/* Removes whatever a previous ovs-vswitchd that did not stop cleanly left
 * pinned in 'dir', which belongs to this datapath alone. */
static void
xdp_prog_unpin_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (!d) {
        return;
    }
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] != '.') {
            char *path = xasprintf("%s/%s", dir, de->d_name);
            unlink(path);
            free(path);
        }
    }
    closedir(d);
}

static int
xdp_prog_pin(struct xdp_prog *prog, char **errorp)
{
    struct bpf_map *map;

    bpf_object__for_each_map (map, prog->skel->obj) {
        if (bpf_map__type(map) == BPF_MAP_TYPE_ARRAY
            && strchr(bpf_map__name(map), '.')) {
            continue;           /* .rodata, .bss: internal to the program. */
        }
        char *path = xasprintf("%s/%s", prog->pin_dir, bpf_map__name(map));
        int error = bpf_map__pin(map, path);
        if (error) {
            *errorp = xasprintf("cannot pin map at %s (%s)", path,
                                ovs_strerror(-error));
            free(path);
            return -error;
        }
        free(path);
    }
    return 0;
}

static void
xdp_prog_destroy(struct xdp_prog *prog)
{
    struct xdp_prog_port *p;

    HMAP_FOR_EACH_POP (p, node, &prog->ports) {
        free(p);
    }
    hmap_destroy(&prog->ports);
    xdp_flow_table_destroy(prog->flows);
    xdp_policers_destroy(prog->policers);
    if (prog->skel) {
        ovs_xdp__destroy(prog->skel);
    }
    if (prog->pin_dir) {
        xdp_prog_unpin_dir(prog->pin_dir);
        xdp_bpffs_dp_dir_remove(prog->pin_dir);
        free(prog->pin_dir);
    }
    if (prog->pin_lock_fd >= 0) {
        close(prog->pin_lock_fd);
    }
    bitmap_free(prog->slots);
    hmap_destroy(&prog->attachments);
    free(prog->dp_name);
    free(prog);
}

/* Sizes the flow table maps of 'skel' before it is loaded. */
void
xdp_prog_set_sizes(struct ovs_xdp *skel, uint32_t n_flows, uint32_t n_masks)
{
    skel->rodata->n_masks = n_masks;
    bpf_map__set_max_entries(skel->maps.masks, n_masks);
    bpf_map__set_max_entries(skel->maps.mask_order, n_masks);
    bpf_map__set_max_entries(skel->maps.mask_hits, n_masks);
    bpf_map__set_max_entries(skel->maps.flows_tiny, n_flows);
    bpf_map__set_max_entries(skel->maps.flows_narrow, n_flows);
    bpf_map__set_max_entries(skel->maps.flows_medium, n_flows);
    bpf_map__set_max_entries(skel->maps.flows_wide, n_flows);
    bpf_map__set_max_entries(skel->maps.flow_table, n_flows);
    bpf_map__set_max_entries(skel->maps.flow_gens, n_flows);
    bpf_map__set_max_entries(skel->maps.flow_stats, n_flows);
}

/* The flow table maps of the loaded 'skel', for lib/xdp-flow-table.c. */
void
xdp_prog_get_flow_maps(const struct ovs_xdp *skel,
                       struct xdp_flow_table_maps *maps)
{
    maps->masks = bpf_map__fd(skel->maps.masks);
    maps->mask_order = bpf_map__fd(skel->maps.mask_order);
    maps->mask_hits = bpf_map__fd(skel->maps.mask_hits);
    maps->flows[XDP_FLOW_TINY] = bpf_map__fd(skel->maps.flows_tiny);
    maps->flows[XDP_FLOW_NARROW] = bpf_map__fd(skel->maps.flows_narrow);
    maps->flows[XDP_FLOW_MEDIUM] = bpf_map__fd(skel->maps.flows_medium);
    maps->flows[XDP_FLOW_WIDE] = bpf_map__fd(skel->maps.flows_wide);
    maps->flow_table = bpf_map__fd(skel->maps.flow_table);
    maps->flow_gens = bpf_map__fd(skel->maps.flow_gens);
    maps->flow_stats = bpf_map__fd(skel->maps.flow_stats);
    maps->classifier = bpf_map__fd(skel->maps.classifier);
    maps->emc = bpf_map__fd(skel->maps.emc);
    maps->max_masks = bpf_map__max_entries(skel->maps.masks);
    maps->max_flows = bpf_map__max_entries(skel->maps.flow_table);
}

/* The policer maps of the loaded 'skel', for lib/xdp-policer.c. */
void
xdp_prog_get_police_maps(struct ovs_xdp *skel, struct xdp_policer_maps *maps)
{
    maps->policers = bpf_map__fd(skel->maps.policers);
    maps->stats = bpf_map__fd(skel->maps.police_stats);
    maps->ports = bpf_map__fd(skel->maps.police_ports);
    maps->ports_big = bpf_map__fd(skel->maps.police_ports_big);
    maps->active = &skel->bss->police_active;
}

/* Gives the parser of 'prog' OVS's 'vlan_limit' (flow_vlan_limit), unless
 * it has it already. */
static void
xdp_prog_push_vlan_limit(struct xdp_prog *prog, int vlan_limit)
    OVS_REQUIRES(xdp_prog_mutex)
{
    int error;

    if (prog->vlan_limit == vlan_limit) {
        return;
    }
    error = xdp_flow_table_set_vlan_limit(prog->flows, vlan_limit);
    if (error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);

        /* Tried again on the next run; meanwhile the program sends packets
         * with a VLAN header to userspace, or keeps the old limit. */
        VLOG_WARN_RL(&rl, "%s: cannot set the XDP parser's VLAN limit (%s)",
                     prog->dp_name, ovs_strerror(error));
        return;
    }
    VLOG_INFO("%s: XDP parser reads at most %d VLAN header%s (vlan-limit)",
              prog->dp_name, vlan_limit, vlan_limit == 1 ? "" : "s");
    prog->vlan_limit = vlan_limit;
}

/* Sets what the programs loaded from now on are made with: the bpffs mount
 * point their maps are pinned under (NULL: XDP_BPFFS_DEFAULT) and the sizes
 * of their flow tables.  Programs already loaded keep theirs. */
void
xdp_prog_configure(const char *bpffs_root, uint32_t max_flows,
                   uint32_t max_masks)
{
    ovs_mutex_lock(&xdp_prog_mutex);
    if (!nullable_string_is_equal(bpffs_root, xdp_prog_bpffs_root)) {
        free(xdp_prog_bpffs_root);
        xdp_prog_bpffs_root = nullable_xstrdup(bpffs_root);
    }
    xdp_prog_max_flows = max_flows;
    xdp_prog_max_masks = max_masks;
    ovs_mutex_unlock(&xdp_prog_mutex);
}

/* Makes the parser of every program, and of those loaded later, read at
 * most 'vlan_limit' VLAN headers, as flow_extract() does with OVS's
 * 'flow_vlan_limit'.  Cheap when nothing changed: the datapath calls it
 * from its run loop. */
void
xdp_prog_set_vlan_limit(int vlan_limit)
{
    struct shash_node *node;

    ovs_mutex_lock(&xdp_prog_mutex);
    xdp_prog_vlan_limit = vlan_limit;
    SHASH_FOR_EACH (node, &xdp_progs) {
        xdp_prog_push_vlan_limit(node->data, vlan_limit);
    }
    ovs_mutex_unlock(&xdp_prog_mutex);
}

static struct xdp_prog *
xdp_prog_create(const char *dp_name, char **errorp)
    OVS_REQUIRES(xdp_prog_mutex)
{
    const char *root = (xdp_prog_bpffs_root ? xdp_prog_bpffs_root
                        : XDP_BPFFS_DEFAULT);
    struct bpf_prog_info info;
    uint32_t info_len = sizeof info;
    struct xdp_prog *prog;
    int error;

    prog = xzalloc(sizeof *prog);
    prog->dp_name = xstrdup(dp_name);
    prog->refcount = 1;
    prog->pin_lock_fd = -1;
    prog->vlan_limit = -1;
    prog->slots = bitmap_allocate(XDP_ABI_MAX_PORTS);
    hmap_init(&prog->attachments);
    hmap_init(&prog->ports);

    error = xdp_prog_ensure_bpffs(root, errorp);
    if (!error) {
        error = xdp_bpffs_dp_dir_create(root, dp_name, &prog->pin_dir,
                                        &prog->pin_lock_fd, errorp);
    }
    if (error) {
        goto error;
    }
    xdp_prog_unpin_dir(prog->pin_dir);
    xdp_bpffs_dp_dir_set_owner(prog->pin_dir);

    prog->skel = ovs_xdp__open();
    if (!prog->skel) {
        *errorp = xasprintf("cannot open the embedded XDP program (%s)",
                            ovs_strerror(errno));
        goto error;
    }
    xdp_prog_set_sizes(prog->skel, xdp_prog_max_flows, xdp_prog_max_masks);
    xdp_prog_set_ct_sizes(prog->skel, xdp_conntrack_max_conns());
    /* A new cookie for every load: metadata of an earlier program, or
     * bytes a packet brought, never pass for this one's. */
    error = xdp_meta_cookie_create(&prog->meta_cookie);
    if (error) {
        *errorp = xasprintf("cannot get random bytes for the XDP metadata "
                            "cookie (%s)", ovs_strerror(error));
        goto error;
    }
    prog->skel->rodata->meta_cookie = prog->meta_cookie;
    error = ovs_xdp__load(prog->skel);
    if (error) {
        *errorp = xasprintf("cannot load the XDP program (%s); the "
                            "kernel's verifier log is in the log at debug "
                            "level (vlog/set xdp_prog:dbg)",
                            ovs_strerror(-error));
        goto error;
    }
    memset(&info, 0, sizeof info);
    error = bpf_obj_get_info_by_fd(
        bpf_program__fd(prog->skel->progs.ovs_xdp_main), &info, &info_len);
    if (error) {
        *errorp = xasprintf("cannot query the XDP program (%s)",
                            ovs_strerror(errno));
        goto error;
    }
    prog->prog_id = info.id;

    if (xdp_prog_pin(prog, errorp)) {
        goto error;
    }
    struct xdp_flow_table_maps maps;
    xdp_prog_get_flow_maps(prog->skel, &maps);
    prog->flows = xdp_flow_table_create(&maps);
    struct xdp_policer_maps police_maps;
    xdp_prog_get_police_maps(prog->skel, &police_maps);
    prog->policers = xdp_policers_create(&police_maps, errorp);
    if (!prog->policers) {
        goto error;
    }
    /* Before the program is attached anywhere.  Until the datapath says,
     * the parser sends every tagged frame to userspace. */
    if (xdp_prog_vlan_limit >= 0) {
        xdp_prog_push_vlan_limit(prog, xdp_prog_vlan_limit);
    }
    VLOG_INFO("%s: loaded XDP program (id %"PRIu32", %"PRIu32" flows, "
              "%"PRIu32" masks), maps pinned in %s", dp_name, prog->prog_id,
              bpf_map__max_entries(prog->skel->maps.flow_table),
              bpf_map__max_entries(prog->skel->maps.masks), prog->pin_dir);
    return prog;

error:
    xdp_prog_destroy(prog);
    return NULL;
}

/* Returns the program of datapath 'dp_name', loading it on first use.  On
 * failure returns NULL and a message in '*errorp' (the caller frees it). */
struct xdp_prog *
xdp_prog_ref(const char *dp_name, char **errorp)
{
    struct xdp_prog *prog;

    xdp_prog_init();
    *errorp = NULL;

    ovs_mutex_lock(&xdp_prog_mutex);
    prog = shash_find_data(&xdp_progs, dp_name);
    if (prog) {
        prog->refcount++;
    } else {
        prog = xdp_prog_create(dp_name, errorp);
        if (prog) {
            shash_add(&xdp_progs, dp_name, prog);
        }
    }
    ovs_mutex_unlock(&xdp_prog_mutex);
    return prog;
}

void
xdp_prog_unref(struct xdp_prog *prog)
{
    if (!prog) {
        return;
    }
    ovs_mutex_lock(&xdp_prog_mutex);
    if (!--prog->refcount) {
        shash_find_and_delete(&xdp_progs, prog->dp_name);
        VLOG_INFO("%s: unloaded XDP program (id %"PRIu32")", prog->dp_name,
                  prog->prog_id);
        xdp_prog_destroy(prog);
    }
    ovs_mutex_unlock(&xdp_prog_mutex);
}

/* Returns a new reference to the program of datapath 'dp_name' if it is
 * loaded, otherwise NULL.  Never loads it. */
struct xdp_prog *
xdp_prog_find(const char *dp_name)
{
    struct xdp_prog *prog;

    ovs_mutex_lock(&xdp_prog_mutex);
    prog = shash_find_data(&xdp_progs, dp_name);
    if (prog) {
        prog->refcount++;
    }
    ovs_mutex_unlock(&xdp_prog_mutex);
    return prog;
}

/* Returns the name of the program of datapaths of type 'dpif_type' (all
 * datapaths of one type are one datapath in OVS).  The caller frees it. */
char *
xdp_prog_dp_name_for_type(const char *dpif_type)
{
    return xasprintf("ovs-%s", dpif_type ? dpif_type : "netdev");
}

/* True if flows can output to 'ifindex' in XDP. */
bool
xdp_prog_tx_port_ok(const struct xdp_prog *prog, uint32_t ifindex)
{
    struct bpf_devmap_val val;

    return !bpf_map__lookup_elem(prog->skel->maps.tx_ports, &ifindex,
                                 sizeof ifindex, &val, sizeof val, 0);
}

/* True if some datapath's program is loaded. */
bool
xdp_prog_any_loaded(void)
{
    bool any;

    ovs_mutex_lock(&xdp_prog_mutex);
    any = !shash_is_empty(&xdp_progs);
    ovs_mutex_unlock(&xdp_prog_mutex);
    return any;
}

struct xdp_flow_table *
xdp_prog_flow_table(const struct xdp_prog *prog)
{
    return prog->flows;
}

/* The policers of 'prog' (lib/xdp-policer.h), for the QoS configuration
 * and for userspace's sends. */
struct xdp_policers *
xdp_prog_policers(const struct xdp_prog *prog)
{
    return prog->policers;
}

const char *
xdp_prog_dp_name(const struct xdp_prog *prog)
{
    return prog->dp_name;
}

/* Re-ranks the masks of every program by their recent hits. */
void
xdp_prog_rerank_all(void)
{
    struct shash_node *node;

    ovs_mutex_lock(&xdp_prog_mutex);
    SHASH_FOR_EACH (node, &xdp_progs) {
        struct xdp_prog *prog = node->data;

        xdp_flow_table_rerank(prog->flows);
    }
    ovs_mutex_unlock(&xdp_prog_mutex);
}

uint32_t
xdp_prog_id(const struct xdp_prog *prog)
{
    return prog->prog_id;
}

/* The cookie that the program puts in the metadata in front of the packets
 * it sends to userspace (see xdp-abi.h). */
uint64_t
xdp_prog_meta_cookie(const struct xdp_prog *prog)
{
    return prog->meta_cookie;
}

const char *
xdp_prog_pin_dir(const struct xdp_prog *prog)
{
    return prog->pin_dir;
}

/* Sums the per-CPU counters of the program. */
void
xdp_prog_get_counters(const struct xdp_prog *prog,
                      uint64_t counters[XDP_ABI_N_COUNTERS])
{
    int n_cpus = libbpf_num_possible_cpus();
    int fd = bpf_map__fd(prog->skel->maps.counters);
    struct xdp_abi_counters *values = xcalloc(MAX(n_cpus, 1), sizeof *values);
    uint32_t zero = 0;

    memset(counters, 0, XDP_ABI_N_COUNTERS * sizeof *counters);
    if (n_cpus > 0 && !bpf_map_lookup_elem(fd, &zero, values)) {
        for (int cpu = 0; cpu < n_cpus; cpu++) {
            for (uint32_t i = 0; i < XDP_ABI_N_COUNTERS; i++) {
                counters[i] += values[cpu].n[i];
            }
        }
    }
    free(values);
}

/* Returns the name of the XDP program with id 'id', or NULL. */
static char *
xdp_prog_name_by_id(uint32_t id)
{
    struct bpf_prog_info info;
    uint32_t len = sizeof info;
    char *name = NULL;
    int fd;

    fd = bpf_prog_get_fd_by_id(id);
    if (fd < 0) {
        return NULL;
    }
    memset(&info, 0, sizeof info);
    if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
        name = xstrdup(info.name);
    }
    close(fd);
    return name;
}

/* Checks whether 'ifindex' carries an XDP program that ovs-xdp did not
 * load.  Returns EBUSY and a message in '*errorp' if so, 0 otherwise; sets
 * '*stale_id' to the id of an ovs-xdp program that a previous ovs-vswitchd
 * left behind (0 if none) and '*stale_flags' to its mode. */
int
xdp_prog_check_foreign(int ifindex, const char *devname, uint32_t *stale_id,
                       uint32_t *stale_flags, char **errorp)
{
    struct bpf_xdp_query_opts query = { .sz = sizeof query };
    char *name;

    *stale_id = 0;
    *stale_flags = 0;
    if (bpf_xdp_query(ifindex, 0, &query) || !query.prog_id) {
        return 0;
    }
    name = xdp_prog_name_by_id(query.prog_id);
    if (!name || strcmp(name, "ovs_xdp_main")) {
        *errorp = xasprintf("%s already has an XDP program (id %"PRIu32", "
                            "\"%s\"): ovs-xdp does not replace programs it "
                            "did not load; remove it with \"ip link set dev "
                            "%s xdp off\"", devname, query.prog_id,
                            name ? name : "?", devname);
        free(name);
        return EBUSY;
    }
    free(name);
    *stale_id = query.prog_id;
    *stale_flags = (query.attach_mode == XDP_ATTACHED_SKB
                    ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE);
    return 0;
}

/* Detaches from 'ifindex' an ovs-xdp program that no datapath of this
 * ovs-vswitchd loaded: one that a previous ovs-vswitchd left behind, which
 * would go on forwarding with its old flows if the port cannot be set up
 * again. */
void
xdp_prog_remove_stale(int ifindex, const char *devname)
{
    uint32_t stale_id, stale_flags;
    struct shash_node *node;
    char *error = NULL;

    if (xdp_prog_check_foreign(ifindex, devname, &stale_id, &stale_flags,
                               &error) || !stale_id) {
        free(error);
        return;
    }
    ovs_mutex_lock(&xdp_prog_mutex);
    SHASH_FOR_EACH (node, &xdp_progs) {
        const struct xdp_prog *prog = node->data;

        if (prog->prog_id == stale_id) {
            ovs_mutex_unlock(&xdp_prog_mutex);
            return;
        }
    }
    ovs_mutex_unlock(&xdp_prog_mutex);
    VLOG_INFO("%s: removing stale ovs-xdp program (id %"PRIu32")", devname,
              stale_id);
    bpf_xdp_detach(ifindex, stale_flags, NULL);
}

/* Attaches the program to 'ifindex' in the mode that 'xdp_flags' asks
 * (XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE).  Refuses to replace another
 * program, except one that an ovs-xdp that did not stop cleanly left. */
int
xdp_prog_attach(struct xdp_prog *prog, int ifindex, const char *devname,
                uint32_t xdp_flags, char **errorp)
{
    int prog_fd = bpf_program__fd(prog->skel->progs.ovs_xdp_main);
    uint32_t stale_id, stale_flags;
    int error;

    *errorp = NULL;
    error = xdp_prog_check_foreign(ifindex, devname, &stale_id, &stale_flags,
                                   errorp);
    if (error) {
        return error;
    }
    if (stale_id && stale_id != prog->prog_id) {
        VLOG_INFO("%s: removing stale ovs-xdp program (id %"PRIu32")",
                  devname, stale_id);
        bpf_xdp_detach(ifindex, stale_flags, NULL);
    }

    error = bpf_xdp_attach(ifindex, prog_fd, xdp_flags, NULL);
    if (error) {
        *errorp = xasprintf("%s: cannot attach XDP program in %s mode (%s)",
                            devname, xdp_flags & XDP_FLAGS_SKB_MODE
                            ? "generic" : "native", ovs_strerror(-error));
        return -error;
    }

    struct xdp_attachment *a = xzalloc(sizeof *a);
    a->ifindex = ifindex;
    a->xdp_flags = xdp_flags;
    a->devname = xstrdup(devname);
    ovs_mutex_lock(&xdp_prog_mutex);
    hmap_insert(&prog->attachments, &a->node, hash_int(ifindex, 0));
    ovs_mutex_unlock(&xdp_prog_mutex);
    return 0;
}

static void
xdp_prog_detach__(struct xdp_prog *prog, struct xdp_attachment *a)
{
    LIBBPF_OPTS(bpf_xdp_attach_opts, opts,
        .old_prog_fd = bpf_program__fd(prog->skel->progs.ovs_xdp_main));
    int error;

    /* 'old_prog_fd' makes this a no-op if the program is no longer ours. */
    error = bpf_xdp_detach(a->ifindex, a->xdp_flags, &opts);
    if (error && error != -ENODEV) {
        VLOG_WARN("%s: cannot detach XDP program (%s)", a->devname,
                  ovs_strerror(-error));
    }
    hmap_remove(&prog->attachments, &a->node);
    free(a->devname);
    free(a);
}

void
xdp_prog_detach(struct xdp_prog *prog, int ifindex,
                const char *devname OVS_UNUSED, uint32_t xdp_flags OVS_UNUSED)
{
    struct xdp_attachment *a;

    ovs_mutex_lock(&xdp_prog_mutex);
    HMAP_FOR_EACH_WITH_HASH (a, node, hash_int(ifindex, 0),
                             &prog->attachments) {
        if (a->ifindex == ifindex) {
            xdp_prog_detach__(prog, a);
            break;
        }
    }
    ovs_mutex_unlock(&xdp_prog_mutex);
}

/* Returns a new array of new references to every loaded program, by
 * datapath name, and their number in '*n'. */
struct xdp_prog **
xdp_prog_find_all(size_t *n)
{
    const struct shash_node **nodes;
    struct xdp_prog **progs;

    ovs_mutex_lock(&xdp_prog_mutex);
    *n = shash_count(&xdp_progs);
    nodes = shash_sort(&xdp_progs);
    progs = xmalloc(MAX(1, *n) * sizeof *progs);
    for (size_t i = 0; i < *n; i++) {
        progs[i] = nodes[i]->data;
        progs[i]->refcount++;
    }
    free(nodes);
    ovs_mutex_unlock(&xdp_prog_mutex);
    return progs;
}

/* Detaches every program and removes every pinned map: on a fatal signal
 * or at exit, when the ports may not get to clean up themselves. */
void
xdp_prog_cleanup_all(void)
{
    struct shash_node *node;

    /* No locking: this runs from a signal hook, when the process is about
     * to exit; taking the mutex could deadlock. */
    SHASH_FOR_EACH (node, &xdp_progs) {
        struct xdp_prog *prog = node->data;
        struct xdp_attachment *a;

        HMAP_FOR_EACH_SAFE (a, node, &prog->attachments) {
            xdp_prog_detach__(prog, a);
        }
        if (prog->pin_dir) {
            xdp_prog_unpin_dir(prog->pin_dir);
            xdp_bpffs_dp_dir_remove(prog->pin_dir);
        }
    }
}

static void
xdp_prog_fatal_hook(void *aux OVS_UNUSED)
{
    xdp_prog_cleanup_all();
}

static int
xdp_prog_map_fd(const struct bpf_object *obj, const char *name)
{
    const struct bpf_map *map = bpf_object__find_map_by_name(obj, name);

    return map ? bpf_map__fd(map) : -1;
}

/* Stores the file descriptors of the conntrack cache's maps of 'prog'
 * ('ct_keys4', 'ct_keys6', 'ct_conns', 'ct_expire') in '*maps'.  Returns
 * false if the program lacks one of them. */
bool
xdp_prog_ct_maps(const struct xdp_prog *prog, struct xdp_ct_maps *maps)
{
    const struct bpf_object *obj = prog->skel->obj;

    maps->keys4 = xdp_prog_map_fd(obj, "ct_keys4");
    maps->keys6 = xdp_prog_map_fd(obj, "ct_keys6");
    maps->conns = xdp_prog_map_fd(obj, "ct_conns");
    maps->expire = xdp_prog_map_fd(obj, "ct_expire");
    return (maps->keys4 >= 0 && maps->keys6 >= 0 && maps->conns >= 0
            && maps->expire >= 0);
}

/* Sizes the conntrack cache's maps of 'skel' before it is loaded: 'n_conns'
 * connections (xdp_conntrack_max_conns()), two keys each.  Maps the program
 * lacks are skipped. */
void
xdp_prog_set_ct_sizes(struct ovs_xdp *skel, uint32_t n_conns)
{
    static const struct {
        const char *name;
        uint32_t per_conn;
    } maps[] = {
        { "ct_keys4", 2 },
        { "ct_keys6", 2 },
        { "ct_conns", 1 },
        { "ct_expire", 1 },
    };

    for (size_t i = 0; i < ARRAY_SIZE(maps); i++) {
        struct bpf_map *map = bpf_object__find_map_by_name(skel->obj,
                                                           maps[i].name);
        if (map) {
            bpf_map__set_max_entries(map, maps[i].per_conn * n_conns);
        }
    }
}
