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

"""Sends or counts a stream of numbered UDP datagrams, for system tests.

  xdp-udp-stream.py send DST PORT PPS SECONDS
      sends PPS datagrams a second to DST:PORT for SECONDS, each carrying
      its sequence number and the CLOCK_REALTIME time it was sent, and
      prints how many it sent.
  xdp-udp-stream.py recv ADDR PORT OUT
      receives until killed, writing "SEQ SENT RECEIVED" lines to OUT
      (times in seconds since the epoch, as `date +%s.%N` prints them).
  xdp-udp-stream.py after OUT TIME
      prints how many datagrams of OUT were sent after TIME (by the time
      stamped in them, so that a receiver that runs late on a busy machine
      does not count what arrived before TIME) and arrived, and the number
      received in all.
  xdp-udp-stream.py lost OUT FROM TO
      prints how many datagrams sent between times FROM and TO (as above)
      never arrived, judged by the sequence numbers of those that did.
"""

import socket
import struct
import sys
import time


def send(dst, port, pps, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    gap = 1.0 / pps
    start = time.monotonic()
    seq = 0
    while True:
        now = time.monotonic()
        if now - start >= seconds:
            break
        s.sendto(struct.pack("!Qd", seq, time.time()) + b"x" * 32,
                 (dst, port))
        seq += 1
        # Pace against the start time, not the last send, so that the
        # rate holds whatever each send costs.
        delay = start + seq * gap - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    print(seq)


def recv(addr, port, out):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    with open(out, "w", buffering=1) as f:
        while True:
            data = s.recv(2048)
            seq, sent = struct.unpack("!Qd", data[:16])
            f.write("%d %.6f %.6f\n" % (seq, sent, time.time()))


def after(out, t):
    n = late = 0
    with open(out) as f:
        for line in f:
            fields = line.split()
            if len(fields) != 3:
                continue
            n += 1
            if float(fields[1]) > t:
                late += 1
    print(late, n)


def lost(out, t_from, t_to):
    seqs = set()
    first = last = None
    with open(out) as f:
        for line in f:
            fields = line.split()
            if len(fields) != 3:
                continue
            seq, sent = int(fields[0]), float(fields[1])
            seqs.add(seq)
            if sent < t_from:
                first = seq
            elif sent <= t_to:
                last = seq
    if first is None or last is None:
        sys.exit("no datagrams around the interval")
    print(sum(1 for s in range(first + 1, last) if s not in seqs))


def main():
    cmd = sys.argv[1]
    if cmd == "send":
        send(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]),
             float(sys.argv[5]))
    elif cmd == "recv":
        recv(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif cmd == "after":
        after(sys.argv[2], float(sys.argv[3]))
    elif cmd == "lost":
        lost(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]))
    else:
        sys.exit("usage: see the top of this file")


if __name__ == "__main__":
    main()
