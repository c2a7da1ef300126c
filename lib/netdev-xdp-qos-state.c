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

/* The QoS state of afxdp ports that its three parts share: the state
 * itself (made on first use, listed for the datapath's run and wait), its
 * queues, the refusals of configurations, the port's MTU.  Configuration
 * is netdev-xdp-qos.c's, shaping netdev-xdp-shaper.c's, policing
 * netdev-xdp-police.c's. */

#include <config.h>

#include "netdev-provider.h"
#include "netdev-xdp-private.h"
#include "netdev-xdp-qos-private.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(netdev_xdp_qos_state);

/* Ports with QoS, for the datapath's run and wait.  Main thread only. */
struct ovs_list netdev_xdp_qos_ports
    = OVS_LIST_INITIALIZER(&netdev_xdp_qos_ports);

/* The port's MTU, or Ethernet's if it cannot say (its device is gone). */
int
qos_mtu(const struct netdev_xdp *dev)
{
    int mtu;

    return !netdev_get_mtu(&dev->up.up, &mtu) && mtu > 0 ? mtu
                                                          : ETH_PAYLOAD_MAX;
}

struct qos_queue *
qos_queue_find(const struct netdev_xdp_qos *qos, unsigned int id)
{
    struct qos_queue *q;

    HMAP_FOR_EACH_WITH_HASH (q, node, hash_int(id, 0), &qos->queues) {
        if (q->id == id) {
            return q;
        }
    }
    return NULL;
}

/* Notes that the configuration of 'what' ("QoS", "queue N", "ingress
 * policing") was refused with 'msg' (taken), or accepted if 'msg' is NULL.
 * Each refusal is logged once, until it changes: the bridge sets the same
 * configuration again at every change of the database. */
void
qos_note_error(struct netdev_xdp *dev, struct netdev_xdp_qos *qos,
               const char *what, char *msg)
{
    const char *old = smap_get(&qos->errors, what);

    if (nullable_string_is_equal(msg, old)) {
        free(msg);
        return;
    }
    if (msg) {
        VLOG_WARN("%s: QoS configuration refused, the previous one stays in "
                  "force: %s", netdev_get_name(&dev->up.up), msg);
        smap_replace_nocopy(&qos->errors, what, msg);
    } else {
        smap_remove(&qos->errors, what);
    }
    netdev_change_seq_changed(&dev->up.up);
}

struct netdev_xdp_qos *
qos_get(struct netdev_xdp *dev)
{
    if (!dev->qos) {
        struct netdev_xdp_qos *qos = xzalloc(sizeof *qos);

        qos->dev = dev;
        qos->police_slot = -1;
        smap_init(&qos->details);
        smap_init(&qos->errors);
        hmap_init(&qos->queues);
        ovs_list_push_back(&netdev_xdp_qos_ports, &qos->node);
        dev->qos = qos;
    }
    return dev->qos;
}
