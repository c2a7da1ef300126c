// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Copyright (c) 2026 The ovs-xdp authors. */

/* Programs of the live-frames packet rate benchmark
 * (utilities/ovs-xdp-pktgen.c, utilities/ovs-xdp-bench-live.sh):
 *
 *   xdp_pktgen         the traffic generator, run by BPF_PROG_RUN with
 *                      BPF_F_TEST_XDP_LIVE_FRAMES;
 *   xdp_sink           on the receiving veth: counts and drops;
 *   xdp_bare_redirect  the baseline: where the datapath program would be,
 *                      redirects every frame through a devmap and does
 *                      nothing else.
 *
 * None of them is part of the datapath.  Everything here loads on kernel
 * 6.1: live frames exist since 5.18, devmap-hash since 5.4. */

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Set by the tool before loading.  The generator numbers the frames it
 * sends 0, 1, 2, ... and gives frame I flow I % n_flows: flow F has UDP
 * source port sport_base + F % port_span and IPv4 source address
 * src_base + F / port_span (host order), so that up to port_span flows
 * differ in their ports only and more flows in their addresses too.  With
 * one flow it leaves the frame as it is. */
const volatile __u32 n_flows = 1;
const volatile __u32 sport_base = 0;
const volatile __u32 port_span = 1;
const volatile __u32 src_base = 0;

/* Frames generated so far on each CPU: the next source port. */
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} pktgen_seq SEC(".maps");

/* What xdp_sink received, per CPU. */
struct sink_stats {
    __u64 packets;
    __u64 bytes;
};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct sink_stats);
} sink_stats SEC(".maps");

/* xdp_bare_redirect's egress: ingress ifindex -> egress device. */
struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, struct bpf_devmap_val);
} bare_ports SEC(".maps");

/* Returns the UDP header of an IPv4 frame without IP options, or NULL;
 * '*ipp' is its IPv4 header. */
static __always_inline struct udphdr *
pktgen_udp(void *data, void *data_end, struct iphdr **ipp)
{
    struct ethhdr *eth = data;
    struct iphdr *ip;
    struct udphdr *udp;

    if ((void *) (eth + 1) > data_end
        || eth->h_proto != bpf_htons(ETH_P_IP)) {
        return NULL;
    }
    ip = (void *) (eth + 1);
    if ((void *) (ip + 1) > data_end || ip->ihl != 5
        || ip->protocol != IPPROTO_UDP) {
        return NULL;
    }
    udp = (void *) (ip + 1);
    if ((void *) (udp + 1) > data_end) {
        return NULL;
    }
    *ipp = ip;
    return udp;
}

/* Adds 'delta' (host order) to the checksum 'csum' of an IPv4 header
 * whose 32-bit word 'old' (network order) becomes 'new' (RFC 1624). */
static __always_inline __u16
pktgen_csum_replace(__u16 csum, __be32 old, __be32 new)
{
    __u32 sum = (__u16) ~csum;

    sum += (__u16) ~old + (__u16) ~(old >> 16);
    sum += (__u16) new + (__u16) (new >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return ~sum;
}

/* Live frames start each run from the frame userspace gave, or from this
 * program's last rewrite of the same page (pages are recycled without
 * being rewritten), so the port and the address are written every time.
 * The UDP checksum of generated frames is zero (none, in IPv4): nothing
 * to update there; the IPv4 header checksum is updated. */
static __always_inline void
pktgen_set_flow(struct xdp_md *ctx)
{
    void *data_end = (void *) (long) ctx->data_end;
    void *data = (void *) (long) ctx->data;
    struct iphdr *ip = NULL;
    __u32 zero = 0;
    struct udphdr *udp;
    __u64 *seq;

    seq = bpf_map_lookup_elem(&pktgen_seq, &zero);
    if (!seq) {
        return;
    }
    udp = pktgen_udp(data, data_end, &ip);
    if (!udp || !ip) {
        return;
    }

    __u32 flow = *seq % n_flows;
    __be32 src = bpf_htonl(src_base + flow / port_span);

    *seq += 1;
    udp->source = bpf_htons((__u16) (sport_base + flow % port_span));
    if (ip->saddr != src) {
        ip->check = pktgen_csum_replace(ip->check, ip->saddr, src);
        ip->saddr = src;
    }
}

/* In live-frames mode BPF_PROG_RUN runs this with the generator veth as
 * ingress_ifindex.  XDP_TX there is a redirect back out of that same
 * device (the run is not in driver context), i.e. into the veth's
 * ndo_xdp_xmit and so to its peer.  That needs neither a devmap nor an
 * ifindex in the program, and works the same since live frames appeared
 * (5.18), so on 6.1 too. */
SEC("xdp")
int
xdp_pktgen(struct xdp_md *ctx)
{
    if (n_flows > 1) {
        pktgen_set_flow(ctx);
    }
    return XDP_TX;
}

/* Attached to the sink veth: counts what arrives and drops it.  Being
 * attached also turns on NAPI on that veth, without which frames that are
 * XDP_REDIRECTed into its peer would be dropped. */
SEC("xdp")
int
xdp_sink(struct xdp_md *ctx)
{
    struct sink_stats *stats;
    __u32 zero = 0;

    stats = bpf_map_lookup_elem(&sink_stats, &zero);
    if (stats) {
        stats->packets += 1;
        stats->bytes += ctx->data_end - ctx->data;
    }
    return XDP_DROP;
}

/* The baseline: one devmap lookup and redirect per frame, as the datapath
 * program ends for a flow that outputs to another port.  Frames from a
 * port without an entry are dropped. */
SEC("xdp")
int
xdp_bare_redirect(struct xdp_md *ctx)
{
    return bpf_redirect_map(&bare_ports, ctx->ingress_ifindex, XDP_DROP);
}

char _license[] SEC("license") = "Dual BSD/GPL";
