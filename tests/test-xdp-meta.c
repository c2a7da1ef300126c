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

/* The metadata block in front of packets that the XDP program hands to
 * userspace: what the program writes on a miss and on a partial flow
 * (BPF_PROG_RUN gives the frame back), read by lib/xdp-meta.c's
 * xdp_meta_take() as netdev-xdp does, against what each case calls for: the
 * program's block taken with its cookie, and blocks with another cookie,
 * no cookie, half the cookie, another length or too little headroom
 * refused (and zeroed or left alone). */

#include <config.h>

#undef NDEBUG
#include <stdio.h>
#include <string.h>

#include "ovstest.h"
#include "packets.h"
#include "util.h"
#include "xdp-abi.h"
#include "xdp-flow.h"
#include "xdp-meta.h"
#include "xdp-test-harness.h"
#include "xdp-test-packet.h"

#define META_HEADROOM 256       /* As the kernel leaves in a UMEM frame. */

struct meta_frame {
    uint8_t bytes[META_HEADROOM + MAX_PKT];
};

/* Puts 'block' in front of a packet of 'len' bytes in 'f', as the kernel
 * or a driver could leave it. */
static void
meta_frame_init(struct meta_frame *f, const struct xdp_abi_meta *block)
{
    memset(f, 0xa5, sizeof *f);
    memcpy(f->bytes + META_HEADROOM - sizeof *block, block, sizeof *block);
}

/* Reads the block in front of the packet in 'f' with 'headroom' and
 * 'cookie', as netdev-xdp does, and says what became of it. */
static void
print_take(const char *what, struct meta_frame *f, size_t headroom,
           uint32_t len, uint64_t cookie)
{
    static const struct xdp_abi_meta zero;
    uint8_t *data = f->bytes + META_HEADROOM;
    uint8_t before[sizeof zero];
    struct xdp_abi_meta meta;
    enum xdp_meta_status status;

    memcpy(before, data - sizeof before, sizeof before);
    status = xdp_meta_take(data, headroom, len, cookie, &meta);
    printf("%s: %s", what, xdp_meta_status_to_string(status));
    if (status == XDP_META_OK) {
        printf(", reason %"PRIu16", mark %#"PRIx32, meta.reason,
               meta.flow_mark);
    }
    printf(", block %s\n",
           !memcmp(data - sizeof zero, &zero, sizeof zero) ? "zeroed"
           : !memcmp(data - sizeof before, before, sizeof before)
           ? "untouched" : "changed");
}

/* The program writes the cookie it was loaded with in front of every packet
 * for userspace; the reader takes the flow mark only from such a block. */
static void
test_meta(void)
{
    uint64_t cookie, other;
    struct xdp_flow_entry partial;
    struct xdp_flow_key mask, key_b;
    struct xdp_abi_meta block;
    uint8_t out[MAX_PKT + 64];
    struct meta_frame f;
    struct xdp_test t;
    uint32_t out_len;
    struct pkt a, b;
    uint32_t order = 0;
    int verdict, error;

    ovs_assert(!xdp_meta_cookie_create(&cookie));
    ovs_assert(!xdp_meta_cookie_create(&other));
    printf("cookies: %s\n",
           cookie && other && cookie != other ? "nonzero, different" : "bad");

    xt_meta_cookie = cookie;
    error = xt_open(&t, 0, 0, false);
    xt_meta_cookie = 0;
    if (error) {
        ovs_fatal(error, "cannot load the XDP program");
    }

    /* A miss and a partial flow, through the program.  BPF_PROG_RUN gives
     * back the metadata with the packet: the frame userspace would get. */
    tcp_packet(&a, 1, 80);
    tcp_packet(&b, 1, 81);
    ovs_assert(xt_parse(&t, b.data, b.len, &key_b) == XDP_FLOW_PARSE_OK);
    memset(&mask, 0, sizeof mask);
    mask.in_port = UINT32_MAX;
    mask.tp_dst = OVS_BE16_MAX;
    xt_set_mask(&t, 0, &mask);
    xt_set_order(&t, &order, 1);
    memset(&partial, 0, sizeof partial);
    partial.n_actions = 1;
    partial.mark = 0x1234;
    partial.actions[0].type = XDP_FLOW_ACT_UPCALL_PARTIAL;
    xt_put_flow(&t, 0, &mask, &key_b, 1, &partial);

    verdict = xt_run(&t, t.main_fd, a.data, a.len, out, &out_len, 1, NULL);
    printf("miss: %s, %"PRIu32" bytes in front of the packet\n",
           verdict_name(verdict), out_len - (uint32_t) a.len);
    ovs_assert(out_len == a.len + sizeof block);
    memcpy(&block, out, sizeof block);
    meta_frame_init(&f, &block);
    print_take("  read with the program's cookie", &f, META_HEADROOM, a.len,
               cookie);
    print_take("  read again", &f, META_HEADROOM, a.len, cookie);

    verdict = xt_run(&t, t.main_fd, b.data, b.len, out, &out_len, 1, NULL);
    printf("partial: %s, %"PRIu32" bytes in front of the packet\n",
           verdict_name(verdict), out_len - (uint32_t) b.len);
    ovs_assert(out_len == b.len + sizeof block);
    memcpy(&block, out, sizeof block);
    meta_frame_init(&f, &block);
    print_take("  read with the program's cookie", &f, META_HEADROOM, b.len,
               cookie);
    meta_frame_init(&f, &block);
    print_take("  read with another cookie", &f, META_HEADROOM, b.len, other);
    meta_frame_init(&f, &block);
    print_take("  read with no cookie", &f, META_HEADROOM, b.len, 0);
    meta_frame_init(&f, &block);
    print_take("  read for a packet of another length", &f, META_HEADROOM,
               b.len + 1, cookie);
    meta_frame_init(&f, &block);
    print_take("  read with just enough headroom", &f, sizeof block, b.len,
               cookie);
    meta_frame_init(&f, &block);
    print_take("  read with too little headroom", &f, sizeof block - 1,
               b.len, cookie);
    xt_close(&t);

    /* Blocks the program did not write: forged by a packet, or left by an
     * earlier use of the frame. */
    memset(&block, 0, sizeof block);
    block.cookie[0] = (uint32_t) other;
    block.cookie[1] = (uint32_t) (other >> 32);
    block.flow_mark = 7;
    block.reason = XDP_ABI_UPCALL_PARTIAL;
    block.len = b.len;
    meta_frame_init(&f, &block);
    print_take("forged, other cookie", &f, META_HEADROOM, b.len, cookie);
    block.cookie[0] = (uint32_t) cookie;
    meta_frame_init(&f, &block);
    print_take("forged, half the cookie", &f, META_HEADROOM, b.len, cookie);
    block.cookie[0] = block.cookie[1] = 0;
    meta_frame_init(&f, &block);
    print_take("forged, no cookie", &f, META_HEADROOM, b.len, cookie);
    memset(&block, 0, sizeof block);
    meta_frame_init(&f, &block);
    print_take("zeros", &f, META_HEADROOM, b.len, cookie);
}

static void
test_xdp_meta_main(int argc OVS_UNUSED, char *argv[] OVS_UNUSED)
{
    test_meta();
}

OVSTEST_REGISTER("test-xdp-meta", test_xdp_meta_main);
