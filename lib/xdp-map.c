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

#include "xdp-map.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "coverage.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(xdp_map);

COVERAGE_DEFINE(xdp_map_update_error);
COVERAGE_DEFINE(xdp_map_delete_error);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* Writes 'value' at 'key' in map 'fd' (named 'name', for the log) with
 * bpf_map_update_elem() 'flags'.  Returns 0 or a positive errno value.
 * Failures are logged and counted, except EEXIST with BPF_NOEXIST, an
 * answer that the caller asked for. */
int
xdp_map_update(int fd, const char *name, const void *key, const void *value,
               uint64_t flags)
{
    int error;

    if (!bpf_map_update_elem(fd, key, value, flags)) {
        return 0;
    }
    error = errno;
    if (error == EEXIST && flags == BPF_NOEXIST) {
        VLOG_DBG_RL(&rl, "cannot write map %s (%s)", name,
                    ovs_strerror(error));
    } else {
        COVERAGE_INC(xdp_map_update_error);
        VLOG_WARN_RL(&rl, "cannot write map %s (%s)", name,
                     ovs_strerror(error));
    }
    return error;
}

/* Deletes 'key' from map 'fd' (named 'name').  Returns 0, ENOENT if there
 * was no such key (not logged: what was asked holds) or another positive
 * errno value, logged and counted. */
int
xdp_map_delete(int fd, const char *name, const void *key)
{
    int error;

    if (!bpf_map_delete_elem(fd, key)) {
        return 0;
    }
    error = errno;
    if (error == ENOENT) {
        VLOG_DBG_RL(&rl, "map %s has no such key to delete", name);
        return ENOENT;
    }
    COVERAGE_INC(xdp_map_delete_error);
    VLOG_WARN_RL(&rl, "cannot delete from map %s (%s)", name,
                 ovs_strerror(error));
    return error;
}

static int
xdp_map_compare_keys(const void *a, const void *b, void *key_size)
{
    return memcmp(a, b, *(size_t *) key_size);
}

/* Stores in '*keys' a new array of the keys of hash map 'fd', whose keys
 * are 'key_size' bytes, at most 'max' of them (the map's size), and returns
 * their number.  The keys are in memcmp() order, each once.  Keys that come
 * and go meanwhile may or may not be there. */
size_t
xdp_map_keys(int fd, size_t key_size, size_t max, void **keys)
{
    size_t n = 0, n_unique = 0, allocated = 16;
    uint8_t *array = xmalloc(allocated * key_size);

    /* A key deleted under the walk makes it start again: bounded. */
    while (n < max) {
        if (n >= allocated) {
            allocated = MIN(2 * allocated, max);
            array = xrealloc(array, allocated * key_size);
        }
        if (bpf_map_get_next_key(fd, n ? array + (n - 1) * key_size : NULL,
                                 array + n * key_size)) {
            break;
        }
        n++;
    }
    qsort_r(array, n, key_size, xdp_map_compare_keys, &key_size);
    for (size_t i = 0; i < n; i++) {
        if (!n_unique || memcmp(array + (n_unique - 1) * key_size,
                                array + i * key_size, key_size)) {
            memmove(array + n_unique++ * key_size, array + i * key_size,
                    key_size);
        }
    }
    *keys = array;
    return n_unique;
}

/* Notes a difference that xdp/check found: a line in 'check->out', with
 * what became of the repair, which failed with positive errno value 'error'
 * unless it is 0. */
void
xdp_check_diff(struct xdp_check *check, int error, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    ds_put_format_valist(check->out, format, args);
    va_end(args);
    if (error) {
        ds_put_format(check->out, ": not repaired (%s)", ovs_strerror(error));
        check->n_unrepaired++;
    } else {
        check->n_repaired++;
    }
    ds_put_char(check->out, '\n');
}

#define XDP_CHECK_PLURAL(N) (N), (N) == 1 ? "" : "s"

/* Appends xdp/check's summary line to 's'. */
void
xdp_check_format_summary(const struct xdp_check *check, struct ds *s)
{
    ds_put_format(s, "xdp/check: %"PRIu32" flow%s, %"PRIu32" mask%s, "
                  "%"PRIu32" port%s checked, %"PRIu32" difference%s repaired",
                  XDP_CHECK_PLURAL(check->n_flows),
                  XDP_CHECK_PLURAL(check->n_masks),
                  XDP_CHECK_PLURAL(check->n_ports),
                  XDP_CHECK_PLURAL(check->n_repaired));
    if (check->n_unrepaired) {
        ds_put_format(s, ", %"PRIu32" not repaired", check->n_unrepaired);
    }
    ds_put_char(s, '\n');
}
