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

/* The policers of afxdp ports: QoS types egress-policer and trtcm-policer
 * (per port and per queue) and Interface ingress_policing_*, written into
 * the XDP program's policers (lib/xdp-policer.c), which XDP runs on the
 * frames it receives and outputs; what userspace sends to a policed port
 * takes from the same buckets here.  The configuration's parsing is
 * netdev-xdp-qos.c's. */

#include <config.h>

#include <errno.h>
#include <string.h>

#include "dp-packet.h"
#include "netdev-provider.h"
#include "netdev-xdp-private.h"
#include "netdev-xdp-qos-private.h"
#include "openvswitch/vlog.h"
#include "util.h"
#include "xdp-policer.h"
#include "xdp-prog.h"

VLOG_DEFINE_THIS_MODULE(netdev_xdp_police);

bool
qos_is_policer(const struct netdev_xdp_qos *qos)
{
    return qos->type && (qos->type->kind == QOS_POLICE
                         || qos->type->kind == QOS_TRTCM);
}

static void
qos_policer_config(const struct qos_policer_params *p, bool trtcm,
                   struct xdp_policer_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->kind = trtcm ? XDP_POLICER_TRTCM : XDP_POLICER_BYTES;
    cfg->rate = p->cir;
    cfg->burst = p->cbs;
    if (trtcm) {
        cfg->eir = p->eir;
        cfg->ebs = p->ebs;
    }
}

/* Writes one policer of 'dev'; a failure is noted against 'what'. */
static void
qos_write_policer(struct netdev_xdp *dev, struct xdp_policers *pol,
                  enum xdp_policer_point point, uint32_t queue_id,
                  const struct xdp_policer_config *cfg, const char *what)
{
    char *msg = NULL;

    if (xdp_policer_set(pol, dev->slot, point, queue_id, cfg, &msg)) {
        qos_note_error(dev, dev->qos, what,
                       msg ? msg : xstrdup("cannot write the policer"));
    } else {
        free(msg);
    }
}

/* Writes the policers of 'dev' into its program: ingress policing, the
 * egress policer and trtcm-policer's queues.  Writing what is there already
 * costs nothing, so this runs after every change and whenever the port is
 * set up (a port's policers go with its slot). */
void
qos_apply_policers(struct netdev_xdp *dev)
{
    struct netdev_xdp_qos *qos = dev->qos;
    struct xdp_policer_config cfg;
    struct xdp_policers *pol;
    struct qos_queue *q;

    if (!qos || !dev->prog || dev->slot < 0) {
        return;
    }
    pol = xdp_prog_policers(dev->prog);
    if (!pol) {
        return;
    }
    if (qos->police_prog != dev->prog || qos->police_slot != dev->slot) {
        /* A new slot starts with no policer. */
        qos->police_prog = dev->prog;
        qos->police_slot = dev->slot;
        qos->n_police_queues = 0;
    }

    /* Ingress: kbit/s and kbit, kpkt/s and kpkt. */
    memset(&cfg, 0, sizeof cfg);
    if (qos->kbits_rate) {
        cfg.kind = XDP_POLICER_BYTES;
        cfg.rate = qos->kbits_rate * 1000ULL / 8;
        cfg.burst = qos->kbits_burst * 1000ULL / 8;
    }
    qos_write_policer(dev, pol, XDP_POLICER_INGRESS, 0, &cfg,
                      "ingress policing");
    memset(&cfg, 0, sizeof cfg);
    if (qos->kpkts_rate) {
        cfg.kind = XDP_POLICER_PACKETS;
        cfg.rate = qos->kpkts_rate * 1000ULL;
        cfg.burst = qos->kpkts_burst * 1000ULL;
    }
    qos_write_policer(dev, pol, XDP_POLICER_INGRESS_PKTS, 0, &cfg,
                      "ingress policing");

    /* Egress: the port's policer. */
    memset(&cfg, 0, sizeof cfg);
    if (qos_is_policer(qos)) {
        qos_policer_config(&qos->police, qos->type->kind == QOS_TRTCM, &cfg);
    }
    qos_write_policer(dev, pol, XDP_POLICER_EGRESS, 0, &cfg, "QoS");

    /* trtcm-policer's queues: first take out those that went. */
    for (size_t i = 0; i < qos->n_police_queues; i++) {
        unsigned int id = qos->police_queues[i];

        q = qos_queue_find(qos, id);
        if (!q || !qos->type || qos->type->kind != QOS_TRTCM) {
            memset(&cfg, 0, sizeof cfg);
            qos_write_policer(dev, pol, XDP_POLICER_QUEUE, id, &cfg, "QoS");
            qos->police_queues[i--] = qos->police_queues[
                --qos->n_police_queues];
        }
    }
    if (!qos->type || qos->type->kind != QOS_TRTCM) {
        return;
    }
    HMAP_FOR_EACH (q, node, &qos->queues) {
        /* Queue 0 without keys takes the port's, as OVS-DPDK's. */
        const struct qos_policer_params *p = (q->police.cir ? &q->police
                                              : &qos->police);
        char *what = xasprintf("queue %u", q->id);
        bool known = false;

        qos_policer_config(p, true, &cfg);
        qos_write_policer(dev, pol, XDP_POLICER_QUEUE, q->id, &cfg, what);
        free(what);
        for (size_t i = 0; i < qos->n_police_queues; i++) {
            known = known || qos->police_queues[i] == q->id;
        }
        if (!known && qos->n_police_queues < XDP_POLICE_MAX_QUEUES) {
            qos->police_queues[qos->n_police_queues++] = q->id;
        }
    }
}

/* The port has just been set up, on a slot of its program: its policers
 * go there. */
void
netdev_xdp_qos_port_up(struct netdev_xdp *dev)
{
    qos_apply_policers(dev);
}

/* Drops the packets of 'batch' that 'dev''s egress policers refuse: what
 * userspace sends to a policed port takes from the same buckets as what
 * XDP outputs there. */
void
netdev_xdp_qos_police(struct netdev_xdp *dev, struct dp_packet_batch *batch)
{
    const size_t size = dp_packet_batch_size(batch);
    struct xdp_policers *pol;
    struct dp_packet *packet;
    uint64_t now;
    size_t i;

    if (!dev->prog || dev->slot < 0) {
        return;
    }
    pol = xdp_prog_policers(dev->prog);
    if (!pol || !xdp_policer_egress_active(pol, dev->slot)) {
        return;
    }
    now = xdp_policer_now();
    DP_PACKET_BATCH_REFILL_FOR_EACH (i, size, packet, batch) {
        /* set_queue puts the queue number in the packet's priority. */
        if (xdp_policer_admit(pol, dev->slot, packet->md.skb_priority,
                              dp_packet_size(packet), now)) {
            dp_packet_batch_refill(batch, packet, i);
        } else {
            dp_packet_delete(packet);
        }
    }
}

/* What a policer of 'dev' let through (green and yellow, in XDP and in
 * userspace) and dropped (red), as queue statistics. */
void
qos_policer_stats(const struct netdev_xdp *dev,
                  enum xdp_policer_point point,
                  uint32_t queue_id, struct netdev_queue_stats *stats)
{
    struct xdp_policer_stats ps;

    memset(stats, 0, sizeof *stats);
    if (!dev->prog || dev->slot < 0
        || xdp_policer_get_stats(xdp_prog_policers(dev->prog), dev->slot,
                                 point, queue_id, &ps)) {
        return;
    }
    for (int c = XDP_POLICE_GREEN; c <= XDP_POLICE_YELLOW; c++) {
        stats->tx_packets += ps.xdp.packets[c] + ps.user.packets[c];
        stats->tx_bytes += ps.xdp.bytes[c] + ps.user.bytes[c];
    }
    stats->tx_errors = (ps.xdp.packets[XDP_POLICE_RED]
                        + ps.user.packets[XDP_POLICE_RED]);
}

/* Interface ingress_policing_rate and _burst (kbit/s, kbit),
 * ingress_policing_kpkts_rate and _burst (kpkt/s, kpkt): policers that XDP
 * runs on every frame the port receives, before the flow lookup. */
int
netdev_xdp_set_policing(struct netdev *netdev, uint32_t kbits_rate,
                        uint32_t kbits_burst, uint32_t kpkts_rate,
                        uint32_t kpkts_burst)
{
    struct netdev_xdp *dev = netdev_xdp_from_netdev(netdev);
    struct netdev_xdp_qos *qos;
    uint64_t frame_bits;

    if (!dev->qos && !kbits_rate && !kpkts_rate) {
        return 0;
    }
    qos = qos_get(dev);
    /* OVS's defaults, as netdev-linux's. */
    kbits_burst = !kbits_rate ? 0 : !kbits_burst ? 8000 : kbits_burst;
    kpkts_burst = !kpkts_rate ? 0 : !kpkts_burst ? 16 : kpkts_burst;
    frame_bits = 8ULL * qos_mtu(dev);
    if (kbits_rate && kbits_burst * 1000ULL < frame_bits) {
        qos_note_error(dev, qos, "ingress policing",
                       xasprintf("ingress_policing_burst=%"PRIu32" kbit is "
                                 "less than one frame of the port's MTU "
                                 "(%"PRIu64" bits)", kbits_burst,
                                 frame_bits));
        return EINVAL;
    }
    /* What XDP's buckets can hold: refused now, so that the previous
     * policing stays in force. */
    struct xdp_policer_config bytes = {
        .kind = kbits_rate ? XDP_POLICER_BYTES : XDP_POLICER_NONE,
        .rate = kbits_rate * 1000ULL / 8, .burst = kbits_burst * 1000ULL / 8,
    };
    struct xdp_policer_config packets = {
        .kind = kpkts_rate ? XDP_POLICER_PACKETS : XDP_POLICER_NONE,
        .rate = kpkts_rate * 1000ULL, .burst = kpkts_burst * 1000ULL,
    };
    char *msg;
    if (xdp_policer_check(&bytes, &msg) || xdp_policer_check(&packets, &msg)) {
        qos_note_error(dev, qos, "ingress policing",
                       xasprintf("ingress policing: %s", msg));
        free(msg);
        return EINVAL;
    }
    qos_note_error(dev, qos, "ingress policing", NULL);
    if (qos->kbits_rate != kbits_rate || qos->kbits_burst != kbits_burst
        || qos->kpkts_rate != kpkts_rate || qos->kpkts_burst != kpkts_burst) {
        qos->kbits_rate = kbits_rate;
        qos->kbits_burst = kbits_burst;
        qos->kpkts_rate = kpkts_rate;
        qos->kpkts_burst = kpkts_burst;
        VLOG_INFO("%s: ingress policing %"PRIu32" kbit/s burst %"PRIu32
                  " kbit, %"PRIu32" kpkt/s burst %"PRIu32" kpkt",
                  netdev_get_name(netdev), kbits_rate, kbits_burst,
                  kpkts_rate, kpkts_burst);
    }
    qos_apply_policers(dev);
    return 0;
}
