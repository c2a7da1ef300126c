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

/* lib/xdp-flow-table.c, the userspace flow table, on the maps of a loaded
 * XDP program (2 masks, room for 3 or 4 flows), checked by its results
 * and by running the program on packets (BPF_PROG_RUN):
 *
 *   ops: put, modify with statistics kept, full flow and mask tables, the
 *       same match under two UFIDs, a match on padding refused, re-ranking,
 *       delete, demote, withdraw, count, flush.
 *   failures: map writes that fail (read-only descriptors, an entry that
 *       vanished) leave nothing of the flow behind, as the table's own
 *       check confirms.
 *   passes: a mask is probed only on the passes (recirc_id 0 or not) it
 *       has flows for. */

#include <config.h>

#undef NDEBUG
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "flow.h"
#include "openvswitch/dynamic-string.h"
#include "ovstest.h"
#include "packets.h"
#include "timeval.h"
#include "util.h"
#include "xdp-abi.h"
#include "xdp-flow.h"
#include "xdp-flow-table.h"
#include "xdp-flow-table-private.h"
#include "xdp-map.h"
#include "xdp-prog.h"
#include "xdp-test-harness.h"
#include "xdp-test-packet.h"

static void
table_put(struct xdp_flow_table *table, uint32_t ufid_n,
          const struct xdp_flow_key *key, const struct xdp_flow_key *mask,
          const struct xdp_flow_entry *entry)
{
    ovs_u128 ufid = { .u32 = { ufid_n } };
    const char *reason;
    int error;

    error = xdp_flow_table_put(table, &ufid, key, mask, entry, &reason);
    printf("put %"PRIu32": %s%s%s\n", ufid_n,
           error ? ovs_strerror(error) : "ok", reason ? ": " : "",
           reason ? reason : "");
}

static void
table_print_usage(struct xdp_flow_table *table)
{
    struct xdp_flow_table_usage u;

    xdp_flow_table_get_usage(table, &u);
    printf("  %"PRIu32"/%"PRIu32" flows, %"PRIu32"/%"PRIu32" masks\n",
           u.n_flows, u.max_flows, u.n_masks, u.max_masks);
}

static void
table_print_stats(struct xdp_flow_table *table, uint32_t ufid_n)
{
    ovs_u128 ufid = { .u32 = { ufid_n } };
    struct xdp_flow_table_stats st;
    int error;

    /* After a pause longer than a dump's gaps, the read is fresh: it must
     * count every packet sent. */
    xnanosleep((XDP_FLOW_TABLE_STATS_GAP_US + 1000) * 1000LL);
    error = xdp_flow_table_get(table, &ufid, NULL, NULL, NULL, &st);

    if (error) {
        printf("get %"PRIu32": %s\n", ufid_n, ovs_strerror(error));
    } else {
        printf("get %"PRIu32": %"PRIu64" packets, %"PRIu64" bytes, "
               "used %s, tcp_flags %#"PRIx16"\n", ufid_n, st.n_packets,
               st.n_bytes, st.used && st.used <= time_msec() ? "ok" : "no",
               st.tcp_flags);
    }
}

/* Sets 'mask' to in_port, dl_type, nw_proto and tp_dst: a flow per
 * destination port. */
static void
dst_port_mask(struct xdp_flow_key *mask)
{
    memset(mask, 0, sizeof *mask);
    mask->in_port = UINT32_MAX;
    mask->dl_type = OVS_BE16_MAX;
    mask->nw_proto = UINT8_MAX;
    mask->tp_dst = OVS_BE16_MAX;
}

static uint32_t
table_first_mask(const struct xdp_test *t)
{
    uint32_t rank = 0, value = 0;

    bpf_map__lookup_elem(t->skel->maps.mask_order, &rank, sizeof rank,
                         &value, sizeof value, 0);
    return value;
}

static void
test_table(void)
{
    struct xdp_flow_key port_mask, dst_mask, src_mask;
    struct xdp_flow_key key80, key81, key82, key_src;
    struct xdp_flow_entry out, drop;
    struct xdp_flow_table *table;
    struct pkt p80, p81, p82, psrc;
    ovs_u128 ufid = { .u32 = { 2 } };
    ovs_u128 *ufids;
    struct xdp_test t;
    struct flow flow;
    int error;

    error = xt_open(&t, 2, 3, false);
    if (error) {
        ovs_fatal(error, "cannot load the XDP program");
    }
    table = t.table;

    tcp_packet(&p80, 1, 80);
    tcp_packet(&p81, 1, 81);
    tcp_packet(&p82, 1, 82);
    tcp_packet(&psrc, 9, 443);

    /* Keys as the parser gives them, for the packets above. */
    xt_parse(&t, p80.data, p80.len, &key80);
    xt_parse(&t, p81.data, p81.len, &key81);
    xt_parse(&t, p82.data, p82.len, &key82);
    xt_parse(&t, psrc.data, psrc.len, &key_src);

    dst_port_mask(&dst_mask);
    memset(&src_mask, 0, sizeof src_mask);
    src_mask.in_port = UINT32_MAX;
    memset(src_mask.dl_src, 0xff, sizeof src_mask.dl_src);
    memset(&port_mask, 0, sizeof port_mask);
    port_mask.in_port = UINT32_MAX;

    entry_output(&out, t.ifindex);
    memset(&drop, 0, sizeof drop);

    print_run(&t, "empty table, dst 80", &p80);
    table_put(table, 1, &key80, &dst_mask, &out);
    table_put(table, 2, &key81, &dst_mask, &out);
    table_print_usage(table);
    print_run(&t, "dst 80", &p80);
    print_run(&t, "dst 80", &p80);
    print_run(&t, "dst 81", &p81);
    print_run(&t, "dst 82", &p82);
    table_print_stats(table, 1);
    table_print_stats(table, 2);

    /* A third mask does not fit; a fourth flow does not either. */
    table_put(table, 3, &key_src, &src_mask, &out);
    table_put(table, 4, &key82, &port_mask, &out);
    table_put(table, 4, &key82, &dst_mask, &out);
    table_print_usage(table);

    /* New actions for flow 1, same match: its statistics stay. */
    table_put(table, 1, &key80, &dst_mask, &drop);
    print_run(&t, "dst 80 after modify", &p80);
    table_print_stats(table, 1);

    /* Ranking: the src mask is hit more, it goes first. */
    for (int i = 0; i < 5; i++) {
        print_run(&t, "src 9", &psrc);
    }
    xdp_flow_table_rerank(table);
    printf("rank 0 after re-ranking: mask %"PRIu32" (src mask: %s)\n",
           table_first_mask(&t),
           table_first_mask(&t) == 2 ? "yes" : "no");
    print_run(&t, "dst 81 after re-ranking", &p81);
    print_run(&t, "src 9 after re-ranking", &psrc);

    /* Deletion. */
    printf("del 2: %s\n", ovs_strerror(xdp_flow_table_del(table, &ufid,
                                                           NULL)));
    printf("del 2 again: %s\n",
           ovs_strerror(xdp_flow_table_del(table, &ufid, NULL)));
    print_run(&t, "dst 81 after delete", &p81);
    table_print_usage(table);
    /* The same match under another UFID. */
    table_put(table, 5, &key80, &dst_mask, &out);
    /* A match on the key's padding never matches in XDP: refused. */
    {
        struct xdp_flow_key pad_key = key82, pad_mask = dst_mask;

        pad_key.pad0 = 1;
        pad_mask.pad0 = UINT8_MAX;
        table_put(table, 6, &pad_key, &pad_mask, &out);
    }
    table_put(table, 4, &key82, &dst_mask, &out);
    print_run(&t, "dst 82", &p82);

    /* A modified flow is made partial at once, a deleted one withdrawn at
     * once; the read after the withdrawal gives the final statistics, and
     * is the last. */
    {
        ovs_u128 ufid4 = { .u32 = { 4 } };

        printf("demote 4: %s\n",
               ovs_strerror(xdp_flow_table_demote(table, &ufid4)));
        print_run(&t, "dst 82 after demote", &p82);
        PRINT_COUNTER(&t, UPCALL_PARTIAL);
        printf("withdraw 4: %s\n",
               ovs_strerror(xdp_flow_table_withdraw(table, &ufid4)));
        printf("withdraw 4 again: %s\n",
               ovs_strerror(xdp_flow_table_withdraw(table, &ufid4)));
        print_run(&t, "dst 82 after withdraw", &p82);
        printf("flows of port %d: %"PRIu32"\n", TEST_ODP_PORT,
               xdp_flow_table_count(table, TEST_ODP_PORT));
        table_print_stats(table, 4);
        table_print_stats(table, 4);
        table_put(table, 4, &key82, &dst_mask, &out);
        print_run(&t, "dst 82 put again", &p82);
    }

    printf("flows of port %d: %"PRIuSIZE"\n", TEST_ODP_PORT,
           xdp_flow_table_ufids(table, TEST_ODP_PORT, &ufids));
    free(ufids);
    printf("flows of port %d: %"PRIu32"\n", TEST_ODP_PORT + 1,
           xdp_flow_table_count(table, TEST_ODP_PORT + 1));
    printf("flushed: %"PRIuSIZE"\n",
           xdp_flow_table_flush(table, TEST_ODP_PORT));
    table_print_usage(table);
    print_run(&t, "dst 80 after flush", &p80);
    print_run(&t, "src 9 after flush", &psrc);
    PRINT_COUNTER(&t, UPCALL_MISS);
    PRINT_COUNTER(&t, HANDLED);
    PRINT_COUNTER(&t, DROPPED);

    /* The keys went through struct flow as userspace would give them. */
    xdp_flow_key_to_flow(&key80, &flow);
    printf("key of dst 80: tp_dst=%"PRIu16"\n", ntohs(flow.tp_dst));

    xt_close(&t);
}

/* Map writes that fail: the flow is not put, and nothing of it is left in
 * the maps (xdp/check of the table finds nothing to repair). */

/* A read-only file descriptor of 'map': every write through it fails. */
static int
read_only_fd(const struct bpf_map *map)
{
    LIBBPF_OPTS(bpf_get_fd_by_id_opts, opts, .open_flags = BPF_F_RDONLY);
    struct bpf_map_info info;
    uint32_t len = sizeof info;
    int fd;

    memset(&info, 0, sizeof info);
    ovs_assert(!bpf_obj_get_info_by_fd(bpf_map__fd(map), &info, &len));
    fd = bpf_map_get_fd_by_id_opts(info.id, &opts);
    ovs_assert(fd >= 0);
    return fd;
}

static void
table_check(struct xdp_flow_table *table)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct xdp_check check = { .out = &s };

    xdp_flow_table_check(table, &check);
    xdp_check_format_summary(&check, &s);
    printf("  %s", ds_cstr(&s));
    ds_destroy(&s);
}

static void
test_failures(void)
{
    struct xdp_flow_key dst_mask, src_mask, key80, key_src;
    struct xdp_flow_entry out, drop;
    struct xdp_flow_table_maps maps;
    struct xdp_flow_table *table;
    struct xdp_flow_lookup lookup;
    struct pkt p80, psrc;
    struct xdp_test t;
    int ro;

    tcp_packet(&p80, 1, 80);
    tcp_packet(&psrc, 9, 443);
    dst_port_mask(&dst_mask);
    memset(&src_mask, 0, sizeof src_mask);
    src_mask.in_port = UINT32_MAX;
    memset(src_mask.dl_src, 0xff, sizeof src_mask.dl_src);

    for (int scenario = 0; scenario < 3; scenario++) {
        if (xt_open(&t, 2, 4, false)) {
            ovs_fatal(0, "cannot load the XDP program");
        }
        xt_parse(&t, p80.data, p80.len, &key80);
        xt_parse(&t, psrc.data, psrc.len, &key_src);
        entry_output(&out, t.ifindex);
        memset(&drop, 0, sizeof drop);
        xdp_prog_get_flow_maps(t.skel, &maps);
        ro = -1;

        if (scenario == 0) {
            printf("mask_order cannot be written:\n");
            maps.mask_order = ro = read_only_fd(t.skel->maps.mask_order);
        } else if (scenario == 1) {
            printf("flows_narrow cannot be written:\n");
            maps.flows[XDP_FLOW_NARROW] = ro
                = read_only_fd(t.skel->maps.flows_narrow);
        } else {
            printf("new actions, but flows_narrow lost the flow:\n");
        }
        table = xdp_flow_table_create(&maps);
        if (scenario == 2) {
            struct xdp_flow_mask m;

            printf("  ");
            table_put(table, 1, &key80, &dst_mask, &out);
            print_run(&t, "  dst 80", &p80);
            xdp_flow_mask_compile(&dst_mask, &m);
            xdp_flow_lookup_make(&m, 0, &key80, &lookup);
            ovs_assert(!bpf_map_delete_elem(maps.flows[XDP_FLOW_NARROW],
                                            &lookup));
            printf("  ");
            table_put(table, 1, &key80, &dst_mask, &drop);
        } else {
            printf("  ");
            table_put(table, 1, &key80, &dst_mask, &out);
            if (scenario == 1) {
                table_check(table);
                printf("  ");
                table_put(table, 2, &key_src, &src_mask, &out);
            }
        }
        printf("  ");
        table_print_usage(table);
        table_check(table);
        print_run(&t, "  dst 80", &p80);
        print_run(&t, "  src 9", &psrc);

        xdp_flow_table_destroy(table);
        if (ro >= 0) {
            close(ro);
        }
        xt_close(&t);
    }
}

/* Entries in the exact-match cache of 't'. */
static int
emc_count(const struct xdp_test *t)
{
    int fd = bpf_map__fd(t->skel->maps.emc);
    struct xdp_flow_key key, next;
    int n = 0;

    for (void *prev = NULL; !bpf_map_get_next_key(fd, prev, &next);
         prev = &key) {
        key = next;
        n++;
    }
    return n;
}

/* The 32-bit generation wraps: the cache is emptied, so that a cached
 * {flow id, generation} cannot name the flow of a later write that gets
 * the same pair. */
static void
test_generation_wrap(void)
{
    struct xdp_flow_key dst_mask, key80, key81, key82;
    struct xdp_flow_entry out;
    struct pkt p80, p81, p82;
    struct xdp_test t;
    int error;

    error = xt_open(&t, 2, 4, true);
    if (error) {
        ovs_fatal(error, "cannot load the XDP program");
    }
    tcp_packet(&p80, 1, 80);
    tcp_packet(&p81, 1, 81);
    tcp_packet(&p82, 1, 82);
    xt_parse(&t, p80.data, p80.len, &key80);
    xt_parse(&t, p81.data, p81.len, &key81);
    xt_parse(&t, p82.data, p82.len, &key82);
    dst_port_mask(&dst_mask);
    entry_output(&out, t.ifindex);

    table_put(t.table, 1, &key80, &dst_mask, &out);
    print_run(&t, "dst 80", &p80);
    print_run(&t, "dst 80", &p80);
    printf("cached lookups: %d\n", emc_count(&t));

    /* Just before the wrap. */
    ovs_mutex_lock(&t.table->mutex);
    t.table->generation = UINT32_MAX - 1;
    ovs_mutex_unlock(&t.table->mutex);
    table_put(t.table, 2, &key81, &dst_mask, &out);
    print_run(&t, "dst 81", &p81);
    printf("cached lookups before the wrap: %d\n", emc_count(&t));
    table_put(t.table, 3, &key82, &dst_mask, &out);
    printf("cached lookups after the wrap: %d\n", emc_count(&t));
    print_run(&t, "dst 80", &p80);
    print_run(&t, "dst 82", &p82);
    PRINT_COUNTER(&t, EMC_HIT);
    PRINT_COUNTER(&t, HANDLED);
    xt_close(&t);
}

/* Reads of all flows' statistics in one batch that 't' has done. */
static uint64_t
batch_reads(struct xdp_test *t)
{
    uint64_t n;

    ovs_mutex_lock(&t->table->mutex);
    n = t->table->n_stats_reads;
    ovs_mutex_unlock(&t->table->mutex);
    return n;
}

/* Statistics read while flows come in: a flow added since the last batch
 * read is read alone (a batch read for each would read the whole table
 * per flow); a burst of reads of known flows shares one batch read.  Every
 * read is exact. */
static void
test_stats_reads(void)
{
    enum { N = 200 };
    struct xdp_flow_key dst_mask, key;
    struct xdp_flow_entry out;
    struct xdp_test t;
    uint64_t before;
    int exact = 0;
    int error;

    error = xt_open(&t, 2, 256, false);
    if (error) {
        ovs_fatal(error, "cannot load the XDP program");
    }
    dst_port_mask(&dst_mask);
    entry_output(&out, t.ifindex);

    before = batch_reads(&t);
    for (int i = 0; i < N; i++) {
        ovs_u128 ufid = { .u32 = { i + 1 } };
        struct xdp_flow_table_stats st;
        const char *reason;
        struct pkt p;

        tcp_packet(&p, 1, 1000 + i);
        xt_parse(&t, p.data, p.len, &key);
        ovs_assert(!xdp_flow_table_put(t.table, &ufid, &key, &dst_mask,
                                       &out, &reason));
        xt_run(&t, t.main_fd, p.data, p.len, NULL, NULL, 1, NULL);
        ovs_assert(!xdp_flow_table_get(t.table, &ufid, NULL, NULL, NULL,
                                       &st));
        exact += st.n_packets == 1;
    }
    /* The number depends on timing (a read after a pause of 1 ms reads
     * all); one per flow is what must not happen. */
    printf("%d flows put, each read after its packet: %d exact, fewer "
           "batch reads than one per 10 flows: %s\n", N, exact,
           batch_reads(&t) - before < N / 10 ? "yes" : "no");

    before = batch_reads(&t);
    exact = 0;
    for (int i = 0; i < N; i++) {
        ovs_u128 ufid = { .u32 = { i + 1 } };
        struct xdp_flow_table_stats st;

        ovs_assert(!xdp_flow_table_get(t.table, &ufid, NULL, NULL, NULL,
                                       &st));
        exact += st.n_packets == 1;
    }
    printf("a dump of the %d flows: %d exact, fewer batch reads than one "
           "per 10 flows: %s\n", N, exact,
           batch_reads(&t) - before < N / 10 ? "yes" : "no");
    xt_close(&t);
}

/* The passes the program probes a mask on ('in_use' of its 'masks' entry)
 * follow the recirc_id of its flows; a mask is not probed on a pass it
 * has no flow for. */
static uint32_t
mask_passes(const struct xdp_test *t, uint32_t index)
{
    struct xdp_flow_mask value;

    memset(&value, 0, sizeof value);
    bpf_map__lookup_elem(t->skel->maps.masks, &index, sizeof index,
                         &value, sizeof value, 0);
    return value.in_use;
}

static void
test_passes(void)
{
    struct xdp_flow_key dst_mask, any_pass_mask, key80, key81, key82;
    ovs_u128 ufid1 = { .u32 = { 1 } };
    struct xdp_flow_entry out;
    struct xdp_flow_mask value;
    struct xdp_test t;
    uint32_t index;
    struct pkt p80;
    int error;

    error = xt_open(&t, 2, 4, false);
    if (error) {
        ovs_fatal(error, "cannot load the XDP program");
    }
    tcp_packet(&p80, 1, 80);
    xt_parse(&t, p80.data, p80.len, &key80);
    key81 = key82 = key80;
    key81.recirc_id = 5;
    key81.tp_dst = htons(81);
    key82.tp_dst = htons(82);
    dst_port_mask(&dst_mask);
    dst_mask.recirc_id = UINT32_MAX;
    dst_port_mask(&any_pass_mask);
    entry_output(&out, t.ifindex);

    table_put(t.table, 1, &key80, &dst_mask, &out);
    index = table_first_mask(&t) - 1;   /* 'mask_order' holds index + 1. */
    printf("  passes: %#"PRIx32"\n", mask_passes(&t, index));
    print_run(&t, "dst 80", &p80);
    table_put(t.table, 2, &key81, &dst_mask, &out);
    printf("  passes: %#"PRIx32"\n", mask_passes(&t, index));
    printf("del 1: %s\n",
           ovs_strerror(xdp_flow_table_del(t.table, &ufid1, NULL)));
    printf("  passes: %#"PRIx32"\n", mask_passes(&t, index));
    table_put(t.table, 1, &key80, &dst_mask, &out);
    printf("  passes: %#"PRIx32"\n", mask_passes(&t, index));

    /* The program honours the bits: the flow of recirc_id 0 is not found
     * while its mask is marked for the later passes only. */
    bpf_map__lookup_elem(t.skel->maps.masks, &index, sizeof index,
                         &value, sizeof value, 0);
    value.in_use = XDP_FLOW_MASK_LATER_PASSES;
    bpf_map__update_elem(t.skel->maps.masks, &index, sizeof index,
                         &value, sizeof value, 0);
    print_run(&t, "dst 80, mask marked for later passes", &p80);
    value.in_use = XDP_FLOW_MASK_FIRST_PASS;
    bpf_map__update_elem(t.skel->maps.masks, &index, sizeof index,
                         &value, sizeof value, 0);
    print_run(&t, "dst 80, mask marked for the first pass", &p80);

    /* A flow that does not match recirc_id exactly may match on any
     * pass. */
    table_put(t.table, 3, &key82, &any_pass_mask, &out);
    for (uint32_t i = 0; i < 2; i++) {
        if (i != index) {
            printf("  passes of the other mask: %#"PRIx32"\n",
                   mask_passes(&t, i));
        }
    }
    xt_close(&t);
}

static void
test_xdp_flow_table_main(int argc, char *argv[])
{
    const char *cmd = argc > 1 ? argv[1] : "";

    if (!strcmp(cmd, "ops")) {
        test_table();
    } else if (!strcmp(cmd, "failures")) {
        test_failures();
    } else if (!strcmp(cmd, "wrap")) {
        test_generation_wrap();
    } else if (!strcmp(cmd, "stats")) {
        test_stats_reads();
    } else if (!strcmp(cmd, "passes")) {
        test_passes();
    } else {
        ovs_fatal(0, "usage: %s ops|failures|wrap|stats|passes", argv[0]);
    }
}

OVSTEST_REGISTER("test-xdp-flow-table", test_xdp_flow_table_main);
