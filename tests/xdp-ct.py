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

"""Connections that the conntrack system tests (system-xdp-conntrack.at)
drive step by step.

  xdp-ct.py sink ADDR PORT PREFIX
      accepts TCP connections on ADDR:PORT until killed; what the Nth
      connection (from 1) sends goes to PREFIX.N.part, renamed PREFIX.N
      when the peer closes (a reset leaves PREFIX.N.reset instead).
      PREFIX.N.peer says, once accepted, "PEER-ADDR PEER-PORT LOCAL-ADDR
      LOCAL-PORT" as the socket has them (what NAT left of the packets).
  xdp-ct.py client DST PORT CTL LOG
      connects to DST:PORT, writes "connected SPORT" to LOG, then runs the
      commands that lines appended to file CTL give, in order, writing
      "done N" to LOG after the Nth:
        send FILE     sends FILE's bytes
        oow IFACE     sends 16 bytes "x", catches on IFACE (an AF_PACKET
                      socket) the segment that carried them, and sends on
                      IFACE a copy with payload MARKER (below) and a
                      sequence number 2^30 beyond: far out of the window
        close         closes normally (FIN), waits for the peer's FIN, exits
        rst           closes with SO_LINGER 0 (RST), exits
  xdp-ct.py udp-echo ADDR PORT LOG [PEERS]
      echoes each UDP datagram to its sender, writing a line to LOG for each;
      writes to PEERS, if given, "ADDR PORT" of each sender the first time
      it is seen.
  xdp-ct.py udp-ping DST PORT COUNT PPS
      sends COUNT numbered datagrams to DST:PORT at PPS a second from one
      source port, the second after the first's echo (or 2 s), so that
      conntrack sees one +new datagram; counts the echoes (waiting up to 2
      s after the last),
      prints "sent COUNT echoed N".  The socket is connected: the kernel
      takes only echoes that come from DST:PORT.
  xdp-ct.py watch IFACE OUT
      writes "listening" to OUT, then "marker" for each frame that IFACE
      receives with MARKER in it.

ADDR and DST may be IPv4 or IPv6 addresses (all but oow and watch).
"""

import os
import socket
import struct
import sys
import threading
import time

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
MARKER = b"ovs-xdp-out-of-window-segment"


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def sink(addr, port, prefix):
    ls = socket.socket(family(addr), socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(16)
    n = 0

    def serve(conn, name):
        reset = False
        peer, local = conn.getpeername(), conn.getsockname()
        with open(name + ".peer", "w") as f:
            f.write("%s %d %s %d\n" % (peer[0], peer[1], local[0], local[1]))
        with open(name + ".part", "wb", buffering=0) as f:
            while True:
                try:
                    data = conn.recv(65536)
                except ConnectionResetError:
                    reset = True
                    break
                if not data:
                    break
                f.write(data)
        conn.close()
        os.rename(name + ".part", name + (".reset" if reset else ""))

    while True:
        conn, _ = ls.accept()
        n += 1
        threading.Thread(target=serve, args=(conn, "%s.%d" % (prefix, n)),
                         daemon=True).start()


def out_of_window(sock, iface):
    """Sends 16 bytes on 'sock', catches the segment that carried them on
    'iface', and sends a copy of it 2^30 beyond in sequence space."""
    src, sport = sock.getsockname()
    dst, dport = sock.getpeername()
    # Only ETH_P_ALL sockets see the frames that the host sends.
    raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                        socket.htons(ETH_P_ALL))
    raw.bind((iface, 0))
    raw.settimeout(5)
    sock.sendall(b"x" * 16)
    while True:
        frame, addr = raw.recvfrom(65536)
        if (addr[2] != socket.PACKET_OUTGOING or len(frame) < 54
                or struct.unpack("!H", frame[12:14])[0] != ETH_P_IP):
            continue
        ip = frame[14:]
        ihl = (ip[0] & 0xf) * 4
        if ip[9] != socket.IPPROTO_TCP:
            continue
        if (socket.inet_ntoa(ip[12:16]) != src
                or socket.inet_ntoa(ip[16:20]) != dst):
            continue
        tcp = ip[ihl:]
        s, d, seq, ack = struct.unpack("!HHII", tcp[:12])
        doff = (tcp[12] >> 4) * 4
        if (s, d) == (sport, dport) and len(tcp) - doff >= 16:
            break
    win = struct.unpack("!H", tcp[14:16])[0]
    seq = (seq + 0x40000000) & 0xffffffff
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4,
                      0x18, win, 0, 0)
    l4 = hdr + MARKER
    pseudo = struct.pack("!4s4sBBH", ip[12:16], ip[16:20], 0,
                         socket.IPPROTO_TCP, len(l4))
    l4 = l4[:16] + struct.pack("!H", checksum(pseudo + l4)) + l4[18:]
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0x4242, 0x4000,
                      64, socket.IPPROTO_TCP, 0, ip[12:16], ip[16:20])
    iph = iph[:10] + struct.pack("!H", checksum(iph)) + iph[12:]
    raw.send(frame[:14] + iph + l4)
    raw.close()


def client(dst, port, ctl, log):
    sock = socket.socket(family(dst), socket.SOCK_STREAM)
    sock.connect((dst, port))
    out = open(log, "a", buffering=1)
    out.write("connected %d\n" % sock.getsockname()[1])
    if not os.path.exists(ctl):
        open(ctl, "a").close()
    n = 0
    with open(ctl) as f:
        buf = ""
        while True:
            line = f.readline()
            if not line:
                time.sleep(0.05)
                continue
            buf += line
            if not buf.endswith("\n"):
                continue
            cmd, buf = buf.split(), ""
            if not cmd:
                continue
            if cmd[0] == "send":
                with open(cmd[1], "rb") as data:
                    sock.sendall(data.read())
            elif cmd[0] == "oow":
                out_of_window(sock, cmd[1])
            elif cmd[0] == "close":
                sock.shutdown(socket.SHUT_WR)
                sock.settimeout(10)
                while sock.recv(65536):
                    pass
                sock.close()
            elif cmd[0] == "rst":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                struct.pack("ii", 1, 0))
                sock.close()
            else:
                sys.exit("unknown command %s" % cmd[0])
            n += 1
            out.write("done %d\n" % n)
            if cmd[0] in ("close", "rst"):
                return


def udp_echo(addr, port, log, peers=None):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind((addr, port))
    seen = set()
    pf = open(peers, "w", buffering=1) if peers else None
    with open(log, "w", buffering=1) as f:
        while True:
            data, peer = s.recvfrom(2048)
            s.sendto(data, peer)
            if pf and peer[:2] not in seen:
                seen.add(peer[:2])
                pf.write("%s %d\n" % peer[:2])
            f.write("%d\n" % struct.unpack("!Q", data[:8])[0])


def udp_ping(dst, port, count, pps):
    s = socket.socket(family(dst), socket.SOCK_DGRAM)
    s.connect((dst, port))
    echoed = set()

    def receive():
        while True:
            try:
                data = s.recv(2048)
            except OSError:
                return
            echoed.add(struct.unpack("!Q", data[:8])[0])

    s.settimeout(None)
    t = threading.Thread(target=receive, daemon=True)
    t.start()
    start = time.monotonic()
    for seq in range(count):
        s.send(struct.pack("!Q", seq) + b"y" * 56)
        if seq == 0:
            # The connection is new until its first reply: wait for it (up
            # to 2 s), so that only the first datagram is +new, however
            # long its round trip through the slow path takes.
            deadline = time.monotonic() + 2
            while not echoed and time.monotonic() < deadline:
                time.sleep(0.001)
            start = time.monotonic() - 1 / pps
        delay = start + (seq + 1) / pps - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    deadline = time.monotonic() + 2
    while len(echoed) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    print("sent %d echoed %d" % (count, len(echoed)))


def watch(iface, path):
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                         socket.htons(ETH_P_ALL))
    sock.bind((iface, 0))
    with open(path, "a", buffering=1) as out:
        out.write("listening\n")
        while True:
            data, addr = sock.recvfrom(65536)
            if addr[2] != socket.PACKET_OUTGOING and MARKER in data:
                out.write("marker\n")


def main():
    a = sys.argv[1:]
    if len(a) == 4 and a[0] == "sink":
        sink(a[1], int(a[2]), a[3])
    elif len(a) == 5 and a[0] == "client":
        client(a[1], int(a[2]), a[3], a[4])
    elif len(a) in (4, 5) and a[0] == "udp-echo":
        udp_echo(a[1], int(a[2]), a[3], a[4] if len(a) == 5 else None)
    elif len(a) == 5 and a[0] == "udp-ping":
        udp_ping(a[1], int(a[2]), int(a[3]), float(a[4]))
    elif len(a) == 3 and a[0] == "watch":
        watch(a[1], a[2])
    else:
        sys.stderr.write(__doc__)
        sys.exit(1)


if __name__ == "__main__":
    main()
