// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Copyright (c) 2026 The ovs-xdp authors. */

/* The ovs-xdp datapath program: attached to every afxdp port of a datapath,
 * it hands each packet to the AF_XDP socket of its port and rx queue, with
 * metadata that tells userspace why it came. */

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xdp-abi.h"

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, XDP_ABI_MAX_PORTS);
    __type(key, __u32);                 /* ifindex */
    __type(value, struct xdp_abi_port);
} port_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_XSKMAP);
    __uint(max_entries, XDP_ABI_XSKS);
    __type(key, __u32);                 /* slot * MAX_QUEUES + queue */
    __type(value, __u32);
} xsk_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, XDP_ABI_N_COUNTERS);
    __type(key, __u32);
    __type(value, __u64);
} counters SEC(".maps");

static __always_inline void
count(__u32 index)
{
    __u64 *value = bpf_map_lookup_elem(&counters, &index);

    if (value) {
        *value += 1;
    }
}

/* Puts 'reason' and 'mark' in front of the packet for userspace.  Returns
 * false if the driver has no room for metadata. */
static __always_inline int
write_meta(struct xdp_md *ctx, __u16 reason, __u32 mark)
{
    struct xdp_abi_meta *meta;
    void *data;

    if (bpf_xdp_adjust_meta(ctx, -(int) sizeof *meta)) {
        return 0;
    }
    meta = (void *) (long) ctx->data_meta;
    data = (void *) (long) ctx->data;
    if ((void *) (meta + 1) > data) {
        return 0;
    }
    meta->flow_mark = mark;
    meta->reason = reason;
    meta->magic = XDP_ABI_META_MAGIC;
    return 1;
}

/* Sends the packet to the socket of its port and queue; without one, to
 * the kernel stack. */
static __always_inline int
upcall(struct xdp_md *ctx, const struct xdp_abi_port *port, __u16 reason,
       __u32 mark)
{
    __u32 queue = ctx->rx_queue_index;
    __u32 index;

    if (queue >= port->n_rxq || queue >= XDP_ABI_MAX_QUEUES) {
        count(XDP_ABI_CNT_PASS);
        return XDP_PASS;
    }
    if (!write_meta(ctx, reason, mark)) {
        count(XDP_ABI_CNT_META_FAIL);
    }
    index = port->slot * XDP_ABI_MAX_QUEUES + queue;
    /* The low bits of the flags are the verdict when no socket is bound. */
    if (bpf_redirect_map(&xsk_map, index, XDP_PASS) == XDP_REDIRECT) {
        count(XDP_ABI_CNT_TO_XSK);
        return XDP_REDIRECT;
    }
    count(XDP_ABI_CNT_PASS);
    return XDP_PASS;
}

SEC("xdp")
int
ovs_xdp_main(struct xdp_md *ctx)
{
    __u32 ifindex = ctx->ingress_ifindex;
    struct xdp_abi_port *port;

    count(XDP_ABI_CNT_RX);
    port = bpf_map_lookup_elem(&port_map, &ifindex);
    if (!port) {
        count(XDP_ABI_CNT_NO_PORT);
        return XDP_PASS;
    }
    return upcall(ctx, port, XDP_ABI_UPCALL_MISS, 0);
}

char _license[] SEC("license") = "Dual BSD/GPL";
