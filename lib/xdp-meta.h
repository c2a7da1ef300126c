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

#ifndef XDP_META_H
#define XDP_META_H 1

/* The metadata block that the XDP program writes in front of the packets
 * it sends to userspace (struct xdp_abi_meta), from userspace's side: the
 * cookie that makes it unforgeable, and reading it out of a received
 * frame. */

#include <stddef.h>
#include <stdint.h>

#include "xdp-abi.h"

enum xdp_meta_status {
    XDP_META_OK,                /* Written by the program for this packet. */
    XDP_META_NONE,              /* Nothing there (all zeros): the program
                                 * had no room for metadata. */
    XDP_META_NO_ROOM,           /* The frame has too little headroom to
                                 * hold metadata: nothing was read. */
    XDP_META_FORGED,            /* Bytes without the program's cookie. */
    XDP_META_STALE,             /* The program's cookie, but another
                                 * packet's length: left from an earlier
                                 * use of the frame. */
};

int xdp_meta_cookie_create(uint64_t *cookie);
enum xdp_meta_status xdp_meta_take(void *data, size_t headroom, uint32_t len,
                                   uint64_t cookie, struct xdp_abi_meta *);
const char *xdp_meta_status_to_string(enum xdp_meta_status);

#endif /* xdp-meta.h */
