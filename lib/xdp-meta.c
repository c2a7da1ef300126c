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

#include <config.h>

#include "xdp-meta.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "coverage.h"
#include "util.h"

COVERAGE_DEFINE(afxdp_rx_meta_no_room);
COVERAGE_DEFINE(afxdp_rx_meta_forged);
COVERAGE_DEFINE(afxdp_rx_meta_stale);

/* Sets '*cookie' to a new random cookie, never 0 (the value of a cleared
 * block), from the kernel's random number generator.  Returns 0 or a
 * positive errno value. */
int
xdp_meta_cookie_create(uint64_t *cookie)
{
    do {
        uint8_t *p = (uint8_t *) cookie;
        size_t n = 0;

        while (n < sizeof *cookie) {
            ssize_t retval = getrandom(p + n, sizeof *cookie - n, 0);

            if (retval < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return errno;
            }
            n += retval;
        }
    } while (!*cookie);
    return 0;
}

/* Reads the metadata block in front of 'data', the start of a received
 * packet of 'len' bytes with 'headroom' bytes of its frame before it, into
 * '*meta', and zeroes the block in the frame: frames come back for other
 * packets, for which it must not be taken again.  Returns XDP_META_OK if
 * the block carries 'cookie' (the cookie of the program that wrote it; 0
 * accepts nothing) and the packet's length; the caller must ignore '*meta'
 * otherwise. */
enum xdp_meta_status
xdp_meta_take(void *data, size_t headroom, uint32_t len, uint64_t cookie,
              struct xdp_abi_meta *meta)
{
    static const struct xdp_abi_meta zero;
    uint8_t *block;

    memset(meta, 0, sizeof *meta);
    if (headroom < sizeof *meta) {
        /* The block would start in another frame, or before the UMEM. */
        COVERAGE_INC(afxdp_rx_meta_no_room);
        return XDP_META_NO_ROOM;
    }
    block = (uint8_t *) data - sizeof *meta;
    memcpy(meta, block, sizeof *meta);
    memset(block, 0, sizeof *meta);

    if (!memcmp(meta, &zero, sizeof *meta)) {
        return XDP_META_NONE;
    }
    if (!cookie
        || meta->cookie[0] != (uint32_t) cookie
        || meta->cookie[1] != (uint32_t) (cookie >> 32)) {
        COVERAGE_INC(afxdp_rx_meta_forged);
        return XDP_META_FORGED;
    }
    if (meta->len != (uint16_t) len) {
        COVERAGE_INC(afxdp_rx_meta_stale);
        return XDP_META_STALE;
    }
    return XDP_META_OK;
}

const char *
xdp_meta_status_to_string(enum xdp_meta_status status)
{
    switch (status) {
    case XDP_META_OK:
        return "ok";
    case XDP_META_NONE:
        return "none";
    case XDP_META_NO_ROOM:
        return "no room";
    case XDP_META_FORGED:
        return "forged";
    case XDP_META_STALE:
        return "stale";
    }
    OVS_NOT_REACHED();
}
