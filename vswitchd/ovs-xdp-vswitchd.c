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

/* ovs-xdp's ovs-vswitchd is upstream's, linked with ovs-xdp's providers.
 * The linker (--wrap) routes two of upstream main()'s calls here: one to
 * register the providers after logging is set up and before the bridge
 * opens any datapath, one to say what this program is. */

#include <config.h>

#include <stdint.h>
#include <stdio.h>

#include "ovs-xdp.h"
#include "util.h"
#include "vswitchd/bridge.h"

void __real_bridge_init(const char *remote);
void __wrap_bridge_init(const char *remote);
void __wrap_ovs_print_version(uint8_t min_ofp, uint8_t max_ofp);

void
__wrap_bridge_init(const char *remote)
{
    ovs_xdp_init();
    __real_bridge_init(remote);
}

void
__wrap_ovs_print_version(uint8_t min_ofp OVS_UNUSED,
                         uint8_t max_ofp OVS_UNUSED)
{
    printf("%s (ovs-xdp) %s\n", program_name, OVS_XDP_VERSION);
    printf("Open vSwitch %s (the tree ovs-xdp is built on)\n",
           OVS_XDP_OVS_VERSION);
}
