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

/* The XDP program as lib/xdp-prog.c loads and keeps it:
 *
 *   probe: whether this machine runs XDP programs with BPF_PROG_RUN
 *       (exit 77: autotest skips) and ours loads and runs (exit 1 if not);
 *       every test of the program runs it first.
 *   sizes: map sizes set before load, against what was asked for; a flow
 *       beyond them refused by the kernel.
 *   check: xdp_prog_check() (xdp/check) on the pinned maps of a program
 *       changed behind the flow table's back, as a stray "bpftool map
 *       update" would: exactly those differences found and repaired, none
 *       while another thread puts and deletes flows.
 *
 * The parser, the classifier, the actions, the metadata and the flow table
 * have their own test-xdp-*.c. */

#include <config.h>

#undef NDEBUG
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dp-packet.h"
#include "flow.h"
#include "openvswitch/dynamic-string.h"
#include "ovs-thread.h"
#include "ovs-xdp.skel.h"
#include "ovstest.h"
#include "packets.h"
#include "util.h"
#include "xdp-abi.h"
#include "xdp-flow.h"
#include "xdp-flow-table.h"
#include "xdp-map.h"
#include "xdp-prog.h"
#include "xdp-test-harness.h"
#include "xdp-test-packet.h"

/* Sizes set before load. */
static void
test_sizes(void)
{
    struct xdp_flow_entry entry;
    struct xdp_flow_key mask, key;
    struct xdp_flow_lookup lookup;
    struct xdp_flow_megaflow mf;
    struct xdp_test t;
    uint32_t order[2] = { 0, 1 };
    struct bpf_map *flows;
    struct pkt p;
    size_t size;
    int error;

    error = xt_open(&t, 2, 4, true);
    if (error) {
        ovs_fatal(error, "load with 2 masks and 4 flows");
    }
    printf("masks=%"PRIu32" mask_order=%"PRIu32" flows_tiny=%"PRIu32" "
           "flows_narrow=%"PRIu32" "
           "flows_medium=%"PRIu32" flows_wide=%"PRIu32" "
           "flow_table=%"PRIu32" flow_stats=%"PRIu32" n_masks=%"PRIu32"\n",
           bpf_map__max_entries(t.skel->maps.masks),
           bpf_map__max_entries(t.skel->maps.mask_order),
           bpf_map__max_entries(t.skel->maps.flows_tiny),
           bpf_map__max_entries(t.skel->maps.flows_narrow),
           bpf_map__max_entries(t.skel->maps.flows_medium),
           bpf_map__max_entries(t.skel->maps.flows_wide),
           bpf_map__max_entries(t.skel->maps.flow_table),
           bpf_map__max_entries(t.skel->maps.flow_stats),
           t.skel->rodata->n_masks);

    memset(&mask, 0, sizeof mask);
    mask.tp_dst = OVS_BE16_MAX;
    xt_set_mask(&t, 1, &mask);
    xt_set_order(&t, order, 2);
    tcp_packet(&p, 1, 0);
    ovs_assert(xt_parse(&t, p.data, p.len, &key) == XDP_FLOW_PARSE_OK);
    entry_output(&entry, t.ifindex);
    for (int i = 0; i < 4; i++) {
        key.tp_dst = htons(i);
        xt_put_flow(&t, 1, &mask, &key, i, &entry);
    }
    key.tp_dst = htons(4);
    flows = xt_flows_map(&t, 1, &mask, &key, &lookup, &size);
    memset(&mf, 0, sizeof mf);
    mf.ref.generation = 1;
    error = bpf_map__update_elem(flows, &lookup, size, &mf, sizeof mf, 0);
    printf("fifth flow: %s\n", ovs_strerror(-error));
    put16(p.data + p.l4 + 2, 3);
    print_run(&t, "packet of flow 3 (mask of rank 2)", &p);
    xt_close(&t);
}

/* xdp/check: the maps of a loaded program corrupted behind the table's
 * back, as a stray "bpftool map update" would, found and repaired. */

/* Opens map 'name' of 'prog' where it is pinned. */
static int
check_map_fd(const struct xdp_prog *prog, const char *name)
{
    char *path = xasprintf("%s/%s", xdp_prog_pin_dir(prog), name);
    int fd = bpf_obj_get(path);

    if (fd < 0) {
        ovs_fatal(errno, "%s", path);
    }
    free(path);
    return fd;
}

/* The key of 'p' as the program makes it (flow_extract() gives the same,
 * as the parser tests show). */
static void
check_key(const struct pkt *p, struct xdp_flow_key *key)
{
    struct dp_packet packet;
    struct flow flow;

    dp_packet_use_const(&packet, p->data, p->len);
    packet.md.in_port.odp_port = u32_to_odp(TEST_ODP_PORT);
    flow_extract(&packet, &flow);
    xdp_flow_key_from_flow(key, &flow);
}

static void
check_run(struct xdp_prog *prog, const char *what)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct xdp_check check = { .out = &s };

    xdp_prog_check(prog, &check);
    xdp_check_format_summary(&check, &s);
    printf("%s:\n%s", what, ds_cstr(&s));
    ds_destroy(&s);
}

struct check_churn {
    struct xdp_flow_table *table;
    struct xdp_flow_key key, mask;
    struct xdp_flow_entry entry;
    int n;
};

/* Puts and deletes flows while the main thread checks. */
static void *
check_churn_main(void *churn_)
{
    struct check_churn *churn = churn_;

    for (int i = 0; i < churn->n; i++) {
        ovs_u128 ufid = { .u32 = { 100 + i % 16 } };
        struct xdp_flow_key key = churn->key;
        const char *reason;

        key.tp_dst = htons(1000 + i % 16);
        if (i % 32 < 16) {
            ovs_assert(!xdp_flow_table_put(churn->table, &ufid, &key,
                                           &churn->mask, &churn->entry,
                                           &reason));
        } else {
            ovs_assert(!xdp_flow_table_del(churn->table, &ufid, NULL));
        }
    }
    return NULL;
}

static void
test_check(void)
{
    struct xdp_flow_key dst_mask, src_mask, key80, key81, key_src9, key_src10;
    struct xdp_abi_port port = { .slot = 0, .n_rxq = 1,
                                 .odp_port = TEST_ODP_PORT };
    struct xdp_flow_megaflow mf;
    struct xdp_flow_entry out, drop, entry;
    struct xdp_flow_mask compiled_dst, compiled_src, junk_mask;
    struct xdp_flow_lookup lookup;
    struct xdp_flow_table *table;
    struct pkt p80, p81, psrc9, psrc10;
    int masks_fd, order_fd, flow_table_fd, tiny_fd, narrow_fd;
    int port_map_fd, port_index_fd, tx_ports_fd;
    struct xdp_prog *prog;
    struct xdp_test t;
    uint32_t id2, id3, key32, value32;
    const char *reason;
    char *name, *error;

    memset(&t, 0, sizeof t);
    libbpf_set_print(silent_print);
    t.ifindex = if_nametoindex("lo");
    t.n_cpus = libbpf_num_possible_cpus();

    /* A datapath of its own, pinned under the default bpffs. */
    name = xasprintf("ovs-xdp-test-check-%ld", (long) getpid());
    prog = xdp_prog_ref(name, &error);
    if (!prog) {
        ovs_fatal(0, "%s", error);
    }
    t.main_fd = bpf_prog_get_fd_by_id(xdp_prog_id(prog));
    ovs_assert(t.main_fd >= 0);
    table = xdp_prog_flow_table(prog);
    masks_fd = check_map_fd(prog, "masks");
    order_fd = check_map_fd(prog, "mask_order");
    flow_table_fd = check_map_fd(prog, "flow_table");
    tiny_fd = check_map_fd(prog, "flows_tiny");
    narrow_fd = check_map_fd(prog, "flows_narrow");
    port_map_fd = check_map_fd(prog, "port_map");
    port_index_fd = check_map_fd(prog, "port_index");
    tx_ports_fd = check_map_fd(prog, "tx_ports");

    ovs_assert(!xdp_prog_set_port(prog, t.ifindex, &port));
    ovs_assert(!xdp_prog_set_tx_port(prog, t.ifindex, true));

    tcp_packet(&p80, 1, 80);
    tcp_packet(&p81, 1, 81);
    tcp_packet(&psrc9, 9, 443);
    tcp_packet(&psrc10, 10, 443);
    check_key(&p80, &key80);
    check_key(&p81, &key81);
    check_key(&psrc9, &key_src9);
    check_key(&psrc10, &key_src10);

    /* Mask 0 covers 4 words (narrow), mask 1 3 words (tiny). */
    memset(&dst_mask, 0, sizeof dst_mask);
    dst_mask.in_port = UINT32_MAX;
    dst_mask.dl_type = OVS_BE16_MAX;
    dst_mask.nw_proto = UINT8_MAX;
    dst_mask.tp_dst = OVS_BE16_MAX;
    memset(&src_mask, 0, sizeof src_mask);
    src_mask.in_port = UINT32_MAX;
    memset(src_mask.dl_src, 0xff, sizeof src_mask.dl_src);
    xdp_flow_mask_compile(&dst_mask, &compiled_dst);
    xdp_flow_mask_compile(&src_mask, &compiled_src);
    printf("mask 0: %s, mask 1: %s\n",
           compiled_dst.width == XDP_FLOW_NARROW ? "narrow" : "not narrow",
           compiled_src.width == XDP_FLOW_TINY ? "tiny" : "not tiny");

    entry_output(&out, t.ifindex);
    memset(&drop, 0, sizeof drop);
    for (uint32_t i = 1; i <= 3; i++) {
        ovs_u128 ufid = { .u32 = { i } };
        const struct xdp_flow_key *key = (i == 1 ? &key80
                                          : i == 2 ? &key81 : &key_src9);

        ovs_assert(!xdp_flow_table_put(table, &ufid, key,
                                       i < 3 ? &dst_mask : &src_mask,
                                       i < 3 ? &out : &drop, &reason));
    }
    check_run(prog, "as written");

    /* Behind the table's back: flow 1 leaves 'flows_narrow'; an entry of
     * no flow appears in 'flows_tiny' that matches src 10 and outputs;
     * flow 2's entry in 'flow_table' gets another mark and flow 3's goes,
     * an entry of no flow appears there too. */
    xdp_flow_lookup_make(&compiled_dst, 0, &key80, &lookup);
    ovs_assert(!bpf_map_delete_elem(narrow_fd, &lookup));
    xdp_flow_lookup_make(&compiled_src, 1, &key_src10, &lookup);
    memset(&mf, 0, sizeof mf);
    mf.ref.flow_id = 999;
    mf.ref.generation = 5;
    mf.ref.mask_index = 1;
    mf.entry = out;
    mf.entry.generation = 5;
    ovs_assert(!bpf_map_update_elem(tiny_fd, &lookup, &mf, 0));
    xdp_flow_lookup_make(&compiled_dst, 0, &key81, &lookup);
    ovs_assert(!bpf_map_lookup_elem(narrow_fd, &lookup, &mf));
    id2 = mf.ref.flow_id;
    ovs_assert(!bpf_map_lookup_elem(flow_table_fd, &id2, &entry));
    entry.mark = 77;
    ovs_assert(!bpf_map_update_elem(flow_table_fd, &id2, &entry, 0));
    xdp_flow_lookup_make(&compiled_src, 1, &key_src9, &lookup);
    ovs_assert(!bpf_map_lookup_elem(tiny_fd, &lookup, &mf));
    id3 = mf.ref.flow_id;
    ovs_assert(!bpf_map_delete_elem(flow_table_fd, &id3));
    key32 = 500;
    ovs_assert(!bpf_map_update_elem(flow_table_fd, &key32, &out, 0));

    print_run(&t, "dst 80 (flow 1, gone from flows_narrow)", &p80);
    print_run(&t, "dst 81 (flow 2)", &p81);
    print_run(&t, "src 9 (flow 3, drops)", &psrc9);
    print_run(&t, "src 10 (no flow)", &psrc10);

    /* A mask of no flow, and no mask in the lookup order. */
    xdp_flow_mask_compile(&dst_mask, &junk_mask);
    key32 = 5;
    ovs_assert(!bpf_map_update_elem(masks_fd, &key32, &junk_mask, 0));
    key32 = 0;
    value32 = 0;
    ovs_assert(!bpf_map_update_elem(order_fd, &key32, &value32, 0));
    print_run(&t, "dst 81, empty lookup order", &p81);

    /* Ports: one that is not a port, and the loopback device missing from
     * 'port_index' and 'tx_ports'. */
    key32 = 4242;
    port.slot = 3;
    port.odp_port = 9;
    ovs_assert(!bpf_map_update_elem(port_map_fd, &key32, &port, 0));
    port.in_use = 1;
    ovs_assert(!bpf_map_update_elem(port_index_fd, &key32, &port, 0));
    key32 = t.ifindex;
    memset(&port, 0, sizeof port);
    ovs_assert(!bpf_map_update_elem(port_index_fd, &key32, &port, 0));
    ovs_assert(!bpf_map_delete_elem(tx_ports_fd, &key32));

    check_run(prog, "corrupted");
    print_run(&t, "dst 80", &p80);
    print_run(&t, "dst 81", &p81);
    print_run(&t, "src 9", &psrc9);
    print_run(&t, "src 10", &psrc10);
    check_run(prog, "repaired");

    /* Flows put and deleted meanwhile never look like differences. */
    {
        struct check_churn churn = { .table = table, .key = key80,
                                     .mask = dst_mask, .entry = out,
                                     .n = 20000 };
        int n_checks = 0, n_diffs = 0;
        pthread_t thread;

        thread = ovs_thread_create("churn", check_churn_main, &churn);
        for (;;) {
            struct ds s = DS_EMPTY_INITIALIZER;
            struct xdp_check check = { .out = &s };
            bool done = !pthread_tryjoin_np(thread, NULL);

            xdp_prog_check(prog, &check);
            n_checks++;
            n_diffs += check.n_repaired + check.n_unrepaired;
            if (check.n_repaired + check.n_unrepaired) {
                fputs(ds_cstr(&s), stdout);
            }
            ds_destroy(&s);
            if (done) {
                break;
            }
        }
        printf("concurrent puts and deletes: %s checks, %d differences\n",
               n_checks > 1 ? "several" : "one", n_diffs);
        if (getenv("OVS_XDP_TEST_VERBOSE")) {
            fprintf(stderr, "%d checks\n", n_checks);
        }
    }

    close(masks_fd);
    close(order_fd);
    close(flow_table_fd);
    close(tiny_fd);
    close(narrow_fd);
    close(port_map_fd);
    close(port_index_fd);
    close(tx_ports_fd);
    close(t.main_fd);
    xdp_prog_unref(prog);
    free(name);
}

static void
test_xdp_prog_main(int argc, char *argv[])
{
    const char *cmd = argc > 1 ? argv[1] : "";

    if (!strcmp(cmd, "probe")) {
        xt_probe();
    } else if (!strcmp(cmd, "sizes")) {
        test_sizes();
    } else if (!strcmp(cmd, "check")) {
        test_check();
    } else {
        ovs_fatal(0, "usage: %s probe|sizes|check", argv[0]);
    }
}

OVSTEST_REGISTER("test-xdp-prog", test_xdp_prog_main);
