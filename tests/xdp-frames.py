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

"""Frames for the system tests that the kernel's stack would not send.

usage:
  xdp-frames.py hex dst=MAC src=MAC id=N [vlans=TPID:VID,...]
                (icmp=BYTES | udp=PORT)
      Prints an IPv4 frame, 10.1.1.1 to 10.1.1.2, with IP identification
      N, as hex bytes separated by spaces (for OVS's tests/sendpkt.py):
      an ICMP echo request cut to BYTES bytes of ICMP (8 or more: the whole
      header, then BYTES - 8 of data), the IP total length saying so; or a
      UDP datagram to PORT.  VLAN headers go in front of the Ethertype in
      the order given, TPID in hex (8100 or 88a8).
  xdp-frames.py count IFACE FILE
      Appends "id=N" to FILE for each IPv4 frame that IFACE receives, with
      or without VLAN headers; says "listening" on stderr when ready.
"""

import socket
import struct
import sys

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
VLAN_TPIDS = (0x8100, 0x88a8)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def mac(text):
    return bytes(int(x, 16) for x in text.split(":"))


def frame(args):
    opts = dict(arg.split("=", 1) for arg in args)
    ident = int(opts["id"])
    if "icmp" in opts:
        n = int(opts["icmp"])
        data = bytes(range(max(n - 8, 0)))
        icmp = struct.pack("!BBHHH", 8, 0, 0, 0x4242, ident) + data
        icmp = icmp[:2] + struct.pack("!H", checksum(icmp)) + icmp[4:]
        l4, proto = icmp[:n], socket.IPPROTO_ICMP
    else:
        payload = b"ovs-xdp"
        l4 = struct.pack("!HHHH", 5353, int(opts["udp"]), 8 + len(payload),
                         0) + payload
        proto = socket.IPPROTO_UDP
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident, 0, 64,
                     proto, 0, socket.inet_aton("10.1.1.1"),
                     socket.inet_aton("10.1.1.2"))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]

    eth = mac(opts["dst"]) + mac(opts["src"])
    for vlan in filter(None, opts.get("vlans", "").split(",")):
        tpid, vid = vlan.split(":")
        eth += struct.pack("!HH", int(tpid, 16), int(vid))
    return eth + struct.pack("!H", ETH_P_IP) + ip + l4


def count(iface, path):
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                         socket.htons(ETH_P_ALL))
    sock.bind((iface, 0))
    sys.stderr.write("listening\n")
    sys.stderr.flush()
    with open(path, "a", buffering=1) as out:
        while True:
            data, addr = sock.recvfrom(65536)
            if addr[2] == socket.PACKET_OUTGOING:
                continue
            # The kernel may have taken the outer VLAN header out of the
            # data already.
            off = 12
            while (len(data) >= off + 4
                   and struct.unpack("!H", data[off:off + 2])[0]
                   in VLAN_TPIDS):
                off += 4
            if (len(data) >= off + 22
                    and struct.unpack("!H", data[off:off + 2])[0]
                    == ETH_P_IP):
                ident = struct.unpack("!H", data[off + 6:off + 8])[0]
                out.write("id=%d\n" % ident)


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "hex":
        print(" ".join("%02x" % b for b in frame(sys.argv[2:])))
    elif len(sys.argv) == 4 and sys.argv[1] == "count":
        count(sys.argv[2], sys.argv[3])
    else:
        sys.stderr.write(__doc__)
        sys.exit(1)


if __name__ == "__main__":
    main()
