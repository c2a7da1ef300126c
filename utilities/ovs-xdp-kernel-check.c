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

/* Loads every program of the given BPF objects into the running kernel,
 * one program at a time (so the verifier judges each on its own), prints
 * the verifier's log of any program it rejects, runs packets through each
 * loaded program with BPF_PROG_RUN and prints one line per program:
 *
 *     ovs-xdp-kernel-check: PASS|FAIL PROGRAM (OBJECT) on KERNEL: ...
 *
 * then "ovs-xdp-kernel-check: N programs: P passed, F failed on KERNEL".
 * Exits 0 only if every program passed.
 *
 * usage: ovs-xdp-kernel-check OBJECT...
 *
 * Statically linked with libbpf so that utilities/ovs-xdp-kernel-check.sh
 * can run it alone in an initramfs, under other kernels (Debian 12's 6.1).
 * It needs nothing of Open vSwitch: only the ABI headers of the program. */

#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "xdp-abi.h"
#include "xdp-flow-abi.h"

#define PROGRAM_NAME "ovs-xdp-kernel-check"

/* The verifier's log of a program it rejects.  Kernel 6.1 keeps the start
 * of a log that overflows and loses the end, where the error is, so the
 * buffer is large; only its last lines are printed. */
#define LOG_SIZE (512u << 20)
#define LOG_TAIL_LINES 200

/* Chosen here, written into the program's read-only data before the load:
 * the metadata of an upcall must carry it. */
#define TEST_META_COOKIE 0x0123456789abcdefULL

/* The ingress port of the runs that need one: the loopback device, which
 * every network namespace has, with ifindex 1. */
#define TEST_IFINDEX 1
#define TEST_ODP_PORT 7

static char kernel[65];
static char *log_buf;

static int
print_libbpf(enum libbpf_print_level level, const char *format, va_list args)
{
    if (level == LIBBPF_WARN) {
        return vfprintf(stderr, format, args);
    }
    return 0;
}

/* This program links nothing of Open vSwitch, so that it can be static and
 * run alone in an initramfs: it has its own xmalloc() and ovs_strerror()
 * (one thread, so strerror() is safe). */
static void *
alloc_or_die(size_t size)
{
    void *p = malloc(size);

    if (!p) {
        fprintf(stderr, PROGRAM_NAME": out of memory (%zu bytes)\n", size);
        exit(1);
    }
    return p;
}

static const char *
error_string(int error)
{
    return strerror(error);
}

/* Prints the last LOG_TAIL_LINES lines of 'log'. */
static void
print_log_tail(const char *log)
{
    size_t len = strlen(log);
    const char *start = log + len;
    int lines = 0;

    while (start > log) {
        if (*(start - 1) == '\n' && start != log + len
            && ++lines > LOG_TAIL_LINES) {
            break;
        }
        start--;
    }
    printf("----- verifier log%s -----\n%s%s----- end of verifier log -----\n",
           start > log ? " (last lines)" : "", start,
           len && log[len - 1] != '\n' ? "\n" : "");
}

/* Sets the 64-bit variable 'name' of the read-only data of 'obj', which is
 * open and not loaded, to 'value'.  Returns 0 or a negative errno. */
static int
set_rodata_u64(struct bpf_object *obj, const char *name, uint64_t value)
{
    const struct btf_var_secinfo *var;
    const struct btf_type *sec;
    struct bpf_map *map;
    struct btf *btf;
    size_t size;
    char *data;
    int id, i;

    btf = bpf_object__btf(obj);
    id = btf ? btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC) : -1;
    if (id < 0) {
        return -ENOENT;
    }
    sec = btf__type_by_id(btf, id);
    var = btf_var_secinfos(sec);
    for (i = 0; i < btf_vlen(sec); i++, var++) {
        const struct btf_type *t = btf__type_by_id(btf, var->type);

        if (!strcmp(btf__name_by_offset(btf, t->name_off), name)) {
            break;
        }
    }
    if (i >= btf_vlen(sec) || var->size != sizeof value) {
        return -ENOENT;
    }

    bpf_object__for_each_map (map, obj) {
        const char *map_name = bpf_map__name(map);
        size_t n = strlen(map_name);

        if (bpf_map__is_internal(map) && n >= 7
            && !strcmp(map_name + n - 7, ".rodata")) {
            const void *initial = bpf_map__initial_value(map, &size);
            int error;

            if (!initial || var->offset + sizeof value > size) {
                return -EINVAL;
            }
            data = alloc_or_die(size);
            memcpy(data, initial, size);
            memcpy(data + var->offset, &value, sizeof value);
            error = bpf_map__set_initial_value(map, data, size);
            free(data);
            return error;
        }
    }
    return -ENOENT;
}

/* Frames. */

struct frame {
    uint8_t data[128];
    uint32_t size;
};

static void
put16(uint8_t *p, uint16_t value)
{
    p[0] = value >> 8;
    p[1] = value;
}

static void
put32(uint8_t *p, uint32_t value)
{
    put16(p, value >> 16);
    put16(p + 2, value);
}

/* The addresses and ports of the test frame. */
#define TEST_IP_SRC 0xc0000201          /* 192.0.2.1 (TEST-NET-1). */
#define TEST_IP_DST 0xc0000202          /* 192.0.2.2. */
#define TEST_UDP_SRC 1234
#define TEST_UDP_DST 5678

/* Makes an Ethernet frame, with an 802.1Q header of VLAN 10 if 'vlan',
 * that carries an IPv4 UDP datagram with 18 bytes of payload. */
static void
make_udp_frame(struct frame *f, bool vlan)
{
    static const uint8_t dst[6] = { 0x02, 0, 0, 0, 0, 0x02 };
    static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x01 };
    uint32_t sum = 0;
    uint8_t *ip, *udp;
    int i;

    memset(f, 0, sizeof *f);
    memcpy(f->data, dst, 6);
    memcpy(f->data + 6, src, 6);
    ip = f->data + 14;
    if (vlan) {
        put16(f->data + 12, 0x8100);
        put16(f->data + 14, 10);
        ip += 4;
    }
    put16(ip - 2, 0x0800);

    ip[0] = 0x45;                       /* Version 4, 20-byte header. */
    put16(ip + 2, 20 + 8 + 18);         /* Total length. */
    ip[8] = 64;                         /* TTL. */
    ip[9] = 17;                         /* UDP. */
    put32(ip + 12, TEST_IP_SRC);
    put32(ip + 16, TEST_IP_DST);
    for (i = 0; i < 20; i += 2) {
        sum += (ip[i] << 8) | ip[i + 1];
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    put16(ip + 10, ~sum);

    udp = ip + 20;
    put16(udp, TEST_UDP_SRC);
    put16(udp + 2, TEST_UDP_DST);
    put16(udp + 4, 8 + 18);             /* Checksum 0: none. */
    for (i = 0; i < 18; i++) {
        udp[8 + i] = 'a' + i;
    }
    f->size = udp + 8 + 18 - f->data;
}

/* Runs. */

struct run {
    uint32_t retval;
    uint8_t out[256];
    uint32_t out_size;
    uint32_t meta_size;         /* Bytes of metadata in front of 'out'. */
};

/* Runs 'f' through 'prog_fd' once.  With 'ifindex' nonzero, the packet
 * comes in on that device's queue 0.  Returns 0 or a negative errno. */
static int
run_frame(int prog_fd, const struct frame *f, int ifindex, struct run *r)
{
    struct xdp_md ctx_in, ctx_out;
    LIBBPF_OPTS(bpf_test_run_opts, opts,
                .data_in = f->data,
                .data_size_in = f->size,
                .data_out = r->out,
                .data_size_out = sizeof r->out,
                .repeat = 1);
    int error;

    memset(r, 0, sizeof *r);
    memset(&ctx_in, 0, sizeof ctx_in);
    memset(&ctx_out, 0, sizeof ctx_out);
    if (ifindex) {
        ctx_in.data_end = f->size;
        ctx_in.ingress_ifindex = ifindex;
        opts.ctx_in = &ctx_in;
        opts.ctx_size_in = sizeof ctx_in;
        opts.ctx_out = &ctx_out;
        opts.ctx_size_out = sizeof ctx_out;
    }
    opts.data_size_out = sizeof r->out;
    error = bpf_prog_test_run_opts(prog_fd, &opts);
    if (error) {
        return -errno;
    }
    r->retval = opts.retval;
    r->out_size = opts.data_size_out;
    r->meta_size = ifindex ? ctx_out.data : 0;
    return 0;
}

static const char *
xdp_action_name(uint32_t action)
{
    switch (action) {
    case XDP_ABORTED: return "XDP_ABORTED";
    case XDP_DROP: return "XDP_DROP";
    case XDP_PASS: return "XDP_PASS";
    case XDP_TX: return "XDP_TX";
    case XDP_REDIRECT: return "XDP_REDIRECT";
    }
    return NULL;
}

/* The sum over CPUs of the datapath program's counters, in 'n'. */
static int
read_counters(struct bpf_object *obj, uint64_t n[XDP_ABI_N_COUNTERS])
{
    struct bpf_map *map = bpf_object__find_map_by_name(obj, "counters");
    struct xdp_abi_counters *values;
    uint32_t zero = 0;
    int n_cpus, cpu, i;

    n_cpus = libbpf_num_possible_cpus();
    if (!map || n_cpus <= 0) {
        return -ENOENT;
    }
    values = alloc_or_die(n_cpus * sizeof *values);
    if (bpf_map_lookup_elem(bpf_map__fd(map), &zero, values)) {
        int error = -errno;

        free(values);
        return error;
    }
    memset(n, 0, XDP_ABI_N_COUNTERS * sizeof n[0]);
    for (cpu = 0; cpu < n_cpus; cpu++) {
        for (i = 0; i < XDP_ABI_N_COUNTERS; i++) {
            n[i] += values[cpu].n[i];
        }
    }
    free(values);
    return 0;
}

/* Checks of one program.  Each returns true if all is well, otherwise
 * prints why not to 'why' and returns false. */

struct check {
    char why[256];
    int n_runs;
};

static bool
fail(struct check *c, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static bool
fail(struct check *c, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    vsnprintf(c->why, sizeof c->why, format, args);
    va_end(args);
    return false;
}

/* Any program: the test frame runs and gives a valid XDP action. */
static bool
check_any(int prog_fd, struct check *c)
{
    struct frame f;
    struct run r;
    int error;

    make_udp_frame(&f, false);
    error = run_frame(prog_fd, &f, 0, &r);
    if (error) {
        return fail(c, "BPF_PROG_RUN: %s", error_string(-error));
    }
    c->n_runs++;
    if (!xdp_action_name(r.retval)) {
        return fail(c, "BPF_PROG_RUN returned %u, not an XDP action",
                    r.retval);
    }
    return true;
}

/* Runs 'f' through the datapath program and checks that it gives
 * XDP_PASS, with counter 'counter' one more than before and, if 'reason'
 * is nonnegative, the upcall metadata for 'reason' in front of the
 * unchanged frame. */
static bool
check_main_run(struct bpf_object *obj, int prog_fd, const struct frame *f,
               int ifindex, enum xdp_abi_counter counter, int reason,
               const char *what, struct check *c)
{
    uint64_t before[XDP_ABI_N_COUNTERS], after[XDP_ABI_N_COUNTERS];
    struct xdp_abi_meta meta;
    struct run r;
    int error;

    error = read_counters(obj, before);
    if (!error) {
        error = run_frame(prog_fd, f, ifindex, &r);
    }
    if (!error) {
        error = read_counters(obj, after);
    }
    if (error) {
        return fail(c, "%s: %s", what, error_string(-error));
    }
    c->n_runs++;

    if (r.retval != XDP_PASS) {
        return fail(c, "%s: verdict %u (%s), expected XDP_PASS", what,
                    r.retval, xdp_action_name(r.retval)
                    ? xdp_action_name(r.retval) : "invalid");
    }
    if (after[XDP_ABI_CNT_RX] != before[XDP_ABI_CNT_RX] + 1
        || after[counter] != before[counter] + 1) {
        return fail(c, "%s: counters rx +%"PRIu64", #%d +%"PRIu64
                    ", expected +1 and +1", what,
                    after[XDP_ABI_CNT_RX] - before[XDP_ABI_CNT_RX],
                    (int) counter, after[counter] - before[counter]);
    }
    if (reason < 0) {
        if (r.meta_size || r.out_size != f->size
            || memcmp(r.out, f->data, f->size)) {
            return fail(c, "%s: the frame changed", what);
        }
        return true;
    }

    if (r.meta_size != sizeof meta || r.out_size != sizeof meta + f->size) {
        return fail(c, "%s: %u bytes of metadata and %u of data, expected "
                    "%zu and %u", what, r.meta_size, r.out_size - r.meta_size,
                    sizeof meta, f->size);
    }
    memcpy(&meta, r.out, sizeof meta);
    if (meta.cookie[0] != (uint32_t) TEST_META_COOKIE
        || meta.cookie[1] != (uint32_t) (TEST_META_COOKIE >> 32)
        || meta.reason != reason || meta.flow_mark != 0
        || meta.len != f->size) {
        return fail(c, "%s: metadata cookie %08x%08x reason %u mark %u "
                    "len %u, expected %016llx %d 0 %u", what,
                    meta.cookie[1], meta.cookie[0], meta.reason,
                    meta.flow_mark, meta.len, TEST_META_COOKIE, reason,
                    f->size);
    }
    if (memcmp(r.out + sizeof meta, f->data, f->size)) {
        return fail(c, "%s: the frame changed", what);
    }
    return true;
}

/* ovs_xdp_main, with an empty flow table: a packet from a device that is
 * not a port goes to the kernel untouched; one from a port goes to
 * userspace (XDP_PASS, as no socket is bound) with metadata that says
 * why: a miss for IPv4 UDP, headers not covered for a VLAN frame (the
 * classifier's VLAN limit is 0 until userspace sets it). */
static bool
check_main(struct bpf_object *obj, int prog_fd, struct check *c)
{
    struct bpf_map *port_index;
    struct xdp_abi_port port;
    uint32_t key = TEST_IFINDEX;
    struct frame udp, vlan;

    make_udp_frame(&udp, false);
    make_udp_frame(&vlan, true);

    if (!check_main_run(obj, prog_fd, &udp, TEST_IFINDEX,
                        XDP_ABI_CNT_NO_PORT, -1, "not a port", c)) {
        return false;
    }

    port_index = bpf_object__find_map_by_name(obj, "port_index");
    memset(&port, 0, sizeof port);
    port.slot = 0;
    port.n_rxq = 1;
    port.odp_port = TEST_ODP_PORT;
    port.in_use = 1;
    if (!port_index
        || bpf_map_update_elem(bpf_map__fd(port_index), &key, &port, 0)) {
        return fail(c, "port_index: %s",
                    port_index ? error_string(errno) : "no such map");
    }

    return (check_main_run(obj, prog_fd, &udp, TEST_IFINDEX,
                           XDP_ABI_CNT_UPCALL_MISS, XDP_ABI_UPCALL_MISS,
                           "IPv4 UDP, empty flow table", c)
            && check_main_run(obj, prog_fd, &vlan, TEST_IFINDEX,
                              XDP_ABI_CNT_UPCALL_UNPARSED,
                              XDP_ABI_UPCALL_UNPARSED, "802.1Q frame", c));
}

/* xdp_parse_debug: the flow key of the IPv4 UDP frame. */
static bool
check_parse_debug(struct bpf_object *obj, int prog_fd, struct check *c)
{
    struct bpf_map *map = bpf_object__find_map_by_name(obj, "parse_debug");
    struct xdp_flow_parse_result res;
    const struct xdp_flow_key *k = &res.key;
    uint32_t zero = 0;
    uint64_t runs;
    struct frame f;
    struct run r;
    int error;

    if (!map || bpf_map_lookup_elem(bpf_map__fd(map), &zero, &res)) {
        return fail(c, "parse_debug: %s",
                    map ? error_string(errno) : "no such map");
    }
    runs = res.runs;

    make_udp_frame(&f, false);
    error = run_frame(prog_fd, &f, TEST_IFINDEX, &r);
    if (error) {
        return fail(c, "BPF_PROG_RUN: %s", error_string(-error));
    }
    c->n_runs++;
    if (bpf_map_lookup_elem(bpf_map__fd(map), &zero, &res)) {
        return fail(c, "parse_debug: %s", error_string(errno));
    }
    if (r.retval != XDP_PASS || res.runs != runs + 1
        || res.status != XDP_FLOW_PARSE_OK
        || k->dl_type != htons(0x0800) || k->nw_proto != 17
        || k->nw_ttl != 64 || k->nw_src != htonl(TEST_IP_SRC)
        || k->nw_dst != htonl(TEST_IP_DST)
        || k->tp_src != htons(TEST_UDP_SRC)
        || k->tp_dst != htons(TEST_UDP_DST)
        || res.l3_off != 14 || res.l4_off != 34) {
        return fail(c, "parsed verdict %u runs +%"PRIu64" status %u type "
                    "%04x proto %u ttl %u ports %u>%u l3 %u l4 %u: not the "
                    "test frame's", r.retval, (uint64_t) (res.runs - runs),
                    res.status, ntohs(k->dl_type), k->nw_proto, k->nw_ttl,
                    ntohs(k->tp_src), ntohs(k->tp_dst), res.l3_off,
                    res.l4_off);
    }
    return true;
}

/* Returns the number of programs in the object in 'path', or a negative
 * errno. */
static int
count_programs(const char *path)
{
    struct bpf_object *obj = bpf_object__open_file(path, NULL);
    struct bpf_program *prog;
    int n = 0;

    if (!obj) {
        return -errno;
    }
    bpf_object__for_each_program (prog, obj) {
        n++;
    }
    bpf_object__close(obj);
    return n;
}

/* Loads program number 'index' of the object in 'path' alone and checks
 * it.  Returns true if it passed; prints its line either way. */
static bool
check_program(const char *path, int index)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    struct bpf_prog_info info;
    uint32_t info_len = sizeof info;
    struct bpf_program *prog, *p;
    const char *name = "?";
    struct bpf_object *obj;
    struct check c;
    bool ok = false;
    int error, fd, i;

    memset(&c, 0, sizeof c);
    obj = bpf_object__open_file(path, NULL);
    if (!obj) {
        fail(&c, "open: %s", error_string(errno));
        goto out;
    }
    prog = NULL;
    i = 0;
    bpf_object__for_each_program (p, obj) {
        bool selected = i++ == index;

        bpf_program__set_autoload(p, selected);
        if (selected) {
            prog = p;
        }
    }
    if (!prog) {
        fail(&c, "no program #%d", index);
        goto out;
    }
    name = bpf_program__name(prog);
    if (bpf_object__find_map_by_name(obj, "counters")) {
        error = set_rodata_u64(obj, "meta_cookie", TEST_META_COOKIE);
        if (error) {
            fail(&c, "meta_cookie: %s", error_string(-error));
            goto out;
        }
    }
    log_buf[0] = '\0';
    bpf_program__set_log_buf(prog, log_buf, LOG_SIZE);

    error = bpf_object__load(obj);
    if (error) {
        fail(&c, "the kernel refused to load it: %s%s", error_string(-error),
             error == -ENOSPC ? " (the verifier's log overflowed, so the "
             "kernel's own error and the log's end are lost)" : "");
        if (log_buf[0]) {
            print_log_tail(log_buf);
        }
        goto out;
    }
    fd = bpf_program__fd(prog);

    memset(&info, 0, sizeof info);
    if (bpf_obj_get_info_by_fd(fd, &info, &info_len)) {
        fail(&c, "BPF_OBJ_GET_INFO_BY_FD: %s", error_string(errno));
        goto out;
    }
    if (!check_any(fd, &c)) {
        goto out;
    }
    if (!strcmp(name, "ovs_xdp_main") && !check_main(obj, fd, &c)) {
        goto out;
    }
    if (!strcmp(name, "xdp_parse_debug")
        && !check_parse_debug(obj, fd, &c)) {
        goto out;
    }
    snprintf(c.why, sizeof c.why, "verified %u instructions, "
             "%d BPF_PROG_RUN%s as expected", info.verified_insns,
             c.n_runs, c.n_runs == 1 ? "" : "s");
    ok = true;

out:
    printf(PROGRAM_NAME": %s %s (%s) on %s: %s\n", ok ? "PASS" : "FAIL",
           name, base, kernel, c.why);
    fflush(stdout);
    bpf_object__close(obj);
    return ok;
}

int
main(int argc, char *argv[])
{
    int n_programs = 0, n_passed = 0;
    struct utsname uts;
    int i;

    if (argc < 2) {
        fprintf(stderr, "usage: %s OBJECT...\n", argv[0]);
        return 2;
    }
    if (uname(&uts)) {
        perror("uname");
        return 1;
    }
    snprintf(kernel, sizeof kernel, "%s", uts.release);
    libbpf_set_print(print_libbpf);
    log_buf = alloc_or_die(LOG_SIZE);
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf(PROGRAM_NAME": kernel %s\n", kernel);

    for (i = 1; i < argc; i++) {
        int n = count_programs(argv[i]);
        int j;

        if (n <= 0) {
            printf(PROGRAM_NAME": FAIL %s on %s: %s\n", argv[i], kernel,
                   n ? error_string(-n) : "no programs");
            n_programs++;
            continue;
        }
        for (j = 0; j < n; j++) {
            n_programs++;
            n_passed += check_program(argv[i], j);
        }
    }

    printf(PROGRAM_NAME": %d programs: %d passed, %d failed on %s\n",
           n_programs, n_passed, n_programs - n_passed, kernel);
    free(log_buf);
    return n_passed == n_programs && n_programs ? 0 : 1;
}
