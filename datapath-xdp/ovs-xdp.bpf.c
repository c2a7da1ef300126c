// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Copyright (c) 2026 The ovs-xdp authors. */

/* The ovs-xdp datapath program: attached to every afxdp port of a datapath,
 * it parses each packet into a flow key, looks the key up in the flow table
 * (exact-match cache, then tuple-space search) and executes the flow's
 * actions.  Packets that miss, that the parser does not cover or whose flow
 * is partial go to the AF_XDP socket of their port and rx queue, with
 * metadata that tells userspace why they came. */

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xdp-abi.h"
#include "xdp-flow.h"
#include "xdp-parse.h"
#include "xdp-classify.h"
#include "xdp-police.h"
#include "xdp-actions.h"

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, XDP_ABI_MAX_PORTS);
    __type(key, __u32);                 /* ifindex */
    __type(value, struct xdp_abi_port);
} port_map SEC(".maps");

/* The ODP port number + 1 of each port by ifindex, for ifindexes below
 * XDP_ABI_PORT_INDEX_SIZE (0: not there, ask 'port_map'): an array lookup
 * costs a fraction of a hash lookup, and the fast path needs only this. */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, XDP_ABI_PORT_INDEX_SIZE);
    __type(key, __u32);
    __type(value, __u32);
} port_index SEC(".maps");

/* Sets '*odp_port' to the ODP port number of 'ifindex'.  Returns false if
 * 'ifindex' is not a port of the datapath. */
static __always_inline int
xdp_odp_port(__u32 ifindex, __u32 *odp_port)
{
    const struct xdp_abi_port *port;
    const __u32 *index;

    index = bpf_map_lookup_elem(&port_index, &ifindex);
    if (index && *index) {
        *odp_port = *index - 1;
        return 1;
    }
    port = bpf_map_lookup_elem(&port_map, &ifindex);
    if (!port) {
        return 0;
    }
    *odp_port = port->odp_port;
    return 1;
}

struct {
    __uint(type, BPF_MAP_TYPE_XSKMAP);
    __uint(max_entries, XDP_ABI_XSKS);
    __type(key, __u32);                 /* slot * MAX_QUEUES + queue */
    __type(value, __u32);
} xsk_map SEC(".maps");

/* All counters in one per-CPU value: one lookup per packet. */
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct xdp_abi_counters);
} counters SEC(".maps");

#define count(CNT, INDEX) ((CNT)->n[INDEX]++)

/* The cookie that userspace chose for this load (never 0 there): it tells
 * the metadata this program wrote from bytes that happen to be in front of
 * a packet.  Read-only data costs a load, not a map lookup. */
const volatile __u64 meta_cookie = 0;

/* Puts 'reason' and 'mark' in front of the packet for userspace.  Returns
 * false if the driver has no room for metadata. */
static __always_inline int
write_meta(struct xdp_md *ctx, __u16 reason, __u32 mark)
{
    struct xdp_abi_meta *meta;
    void *data, *data_end;

    if (bpf_xdp_adjust_meta(ctx, -(int) sizeof *meta)) {
        return 0;
    }
    meta = (void *) (long) ctx->data_meta;
    data = (void *) (long) ctx->data;
    data_end = (void *) (long) ctx->data_end;
    if ((void *) (meta + 1) > data) {
        return 0;
    }
    meta->cookie[0] = (__u32) meta_cookie;
    meta->cookie[1] = (__u32) (meta_cookie >> 32);
    meta->flow_mark = mark;
    meta->reason = reason;
    meta->len = (__u16) (data_end - data);
    return 1;
}

/* Sends the packet to the socket of its port and queue; without one, to
 * the kernel stack. */
static __always_inline int
upcall(struct xdp_md *ctx, struct xdp_abi_counters *cnt, __u16 reason,
       __u32 mark)
{
    __u32 ifindex = ctx->ingress_ifindex;
    __u32 queue = ctx->rx_queue_index;
    const struct xdp_abi_port *port;
    __u32 index;

    port = bpf_map_lookup_elem(&port_map, &ifindex);
    if (!port || queue >= port->n_rxq || queue >= XDP_ABI_MAX_QUEUES) {
        count(cnt, XDP_ABI_CNT_PASS);
        return XDP_PASS;
    }
    if (!write_meta(ctx, reason, mark)) {
        count(cnt, XDP_ABI_CNT_META_FAIL);
    }
    index = port->slot * XDP_ABI_MAX_QUEUES + queue;
    /* The low bits of the flags are the verdict when no socket is bound. */
    if (bpf_redirect_map(&xsk_map, index, XDP_PASS) == XDP_REDIRECT) {
        count(cnt, XDP_ABI_CNT_TO_XSK);
        return XDP_REDIRECT;
    }
    count(cnt, XDP_ABI_CNT_PASS);
    return XDP_PASS;
}

static __always_inline void
xdp_count_flow(__u32 flow_id, __u32 bytes, const struct xdp_flow_key *key)
{
    struct xdp_flow_stats *stats = bpf_map_lookup_elem(&flow_stats, &flow_id);

    if (stats) {
        stats->packets += 1;
        stats->bytes += bytes;
        if (key->nw_proto == IPPROTO_TCP
            && (key->dl_type == bpf_htons(0x0800)
                || key->dl_type == bpf_htons(0x86dd))) {
            stats->tcp_flags |= bpf_ntohs(key->tcp_flags);
        }
    }
}

/* Parses the packet into the per-CPU scratch area (key and info), with
 * 'in_port' as the key's in_port, reading at most 'vlan_limit' VLAN
 * headers.  A global function: the verifier checks it once, not once per
 * caller. */
__attribute__((noinline)) int
xdp_parse_packet(struct xdp_md *ctx, __u32 in_port, __u32 vlan_limit)
{
    struct xdp_scratch *s = xdp_get_scratch();

    if (!s) {
        return XDP_FLOW_PARSE_UNPARSED;
    }
    __builtin_memset(&s->key, 0, sizeof s->key);
    s->key.in_port = in_port;
    return xdp_parse(ctx, &s->key, &s->info, vlan_limit);
}

/* Returns nonzero if the flow's output cannot be done by XDP. */
static __always_inline int
xdp_output_missing(const struct xdp_flow_entry *entry)
{
    __u32 last = entry->n_actions - 1;
    const struct xdp_flow_action *act;
    __u32 ifindex;

    if (last >= XDP_FLOW_MAX_ACTIONS) {
        return 0;
    }
    /* Hide the bound from clang so that it keeps the mask, which bounds
     * the index for the verifier on every path clang makes. */
    barrier_var(last);
    act = &entry->actions[last & (XDP_FLOW_MAX_ACTIONS - 1)];
    if (act->type != XDP_FLOW_ACT_OUTPUT) {
        return 0;
    }
    /* The ingress port too: XDP_TX into a veth is lost, like a redirect,
     * unless its peer has NAPI; userspace lists only ports that deliver. */
    ifindex = act->arg;
    return !bpf_map_lookup_elem(&tx_ports, &ifindex);
}

SEC("xdp")
int
ovs_xdp_main(struct xdp_md *ctx)
{
    __u32 ifindex = ctx->ingress_ifindex;
    __u32 len = ctx->data_end - ctx->data;
    const struct xdp_flow_classifier *cls;
    struct xdp_abi_counters *cnt;
    struct xdp_act_loop loop;
    const struct xdp_flow_entry *entry;
    __u32 flow_id = 0, zero = 0, odp_port;
    struct xdp_scratch *s;
    int emc_hit;

    cnt = bpf_map_lookup_elem(&counters, &zero);
    if (!cnt) {
        return XDP_PASS;
    }
    count(cnt, XDP_ABI_CNT_RX);
    if (!xdp_odp_port(ifindex, &odp_port)) {
        count(cnt, XDP_ABI_CNT_NO_PORT);
        return XDP_PASS;
    }
    /* Every frame, those for userspace too: a policed one never gets
     * there. */
    if (!xdp_police_ingress(ctx)) {
        count(cnt, XDP_ABI_CNT_POLICED_INGRESS);
        return XDP_DROP;
    }
    /* Never missing (an array's one entry); without it, VLAN frames would
     * go to userspace and the cache would stay off. */
    cls = xdp_get_classifier();
    if (xdp_parse_packet(ctx, odp_port, cls ? cls->vlan_limit : 0)
        != XDP_FLOW_PARSE_OK) {
        count(cnt, XDP_ABI_CNT_UPCALL_UNPARSED);
        return upcall(ctx, cnt, XDP_ABI_UPCALL_UNPARSED, 0);
    }

    s = xdp_get_scratch();
    if (!s) {
        return XDP_PASS;
    }
    entry = xdp_classify(s, cls && xdp_emc_on(cls), &flow_id, &emc_hit);
    if (emc_hit > 0) {
        count(cnt, XDP_ABI_CNT_EMC_HIT);
    } else if (!emc_hit) {
        count(cnt, XDP_ABI_CNT_EMC_MISS);
    }
    if (!entry) {
        count(cnt, XDP_ABI_CNT_UPCALL_MISS);
        return upcall(ctx, cnt, XDP_ABI_UPCALL_MISS, 0);
    }
    if (emc_hit <= 0) {
        count(cnt, XDP_ABI_CNT_MEGAFLOW_HIT);
    }

    if (entry->n_actions
        && entry->actions[0].type == XDP_FLOW_ACT_UPCALL_PARTIAL) {
        count(cnt, XDP_ABI_CNT_UPCALL_PARTIAL);
        return upcall(ctx, cnt, XDP_ABI_UPCALL_PARTIAL, entry->mark);
    }
    if (entry->n_actions == 1
        && entry->actions[0].type == XDP_FLOW_ACT_OUTPUT) {
        /* The common case, without the action loop: a redirect that fails
         * when the port is not in tx_ports, with the packet unchanged. */
        __u32 out = entry->actions[0].arg;
        int verdict;

        if (out == ifindex) {
            verdict = (bpf_map_lookup_elem(&tx_ports, &out)
                       ? XDP_TX : XDP_ABORTED);
        } else {
            verdict = bpf_redirect_map(&tx_ports, out, 0);
        }
        if (verdict == XDP_ABORTED) {
            count(cnt, XDP_ABI_CNT_NO_TX_PORT);
            count(cnt, XDP_ABI_CNT_UPCALL_PARTIAL);
            return upcall(ctx, cnt, XDP_ABI_UPCALL_PARTIAL,
                          entry->mark);
        }
        xdp_count_flow(flow_id, len, &s->key);
        verdict = xdp_police_output(ctx, out, verdict);
        if (verdict == XDP_DROP) {
            count(cnt, XDP_ABI_CNT_POLICED_EGRESS);
            return XDP_DROP;
        }
        count(cnt, XDP_ABI_CNT_HANDLED);
        return verdict;
    }
    if (xdp_output_missing(entry)) {
        count(cnt, XDP_ABI_CNT_NO_TX_PORT);
        count(cnt, XDP_ABI_CNT_UPCALL_PARTIAL);
        return upcall(ctx, cnt, XDP_ABI_UPCALL_PARTIAL, entry->mark);
    }
    if (!xdp_actions_fit(ctx, entry, s->info.l3_off)) {
        count(cnt, XDP_ABI_CNT_SHORT_HEADER);
        count(cnt, XDP_ABI_CNT_UPCALL_PARTIAL);
        return upcall(ctx, cnt, XDP_ABI_UPCALL_PARTIAL, entry->mark);
    }

    xdp_count_flow(flow_id, len, &s->key);
    if (!entry->n_actions) {
        count(cnt, XDP_ABI_CNT_DROPPED);
        return XDP_DROP;
    }

    loop.ctx = ctx;
    loop.entry = entry;
    loop.l3_off = s->info.l3_off;
    loop.l4_off = s->info.l4_off;
    loop.l4_size = s->info.l4_size;
    loop.dl_type = bpf_ntohs(s->key.dl_type);
    loop.nw_proto = s->key.nw_proto;
    loop.ip6_l4_csum = !s->info.ip6_no_l4_csum;
    loop.verdict = XDP_ACT_CONTINUE;
    bpf_loop(entry->n_actions, xdp_act_step, &loop, 0);

    switch (loop.verdict) {
    case XDP_TX:
    case XDP_REDIRECT:
        count(cnt, XDP_ABI_CNT_HANDLED);
        return loop.verdict;
    case XDP_DROP:
        /* Only the output port's policer says so. */
        count(cnt, XDP_ABI_CNT_POLICED_EGRESS);
        return XDP_DROP;
    case XDP_ACT_CONTINUE:
        /* No output: the flow drops. */
        count(cnt, XDP_ABI_CNT_DROPPED);
        return XDP_DROP;
    default:
        count(cnt, XDP_ABI_CNT_ACTION_ERROR);
        return XDP_DROP;
    }
}

/* The parser alone, for tests: writes the key of each packet to
 * 'parse_debug'.  Never attached to a device. */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct xdp_flow_parse_result);
} parse_debug SEC(".maps");

SEC("xdp")
int
xdp_parse_debug(struct xdp_md *ctx)
{
    __u32 ifindex = ctx->ingress_ifindex;
    const struct xdp_flow_classifier *cls = xdp_get_classifier();
    struct xdp_flow_parse_result *res;
    struct xdp_scratch *s;
    __u32 zero = 0, odp_port;
    int status;

    if (!xdp_odp_port(ifindex, &odp_port)) {
        odp_port = 0;
    }
    status = xdp_parse_packet(ctx, odp_port, cls ? cls->vlan_limit : 0);
    res = bpf_map_lookup_elem(&parse_debug, &zero);
    s = xdp_get_scratch();
    if (!res || !s) {
        return XDP_ABORTED;
    }
    res->key = s->key;
    res->status = status;
    res->l3_off = s->info.l3_off;
    res->l4_off = s->info.l4_off;
    res->runs++;
    return XDP_PASS;
}

/* Baseline for benchmarks: a redirect and nothing else. */
SEC("xdp")
int
xdp_bench_redirect(struct xdp_md *ctx)
{
    return bpf_redirect_map(&xsk_map, ctx->rx_queue_index, XDP_PASS);
}

char _license[] SEC("license") = "Dual BSD/GPL";
