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

/* Unit tests of the translation of ODP actions to XDP flow entries and
 * back (lib/xdp-odp-actions.c).  Each line of input is ODP actions in
 * ovs-dpctl syntax; each line of output says what XDP makes of them. */

#include <config.h>
#undef NDEBUG

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netlink.h"
#include "odp-util.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofpbuf.h"
#include "ovstest.h"
#include "util.h"
#include "xdp-odp-actions.h"

/* Datapath ports 1 to 9 are afxdp ports with ifindex 100 + port; others
 * are not. */
static uint32_t
test_port_to_ifindex(odp_port_t port, void *aux OVS_UNUSED,
                     const char **reason)
{
    uint32_t n = odp_to_u32(port);

    if (n >= 1 && n <= 9) {
        return 100 + n;
    }
    *reason = "outputs to a port that is not an afxdp port";
    return 0;
}

static odp_port_t
test_ifindex_to_port(uint32_t ifindex, void *aux OVS_UNUSED)
{
    return u32_to_odp(ifindex - 100);
}

static void
format_entry(struct ds *s, const struct xdp_flow_entry *entry)
{
    static const char *const names[] = {
        [XDP_FLOW_ACT_OUTPUT] = "output",
        [XDP_FLOW_ACT_PUSH_VLAN] = "push_vlan",
        [XDP_FLOW_ACT_POP_VLAN] = "pop_vlan",
        [XDP_FLOW_ACT_SET_FIELD] = "set_field",
        [XDP_FLOW_ACT_UPCALL_PARTIAL] = "partial",
        [XDP_FLOW_ACT_CT_CLEAR] = "ct_clear",
        [XDP_FLOW_ACT_CT] = "ct",
        [XDP_FLOW_ACT_RECIRC] = "recirc",
    };

    if (!entry->n_actions) {
        ds_put_cstr(s, "drop");
    }
    for (uint32_t i = 0; i < entry->n_actions; i++) {
        const struct xdp_flow_action *act = &entry->actions[i];

        ds_put_format(s, "%s%s", i ? " " : "", names[act->type]);
        if (act->type == XDP_FLOW_ACT_SET_FIELD) {
            ds_put_format(s, "(%u)", act->field);
        } else if (act->type == XDP_FLOW_ACT_CT) {
            ds_put_format(s, "(zone=%"PRIu32"%s%s)", act->arg,
                          act->field & XDP_FLOW_CT_COMMIT ? ",commit" : "",
                          act->field & XDP_FLOW_CT_NAT ? ",nat" : "");
        } else if (act->type == XDP_FLOW_ACT_OUTPUT
                   || act->type == XDP_FLOW_ACT_PUSH_VLAN
                   || act->type == XDP_FLOW_ACT_RECIRC) {
            ds_put_format(s, "(%#"PRIx32")", act->arg);
        }
    }
}

static void
test_one(const char *s)
{
    struct ofpbuf odp, back;
    struct xdp_flow_entry entry, entry2;
    const char *reason;
    struct ds out = DS_EMPTY_INITIALIZER;

    ofpbuf_init(&odp, 0);
    if (!strncmp(s, "attr ", 5)) {
        /* "attr N": an action of type N with a zeroed argument, for the
         * actions that odp_actions_from_string() does not parse. */
        nl_msg_put_unspec_zero(&odp, atoi(s + 5), 4);
    } else if (odp_actions_from_string(s, NULL, &odp)) {
        printf("%s: cannot parse\n", s);
        ofpbuf_uninit(&odp);
        return;
    }

    memset(&entry, 0, sizeof entry);
    reason = xdp_odp_actions_to_entry(odp.data, odp.size,
                                      test_port_to_ifindex, NULL, &entry);
    ds_put_format(&out, "%s -> ", s);
    if (reason) {
        ds_put_format(&out, "partial: it %s", reason);
        ovs_assert(xdp_flow_entry_is_partial(&entry));
    } else {
        format_entry(&out, &entry);

        /* Back to ODP, and again to XDP: the same entry. */
        ofpbuf_init(&back, 0);
        xdp_odp_actions_from_entry(&entry, test_ifindex_to_port, NULL,
                                   &back);
        ds_put_cstr(&out, " -> ");
        if (back.size) {
            format_odp_actions(&out, back.data, back.size, NULL);
        } else {
            ds_put_cstr(&out, "drop");
        }
        memset(&entry2, 0, sizeof entry2);
        ovs_assert(!xdp_odp_actions_to_entry(back.data, back.size,
                                             test_port_to_ifindex, NULL,
                                             &entry2));
        if (memcmp(&entry, &entry2, sizeof entry)) {
            ds_put_cstr(&out, " (ROUND TRIP DIFFERS)");
        }
        ofpbuf_uninit(&back);
    }
    puts(ds_cstr(&out));
    ds_destroy(&out);
    ofpbuf_uninit(&odp);
}

static void
test_xdp_offload_main(int argc OVS_UNUSED, char *argv[] OVS_UNUSED)
{
    struct ds line = DS_EMPTY_INITIALIZER;

    while (!ds_get_line(&line, stdin)) {
        test_one(ds_cstr(&line));
    }
    ds_destroy(&line);
}

OVSTEST_REGISTER("test-xdp-offload", test_xdp_offload_main);
