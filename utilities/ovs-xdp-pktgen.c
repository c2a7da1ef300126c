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

/* ovs-xdp-pktgen: a packet generator on BPF_PROG_RUN's live frames, for
 * utilities/ovs-xdp-bench-live.sh.
 *
 * "gen" sends UDP frames out of a veth for a time or a count.  "run" holds
 * everything a measurement needs in one process: it attaches the sink
 * program to the receiving veth (entering that veth's network namespace
 * only for the attachment), optionally the bare-redirect baseline, sends
 * for a warm-up period, then for the measured period, reads the sink's
 * counters and prints the rates.  Programs are attached through BPF links,
 * which the kernel releases when the process exits, however it exits: a
 * killed run leaves nothing attached and nothing pinned. */

#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "command-line.h"
#include "csum.h"
#include "packets.h"
#include "util.h"
#include "xdp-pktgen.skel.h"

/* Ethernet FCS: counted in --size, as on the wire, but not generated. */
#define PKTGEN_FCS_LEN 4
#define PKTGEN_MIN_SIZE 64
#define PKTGEN_MAX_SIZE 1518

/* Where "ip netns" keeps named namespaces; this process's namespace. */
#define NETNS_RUN_DIR "/run/netns/"
#define NETNS_SELF "/proc/self/ns/net"

/* Command-line options. */
static char *gen_dev;                   /* --dev: frames go out of it. */
static double seconds = -1;             /* --seconds: negative if unset. */
static double warmup = 1.0;             /* --warmup (run). */
static unsigned long long max_count;    /* --count (gen): 0 for no limit. */
static unsigned int n_flows = 1;        /* --flows. */
static unsigned int port_span;          /* --ports: 0 for n_flows. */
static unsigned int frame_size = PKTGEN_MIN_SIZE;  /* --size. */
static unsigned int batch_size = 64;    /* --batch. */
static unsigned int fixed_repeat;       /* --repeat: 0 to adapt. */
static ovs_be32 ip_src;                 /* --src. */
static ovs_be32 ip_dst;                 /* --dst. */
static unsigned int udp_sport = 1024;   /* --sport. */
static unsigned int udp_dport = 9;      /* --dport. */
static struct eth_addr eth_src = ETH_ADDR_C(02, 00, 00, 00, 00, 01);
static struct eth_addr eth_dst = ETH_ADDR_C(02, 00, 00, 00, 00, 02);
static char *sink_dev;                  /* --sink-dev (run). */
static char *sink_netns;                /* --sink-netns (run). */
static char *bare_in;                   /* --bare-in (run). */
static char *bare_out;                  /* --bare-out (run). */

OVS_NO_RETURN static void usage(void);
static void parse_options(int argc, char *argv[]);
static const struct ovs_cmdl_command *get_all_commands(void);

int
main(int argc, char *argv[])
{
    struct ovs_cmdl_context ctx = { .argc = 0, };

    set_program_name(argv[0]);
    ip_src = htonl(0x0a000001);         /* 10.0.0.1 */
    ip_dst = htonl(0x0a000002);         /* 10.0.0.2 */
    parse_options(argc, argv);
    ctx.argc = argc - optind;
    ctx.argv = argv + optind;
    ovs_cmdl_run_command(&ctx, get_all_commands());
    return 0;
}

static double
parse_seconds(const char *option, const char *arg)
{
    double value;

    if (!str_to_double(arg, &value) || value < 0 || value > 86400) {
        ovs_fatal(0, "%s: invalid number of seconds \"%s\"", option, arg);
    }
    return value;
}

static unsigned int
parse_uint(const char *option, const char *arg, unsigned int min,
           unsigned int max)
{
    unsigned int value;

    if (!str_to_uint(arg, 10, &value) || value < min || value > max) {
        ovs_fatal(0, "%s: \"%s\" is not a number from %u to %u",
                  option, arg, min, max);
    }
    return value;
}

static void
parse_options(int argc, char *argv[])
{
    enum {
        OPT_DEV = UCHAR_MAX + 1,
        OPT_SECONDS,
        OPT_WARMUP,
        OPT_COUNT,
        OPT_FLOWS,
        OPT_PORTS,
        OPT_SIZE,
        OPT_BATCH,
        OPT_REPEAT,
        OPT_SRC,
        OPT_DST,
        OPT_SPORT,
        OPT_DPORT,
        OPT_SRC_MAC,
        OPT_DST_MAC,
        OPT_SINK_DEV,
        OPT_SINK_NETNS,
        OPT_BARE_IN,
        OPT_BARE_OUT,
    };
    static const struct option long_options[] = {
        {"dev", required_argument, NULL, OPT_DEV},
        {"seconds", required_argument, NULL, OPT_SECONDS},
        {"warmup", required_argument, NULL, OPT_WARMUP},
        {"count", required_argument, NULL, OPT_COUNT},
        {"flows", required_argument, NULL, OPT_FLOWS},
        {"ports", required_argument, NULL, OPT_PORTS},
        {"size", required_argument, NULL, OPT_SIZE},
        {"batch", required_argument, NULL, OPT_BATCH},
        {"repeat", required_argument, NULL, OPT_REPEAT},
        {"src", required_argument, NULL, OPT_SRC},
        {"dst", required_argument, NULL, OPT_DST},
        {"sport", required_argument, NULL, OPT_SPORT},
        {"dport", required_argument, NULL, OPT_DPORT},
        {"src-mac", required_argument, NULL, OPT_SRC_MAC},
        {"dst-mac", required_argument, NULL, OPT_DST_MAC},
        {"sink-dev", required_argument, NULL, OPT_SINK_DEV},
        {"sink-netns", required_argument, NULL, OPT_SINK_NETNS},
        {"bare-in", required_argument, NULL, OPT_BARE_IN},
        {"bare-out", required_argument, NULL, OPT_BARE_OUT},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    char *short_options = ovs_cmdl_long_options_to_short_options(long_options);

    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }

        switch (c) {
        case OPT_DEV:
            gen_dev = optarg;
            break;

        case OPT_SECONDS:
            seconds = parse_seconds("--seconds", optarg);
            break;

        case OPT_WARMUP:
            warmup = parse_seconds("--warmup", optarg);
            break;

        case OPT_COUNT:
            if (!str_to_ullong(optarg, 10, &max_count) || !max_count) {
                ovs_fatal(0, "--count: invalid count \"%s\"", optarg);
            }
            break;

        case OPT_FLOWS:
            n_flows = parse_uint("--flows", optarg, 1, 1u << 24);
            break;

        case OPT_PORTS:
            port_span = parse_uint("--ports", optarg, 1, 65536);
            break;

        case OPT_SIZE:
            frame_size = parse_uint("--size", optarg, PKTGEN_MIN_SIZE,
                                    PKTGEN_MAX_SIZE);
            break;

        case OPT_BATCH:
            /* The kernel takes 1 to 256. */
            batch_size = parse_uint("--batch", optarg, 1, 256);
            break;

        case OPT_REPEAT:
            fixed_repeat = parse_uint("--repeat", optarg, 1, 1u << 24);
            break;

        case OPT_SRC:
            if (!ip_parse(optarg, &ip_src)) {
                ovs_fatal(0, "--src: invalid IPv4 address \"%s\"", optarg);
            }
            break;

        case OPT_DST:
            if (!ip_parse(optarg, &ip_dst)) {
                ovs_fatal(0, "--dst: invalid IPv4 address \"%s\"", optarg);
            }
            break;

        case OPT_SPORT:
            udp_sport = parse_uint("--sport", optarg, 0, 65535);
            break;

        case OPT_DPORT:
            udp_dport = parse_uint("--dport", optarg, 0, 65535);
            break;

        case OPT_SRC_MAC:
            if (!eth_addr_from_string(optarg, &eth_src)) {
                ovs_fatal(0, "--src-mac: invalid address \"%s\"", optarg);
            }
            break;

        case OPT_DST_MAC:
            if (!eth_addr_from_string(optarg, &eth_dst)) {
                ovs_fatal(0, "--dst-mac: invalid address \"%s\"", optarg);
            }
            break;

        case OPT_SINK_DEV:
            sink_dev = optarg;
            break;

        case OPT_SINK_NETNS:
            sink_netns = optarg;
            break;

        case OPT_BARE_IN:
            bare_in = optarg;
            break;

        case OPT_BARE_OUT:
            bare_out = optarg;
            break;

        case 'h':
            usage();

        case 'V':
            ovs_print_version(0, 0);
            exit(EXIT_SUCCESS);

        case '?':
            exit(EXIT_FAILURE);

        default:
            OVS_NOT_REACHED();
        }
    }
    free(short_options);

    if (!port_span) {
        port_span = n_flows;
    }
    if (port_span > n_flows) {
        port_span = n_flows;
    }
    if (udp_sport + port_span - 1 > 65535) {
        ovs_fatal(0, "--sport %u with %u ports goes past port 65535",
                  udp_sport, port_span);
    }
    if (!!bare_in != !!bare_out) {
        ovs_fatal(0, "--bare-in and --bare-out go together");
    }
}

static void
usage(void)
{
    printf("%s: packet generator on BPF_PROG_RUN live frames\n"
           "usage: %s [OPTIONS] COMMAND\n"
           "\nCommands:\n"
           "  gen  send frames out of --dev for --seconds or --count\n"
           "  run  attach the sink program to --sink-dev (in --sink-netns),\n"
           "       and with --bare-in/--bare-out the bare-redirect program,\n"
           "       send for --warmup then --seconds, print both rates\n"
           "\nFrames (UDP in IPv4):\n"
           "  --dev=DEV         veth the frames are sent out of (required)\n"
           "  --size=BYTES      frame size with FCS, %d to %d (default %d)\n"
           "  --flows=N         flows in turn (default 1): N UDP source "
           "ports,\n"
           "                    or with --ports, P ports times N / P "
           "source addresses\n"
           "  --ports=P         source ports per source address (default "
           "N)\n"
           "  --src=IP --dst=IP addresses (default 10.0.0.1, 10.0.0.2)\n"
           "  --sport=PORT      first UDP source port (default 1024)\n"
           "  --dport=PORT      UDP destination port (default 9)\n"
           "  --src-mac=MAC --dst-mac=MAC\n"
           "                    (default 02:00:00:00:00:01, ...:02)\n"
           "\nSending:\n"
           "  --seconds=S       how long (default 5; gen with --count: no "
           "limit)\n"
           "  --count=N         gen: stop after N frames\n"
           "  --batch=N         BPF_PROG_RUN batch size, 1 to 256 "
           "(default 64)\n"
           "  --repeat=N        frames per BPF_PROG_RUN call (default: "
           "adapted,\n"
           "                    growing so that a call takes about "
           "200 ms)\n"
           "\nMeasuring (run):\n"
           "  --sink-dev=DEV    veth that receives, counted by xdp_sink\n"
           "  --sink-netns=NS   its network namespace: a name in /run/netns "
           "or a path\n"
           "  --warmup=S        sending before counting (default 1)\n"
           "  --bare-in=DEV --bare-out=DEV\n"
           "                    attach xdp_bare_redirect to the first,\n"
           "                    redirecting to the second\n"
           "\nOther options:\n"
           "  -h, --help        display this help message\n"
           "  -V, --version     display version information\n",
           program_name, program_name, PKTGEN_MIN_SIZE, PKTGEN_MAX_SIZE,
           PKTGEN_MIN_SIZE);
    exit(EXIT_SUCCESS);
}

/* libbpf prints only its warnings; ovs_fatal() says what failed. */
static int
libbpf_print(enum libbpf_print_level level, const char *format, va_list args)
{
    return level == LIBBPF_WARN ? vfprintf(stderr, format, args) : 0;
}

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
dev_ifindex(const char *name)
{
    unsigned int ifindex = if_nametoindex(name);

    if (!ifindex) {
        ovs_fatal(errno, "%s", name);
    }
    return ifindex;
}

/* Loads the programs, with the generator set up for the options. */
static struct ovs_xdp_pktgen *
pktgen_load(void)
{
    struct ovs_xdp_pktgen *skel;

    libbpf_set_print(libbpf_print);
    skel = ovs_xdp_pktgen__open();
    if (!skel) {
        ovs_fatal(errno, "opening the BPF object");
    }
    skel->rodata->n_flows = n_flows;
    skel->rodata->sport_base = udp_sport;
    skel->rodata->port_span = port_span;
    skel->rodata->src_base = ntohl(ip_src);
    int error = ovs_xdp_pktgen__load(skel);
    if (error) {
        ovs_fatal(-error, "loading the BPF programs");
    }
    return skel;
}

/* Builds the frame of the options in 'frame' (frame_size - FCS bytes). */
static size_t
pktgen_build_frame(uint8_t *frame)
{
    size_t len = frame_size - PKTGEN_FCS_LEN;
    struct eth_header *eth = (struct eth_header *) frame;
    struct ip_header *ip = (struct ip_header *) (eth + 1);
    struct udp_header *udp = (struct udp_header *) (ip + 1);
    size_t l3_len = len - ETH_HEADER_LEN;

    memset(frame, 0, len);
    eth->eth_dst = eth_dst;
    eth->eth_src = eth_src;
    eth->eth_type = htons(ETH_TYPE_IP);
    ip->ip_ihl_ver = IP_IHL_VER(5, IP_VERSION);
    ip->ip_tot_len = htons(l3_len);
    ip->ip_frag_off = htons(IP_DONT_FRAGMENT);
    ip->ip_ttl = 64;
    ip->ip_proto = IPPROTO_UDP;
    put_16aligned_be32(&ip->ip_src, ip_src);
    put_16aligned_be32(&ip->ip_dst, ip_dst);
    ip->ip_csum = csum(ip, IP_HEADER_LEN);
    udp->udp_src = htons(udp_sport);
    udp->udp_dst = htons(udp_dport);
    udp->udp_len = htons(l3_len - IP_HEADER_LEN);
    udp->udp_csum = 0;          /* None: the generator changes the port. */
    return len;
}

/* A sender: the generator program, its frame and its egress device. */
struct pktgen {
    int prog_fd;
    int ifindex;
    uint8_t frame[PKTGEN_MAX_SIZE];
    size_t len;
    unsigned int repeat;        /* Frames per BPF_PROG_RUN, adapted. */
    uint64_t n_calls;           /* BPF_PROG_RUN calls made. */
    double call_time;           /* Seconds spent in them. */
};

/* Frames per BPF_PROG_RUN call: at least PKTGEN_MIN_REPEAT, at most
 * PKTGEN_MAX_REPEAT, aiming at calls of PKTGEN_CALL_TIME seconds. */
#define PKTGEN_MIN_REPEAT 4096
#define PKTGEN_MAX_REPEAT (1u << 24)
#define PKTGEN_CALL_TIME 0.2

/* Adapts 'pg->repeat' after a call that sent 'repeat' frames in 'took'
 * seconds, with 'left' seconds of sending to go.
 *
 * Each call has a fixed cost (the live frames' page pool is set up and
 * torn down, and the teardown can wait for an RCU grace period: 10 to 20
 * ms on some kernels), so a call must be long to send at the path's rate.
 * The size grows (at most 4 times per call) while calls are shorter than
 * PKTGEN_CALL_TIME: a short call means that the fixed cost weighs more,
 * never that the call should be shorter still.  It shrinks (at most by
 * half) only when a call took longer than that, and the last call is cut
 * to what the time left allows, so that a run stops about on time. */
static void
pktgen_adapt(struct pktgen *pg, unsigned int repeat, double took, double left)
{
    double rate = repeat / (took > 0.000001 ? took : 0.000001);
    double next = rate * PKTGEN_CALL_TIME;

    if (next > 4.0 * repeat) {
        next = 4.0 * repeat;
    } else if (next < repeat / 2.0) {
        next = repeat / 2.0;
    }
    if (left > 0 && next > rate * left) {
        next = rate * left;
    }
    if (next < PKTGEN_MIN_REPEAT) {
        next = PKTGEN_MIN_REPEAT;
    } else if (next > PKTGEN_MAX_REPEAT) {
        next = PKTGEN_MAX_REPEAT;
    }
    pg->repeat = next;
}

static void
pktgen_init(struct pktgen *pg, const struct ovs_xdp_pktgen *skel)
{
    if (!gen_dev) {
        ovs_fatal(0, "--dev is required");
    }
    pg->prog_fd = bpf_program__fd(skel->progs.xdp_pktgen);
    pg->ifindex = dev_ifindex(gen_dev);
    pg->len = pktgen_build_frame(pg->frame);
    pg->repeat = fixed_repeat ? fixed_repeat : 65536;
    pg->n_calls = 0;
    pg->call_time = 0;
}

/* Sends frames for 'duration' seconds or, if 'limit' is nonzero, until
 * 'limit' frames were sent.  Returns the frames sent; '*elapsed' is the
 * time it took. */
static uint64_t
pktgen_send(struct pktgen *pg, double duration, uint64_t limit,
            double *elapsed)
{
    struct xdp_md ctx_in = {
        .data_end = pg->len,
        .ingress_ifindex = pg->ifindex,
    };
    LIBBPF_OPTS(bpf_test_run_opts, opts,
        .data_in = pg->frame,
        .data_size_in = pg->len,
        .ctx_in = &ctx_in,
        .ctx_size_in = sizeof ctx_in,
        .flags = BPF_F_TEST_XDP_LIVE_FRAMES,
        .batch_size = batch_size,
    );
    double start = now();
    double t = start;
    uint64_t sent = 0;

    while (t - start < duration && (!limit || sent < limit)) {
        unsigned int repeat = pg->repeat;
        double t0 = t;

        if (limit && limit - sent < repeat) {
            repeat = limit - sent;
        }
        opts.repeat = repeat;
        if (bpf_prog_test_run_opts(pg->prog_fd, &opts)) {
            ovs_fatal(errno, "BPF_PROG_RUN with live frames on %s",
                      gen_dev);
        }
        sent += repeat;
        t = now();
        pg->n_calls++;
        pg->call_time += t - t0;
        if (!fixed_repeat) {
            pktgen_adapt(pg, repeat, t - t0, duration - (t - start));
        }
    }
    *elapsed = t - start;
    return sent;
}

/* Frames xdp_sink counted, over all CPUs. */
static uint64_t
sink_read(const struct ovs_xdp_pktgen *skel)
{
    int n_cpus = libbpf_num_possible_cpus();
    struct {
        uint64_t packets;
        uint64_t bytes;
    } *stats;
    uint64_t total = 0;
    uint32_t zero = 0;

    if (n_cpus < 0) {
        ovs_fatal(-n_cpus, "counting CPUs");
    }
    stats = xcalloc(n_cpus, sizeof *stats);
    if (bpf_map__lookup_elem(skel->maps.sink_stats, &zero, sizeof zero,
                             stats, n_cpus * sizeof *stats, 0)) {
        ovs_fatal(errno, "reading the sink's counters");
    }
    for (int i = 0; i < n_cpus; i++) {
        total += stats[i].packets;
    }
    free(stats);
    return total;
}

/* Opens network namespace 'name' (in /run/netns, or a path). */
static int
netns_open(const char *name)
{
    char *path = (strchr(name, '/')
                  ? xstrdup(name) : xasprintf(NETNS_RUN_DIR "%s", name));
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        ovs_fatal(errno, "%s", path);
    }
    free(path);
    return fd;
}

static void
netns_enter(int fd, const char *what)
{
    if (setns(fd, CLONE_NEWNET)) {
        ovs_fatal(errno, "entering the network namespace of %s", what);
    }
}

/* Attaches 'prog' to 'dev' through a BPF link, so that it goes when this
 * process does.  The kernel picks native mode, which veth has. */
static struct bpf_link *
attach(struct bpf_program *prog, const char *dev)
{
    int ifindex = dev_ifindex(dev);
    struct bpf_link *link = bpf_program__attach_xdp(prog, ifindex);

    if (!link) {
        ovs_fatal(errno, "attaching %s to %s", bpf_program__name(prog), dev);
    }
    return link;
}

static void
print_rate(const char *what, uint64_t n, double elapsed)
{
    printf("%s: %"PRIu64" frames in %.3f s (%.0f pps)\n",
           what, n, elapsed, elapsed > 0 ? n / elapsed : 0.0);
}

/* How the generator sent: its calls, so that a benchmark can see whether
 * the generator or the path set the rate. */
static void
print_calls(const struct pktgen *pg, uint64_t sent)
{
    printf("calls: %"PRIu64" BPF_PROG_RUN calls, %.0f frames and %.1f ms "
           "per call\n", pg->n_calls,
           pg->n_calls ? (double) sent / pg->n_calls : 0.0,
           pg->n_calls ? 1e3 * pg->call_time / pg->n_calls : 0.0);
}

static void
do_gen(struct ovs_cmdl_context *ctx OVS_UNUSED)
{
    struct ovs_xdp_pktgen *skel = pktgen_load();
    struct pktgen pg;
    double elapsed;
    uint64_t sent;

    pktgen_init(&pg, skel);
    /* With --count alone, no time limit. */
    sent = pktgen_send(&pg, (seconds >= 0 ? seconds
                             : max_count ? 86400 : 5.0),
                       max_count, &elapsed);
    print_rate("injected", sent, elapsed);
    print_calls(&pg, sent);
    ovs_xdp_pktgen__destroy(skel);
}

static void
do_run(struct ovs_cmdl_context *ctx OVS_UNUSED)
{
    struct ovs_xdp_pktgen *skel = pktgen_load();
    struct bpf_link *sink_link, *bare_link = NULL;
    uint64_t rx0, rx1, sent;
    double elapsed, t0;
    struct pktgen pg;

    if (!sink_dev) {
        ovs_fatal(0, "run: --sink-dev is required");
    }
    pktgen_init(&pg, skel);

    /* Only this thread changes namespace, and only for the attachment: the
     * link keeps the device, whatever namespace the thread is in. */
    if (sink_netns) {
        int root_fd = open(NETNS_SELF, O_RDONLY | O_CLOEXEC);
        int ns_fd = netns_open(sink_netns);

        if (root_fd < 0) {
            ovs_fatal(errno, NETNS_SELF);
        }
        netns_enter(ns_fd, sink_dev);
        sink_link = attach(skel->progs.xdp_sink, sink_dev);
        netns_enter(root_fd, gen_dev);
        close(ns_fd);
        close(root_fd);
    } else {
        sink_link = attach(skel->progs.xdp_sink, sink_dev);
    }

    if (bare_in) {
        struct bpf_devmap_val val = { .ifindex = dev_ifindex(bare_out) };
        uint32_t key = dev_ifindex(bare_in);

        if (bpf_map__update_elem(skel->maps.bare_ports, &key, sizeof key,
                                 &val, sizeof val, BPF_ANY)) {
            ovs_fatal(errno, "adding %s to the devmap", bare_out);
        }
        bare_link = attach(skel->progs.xdp_bare_redirect, bare_in);
    }

    if (warmup > 0) {
        pktgen_send(&pg, warmup, 0, &elapsed);
    }
    pg.n_calls = 0;
    pg.call_time = 0;
    rx0 = sink_read(skel);
    t0 = now();
    sent = pktgen_send(&pg, seconds >= 0 ? seconds : 5.0, 0, &elapsed);
    rx1 = sink_read(skel);
    elapsed = now() - t0;

    print_rate("injected", sent, elapsed);
    print_rate("received", rx1 - rx0, elapsed);
    print_calls(&pg, sent);

    bpf_link__destroy(bare_link);
    bpf_link__destroy(sink_link);
    ovs_xdp_pktgen__destroy(skel);
}

static const struct ovs_cmdl_command *
get_all_commands(void)
{
    static const struct ovs_cmdl_command all_commands[] = {
        { "gen", "", 0, 0, do_gen, OVS_RO },
        { "run", "", 0, 0, do_run, OVS_RO },
        { NULL, NULL, 0, 0, NULL, OVS_RO },
    };

    return all_commands;
}
