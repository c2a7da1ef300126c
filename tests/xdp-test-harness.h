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

#ifndef XDP_TEST_HARNESS_H
#define XDP_TEST_HARNESS_H 1

/* The BPF_PROG_RUN harness of the XDP program's tests: a loaded skeleton
 * whose only port is "lo" (ODP port TEST_ODP_PORT, which can take XDP_TX),
 * runs of its programs on a packet, and its flow table maintained as
 * userspace does. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bpf_map;
struct pkt;

#include "ovs-xdp.skel.h"
#include "random.h"
#include "xdp-flow.h"

#define TEST_ODP_PORT 7
/* Room for frames past the 2 kB the XDP program reaches into, within what
 * BPF_PROG_RUN takes (a page less headroom and tailroom). */
#define MAX_PKT 3072

struct xdp_test {
    struct ovs_xdp *skel;
    int main_fd;
    int parse_fd;
    int bench_fd;
    int ifindex;                /* Ingress device: "lo". */
    int n_cpus;
    struct xdp_flow_table *table;   /* lib/xdp-flow-table.c on the maps. */
};

/* Big-endian 16-bit fields of packets under construction. */
static inline void
put16(uint8_t *q, uint16_t v)
{
    q[0] = v >> 8;
    q[1] = v;
}

static inline uint16_t
get16(const uint8_t *q)
{
    return q[0] << 8 | q[1];
}

/* Random numbers for generated packets and actions, from OVS's random
 * sequence (random_set_seed()): below 'n', and true 'percent' times out of
 * 100. */
static inline uint32_t
rnd(uint32_t n)
{
    return random_uint32() % n;
}

static inline bool
chance(uint32_t percent)
{
    return rnd(100) < percent;
}

extern uint64_t xt_meta_cookie;
int silent_print(enum libbpf_print_level, const char *format, va_list);
int xt_open(struct xdp_test *, uint32_t n_masks, uint32_t n_flows, bool emc);
int xt_open_default(struct xdp_test *);
void xt_probe(void);
void xt_close(struct xdp_test *);
void xt_set_vlan_limit(struct xdp_test *, int setting);
int xt_run(const struct xdp_test *, int fd, const void *pkt, size_t len,
           uint8_t *out, uint32_t *out_len, int repeat, uint32_t *duration);
uint64_t xt_counter(const struct xdp_test *, uint32_t index);
void xt_flow_stats(const struct xdp_test *, uint32_t flow_id,
                   struct xdp_flow_stats *sum);
int xt_parse(const struct xdp_test *, const void *pkt, size_t len,
             struct xdp_flow_key *);

void xt_set_mask(const struct xdp_test *, uint32_t index,
                 const struct xdp_flow_key *mask);
struct bpf_map *xt_flows_map(const struct xdp_test *, uint32_t mask_index,
                             const struct xdp_flow_key *mask,
                             const struct xdp_flow_key *key,
                             struct xdp_flow_lookup *, size_t *size);
void xt_set_order(const struct xdp_test *, const uint32_t *indexes, size_t n);
void xt_put_flow(const struct xdp_test *, uint32_t mask_index,
                 const struct xdp_flow_key *mask,
                 const struct xdp_flow_key *key, uint32_t flow_id,
                 struct xdp_flow_entry *);
void xt_del_flow(const struct xdp_test *, uint32_t mask_index,
                 const struct xdp_flow_key *mask,
                 const struct xdp_flow_key *key, uint32_t flow_id);

void entry_output(struct xdp_flow_entry *, uint32_t ifindex);
const char *verdict_name(int verdict);
void print_run(const struct xdp_test *, const char *what, const struct pkt *);

/* Prints counter XDP_ABI_CNT_<NAME> of 'T', summed over the CPUs. */
#define PRINT_COUNTER(T, NAME) \
    printf("  %s=%"PRIu64"\n", #NAME, xt_counter(T, XDP_ABI_CNT_##NAME))
int probe_bpf(void);

#endif /* xdp-test-harness.h */
