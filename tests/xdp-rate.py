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

"""Measures rates for the QoS system tests.

  xdp-rate.py dev NS DEV DELAY SECONDS
      waits DELAY seconds, then prints the rate, in bit/s, of the frames
      that device DEV of namespace NS received over SECONDS (its rx_bytes:
      Ethernet frames without the FCS, as a shaper counts them).
  xdp-rate.py iperf FILE FRAME PAYLOAD
      prints the receiver's rate of the iperf3 JSON report in FILE, in
      bit/s of frames of FRAME bytes carrying PAYLOAD bytes of UDP data.
  xdp-rate.py lost FILE
      prints how many datagrams the iperf3 UDP server's JSON report in FILE
      counts as lost.
  xdp-rate.py within MEASURED EXPECTED PERCENT
      prints MEASURED as a percentage of EXPECTED; exits 1 if it is more
      than PERCENT away from it.
  xdp-rate.py atmost MEASURED LIMIT PERCENT
      the same, but fails only above LIMIT plus PERCENT.
"""

import json
import subprocess
import sys
import time


def rx_bytes(ns, dev):
    out = subprocess.check_output(
        ["ip", "netns", "exec", ns, "cat",
         "/sys/class/net/%s/statistics/rx_bytes" % dev])
    return int(out)


def dev_rate(ns, dev, delay, seconds):
    time.sleep(float(delay))
    b0, t0 = rx_bytes(ns, dev), time.monotonic()
    time.sleep(float(seconds))
    b1, t1 = rx_bytes(ns, dev), time.monotonic()
    print(int((b1 - b0) * 8 / (t1 - t0)))


def iperf_rate(path, frame, payload):
    with open(path) as f:
        report = json.load(f)
    end = report["end"]
    # A UDP server's report: "sum_received" (its "sum" has no bytes).
    s = end.get("sum_received") or end["sum"]
    print(int(s["bits_per_second"] * float(frame) / float(payload)))


def iperf_lost(path):
    with open(path) as f:
        report = json.load(f)
    print(report["end"]["sum"]["lost_packets"])


def compare(measured, expected, percent, upper_only):
    m, e, p = float(measured), float(expected), float(percent)
    ratio = 100.0 * m / e
    print("%.0f bit/s is %.2f%% of %.0f" % (m, ratio, e))
    if ratio > 100 + p or (not upper_only and ratio < 100 - p):
        sys.exit(1)


def main():
    cmd = sys.argv[1]
    if cmd == "dev":
        dev_rate(*sys.argv[2:6])
    elif cmd == "iperf":
        iperf_rate(*sys.argv[2:5])
    elif cmd == "lost":
        iperf_lost(sys.argv[2])
    elif cmd == "within":
        compare(*sys.argv[2:5], upper_only=False)
    elif cmd == "atmost":
        compare(*sys.argv[2:5], upper_only=True)
    else:
        sys.exit("unknown command %s" % cmd)


if __name__ == "__main__":
    main()
