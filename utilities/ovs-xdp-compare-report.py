#! /usr/bin/env python3
# Copyright (c) 2026 The ovs-xdp authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at:
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

"""Report of utilities/ovs-xdp-compare.sh: reads its raw CSV (scenario,
system, round, metric, value), writes results.md (a Markdown table per kind
of measurement with every system's ratio to ovs-xdp, and the targets) and,
where gnuplot is installed, one PNG plot per metric.

Ratios are "ovs-xdp / system": the median, over the rounds, of the ratio of
the two systems' values in the same round (rounds alternate the systems
within seconds, so load that comes and goes on the machine hits both).  A
frame rate within GEN_BOUND of what the generator alone offered in the same
scenario is "generator-bound": the system forwarded all it was given, and
its own limit was not measured, so no ratio is reported as if it were.

Python 3 standard library only."""

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys

SYSTEMS = ["ovs-xdp", "upstream", "bridge", "bare", "generator"]
OTHERS = ["upstream", "bridge", "bare"]
BASE = "ovs-xdp"
GEN_BOUND = 0.9

# Metrics: label, unit, whether lower is better.
METRICS = {
    "mpps": ("forwarded", "Mpps", False),
    "gbps": ("forwarded", "Gbit/s", False),
    "loss": ("loss", "fraction", True),
    "cpu_vswitchd": ("ovs-vswitchd CPU", "% of a core", True),
    "cpu_softirq": ("softirq CPU", "% of a core", True),
    "tcp_gbps": ("TCP (iperf3)", "Gbit/s", False),
    "first_rtt_ms": ("first-packet round trip", "ms", True),
    "setup_rate": ("megaflow setup", "megaflows/s", False),
    "megaflows": ("megaflows installed", "", False),
    "rss_kb": ("ovs-vswitchd resident memory", "kB", True),
    "bpf_maps_kb": ("BPF maps", "kB", True),
}


def load(path):
    """Returns {(scenario, metric): {system: {round: value}}} and the
    scenarios in the order they first appear."""
    data = {}
    order = []
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        need = {"scenario", "system", "round", "metric", "value"}
        if not reader.fieldnames or not need <= set(reader.fieldnames):
            raise ValueError("%s: not a results CSV (columns %s)"
                             % (path, reader.fieldnames))
        for n, row in enumerate(reader, 2):
            try:
                value = float(row["value"])
            except ValueError:
                raise ValueError("%s:%d: value \"%s\" is not a number"
                                 % (path, n, row["value"]))
            scen = row["scenario"]
            if scen not in order:
                order.append(scen)
            key = (scen, row["metric"])
            data.setdefault(key, {}).setdefault(row["system"], {})[
                row["round"]] = value
    return data, order


def median(values):
    return statistics.median(values) if values else None


def med(data, scen, metric, system):
    return median(list(data.get((scen, metric), {}).get(system, {})
                       .values()))


# Metrics whose "rounds" are samples of one measurement (each ping of the
# first-packet test), not rounds that alternate the systems: their ratio is
# the ratio of the medians.
SAMPLES = {"first_rtt_ms"}


def round_ratio(data, scen, metric, system):
    """Median over rounds of ovs-xdp's value / the system's, or None."""
    rounds = data.get((scen, metric), {})
    base = rounds.get(BASE, {})
    other = rounds.get(system, {})
    ratios = [base[r] / other[r] for r in base
              if r in other and other[r] > 0]
    if metric in SAMPLES or not ratios:
        a, b = median(list(base.values())), median(list(other.values()))
        if a is None or not b:
            return None
        return a / b
    return median(ratios)


def gen_bound(data, scen, system):
    """Whether 'system' forwarded at least GEN_BOUND of the generator's
    own rate in 'scen'."""
    gen = med(data, scen, "mpps", "generator")
    rate = med(data, scen, "mpps", system)
    return gen is not None and rate is not None and rate >= GEN_BOUND * gen


def fmt(v, digits=2):
    if v is None:
        return "-"
    if abs(v) >= 1000:
        return "{:,.0f}".format(v)
    return "%.*f" % (digits, v)


def ratio_cell(data, scen, metric, system, check_gen=False):
    r = round_ratio(data, scen, metric, system)
    if r is None:
        return None, "-"
    if check_gen:
        base_bound = gen_bound(data, scen, BASE)
        sys_bound = gen_bound(data, scen, system)
        if base_bound and sys_bound:
            return None, "generator-bound"
        if base_bound:
            return None, "≥ %.2f (ovs-xdp generator-bound)" % r
        if sys_bound:
            return None, "≤ %.2f (%s generator-bound)" % (r, system)
    return r, "%.2f" % r


def table(header, rows):
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        out.append("| " + " | ".join(row) + " |")
    return out


def present(data, scen, metric):
    return [s for s in SYSTEMS if s in data.get((scen, metric), {})]


def frames_section(data, scens):
    lines = ["## Frames through each system", "",
             "Median of the rounds; in brackets ovs-xdp / system (median "
             "of per-round ratios; above 1: ovs-xdp forwards more).  "
             "\"generator-bound\": within %d %% of what the generator "
             "alone offered, so that system's limit was not measured."
             % round(100 * (1 - GEN_BOUND)), ""]
    header = ["scenario"] + SYSTEMS
    rows = []
    for scen in scens:
        if (scen, "mpps") not in data:
            continue
        row = [scen]
        for s in SYSTEMS:
            v = med(data, scen, "mpps", s)
            if v is None:
                row.append("n/a")
                continue
            cell = "%s Mpps" % fmt(v, 3)
            if s in OTHERS:
                cell += " (%s)" % ratio_cell(data, scen, "mpps", s, True)[1]
            elif s == BASE and gen_bound(data, scen, s):
                cell += " (generator-bound)"
            row.append(cell)
        rows.append(row)
    lines += table(header, rows)
    lines += ["", "Gbit/s at the sink, loss (fraction of the frames "
              "injected that did not arrive), CPU (ovs-vswitchd, all its "
              "threads; softirq of all CPUs; % of one core), medians:", ""]
    header = ["scenario", "system", "Gbit/s", "loss", "ovs-vswitchd CPU",
              "softirq CPU"]
    rows = []
    for scen in scens:
        if (scen, "mpps") not in data:
            continue
        for s in present(data, scen, "mpps"):
            rows.append([scen, s, fmt(med(data, scen, "gbps", s), 3),
                         fmt(med(data, scen, "loss", s), 3),
                         fmt(med(data, scen, "cpu_vswitchd", s), 1),
                         fmt(med(data, scen, "cpu_softirq", s), 1)])
    lines += table(header, rows)
    return lines


def tcp_section(data, scens):
    scens = [s for s in scens if (s, "tcp_gbps") in data]
    if not scens:
        return []
    lines = ["", "## TCP (iperf3)", "",
             "Gbit/s received, median of the rounds, (ovs-xdp / system); "
             "CPU during the transfer (% of a core):", ""]
    header = ["scenario"] + [s for s in SYSTEMS if s not in
                             ("bare", "generator")] + [
        "ovs-vswitchd CPU (ovs-xdp, upstream)", "softirq CPU (ovs-xdp, "
        "upstream)"]
    rows = []
    for scen in scens:
        row = [scen]
        for s in header[1:4]:
            v = med(data, scen, "tcp_gbps", s)
            if v is None:
                row.append("n/a")
                continue
            cell = "%s" % fmt(v, 2)
            if s != BASE:
                cell += " (%s)" % ratio_cell(data, scen, "tcp_gbps", s)[1]
            row.append(cell)
        row.append("%s, %s" % (fmt(med(data, scen, "cpu_vswitchd", BASE), 1),
                               fmt(med(data, scen, "cpu_vswitchd",
                                       "upstream"), 1)))
        row.append("%s, %s" % (fmt(med(data, scen, "cpu_softirq", BASE), 1),
                               fmt(med(data, scen, "cpu_softirq",
                                       "upstream"), 1)))
        rows.append(row)
    return lines + table(header, rows)


def other_section(data):
    rows = []
    for scen, metric in (("rtt", "first_rtt_ms"), ("setup", "setup_rate"),
                         ("setup", "megaflows"),
                         ("setup", "flow_limit_hits"),
                         ("memory", "rss_kb"), ("memory", "bpf_maps_kb"),
                         ("memory", "megaflows")):
        if (scen, metric) not in data:
            continue
        label, unit, _ = METRICS.get(metric, (metric, "", False))
        row = ["%s%s (%s)" % (label, " [%s]" % unit if unit else "", scen)]
        for s in ("ovs-xdp", "upstream", "bridge"):
            v = med(data, scen, metric, s)
            if v is None:
                row.append("n/a")
                continue
            cell = fmt(v, 3 if metric == "first_rtt_ms" else 0)
            if s != BASE:
                cell += " (%s)" % ratio_cell(data, scen, metric, s)[1]
            row.append(cell)
        rows.append(row)
    if not rows:
        return []
    lines = ["", "## First packet, megaflow setup, memory", "",
             "Medians (first packet: of the pings, each after the "
             "megaflows were flushed), (ovs-xdp / system):", ""]
    return lines + table(["metric", "ovs-xdp", "upstream", "bridge"], rows)


def targets(data):
    """[(target, measured, met)]: met is True, False or None (not
    measured or not measurable)."""
    out = []

    def ratio_target(what, scen, metric, system, goal):
        r, cell = ratio_cell(data, scen, metric, system, metric == "mpps")
        if r is None:
            out.append((what, cell if cell != "-" else "not measured", None))
        else:
            out.append((what, "%.2f (%s by %.0f %%)"
                        % (r, "met" if r >= goal else "missed",
                           abs(r / goal - 1) * 100), r >= goal))

    ratio_target("64 B, 1 flow: ovs-xdp >= 5x upstream afxdp", "udp64-1f",
                 "mpps", "upstream", 5)
    ratio_target("64 B, 1 flow: ovs-xdp >= 3x the bridge", "udp64-1f",
                 "mpps", "bridge", 3)
    ratio_target("64 B, 1 flow: ovs-xdp >= 0.9 of bare", "udp64-1f",
                 "mpps", "bare", 0.9)
    ratio_target("100k flows: ovs-xdp >= 3x upstream afxdp", "udp64-100k",
                 "mpps", "upstream", 3)
    ratio_target("100k flows, 32 masks: ovs-xdp >= 3x upstream afxdp",
                 "masks32-100k", "mpps", "upstream", 3)
    ratio_target("stateful: ovs-xdp >= 3x upstream afxdp in Mpps", "ct-1k",
                 "mpps", "upstream", 3)
    ratio_target("stateful: ovs-xdp >= 1.5x upstream afxdp in TCP Gbit/s "
                 "(1 stream)", "ct-tcp-p1", "tcp_gbps", "upstream", 1.5)
    ratio_target("stateful: ovs-xdp >= upstream afxdp in TCP Gbit/s "
                 "(4 streams)", "ct-tcp-p4", "tcp_gbps", "upstream", 1)
    ratio_target("stateful, SNAT: ovs-xdp >= 3x upstream afxdp in Mpps",
                 "ctnat-1k", "mpps", "upstream", 3)
    ratio_target("stateful, SNAT: ovs-xdp >= 1.5x upstream afxdp in TCP "
                 "Gbit/s (1 stream)", "ctnat-tcp-p1", "tcp_gbps", "upstream",
                 1.5)

    def cpu(scen, s):
        a = med(data, scen, "cpu_vswitchd", s)
        b = med(data, scen, "cpu_softirq", s)
        return None if a is None or b is None else a + b

    x, u = cpu("ct-tcp-p1", BASE), cpu("ct-tcp-p1", "upstream")
    if x is None or u is None:
        out.append(("stateful: ovs-xdp uses less CPU than upstream afxdp",
                    "not measured", None))
    else:
        out.append(("stateful: ovs-xdp uses less CPU than upstream afxdp "
                    "(ovs-vswitchd + softirq, TCP 1 stream)",
                    "%.0f %% vs %.0f %% of a core" % (x, u), x < u))
    v = med(data, "udp64-1f", "cpu_vswitchd", BASE)
    if v is None:
        out.append(("ovs-vswitchd CPU while ovs-xdp forwards in XDP < 5 %",
                    "not measured", None))
    else:
        out.append(("ovs-vswitchd CPU while ovs-xdp forwards in XDP (64 B, "
                    "1 flow) < 5 % of a core", "%.1f %% (upstream: %s %%)"
                    % (v, fmt(med(data, "udp64-1f", "cpu_vswitchd",
                                  "upstream"), 1)), v < 5))
    x = med(data, "rtt", "first_rtt_ms", BASE)
    u = med(data, "rtt", "first_rtt_ms", "upstream")
    if x is None or u is None:
        out.append(("first packet no slower than upstream afxdp",
                    "not measured", None))
    else:
        out.append(("first packet no slower than upstream afxdp",
                    "%.3f ms vs %.3f ms" % (x, u), x <= u))
    v = med(data, "setup", "setup_rate", BASE)
    if v is None:
        out.append(("setup rate >= 20k megaflows/s", "not measured", None))
    else:
        out.append(("setup rate >= 20k megaflows/s",
                    "%s megaflows/s (%s by %.0f %%)"
                    % (fmt(v, 0), "met" if v >= 20000 else "missed",
                       abs(v / 20000 - 1) * 100), v >= 20000))
    return out


def targets_section(data):
    lines = ["", "## Targets", ""]
    mark = {True: "met", False: "MISSED", None: "-"}
    rows = [[t, m, mark[ok]] for t, m, ok in targets(data)]
    return lines + table(["target", "measured", ""], rows)


def report(data, scens):
    lines = ["# ovs-xdp beside upstream OVS afxdp, the Linux bridge and a "
             "bare redirect", ""]
    lines += frames_section(data, scens)
    lines += tcp_section(data, scens)
    lines += other_section(data)
    lines += targets_section(data)
    return "\n".join(lines) + "\n"


def plot(data, scens, outdir, metric):
    """Writes METRIC.png (grouped bars: scenarios x systems) with gnuplot;
    returns its name or None."""
    scens = [s for s in scens if (s, metric) in data]
    systems = [s for s in SYSTEMS
               if any(s in data[(scen, metric)] for scen in scens)]
    if not scens or not systems:
        return None
    label, unit, lower = METRICS[metric]
    dat = os.path.join(outdir, "%s.dat" % metric)
    with open(dat, "w", encoding="utf-8") as f:
        f.write("scenario " + " ".join(systems) + "\n")
        for scen in scens:
            vals = [med(data, scen, metric, s) for s in systems]
            f.write(scen + " " + " ".join("-" if v is None else "%g" % v
                                          for v in vals) + "\n")
    png = "%s.png" % metric
    script = "\n".join([
        "set terminal pngcairo size 900,480 noenhanced" if
        _has_cairo() else "set terminal png size 900,480 noenhanced",
        "set output '%s'" % os.path.join(outdir, png),
        "set title '%s%s%s'" % (label, " (%s)" % unit if unit else "",
                                ", lower is better" if lower else ""),
        "set style data histogram",
        "set style histogram cluster gap 1",
        "set style fill solid 0.8 border -1",
        "set datafile missing '-'",
        "set key outside right top autotitle columnhead",
        "set yrange [0:*]",
        "set xtics rotate by -20",
        "set grid ytics",
        "plot " + ", ".join("'%s' using %d:xtic(1)" % (dat, i + 2)
                            for i in range(len(systems))),
    ]) + "\n"
    result = subprocess.run(["gnuplot"], input=script, text=True,
                            capture_output=True)
    os.unlink(dat)
    if result.returncode:
        sys.stderr.write("gnuplot failed for %s: %s" % (metric,
                                                        result.stderr))
        return None
    return png


_cairo = None


def _has_cairo():
    global _cairo
    if _cairo is None:
        r = subprocess.run(["gnuplot", "-e", "set terminal"], text=True,
                           capture_output=True)
        _cairo = "pngcairo" in (r.stdout + r.stderr)
    return _cairo


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", help="results.csv of ovs-xdp-compare.sh")
    parser.add_argument("--output", help="directory for results.md and "
                        "the plots (default: the CSV's)")
    parser.add_argument("--no-plots", action="store_true",
                        help="write no PNG even if gnuplot is installed")
    args = parser.parse_args()
    outdir = args.output or os.path.dirname(args.csv) or "."
    try:
        data, scens = load(args.csv)
    except (OSError, ValueError) as e:
        sys.stderr.write("ovs-xdp-compare-report: %s\n" % e)
        return 1
    text = report(data, scens)
    plots = []
    if not args.no_plots:
        if shutil.which("gnuplot"):
            for metric in METRICS:
                png = plot(data, scens, outdir, metric)
                if png:
                    plots.append(png)
        else:
            sys.stderr.write("ovs-xdp-compare-report: gnuplot not found, "
                             "no plots (apt-get install gnuplot-nox)\n")
    if plots:
        text += "\n## Plots\n\n" + "".join("![%s](%s)\n" % (p[:-4], p)
                                           for p in plots)
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "results.md"), "w",
              encoding="utf-8") as f:
        f.write(text)
    sys.stdout.buffer.write(text.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
