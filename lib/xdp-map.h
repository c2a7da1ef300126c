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

#ifndef XDP_MAP_H
#define XDP_MAP_H 1

/* Checked writes to the XDP program's maps: every update and delete that
 * userspace makes goes through these, which log a failure (rate-limited,
 * with the map's name and the errno) and count it in coverage counters
 * (xdp_map_update_error, xdp_map_delete_error). */

#include <stddef.h>
#include <stdint.h>

#include "compiler.h"

struct ds;

int xdp_map_update(int fd, const char *name, const void *key,
                   const void *value, uint64_t flags);
int xdp_map_delete(int fd, const char *name, const void *key);
size_t xdp_map_keys(int fd, size_t key_size, size_t max, void **keys);

/* xdp/check: the maps compared with what userspace wrote, and repaired. */
struct xdp_check {
    struct ds *out;             /* Gets a line per difference. */
    uint32_t n_flows;           /* Flows, masks and ports checked. */
    uint32_t n_masks;
    uint32_t n_ports;
    uint32_t n_repaired;        /* Differences repaired. */
    uint32_t n_unrepaired;      /* Differences that could not be. */
};

void xdp_check_diff(struct xdp_check *, int error, const char *format, ...)
    OVS_PRINTF_FORMAT(3, 4);
void xdp_check_format_summary(const struct xdp_check *, struct ds *);

#endif /* xdp-map.h */
