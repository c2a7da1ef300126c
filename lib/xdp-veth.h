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

#ifndef XDP_VETH_H
#define XDP_VETH_H 1

#include <stdbool.h>

/* Whether XDP_REDIRECT into a device delivers frames.
 *
 * The kernel delivers frames that XDP redirects into a veth only if the
 * veth's peer has NAPI enabled, which is the case only while the peer has a
 * native-mode XDP program attached or GRO turned on.  Otherwise it drops
 * every frame without a trace, so a datapath must send such outputs another
 * way.
 *
 * The answer is a snapshot: it changes when someone turns GRO on or off on
 * the peer or attaches or detaches the peer's XDP program. */

/* Returns true if frames that XDP redirects into the device with
 * 'ifindex' (named 'name') are delivered.  False with a reason in
 * '*reason' (caller frees) otherwise, or when it cannot be told.
 *
 * Devices other than veth are assumed to deliver.  If 'ifindex' is not
 * positive, the device is looked up by 'name'.  Logs nothing above debug
 * level.  Thread-safe: a peer in another network namespace is inspected by
 * moving only the calling thread into that namespace and back. */
bool xdp_veth_redirect_ok(int ifindex, const char *name, char **reason);

#endif /* xdp-veth.h */
