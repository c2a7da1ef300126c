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

/* Unit tests of the "xdp" datapath class, through OVS's dpif API. */

#include <config.h>

#undef NDEBUG
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dpif.h"
#include "dpif-xdp.h"
#include "netdev.h"
#include "odp-util.h"
#include "openvswitch/vlog.h"
#include "ovs-xdp.h"
#include "ovstest.h"
#include "sset.h"
#include "util.h"
#include "xdp-bpffs.h"

/* Opens a dummy netdev 'name' and adds it to 'dpif' as port 'port_no'
 * (ODPP_NONE: let the datapath choose); prints the number it got. */
static void
add_port(struct dpif *dpif, const char *name, odp_port_t port_no)
{
    struct netdev *netdev;
    int error;

    error = netdev_open(name, "dummy", &netdev);
    if (error) {
        ovs_fatal(error, "netdev_open %s", name);
    }
    error = dpif_port_add(dpif, netdev, &port_no);
    if (error) {
        printf("%s: %s\n", name, ovs_strerror(error));
    } else {
        printf("%s: port %"PRIu32"\n", name, odp_to_u32(port_no));
    }
    netdev_close(netdev);
}

static void
test_dpif_xdp_main(int argc OVS_UNUSED, char *argv[] OVS_UNUSED)
{
    struct dpif_port_dump dump;
    struct dpif_port dpif_port;
    struct sset types = SSET_INITIALIZER(&types);
    struct dpif *dpif;
    int error;

    vlog_set_verbosity("off");
    ovs_xdp_init();

    dp_enumerate_types(&types);
    printf("xdp type registered: %s\n",
           sset_contains(&types, DPIF_XDP_TYPE) ? "yes" : "no");
    sset_destroy(&types);

    printf("internal opens as: %s\n",
           dpif_port_open_type(DPIF_XDP_TYPE, "internal"));
    printf("system opens as: %s\n",
           dpif_port_open_type(DPIF_XDP_TYPE, "system"));

    error = dpif_create_and_open("ovs-xdp", DPIF_XDP_TYPE, &dpif);
    if (error) {
        ovs_fatal(error, "dpif_create_and_open");
    }
    printf("datapath: %s type %s is xdp: %s\n", dpif_name(dpif),
           dpif_type(dpif), dpif_is_xdp(dpif) ? "yes" : "no");

    /* Numbers do not follow the digits in the names. */
    add_port(dpif, "p5", ODPP_NONE);
    add_port(dpif, "br7", ODPP_NONE);
    add_port(dpif, "p0", ODPP_NONE);
    add_port(dpif, "p9", u32_to_odp(9));
    add_port(dpif, "p10", u32_to_odp(9));
    add_port(dpif, "p11", ODPP_NONE);

    DPIF_PORT_FOR_EACH (&dpif_port, &dump, dpif) {
        printf("dump: %"PRIu32" %s %s\n", odp_to_u32(dpif_port.port_no),
               dpif_port.name, dpif_port.type);
    }

    /* Goes through dpif-netdev's cast of the datapath. */
    printf("flush: %s\n", ovs_strerror(dpif_flow_flush(dpif)));

    error = dpif_delete(dpif);
    printf("delete: %s\n", ovs_strerror(error));
    dpif_close(dpif);
}

OVSTEST_REGISTER("test-dpif-xdp", test_dpif_xdp_main);

/* test-bpffs DIR: checks DIR as a BPF filesystem, prints the verdict. */
static void
test_bpffs_main(int argc, char *argv[])
{
    char *msg;
    int error;

    if (argc != 2) {
        ovs_fatal(0, "usage: test-bpffs DIR");
    }
    error = xdp_bpffs_check(argv[1], &msg);
    printf("%s\n", error ? msg : "ok");
    free(msg);
}

OVSTEST_REGISTER("test-bpffs", test_bpffs_main);

/* test-init: registers ovs-xdp's providers, as ovs-vswitchd does. */
static void
test_init_main(int argc OVS_UNUSED, char *argv[] OVS_UNUSED)
{
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_WARN);
    ovs_xdp_init();
}

OVSTEST_REGISTER("test-init", test_init_main);
