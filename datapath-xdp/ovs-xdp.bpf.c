// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Copyright (c) 2026 The ovs-xdp authors. */

/* The ovs-xdp datapath program: attached to every afxdp port of a datapath,
 * it parses each packet into a flow key (xdp-parse.h), finds its flow
 * (xdp-classify.h) and executes the flow's actions (xdp-actions.h).
 * Packets that miss, that the parser does not cover or whose flow is
 * partial go to the AF_XDP socket of their port and rx queue, with metadata
 * that tells userspace why they came.  Userspace (lib/xdp-prog.c) loads it,
 * sizes and fills its maps; the ABI is in xdp-abi.h and xdp-flow-abi.h.
 * Written for kernel 6.1: bpf_loop(), no kfuncs. */

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xdp-abi.h"
#include "xdp-flow-abi.h"
#include "xdp-parse.h"
#include "xdp-classify.h"
#include "xdp-police.h"
#include "xdp-actions.h"
#include "xdp-conntrack.h"

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, XDP_ABI_MAX_PORTS);
    __type(key, __u32);                 /* ifindex */
    __type(value, struct xdp_abi_port);
} port_map SEC(".maps");

/* The ports with an ifindex below XDP_ABI_PORT_INDEX_SIZE, by ifindex
 * ('in_use' 0: not a port, or in 'port_map' only). */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, XDP_ABI_PORT_INDEX_SIZE);
    __type(key, __u32);
    __type(value, struct xdp_abi_port);
} port_index SEC(".maps");

/* Returns the port of 'ifindex', or NULL if it is not a port of the
 * datapath: one lookup gives what the fast path and upcalls need. */
static __always_inline const struct xdp_abi_port *
xdp_port(__u32 ifindex)
{
    const struct xdp_abi_port *port;

    port = bpf_map_lookup_elem(&port_index, &ifindex);
    if (port && port->in_use) {
        return port;
    }
    return bpf_map_lookup_elem(&port_map, &ifindex);
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

/* Puts 'reason', 'mark' and 'ct_slot' (or NO_CT_SLOT) in front of the
 * packet for userspace.  Returns false if the driver has no room for
 * metadata. */
static __always_inline int
write_meta(struct xdp_md *ctx, __u16 reason, __u32 mark, __u32 ct_slot)
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
    meta->ct_slot = ct_slot + 1;        /* NO_CT_SLOT: 0. */
    return 1;
}

/* Sends the packet to the socket of 'port' for its queue; without one, to
 * the kernel stack. */
static __always_inline int
upcall_ct(struct xdp_md *ctx, const struct xdp_abi_port *port,
          struct xdp_abi_counters *cnt, __u16 reason, __u32 mark,
          __u32 ct_slot)
{
    __u32 queue = ctx->rx_queue_index;
    __u32 index;

    if (queue >= port->n_rxq || queue >= XDP_ABI_MAX_QUEUES) {
        count(cnt, XDP_ABI_CNT_PASS);
        return XDP_PASS;
    }
    if (!write_meta(ctx, reason, mark, ct_slot)) {
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

static __always_inline int
upcall(struct xdp_md *ctx, const struct xdp_abi_port *port,
       struct xdp_abi_counters *cnt, __u16 reason, __u32 mark)
{
    return upcall_ct(ctx, port, cnt, reason, mark, NO_CT_SLOT);
}

static __always_inline void
xdp_count_flow(__u32 flow_id, __u32 bytes, const struct xdp_flow_key *key)
{
    struct xdp_flow_stats *stats = bpf_map_lookup_elem(&flow_stats, &flow_id);

    if (stats) {
        stats->packets += 1;
        stats->bytes += bytes;
        /* As dpif-netdev, whatever the protocol: the key's tcp_flags is
         * zero but for TCP and for ND (its option type, which OVS counts
         * too). */
        stats->tcp_flags |= bpf_ntohs(key->tcp_flags);
    }
}

/* Parses the packet into the per-CPU scratch area (key and info), with
 * 'in_port' as the key's in_port, reading at most 'vlan_limit' VLAN
 * headers.  A global function: the verifier checks it once, not once per
 * caller. */
__noinline int
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

/* Returns nonzero if the flow's output cannot be done by XDP: checked
 * before any action changes the packet. */
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
    ifindex = act->arg;
    return !bpf_map_lookup_elem(&tx_ports, &ifindex);
}

/* Sends the packet to userspace as partial: XDP matched its flow but
 * leaves the flow to userspace. */
static __always_inline int
upcall_partial(struct xdp_md *ctx, const struct xdp_abi_port *port,
               struct xdp_abi_counters *cnt, __u32 mark)
{
    count(cnt, XDP_ABI_CNT_UPCALL_PARTIAL);
    return upcall(ctx, port, cnt, XDP_ABI_UPCALL_PARTIAL, mark);
}

/* Sends a packet that went through more than one pass, or through ct(),
 * to userspace as partial with the first pass's 'mark': userspace runs it
 * from the start, as if XDP had not seen it (nothing was written yet),
 * after syncing 'ct_slot' if it is not NO_CT_SLOT. */
static __always_inline int
upcall_restart(struct xdp_md *ctx, const struct xdp_abi_port *port,
               struct xdp_abi_counters *cnt, __u32 mark, __u32 ct_slot)
{
    count(cnt, XDP_ABI_CNT_UPCALL_PARTIAL);
    return upcall_ct(ctx, port, cnt, XDP_ABI_UPCALL_PARTIAL, mark, ct_slot);
}

/* Counts the flows of the passes that recirculated. */
static __always_inline void
xdp_count_passed(const struct xdp_scratch *s, __u32 len)
{
    for (__u32 i = 0; i < XDP_CT_MAX_PASSES; i++) {
        if (i >= s->n_passed) {
            break;
        }
        xdp_count_flow(s->passed[i], len, &s->key);
    }
}

/* What one pass of xdp_pass_step() leads to. */
enum xdp_pass_result {
    XDP_PASS_NEXT,              /* Recirculated: another pass. */
    XDP_PASS_LAST,              /* 'hit' is the last pass's flow. */
    XDP_PASS_UPCALL,            /* To userspace, from the start. */
};

struct xdp_pass_loop {
    struct xdp_md *ctx;
    struct xdp_scratch *s;
    struct xdp_abi_counters *cnt;
    struct xdp_hit *hit;
    int emc_on;
    __u32 slot;                 /* For XDP_PASS_UPCALL: NO_CT_SLOT or the
                                 * connection to sync. */
    int result;                 /* enum xdp_pass_result. */
};

/* bpf_loop() callback: runs the conntrack part (ct_clear, ct(), recirc())
 * of the flow in loop->hit on the key and, for a recirc(), looks the key up
 * again into loop->hit.  A callback, so that the verifier checks a pass
 * once, not once per pass. */
static long
xdp_pass_step(__u32 pass, void *data)
{
    struct xdp_pass_loop *loop = data;
    struct xdp_scratch *s = loop->s;
    struct xdp_hit *hit = loop->hit;
    const struct xdp_flow_entry *entry;
    const struct xdp_flow_action *act;
    __u32 flags, last;
    int emc_hit;

    loop->result = XDP_PASS_UPCALL;
    if (hit->c.verdict != XDP_FLOW_VERDICT_ACTIONS) {
        loop->result = XDP_PASS_LAST;
        return 1;
    }
    entry = hit->entry;
    if (!entry) {
        return 1;
    }
    flags = entry->flags;
    if (!(flags & XDP_FLOW_ENTRY_CONNTRACK)) {
        loop->result = XDP_PASS_LAST;
        return 1;
    }
    if (flags & XDP_FLOW_ENTRY_CT_CLEAR) {
        s->key.ct_state = 0;
        s->key.ct_zone = 0;
        s->key.ct_mark = 0;
        s->ct_last_slot = NO_CT_SLOT;
    }
    if (flags & XDP_FLOW_ENTRY_CT) {
        act = &entry->actions[flags & XDP_FLOW_ENTRY_CT_CLEAR ? 1 : 0];
        switch (xdp_ct_lookup(loop->ctx, act->arg, act->field)) {
        case XDP_CT_ANSWERED:
            count(loop->cnt, XDP_ABI_CNT_CT_HIT);
            break;
        case XDP_CT_HAND_BACK:
            count(loop->cnt, XDP_ABI_CNT_CT_HANDED_BACK);
            loop->slot = s->ct_slot;
            /* fall through */
        case XDP_CT_TO_USERSPACE:
        default:
            count(loop->cnt, XDP_ABI_CNT_CT_MISS);
            return 1;
        }
    }
    if (!(flags & XDP_FLOW_ENTRY_RECIRC)) {
        /* The last pass: ct() then other actions. */
        loop->result = XDP_PASS_LAST;
        return 1;
    }
    if (pass + 1 >= XDP_CT_MAX_PASSES) {
        count(loop->cnt, XDP_ABI_CNT_RECIRC_LIMIT);
        return 1;
    }
    last = entry->n_actions - 1;
    if (last >= XDP_FLOW_MAX_ACTIONS) {
        return 1;
    }
    barrier_var(last);
    s->key.recirc_id = entry->actions[last & (XDP_FLOW_MAX_ACTIONS - 1)].arg;
    s->passed[pass & (XDP_CT_MAX_PASSES - 1)] = hit->c.flow_id;
    s->n_passed = pass + 1;
    count(loop->cnt, XDP_ABI_CNT_RECIRC);
    if (!xdp_classify(s, loop->emc_on, 0, hit, &emc_hit)) {
        count(loop->cnt, XDP_ABI_CNT_UPCALL_MISS);
        return 1;
    }
    loop->result = XDP_PASS_NEXT;
    return 0;
}

/* What xdp_run_passes() leaves to its caller: the output or the actions
 * of 'hit', the last pass's flow, already counted.  Other values are the
 * program's verdict. */
#define XDP_RUN_OUTPUT (-2)
#define XDP_RUN_ACTIONS (-3)

/* Runs a packet whose first flow, 'hit', has a conntrack part (ct_clear,
 * ct(), recirc()): each pass runs that part on the key, and a recirc()
 * looks the key up again, up to XDP_CT_MAX_PASSES passes.  Nothing is
 * written (packet, cache, counters) until the last pass is found and can
 * run in XDP; until then anything XDP cannot do sends the packet, as it
 * came, to userspace, which runs all the passes.  The last pass's output
 * or actions are the caller's, so that the program has one copy of each
 * for the verifier. */
static __always_inline int
xdp_run_passes(struct xdp_md *ctx, const struct xdp_abi_port *port,
               struct xdp_abi_counters *cnt, struct xdp_scratch *s,
               int emc_on, struct xdp_hit *hit, __u32 len)
{
    __u32 first_mark = hit->c.mark, slot = NO_CT_SLOT;
    struct xdp_pass_loop passes = {
        .ctx = ctx, .s = s, .cnt = cnt, .hit = hit, .emc_on = emc_on,
        .slot = NO_CT_SLOT, .result = XDP_PASS_UPCALL,
    };
    const struct xdp_flow_entry *entry;

    s->n_passed = 0;
    s->ct_nat = 0;
    s->ct_pkt_ok = 0;
    s->ct_now = 0;
    s->ct_hits.n = 0;
    s->ct_slot = NO_CT_SLOT;
    s->ct_last_slot = NO_CT_SLOT;
    bpf_loop(XDP_CT_MAX_PASSES, xdp_pass_step, &passes, 0);
    if (passes.result != XDP_PASS_LAST) {
        return upcall_restart(ctx, port, cnt, first_mark, passes.slot);
    }

    /* The last pass's flow, found: can XDP run it? */
    entry = hit->entry;
    switch (hit->c.verdict) {
    case XDP_FLOW_VERDICT_DROP:
        break;
    case XDP_FLOW_VERDICT_OUTPUT:
        if (!xdp_tx_port_ok(hit->c.out_ifindex)) {
            count(cnt, XDP_ABI_CNT_NO_TX_PORT);
            return upcall_restart(ctx, port, cnt, first_mark, NO_CT_SLOT);
        }
        break;
    case XDP_FLOW_VERDICT_ACTIONS:
        if (!entry) {
            return upcall_restart(ctx, port, cnt, first_mark, NO_CT_SLOT);
        }
        if (xdp_output_missing(entry)) {
            count(cnt, XDP_ABI_CNT_NO_TX_PORT);
            return upcall_restart(ctx, port, cnt, first_mark, NO_CT_SLOT);
        }
        if (!xdp_actions_fit(ctx, entry, s->info.l3_off, s->info.l4_off)) {
            count(cnt, XDP_ABI_CNT_SHORT_HEADER);
            return upcall_restart(ctx, port, cnt, first_mark, NO_CT_SLOT);
        }
        break;
    default:
        return upcall_restart(ctx, port, cnt, first_mark, NO_CT_SLOT);
    }

    /* It can: the connections are the packet's now. */
    s->ct_slot = NO_CT_SLOT;
    if (!xdp_ct_commit(ctx)) {
        slot = s->ct_slot;
        if (slot != NO_CT_SLOT) {
            count(cnt, XDP_ABI_CNT_CT_HANDED_BACK);
        }
        count(cnt, XDP_ABI_CNT_CT_MISS);
        return upcall_restart(ctx, port, cnt, first_mark, slot);
    }
    if (s->ct_nat && !xdp_ct_nat_apply(ctx)) {
        /* Cannot happen: the lookup checked the headers.  Committed and
         * counted, the packet must not run again. */
        count(cnt, XDP_ABI_CNT_ACTION_ERROR);
        return XDP_DROP;
    }
    xdp_count_passed(s, len);
    xdp_count_flow(hit->c.flow_id, len, &s->key);
    switch (hit->c.verdict) {
    case XDP_FLOW_VERDICT_DROP:
        count(cnt, XDP_ABI_CNT_DROPPED);
        return XDP_DROP;
    case XDP_FLOW_VERDICT_OUTPUT:
        return XDP_RUN_OUTPUT;
    default:
        return XDP_RUN_ACTIONS;
    }
}

SEC("xdp")
int
ovs_xdp_main(struct xdp_md *ctx)
{
    __u32 len = ctx->data_end - ctx->data;
    const struct xdp_flow_classifier *cls;
    const struct xdp_flow_entry *entry;
    const struct xdp_abi_port *port;
    struct xdp_abi_counters *cnt;
    struct xdp_act_loop loop;
    struct xdp_scratch *s;
    struct xdp_hit hit;
    int emc_hit, found, verdict, run, counted = 0;
    __u32 zero = 0;

    cnt = bpf_map_lookup_elem(&counters, &zero);
    if (!cnt) {
        return XDP_PASS;
    }
    count(cnt, XDP_ABI_CNT_RX);
    port = xdp_port(ctx->ingress_ifindex);
    if (!port) {
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
    if (xdp_parse_packet(ctx, port->odp_port, cls ? cls->vlan_limit : 0)
        != XDP_FLOW_PARSE_OK) {
        count(cnt, XDP_ABI_CNT_UPCALL_UNPARSED);
        return upcall(ctx, port, cnt, XDP_ABI_UPCALL_UNPARSED, 0);
    }

    s = xdp_get_scratch();
    if (!s) {
        return XDP_PASS;
    }
    found = xdp_classify(s, cls && xdp_emc_on(cls), 1, &hit, &emc_hit);
    if (emc_hit > 0) {
        count(cnt, XDP_ABI_CNT_EMC_HIT);
    } else if (!emc_hit) {
        count(cnt, XDP_ABI_CNT_EMC_MISS);
    }
    if (!found) {
        count(cnt, XDP_ABI_CNT_UPCALL_MISS);
        return upcall(ctx, port, cnt, XDP_ABI_UPCALL_MISS, 0);
    }
    if (emc_hit <= 0) {
        count(cnt, XDP_ABI_CNT_MEGAFLOW_HIT);
    }

    if (hit.c.verdict == XDP_FLOW_VERDICT_ACTIONS && hit.entry
        && hit.entry->flags & XDP_FLOW_ENTRY_CONNTRACK) {
        /* Counts the flows itself, before the output or actions. */
        run = xdp_run_passes(ctx, port, cnt, s, cls && xdp_emc_on(cls),
                             &hit, len);
        if (run != XDP_RUN_OUTPUT && run != XDP_RUN_ACTIONS) {
            return run;
        }
        counted = 1;
    } else {
        switch (hit.c.verdict) {
        case XDP_FLOW_VERDICT_PARTIAL:
            return upcall_partial(ctx, port, cnt, hit.c.mark);
        case XDP_FLOW_VERDICT_DROP:
            xdp_count_flow(hit.c.flow_id, len, &s->key);
            count(cnt, XDP_ABI_CNT_DROPPED);
            return XDP_DROP;
        case XDP_FLOW_VERDICT_OUTPUT:
            run = XDP_RUN_OUTPUT;
            break;
        default:
            entry = hit.entry;
            if (!entry) {
                return XDP_PASS;
            }
            if (xdp_output_missing(entry)) {
                count(cnt, XDP_ABI_CNT_NO_TX_PORT);
                return upcall_partial(ctx, port, cnt, entry->mark);
            }
            if (!xdp_actions_fit(ctx, entry, s->info.l3_off,
                                 s->info.l4_off)) {
                count(cnt, XDP_ABI_CNT_SHORT_HEADER);
                return upcall_partial(ctx, port, cnt, entry->mark);
            }
            xdp_count_flow(hit.c.flow_id, len, &s->key);
            run = XDP_RUN_ACTIONS;
            break;
        }
    }

    if (run == XDP_RUN_OUTPUT) {
        /* The common case, without the action loop: the packet is
         * unchanged if the port cannot take it. */
        verdict = xdp_output(ctx, hit.c.out_ifindex);
        if (verdict == XDP_ABORTED) {
            count(cnt, XDP_ABI_CNT_NO_TX_PORT);
            if (counted) {
                /* After a conntrack part, the port went since it was
                 * checked: its connections and flows counted the packet,
                 * which must not run again.  As an output to a port
                 * being deleted. */
                return XDP_DROP;
            }
            return upcall_partial(ctx, port, cnt, hit.c.mark);
        }
        if (!counted) {
            xdp_count_flow(hit.c.flow_id, len, &s->key);
        }
    } else {
        entry = hit.entry;
        if (!entry) {
            return XDP_PASS;
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
        verdict = loop.verdict;
    }

    switch (verdict) {
    case XDP_TX:
    case XDP_REDIRECT:
        count(cnt, XDP_ABI_CNT_HANDLED);
        return verdict;
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
    const struct xdp_flow_classifier *cls = xdp_get_classifier();
    const struct xdp_abi_port *port = xdp_port(ctx->ingress_ifindex);
    struct xdp_flow_parse_result *res;
    struct xdp_scratch *s;
    __u32 zero = 0;
    int status;

    status = xdp_parse_packet(ctx, port ? port->odp_port : 0,
                              cls ? cls->vlan_limit : 0);
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
