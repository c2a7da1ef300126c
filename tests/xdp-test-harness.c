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

/* The BPF_PROG_RUN harness shared by the tests of the XDP program
 * (tests/test-xdp-*.c) and its benchmark (utilities/ovs-xdp-bench-prog.c):
 * loads the program, runs it on a packet, and maintains its flow table as
 * userspace does. */

#include <config.h>

#undef NDEBUG
#include "xdp-test-harness.h"
#include "xdp-test-packet.h"

#include "flow.h"
#include "xdp-flow-table.h"
#include "xdp-prog.h"

#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "util.h"
#include "xdp-abi.h"
#include "xdp-flow.h"
#include "xdp-prog.h"

int
silent_print(enum libbpf_print_level level, const char *format,
             va_list args)
{
    if (level == LIBBPF_DEBUG || !getenv("OVS_XDP_TEST_VERBOSE")) {
        return 0;
    }
    return vfprintf(stderr, format, args);
}

/* Opens and loads the skeleton with 'n_masks' masks and room for 'n_flows'
 * flows (0: defaults).  Returns 0 or a positive errno value. */
/* The metadata cookie that xt_open() loads the program with. */
uint64_t xt_meta_cookie;

int
xt_open(struct xdp_test *t, uint32_t n_masks, uint32_t n_flows, bool emc)
{
    struct xdp_abi_port port = { .slot = 0, .n_rxq = 1,
                                 .odp_port = TEST_ODP_PORT };
    int error;

    memset(t, 0, sizeof *t);
    libbpf_set_print(silent_print);
    t->ifindex = if_nametoindex("lo");
    t->n_cpus = libbpf_num_possible_cpus();
    t->skel = ovs_xdp__open();
    if (!t->skel) {
        return errno;
    }
    xdp_prog_set_sizes(t->skel, n_flows ? n_flows : XDP_FLOW_DEFAULT_FLOWS,
                       n_masks ? n_masks : XDP_FLOW_DEFAULT_MASKS);
    t->skel->rodata->use_emc = emc;
    t->skel->rodata->emc_insert_inv_prob = 1;
    t->skel->rodata->meta_cookie = xt_meta_cookie;
    error = ovs_xdp__load(t->skel);
    if (error) {
        ovs_xdp__destroy(t->skel);
        t->skel = NULL;
        return -error;
    }
    t->main_fd = bpf_program__fd(t->skel->progs.ovs_xdp_main);
    t->parse_fd = bpf_program__fd(t->skel->progs.xdp_parse_debug);
    t->bench_fd = bpf_program__fd(t->skel->progs.xdp_bench_redirect);
    error = -xdp_prog_skel_set_port(t->skel, t->ifindex, &port);
    if (!error) {
        /* The test port can take XDP_TX, as userspace would record. */
        struct bpf_devmap_val val = { .ifindex = t->ifindex,
                                      .bpf_prog.fd = -1 };

        error = bpf_map__update_elem(t->skel->maps.tx_ports, &t->ifindex,
                                     sizeof t->ifindex, &val, sizeof val, 0);
    }
    if (!error) {
        struct xdp_flow_table_maps maps;

        /* The flow table owns the 'classifier' settings; it gets OVS's
         * VLAN limit as lib/xdp-prog.c gives it to a new program. */
        xdp_prog_get_flow_maps(t->skel, &maps);
        t->table = xdp_flow_table_create(&maps);
        error = -xdp_flow_table_set_vlan_limit(t->table, flow_vlan_limit);
    }
    return error ? -error : 0;
}

/* Loads the program with its default sizes and the exact-match cache, and
 * runs its parser once.  Returns 0 or a positive errno value. */
int
xt_open_default(struct xdp_test *t)
{
    int error = xt_open(t, 0, 0, true);

    if (!error) {
        uint8_t pkt[64] = { 0 };

        error = xt_run(t, t->parse_fd, pkt, sizeof pkt, NULL, NULL, 1,
                       NULL);
        error = error < 0 ? -error : 0;
        if (error) {
            xt_close(t);
        }
    }
    return error;
}

/* The "probe" command of the tests: prints "ok" if the program loads and
 * runs.  Otherwise says why and exits with 77 if this machine cannot run
 * XDP programs with BPF_PROG_RUN (autotest skips the test), with 1 if it
 * can but ours does not load or run. */
void
xt_probe(void)
{
    struct xdp_test t;
    int error = xt_open_default(&t);

    if (error) {
        int bpf_error = probe_bpf();

        if (bpf_error) {
            /* Autotest skips a test whose command exits with 77. */
            printf("this machine cannot run XDP programs with "
                   "BPF_PROG_RUN: %s\n", ovs_strerror(bpf_error));
            exit(77);
        }
        printf("cannot load and run the XDP program with "
               "BPF_PROG_RUN: %s\n", ovs_strerror(error));
        exit(1);
    }
    printf("ok\n");
    xt_close(&t);
}

void
xt_close(struct xdp_test *t)
{
    xdp_flow_table_destroy(t->table);
    t->table = NULL;
    ovs_xdp__destroy(t->skel);
}

/* Sets other_config:vlan-limit to 'setting' as the bridge does (OVS's
 * flow_limit_vlans(), which flow_extract() obeys) and gives the program the
 * resulting 'flow_vlan_limit' as userspace does (lib/xdp-prog.c). */
void
xt_set_vlan_limit(struct xdp_test *t, int setting)
{
    flow_limit_vlans(setting);
    ovs_assert(!xdp_flow_table_set_vlan_limit(t->table, flow_vlan_limit));
}

/* Runs program 'fd' on 'pkt'.  With 'out', copies the resulting packet
 * there and its length to '*out_len'.  Returns the XDP verdict, or -errno. */
int
xt_run(const struct xdp_test *t, int fd, const void *pkt, size_t len,
       uint8_t *out, uint32_t *out_len, int repeat, uint32_t *duration)
{
    struct xdp_md ctx = {
        .data_end = len,
        .ingress_ifindex = t->ifindex,
        .rx_queue_index = 0,
    };
    LIBBPF_OPTS(bpf_test_run_opts, opts,
                .data_in = pkt,
                .data_size_in = len,
                .data_out = out,
                .data_size_out = out ? MAX_PKT + 8 : 0,
                .ctx_in = &ctx,
                .ctx_size_in = sizeof ctx,
                .repeat = repeat);
    int error = bpf_prog_test_run_opts(fd, &opts);

    if (error) {
        return -errno;
    }
    if (out_len) {
        *out_len = opts.data_size_out;
    }
    if (duration) {
        *duration = opts.duration;
    }
    return opts.retval;
}

uint64_t
xt_counter(const struct xdp_test *t, uint32_t index)
{
    struct xdp_abi_counters values[t->n_cpus];
    uint64_t sum = 0;
    uint32_t zero = 0;

    ovs_assert(index < XDP_ABI_N_COUNTERS);
    ovs_assert(!bpf_map__lookup_elem(t->skel->maps.counters, &zero,
                                     sizeof zero, values, sizeof values, 0));
    for (int i = 0; i < t->n_cpus; i++) {
        sum += values[i].n[index];
    }
    return sum;
}

void
xt_flow_stats(const struct xdp_test *t, uint32_t flow_id,
              struct xdp_flow_stats *sum)
{
    struct xdp_flow_stats values[t->n_cpus];

    memset(sum, 0, sizeof *sum);
    ovs_assert(!bpf_map__lookup_elem(t->skel->maps.flow_stats, &flow_id,
                                     sizeof flow_id, values, sizeof values,
                                     0));
    for (int i = 0; i < t->n_cpus; i++) {
        sum->packets += values[i].packets;
        sum->bytes += values[i].bytes;
        sum->tcp_flags |= values[i].tcp_flags;
    }
}

/* Runs the parser on 'pkt'; returns its status and the key in '*key'. */
int
xt_parse(const struct xdp_test *t, const void *pkt, size_t len,
         struct xdp_flow_key *key)
{
    struct xdp_flow_parse_result res;
    uint32_t zero = 0;
    int verdict;

    verdict = xt_run(t, t->parse_fd, pkt, len, NULL, NULL, 1, NULL);
    if (verdict != XDP_PASS) {
        ovs_fatal(0, "parse program: %d", verdict);
    }
    ovs_assert(!bpf_map__lookup_elem(t->skel->maps.parse_debug, &zero,
                                     sizeof zero, &res, sizeof res, 0));
    *key = res.key;
    return res.status;
}

/* Flow table maintenance, as userspace does it. */

void
xt_set_mask(const struct xdp_test *t, uint32_t index,
            const struct xdp_flow_key *mask)
{
    struct xdp_flow_mask m;

    xdp_flow_mask_compile(mask, &m);
    ovs_assert(!bpf_map__update_elem(t->skel->maps.masks, &index,
                                     sizeof index, &m, sizeof m, 0));
}

/* Sets the lookup order to 'indexes'. */
void
xt_set_order(const struct xdp_test *t, const uint32_t *indexes, size_t n)
{
    uint32_t max = bpf_map__max_entries(t->skel->maps.mask_order);

    for (uint32_t rank = 0; rank < max; rank++) {
        uint32_t value = rank < n ? indexes[rank] + 1 : 0;

        ovs_assert(!bpf_map__update_elem(t->skel->maps.mask_order, &rank,
                                         sizeof rank, &value, sizeof value,
                                         0));
    }
}

static uint32_t next_generation = 1;

/* The 'flows_*' map for flows under 'mask', whose index is 'mask_index',
 * and the key there of 'key'. */
struct bpf_map *
xt_flows_map(const struct xdp_test *t, uint32_t mask_index,
             const struct xdp_flow_key *mask, const struct xdp_flow_key *key,
             struct xdp_flow_lookup *lookup, size_t *size)
{
    struct xdp_flow_mask m;

    xdp_flow_mask_compile(mask, &m);
    *size = xdp_flow_lookup_make(&m, mask_index, key, lookup);
    switch (m.width) {
    case XDP_FLOW_TINY:
        return t->skel->maps.flows_tiny;
    case XDP_FLOW_NARROW:
        return t->skel->maps.flows_narrow;
    case XDP_FLOW_MEDIUM:
        return t->skel->maps.flows_medium;
    default:
        return t->skel->maps.flows_wide;
    }
}

/* Installs (or replaces) flow 'flow_id' with key 'key' under mask
 * 'mask_index' whose mask is 'mask'. */
void
xt_put_flow(const struct xdp_test *t, uint32_t mask_index,
            const struct xdp_flow_key *mask, const struct xdp_flow_key *key,
            uint32_t flow_id, struct xdp_flow_entry *entry)
{
    struct xdp_flow_stats zero_stats[t->n_cpus];
    struct xdp_flow_megaflow mf;
    struct xdp_flow_lookup lookup;
    struct bpf_map *flows;
    size_t size;

    entry->generation = next_generation++;
    memset(&mf, 0, sizeof mf);
    mf.ref.flow_id = flow_id;
    mf.ref.generation = entry->generation;
    mf.ref.mask_index = mask_index;
    mf.entry = *entry;
    flows = xt_flows_map(t, mask_index, mask, key, &lookup, &size);

    memset(zero_stats, 0, sizeof zero_stats);
    ovs_assert(!bpf_map__update_elem(t->skel->maps.flow_stats, &flow_id,
                                     sizeof flow_id, zero_stats,
                                     sizeof zero_stats, 0));
    ovs_assert(!bpf_map__update_elem(t->skel->maps.flow_table, &flow_id,
                                     sizeof flow_id, entry, sizeof *entry, 0));
    ovs_assert(!bpf_map__update_elem(t->skel->maps.flow_gens, &flow_id,
                                     sizeof flow_id, &entry->generation,
                                     sizeof entry->generation, 0));
    ovs_assert(!bpf_map__update_elem(flows, &lookup, size, &mf, sizeof mf,
                                     0));
}

void
xt_del_flow(const struct xdp_test *t, uint32_t mask_index,
            const struct xdp_flow_key *mask, const struct xdp_flow_key *key,
            uint32_t flow_id)
{
    struct xdp_flow_lookup lookup;
    struct bpf_map *flows;
    size_t size;

    uint32_t no_generation = 0;

    ovs_assert(!bpf_map__update_elem(t->skel->maps.flow_gens, &flow_id,
                                     sizeof flow_id, &no_generation,
                                     sizeof no_generation, 0));
    flows = xt_flows_map(t, mask_index, mask, key, &lookup, &size);
    ovs_assert(!bpf_map__delete_elem(flows, &lookup, size, 0));
    ovs_assert(!bpf_map__delete_elem(t->skel->maps.flow_table, &flow_id,
                                     sizeof flow_id, 0));
}

void
entry_output(struct xdp_flow_entry *entry, uint32_t ifindex)
{
    memset(entry, 0, sizeof *entry);
    entry->n_actions = 1;
    entry->actions[0].type = XDP_FLOW_ACT_OUTPUT;
    entry->actions[0].arg = ifindex;
}

/* Runs the main program on 'p' and prints its verdict after 'what'. */
void
print_run(const struct xdp_test *t, const char *what, const struct pkt *p)
{
    int verdict = xt_run(t, t->main_fd, p->data, p->len, NULL, NULL, 1,
                         NULL);

    printf("%s: %s\n", what, verdict_name(verdict));
}

const char *
verdict_name(int verdict)
{
    switch (verdict) {
    case XDP_ABORTED: return "aborted";
    case XDP_DROP: return "drop";
    case XDP_PASS: return "pass";
    case XDP_TX: return "tx";
    case XDP_REDIRECT: return "redirect";
    default: return "error";
    }
}

/* Returns 0 if this machine loads and runs a trivial XDP program with
 * BPF_PROG_RUN, otherwise a positive errno value: whether a failure of the
 * datapath program is ours or the machine's. */
int
probe_bpf(void)
{
    const struct bpf_insn insns[] = {
        { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
          .imm = XDP_PASS },
        { .code = BPF_JMP | BPF_EXIT },
    };
    uint8_t pkt[64] = { 0 };
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt,
                .data_size_in = sizeof pkt, .repeat = 1);
    int fd, error;

    fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "probe", "GPL", insns,
                       ARRAY_SIZE(insns), NULL);
    if (fd < 0) {
        return errno;
    }
    error = bpf_prog_test_run_opts(fd, &opts) ? errno : 0;
    close(fd);
    return error;
}
