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

"""Differential frame test for an xdp bridge (tests/system-xdp.at).

A corpus of valid, truncated and malformed Ethernet frames, generated
deterministically from a seed, is traced with "ofproto/trace" (the
prediction: which frames reach the output port, with which bytes), then sent
from one network namespace through the bridge and captured in another.

  xdp-corpus.py corpus [--seed N] [--dump]
      Prints how many frames of each kind the corpus has (--dump: every
      frame, in hex).
  xdp-corpus.py predict --ctl SOCKET --bridge BR --in-port PORT
                        --out-port ODP_PORT [--vlan-limit N] [--seed N]
                        --output FILE
      Traces every frame through ovs-vswitchd's unixctl SOCKET and writes
      the expected arrivals to FILE.
  xdp-corpus.py hello --ns NS --dev DEV [--vlan VID...]
      Sends a frame from the destination MAC of the corpus, so that the
      "normal" action learns where it is.
  xdp-corpus.py send --pred FILE --send-ns NS --send-dev DEV
                     --recv-ns NS --recv-dev DEV --output FILE
      Sends the corpus once (one frame at a time) and records what arrives.
  xdp-corpus.py compare --pred FILE PASS_FILE...
      Compares the arrivals of each pass with the prediction; prints every
      frame that disagrees and a summary by kind; exits 1 if any does.

Each frame's Ethernet source address carries its index (0a:d1:f0:00:HH:LL),
so that frames are told apart even when truncated to 14 bytes.  No rule set
may match or rewrite dl_src.

One file of about 1000 lines on purpose: the frame templates (most of it),
the prediction, the sending and the comparison all key frames by the same
index and kinds, and the testsuite calls one script.
"""

import argparse
import collections
import ctypes
import json
import os
import random
import select
import socket
import struct
import sys
import time

DST_MAC = bytes.fromhex("020000000001")
SRC_PREFIX = bytes.fromhex("0ad1f000")
BCAST = b"\xff" * 6

IP4_SRC = bytes([10, 0, 0, 1])
IP4_DST = bytes([10, 0, 0, 2])
IP4_OTHER = bytes([10, 0, 0, 3])
IP6_SRC = bytes.fromhex("20010db8000000000000000000000001")
IP6_DST = bytes.fromhex("20010db8000000000000000000000002")
IP6_OTHER = bytes.fromhex("20010db8000000000000000000000003")
IP6_SNMA = bytes.fromhex("ff0200000000000000000001ff000002")

# The receiving kernel (skb_vlan_untag()) frees frames whose Ethertype is a
# VLAN TPID but that are too short to hold the tag and the next Ethertype,
# before any packet socket sees them: those frames are sent but their
# arrival cannot be observed.
VLAN_OBSERVABLE_MIN = 20


# ---------------------------------------------------------------------------
# Checksums and headers.

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def l4_csum_fill(proto, pseudo, l4):
    """Returns 'l4' with its checksum computed over 'pseudo' + 'l4', if the
    header is complete enough to hold one."""
    off = {6: 16, 17: 6, 1: 2, 58: 2}.get(proto)
    if off is None or len(l4) < off + 2:
        return l4
    l4 = bytearray(l4)
    l4[off:off + 2] = b"\0\0"
    c = csum((pseudo if proto != 1 else b"") + bytes(l4))
    if proto == 17 and c == 0:
        c = 0xffff
    l4[off:off + 2] = struct.pack("!H", c)
    return bytes(l4)


class Seg:
    """A header (or payload) of a frame: truncations cut at their ends."""
    def __init__(self, name, data):
        self.name = name
        self.data = bytes(data)


def cat(segs):
    return b"".join(s.data for s in segs)


def tcp(dport, sport=40000, flags=0x02, doff=None, opts=b"", payload=b"",
        seq=1):
    if doff is None:
        doff = 5 + len(opts) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, doff << 4, flags,
                      65535, 0, 0) + opts
    segs = [Seg("tcp", hdr)]
    if payload:
        segs.append(Seg("payload", payload))
    return 6, segs


def udp(dport, sport=40001, payload=b"data", length=None, zero_csum=False):
    if length is None:
        length = 8 + len(payload)
    hdr = struct.pack("!HHHH", sport, dport, length, 0)
    segs = [Seg("udp0" if zero_csum else "udp", hdr)]
    if payload:
        segs.append(Seg("payload", payload))
    return 17, segs


def sctp(dport, sport=40002, payload=b""):
    hdr = struct.pack("!HHII", sport, dport, 0x11223344, 0)
    segs = [Seg("sctp", hdr)]
    if payload:
        segs.append(Seg("payload", payload))
    return 132, segs


def icmp(typ, code=0, rest=b"\0\x01\0\x01", payload=b"ping-payload"):
    segs = [Seg("icmp", struct.pack("!BBH", typ, code, 0) + rest)]
    if payload:
        segs.append(Seg("payload", payload))
    return 1, segs


def icmp6(typ, code=0, rest=b"\0\x01\0\x01", body=()):
    return 58, [Seg("icmp6", struct.pack("!BBH", typ, code, 0) + rest)] + \
        list(body)


def nd(typ, target=IP6_DST, opts=(), flags=0, code=0):
    """Neighbor solicitation (135) or advertisement (136) with options
    given as (type, length in 8-byte units, body)."""
    body = [Seg("nd-target", target)]
    for otype, olen, obody in opts:
        data = bytes([otype, olen]) + obody
        body.append(Seg("nd-opt", data))
    return icmp6(typ, code, struct.pack("!I", flags), body)


def lla(otype, mac):
    return (otype, 1, mac)


def ipv4(l4, src=IP4_SRC, dst=IP4_DST, opts=b"", ihl=None, tot_len=None,
         frag=0, ttl=64, tos=0, ver=4, bad_csum=False, pad=b""):
    proto, segs = l4
    if ihl is None:
        ihl = 5 + len(opts) // 4
    l4data = cat(segs)
    if tot_len is None:
        tot_len = 20 + len(opts) + len(l4data)
    hdr = bytearray(struct.pack("!BBHHHBBH4s4s", ver << 4 | (ihl & 0xf), tos,
                                tot_len & 0xffff, 0x1234, frag, ttl, proto,
                                0, src, dst) + opts)
    c = csum(bytes(hdr[:max(20, min(len(hdr), ihl * 4))]))
    if bad_csum:
        c ^= 0x5555
    hdr[10:12] = struct.pack("!H", c)
    if segs and not frag & 0x1fff:
        pseudo = src + dst + struct.pack("!BBH", 0, proto, len(l4data))
        filled = l4_csum_fill(proto if segs[0].name != "udp0" else 0,
                              pseudo, l4data)
        segs = split_like(segs, filled)
    out = [Seg("ipv4", hdr)] + segs
    if pad:
        out.append(Seg("pad", pad))
    return 0x0800, out


def split_like(segs, data):
    out, off = [], 0
    for s in segs:
        out.append(Seg(s.name, data[off:off + len(s.data)]))
        off += len(s.data)
    return out


def ip6_ext(kind, nh, length=0, frag=0, ident=7):
    """An IPv6 extension header (before its next-header is known: 'nh')."""
    if kind == 44:
        return Seg("ipv6-frag", struct.pack("!BBHI", nh, 0, frag, ident))
    if kind == 51:
        # AH: length in 4-byte units minus 2.
        data = struct.pack("!BBHII", nh, length, 0, 0x100, 1)
        return Seg("ipv6-ah", data + b"\0" * ((length + 2) * 4 - len(data)))
    if kind == 43:
        data = struct.pack("!BBBB", nh, length, 4, 0) + b"\0" * 4
    else:
        data = struct.pack("!BB", nh, length) + b"\x01\x04\0\0\0\0"
    data += b"\0" * ((length + 1) * 8 - len(data))
    names = {0: "ipv6-hbh", 43: "ipv6-rt", 60: "ipv6-dst"}
    return Seg(names.get(kind, "ipv6-ext"), data)


def ipv6(l4, exts=(), src=IP6_SRC, dst=IP6_DST, plen=None, tc=0, label=0,
         hlim=64, pad=b""):
    """'exts': list of (kind, dict of ip6_ext arguments)."""
    proto, segs = l4
    l4data = cat(segs)
    if segs and not any(k == 44 and a.get("frag", 0) & 0xfff8
                        for k, a in exts):
        pseudo = src + dst + struct.pack("!I3xB", len(l4data), proto)
        segs = split_like(segs, l4_csum_fill(proto, pseudo, l4data))
    ext_segs = []
    nh = proto
    for kind, args in reversed(exts):
        ext_segs.insert(0, ip6_ext(kind, nh, **args))
        nh = kind
    body = cat(ext_segs) + cat(segs)
    if plen is None:
        plen = len(body)
    hdr = struct.pack("!IHBB16s16s", 6 << 28 | tc << 20 | label,
                      plen & 0xffff, nh, hlim, src, dst)
    out = [Seg("ipv6", hdr)] + ext_segs + segs
    if pad:
        out.append(Seg("pad", pad))
    return 0x86dd, out


def arp(op=1, sha=b"\x0a\xd1\xf0\0\0\0", spa=IP4_SRC, tha=b"\0" * 6,
        tpa=IP4_DST, htype=1, ptype=0x0800, hlen=6, plen=4):
    return 0x0806, [Seg("arp", struct.pack("!HHBBH", htype, ptype, hlen, plen,
                                           op) + sha + spa + tha + tpa)]


def ether(l3, dst=DST_MAC, tags=(), llc=None):
    """'tags': list of (tpid, tci), outermost first.  'llc': None for an
    Ethertype, or the 802.2 header bytes (a length field is used instead of
    the Ethertype)."""
    ethertype, segs = l3
    out = [Seg("eth", dst + b"\0" * 6)]
    for tpid, tci in tags:
        out.append(Seg("vlan", struct.pack("!HH", tpid, tci)))
    if llc is not None:
        length = len(llc) + len(cat(segs))
        out.append(Seg("type", struct.pack("!H", min(length, 0x5ff))))
        out.append(Seg("llc", llc))
    else:
        out.append(Seg("type", struct.pack("!H", ethertype)))
    return out + segs


def raw(ethertype, data, name="payload"):
    return ethertype, [Seg(name, data)]


# ---------------------------------------------------------------------------
# The corpus.

VLAN_STACKS = [
    ("1q10", [(0x8100, 10)]),
    ("1q10p5", [(0x8100, 0xa00a)]),
    ("1q10dei", [(0x8100, 0x100a)]),
    ("1q20", [(0x8100, 20)]),
    ("1q30", [(0x8100, 30)]),
    ("prio3", [(0x8100, 0x6000)]),
    ("vid0", [(0x8100, 0)]),
    ("ad10", [(0x88a8, 10)]),
    ("ad20", [(0x88a8, 20)]),
    ("ad10.1q20", [(0x88a8, 10), (0x8100, 20)]),
    ("1q10.1q20", [(0x8100, 10), (0x8100, 20)]),
    ("ad20.1q10", [(0x88a8, 20), (0x8100, 10)]),
    ("1q20.1q30", [(0x8100, 20), (0x8100, 30)]),
    ("ad10.ad10", [(0x88a8, 10), (0x88a8, 10)]),
    ("1q30.1q10", [(0x8100, 30), (0x8100, 10)]),
    ("ad10.1q20.1q30", [(0x88a8, 10), (0x8100, 20), (0x8100, 30)]),
    ("1q20.1q20.1q20", [(0x8100, 20), (0x8100, 20), (0x8100, 20)]),
    ("ad20.ad20.1q10.1q30",
     [(0x88a8, 20), (0x88a8, 20), (0x8100, 10), (0x8100, 30)]),
    ("1q10.1q10.1q10.1q10",
     [(0x8100, 10), (0x8100, 10), (0x8100, 10), (0x8100, 10)]),
]

SNAP_ETH = bytes.fromhex("aaaa03000000")


def templates():
    """(kind, l3 tuple, ether() keyword arguments, l4 cuts): the valid and
    malformed frames before VLAN tags and truncation.  'l4 cuts' lists byte
    counts at which the L4 header is cut with the IP lengths kept
    consistent."""
    t = []

    def add(kind, l3, cuts=(), **kw):
        t.append((kind, l3, kw, cuts))

    # IPv4, valid.
    add("ip4-tcp80", lambda: ipv4(tcp(80)), (4, 12, 19))
    add("ip4-tcp80-data", lambda: ipv4(tcp(80, flags=0x18,
                                            payload=b"GET / HTTP/1.0\r\n")))
    add("ip4-tcp22", lambda: ipv4(tcp(22, flags=0x10)))
    add("ip4-tcp80-opts", lambda: ipv4(tcp(80, opts=b"\x02\x04\x05\xb4"
                                                   b"\x01\x03\x03\x07"
                                                   b"\x01\x01\x04\x02")),
        (20, 24, 27))
    add("ip4-tcp80-other-dst", lambda: ipv4(tcp(80), dst=IP4_OTHER))
    add("ip4-udp53", lambda: ipv4(udp(53, payload=b"\x12\x34\x01\x00")),
        (2, 4, 7))
    add("ip4-udp123", lambda: ipv4(udp(123)))
    add("ip4-udp53-nocsum", lambda: ipv4(udp(53, zero_csum=True)))
    add("ip4-udp53-badlen", lambda: ipv4(udp(53, length=3)))
    add("ip4-sctp80", lambda: ipv4(sctp(80, payload=b"\0" * 16)), (4, 8, 11))
    add("ip4-icmp8", lambda: ipv4(icmp(8)), (2, 4, 6, 7))
    add("ip4-icmp8-nodata", lambda: ipv4(icmp(8, payload=b"")))
    add("ip4-icmp0", lambda: ipv4(icmp(0)), (4,))
    add("ip4-icmp8-code1", lambda: ipv4(icmp(8, code=1)))
    add("ip4-icmp3", lambda: ipv4(icmp(3, 3, b"\0" * 4, cat(ipv4(udp(53))[1])
                                       [:28])))
    add("ip4-igmp", lambda: ipv4((2, [Seg("igmp", bytes.fromhex(
        "1600fa04e0000016"))])), (4, 7))
    add("ip4-gre", lambda: ipv4((47, [Seg("gre", bytes.fromhex(
        "00000800") + b"\0" * 20)])))
    add("ip4-proto255", lambda: ipv4((255, [Seg("payload", b"x" * 12)])))
    add("ip4-nol4", lambda: ipv4((6, [])))
    add("ip4-ttl0-tos", lambda: ipv4(tcp(80), ttl=0, tos=0xb9))
    add("ip4-badcsum", lambda: ipv4(icmp(8), bad_csum=True))
    # IPv4 options.
    add("ip4-opt-nop", lambda: ipv4(tcp(80), opts=b"\x01\x01\x01\x00"))
    add("ip4-opt-rr-icmp8", lambda: ipv4(icmp(8), opts=b"\x07\x27\x04" +
                                         b"\0" * 37), (4, 7))
    add("ip4-opt-udp53", lambda: ipv4(udp(53), opts=b"\x94\x04\0\0"))
    # Bad IHL and total length.
    for ihl in (0, 1, 4):
        add("ip4-ihl%d" % ihl, lambda ihl=ihl: ipv4(tcp(80), ihl=ihl))
    add("ip4-ihl15-short", lambda: ipv4(tcp(80), ihl=15))
    add("ip4-ihl6-nopt", lambda: ipv4(icmp(8), ihl=6))
    add("ip4-ihl-gt-totlen", lambda: ipv4(icmp(8), ihl=7, tot_len=24))
    add("ip4-totlen-short", lambda: ipv4(tcp(80), tot_len=19))
    add("ip4-totlen-long", lambda: ipv4(tcp(80), tot_len=41))
    add("ip4-totlen-huge", lambda: ipv4(icmp(8), tot_len=1500))
    add("ip4-pad-tcp80", lambda: ipv4(tcp(80), pad=b"\0" * 6))
    add("ip4-totlen-icmp4-pad", lambda: ipv4(icmp(8), tot_len=24))
    add("ip4-totlen-tcp12-pad", lambda: ipv4(tcp(80), tot_len=32))
    add("ip4-ver6", lambda: ipv4(tcp(80), ver=6))
    # IPv4 fragments.
    add("ip4-frag-first-tcp80", lambda: ipv4(tcp(80), frag=0x2000))
    add("ip4-frag-first-icmp8", lambda: ipv4(icmp(8), frag=0x2000), (4,))
    add("ip4-frag-first-udp53", lambda: ipv4(udp(53), frag=0x2000))
    add("ip4-frag-later-tcp", lambda: ipv4(tcp(80), frag=0x2000 | 185))
    add("ip4-frag-later-icmp", lambda: ipv4(icmp(8), frag=0x0001))
    add("ip4-frag-last-udp", lambda: ipv4(udp(53), frag=100))
    add("ip4-frag-df", lambda: ipv4(icmp(8), frag=0x4000))
    add("ip4-frag-evil", lambda: ipv4(icmp(8), frag=0x8000))
    # IPv6.
    add("ip6-tcp80", lambda: ipv6(tcp(80)), (4, 12, 19))
    add("ip6-tcp80-other-dst", lambda: ipv6(tcp(80), dst=IP6_OTHER))
    add("ip6-tcp22", lambda: ipv6(tcp(22)))
    add("ip6-udp53", lambda: ipv6(udp(53)), (4, 7))
    add("ip6-sctp80", lambda: ipv6(sctp(80)), (8, 11))
    add("ip6-icmp128", lambda: ipv6(icmp6(128, body=[Seg("payload", b"p" *
                                                         8)])), (2, 4, 7))
    add("ip6-icmp129", lambda: ipv6(icmp6(129)))
    add("ip6-icmp128-code1", lambda: ipv6(icmp6(128, code=1)))
    add("ip6-icmp1", lambda: ipv6(icmp6(1, 4, b"\0" * 4, [Seg(
        "payload", b"\0" * 48)])))
    add("ip6-mld", lambda: ipv6(icmp6(143, 0, b"\0\0\0\0"),
                                exts=[(0, {})], dst=IP6_SNMA))
    add("ip6-tc-label", lambda: ipv6(tcp(80), tc=0xb9, label=0xabcde))
    add("ip6-plen-long", lambda: ipv6(tcp(80), plen=64))
    add("ip6-plen-short", lambda: ipv6(tcp(80), plen=8))
    add("ip6-pad", lambda: ipv6(icmp6(128), pad=b"\0" * 10))
    add("ip6-nonext", lambda: ipv6((59, [Seg("payload", b"\0" * 8)])))
    add("ip6-nol4", lambda: ipv6((17, [])))
    # IPv6 extension headers.
    add("ip6-hbh-tcp80", lambda: ipv6(tcp(80), exts=[(0, {})]))
    add("ip6-rt-udp53", lambda: ipv6(udp(53), exts=[(43, {"length": 2})]))
    add("ip6-dst-icmp128", lambda: ipv6(icmp6(128), exts=[(60, {})]))
    add("ip6-ah-tcp80", lambda: ipv6(tcp(80), exts=[(51, {"length": 4})]))
    add("ip6-esp", lambda: ipv6((50, [Seg("esp", b"\0\0\x01\0\0\0\0\x01"
                                          + b"e" * 16)])))
    add("ip6-frag-first-tcp80", lambda: ipv6(tcp(80),
                                             exts=[(44, {"frag": 1})]))
    add("ip6-frag-first-icmp128", lambda: ipv6(icmp6(128),
                                               exts=[(44, {"frag": 1})]))
    add("ip6-frag-later-udp", lambda: ipv6(udp(53),
                                           exts=[(44, {"frag": 0x0a09})]))
    add("ip6-frag-atomic", lambda: ipv6(udp(53), exts=[(44, {"frag": 0})]))
    add("ip6-chain4-tcp80", lambda: ipv6(tcp(80), exts=[
        (0, {}), (60, {}), (43, {}), (44, {"frag": 1})]))
    add("ip6-chain6-udp53", lambda: ipv6(udp(53), exts=[
        (0, {}), (60, {}), (43, {}), (60, {}), (51, {"length": 1}),
        (60, {})]))
    add("ip6-chain7-tcp80", lambda: ipv6(tcp(80), exts=[
        (0, {}), (60, {}), (43, {}), (60, {}), (60, {}), (60, {}),
        (60, {})]))
    add("ip6-chain9-icmp128", lambda: ipv6(icmp6(128), exts=[
        (0, {})] + [(60, {})] * 8))
    add("ip6-hbh-toolong", lambda: ipv6(tcp(80), exts=[(0, {"length": 9})]))
    add("ip6-hbh-notfirst", lambda: ipv6(tcp(80), exts=[(60, {}), (0, {})]))
    # ND.
    sll = lla(1, bytes.fromhex("0a0000000011"))
    sll2 = lla(1, bytes.fromhex("0a0000000012"))
    tll = lla(2, bytes.fromhex("0a0000000022"))
    add("nd-ns", lambda: ipv6(nd(135), dst=IP6_SNMA, hlim=255), (4, 8, 12),
        dst=bytes.fromhex("3333ff000002"))
    add("nd-ns-sll", lambda: ipv6(nd(135, opts=[sll]), dst=IP6_SNMA,
                                  hlim=255))
    add("nd-ns-other-target", lambda: ipv6(nd(135, IP6_OTHER, opts=[sll]),
                                           hlim=255))
    add("nd-na-tll", lambda: ipv6(nd(136, opts=[tll], flags=0x60000000),
                                  hlim=255))
    add("nd-na-sll-tll", lambda: ipv6(nd(136, opts=[sll, tll]), hlim=255))
    add("nd-ns-2sll", lambda: ipv6(nd(135, opts=[sll, sll2]), hlim=255))
    add("nd-ns-2tll", lambda: ipv6(nd(136, opts=[tll, tll]), hlim=255))
    add("nd-ns-optlen0", lambda: ipv6(nd(135, opts=[(1, 0, b"\0" * 6)]),
                                      hlim=255))
    add("nd-ns-optlen-over", lambda: ipv6(nd(135, opts=[(1, 3, b"\0" * 6)]),
                                          hlim=255))
    add("nd-ns-opt-long-sll", lambda: ipv6(nd(135, opts=[(1, 2, b"\x0a" +
                                                          b"\1" * 13)]),
                                           hlim=255))
    add("nd-ns-opt-unknown", lambda: ipv6(nd(135, opts=[(14, 1, b"\0" * 6),
                                                         sll]), hlim=255))
    add("nd-ns-5opts", lambda: ipv6(nd(135, opts=[(14, 1, b"\0" * 6)] * 4 +
                                       [sll]), hlim=255))
    add("nd-ns-code1", lambda: ipv6(nd(135, code=1, opts=[sll]), hlim=255))
    add("nd-ns-opt-tail", lambda: ipv6(nd(135, opts=[sll]), hlim=255,
                                       pad=b""), (28, 30))
    add("nd-rs", lambda: ipv6(icmp6(133, 0, b"\0" * 4, [Seg("nd-opt", bytes(
        [1, 1]) + bytes.fromhex("0a0000000011"))]), hlim=255))
    # ARP and RARP.
    add("arp-req", lambda: arp(1), dst=BCAST)
    add("arp-reply", lambda: arp(2, tha=bytes.fromhex("020000000001")))
    add("arp-op-big", lambda: arp(0x0101))
    add("arp-htype6", lambda: arp(1, htype=6))
    add("arp-ptype6", lambda: arp(1, ptype=0x86dd))
    add("arp-hlen8", lambda: arp(1, hlen=8))
    add("arp-short", lambda: (0x0806, [Seg("arp", cat(arp(1)[1])[:27])]))
    add("arp-pad", lambda: (0x0806, arp(1)[1] + [Seg("pad", b"\0" * 18)]))
    add("rarp", lambda: (0x8035, arp(3)[1]))
    # 802.2 and SNAP.
    add("llc-stp", lambda: raw(0, bytes(35), "bpdu"),
        llc=bytes.fromhex("424203"))
    add("llc-stp-mcast", lambda: raw(0, bytes(35), "bpdu"),
        llc=bytes.fromhex("424203"), dst=bytes.fromhex("0180c2000000"))
    add("snap-ip4-tcp80", lambda: ipv4(tcp(80)), llc=SNAP_ETH + b"\x08\x00")
    add("snap-ip4-icmp8", lambda: ipv4(icmp(8)), llc=SNAP_ETH + b"\x08\x00")
    add("snap-ip6-icmp128", lambda: ipv6(icmp6(128)),
        llc=SNAP_ETH + b"\x86\xdd")
    add("snap-arp", lambda: arp(1), llc=SNAP_ETH + b"\x08\x06")
    add("snap-type-small", lambda: raw(0, b"\0" * 20),
        llc=SNAP_ETH + b"\x05\xff")
    add("snap-cisco", lambda: raw(0, b"\0" * 20),
        llc=bytes.fromhex("aaaa0300000c2000"))
    add("snap-short", lambda: raw(0, b""), llc=SNAP_ETH[:5])
    # Other Ethertypes.
    add("type-0600", lambda: raw(0x0600, b"\0" * 20))
    add("lldp", lambda: raw(0x88cc, bytes.fromhex("020704") + b"\0" * 20),
        dst=bytes.fromhex("0180c200000e"))
    add("type-9000", lambda: raw(0x9000, b"\0" * 20))
    add("mpls-ip4", lambda: (0x8847, [Seg("mpls", bytes.fromhex("0001413f"))]
                             + ipv4(tcp(80))[1]))
    add("mpls-2labels", lambda: (0x8847, [Seg("mpls", bytes.fromhex(
        "00014040")), Seg("mpls", bytes.fromhex("0002413f"))] +
        ipv4(icmp(8))[1]))
    add("nsh", lambda: (0x894f, [Seg("nsh", bytes.fromhex(
        "0fc60103000100ff") + b"\0" * 16)] + ipv4(tcp(80))[1]))
    add("eth-only", lambda: (0x0800, []))
    return t


def build_corpus(seed):
    rng = random.Random(seed)
    frames = []

    def emit(kind, data):
        if len(data) >= 14:
            frames.append((kind, bytes(data)))

    for kind, l3fn, ekw, cuts in templates():
        segs = ether(l3fn(), **ekw)
        emit(kind, cat(segs))
        # Every header boundary, untagged and under one random stack.
        stack_name, stack = rng.choice(VLAN_STACKS)
        for tags, tname in (((), ""), (stack, "/" + stack_name)):
            tsegs = ether(l3fn(), tags=tags, **ekw)
            data = cat(tsegs)
            off = 0
            for s in tsegs[:-1]:
                off += len(s.data)
                if 14 <= off < len(data):
                    emit("%s/cut-after-%s%s" % (kind, s.name, tname),
                         data[:off])
        # L4 headers cut short with consistent IP lengths.
        for n in cuts:
            ethertype, l3segs = l3fn()
            cut = cut_l4(l3segs, n)
            if cut is None:
                continue
            for tags, tname in (((), ""), (rng.choice(VLAN_STACKS)[1],
                                           "/tagged")):
                emit("%s/l4-cut-%d%s" % (kind, n, tname),
                     cat(ether((ethertype, cut), tags=tags, **ekw)))
        # Every VLAN stack.
        for sname, stack in VLAN_STACKS:
            emit("%s/%s" % (kind, sname), cat(ether(l3fn(), tags=stack,
                                                   **ekw)))

    # Mutations: one header byte of a random template, under a random stack
    # (or none), replaced by a random value.
    tmpl = templates()
    for _ in range(300):
        kind, l3fn, ekw, _ = rng.choice(tmpl)
        tags = rng.choice([()] * 3 + [s for _, s in VLAN_STACKS])
        segs = ether(l3fn(), tags=tags, **ekw)
        data = bytearray(cat(segs))
        hdr_end = sum(len(s.data) for s in segs if s.name not in
                      ("payload", "pad", "bpdu"))
        if hdr_end <= 12:
            continue
        pos = rng.randrange(12, hdr_end)
        val = rng.randrange(256)
        data[pos] = val
        if rng.random() < 0.3:
            data = data[:rng.randrange(14, len(data) + 1)]
        emit("%s/mut@%d=%02x" % (kind, pos, val), data)

    rng.shuffle(frames)
    out = []
    for i, (kind, data) in enumerate(frames):
        data = bytearray(data)
        data[6:12] = SRC_PREFIX + struct.pack("!H", i)
        out.append((kind, bytes(data)))
    return out


def cut_l4(l3segs, n):
    """The IP header segments of 'l3segs' with the L4 header cut to 'n'
    bytes and the IP lengths (and IPv4 checksum) fixed; None if there is no
    L4 header."""
    if not l3segs or l3segs[0].name not in ("ipv4", "ipv6"):
        return None
    ip = l3segs[0]
    i = 1
    while i < len(l3segs) and l3segs[i].name.startswith("ipv6-"):
        i += 1
    if i >= len(l3segs):
        return None
    l4 = cat(l3segs[i:])[:n]
    exts = l3segs[1:i]
    body = cat(exts) + l4
    hdr = bytearray(ip.data)
    if ip.name == "ipv4":
        ihl = (hdr[0] & 0xf) * 4
        hdr[2:4] = struct.pack("!H", ihl + len(body))
        hdr[10:12] = b"\0\0"
        hdr[10:12] = struct.pack("!H", csum(bytes(hdr[:ihl])))
    else:
        hdr[4:6] = struct.pack("!H", len(body))
    return [Seg(ip.name, hdr)] + exts + [Seg("l4-cut", l4)]


def frame_index(data):
    if len(data) >= 12 and data[6:10] == SRC_PREFIX:
        return struct.unpack("!H", data[10:12])[0]
    return None


def observable(data):
    """Whether the receiving kernel hands 'data' to packet sockets."""
    tpid = struct.unpack("!H", data[12:14])[0]
    return not (tpid in (0x8100, 0x88a8) and len(data) < VLAN_OBSERVABLE_MIN)


def n_tags(data):
    n, off = 0, 12
    while (len(data) >= off + 2
           and struct.unpack("!H", data[off:off + 2])[0] in (0x8100, 0x88a8)):
        n += 1
        off += 4
    return n


# ---------------------------------------------------------------------------
# Predictions: ofproto/trace, and the datapath actions applied to the frame.

class Unixctl:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = b""
        self.id = 0
        self.decoder = json.JSONDecoder()

    def call(self, method, *params):
        self.id += 1
        msg = {"method": method, "params": list(params), "id": self.id}
        self.sock.sendall(json.dumps(msg).encode())
        while True:
            text = self.buf.decode("utf-8", "replace").lstrip()
            if text:
                try:
                    reply, end = self.decoder.raw_decode(text)
                    self.buf = text[end:].encode()
                    if reply.get("id") != self.id:
                        continue
                    if reply.get("error") is not None:
                        raise RuntimeError("%s: %s" % (method,
                                                       reply["error"]))
                    return reply["result"]
                except ValueError:
                    pass
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("unixctl connection closed")
            self.buf += chunk


class Unpredictable(Exception):
    pass


def split_actions(s):
    out, depth, cur = [], 0, ""
    for c in s:
        if c == "," and depth == 0:
            out.append(cur)
            cur = ""
            continue
        depth += {"(": 1, ")": -1}.get(c, 0)
        cur += c
    if cur:
        out.append(cur)
    return [a.strip() for a in out if a.strip()]


def kv(s):
    out = {}
    for part in split_actions(s):
        k, _, v = part.partition("=")
        out[k] = v
    return out


def recalc_csum16(old_csum, old, new):
    s = (~old_csum & 0xffff) + (~old & 0xffff) + new
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def recalc_csum32(old_csum, old, new):
    c = recalc_csum16(old_csum, old & 0xffff, new & 0xffff)
    return recalc_csum16(c, old >> 16, new >> 16)


def l3_offset(data, vlan_limit):
    """Where flow_extract() puts L3, as OVS parses it with 'vlan_limit'."""
    off = 12
    n = 0
    while (n < vlan_limit and len(data) >= off + 6
           and struct.unpack("!H", data[off:off + 2])[0] in (0x8100, 0x88a8)):
        off += 4
        n += 1
    etype = struct.unpack("!H", data[off:off + 2])[0]
    off += 2
    if etype < 0x600:
        off += 8
    return off


def apply_actions(data, actions, out_port, vlan_limit):
    """Returns the frames that 'actions' (datapath actions as ofproto/trace
    prints them) output to 'out_port', applied to 'data' as
    odp_execute_actions() does for the actions used here."""
    pkt = bytearray(data)
    l3 = l3_offset(data, vlan_limit)
    outputs = []
    for a in split_actions(actions):
        if a == "drop":
            continue
        if a.isdigit():
            if int(a) == out_port:
                outputs.append(bytes(pkt))
        elif a == "pop_vlan":
            if (len(pkt) >= 18 and struct.unpack("!H", pkt[12:14])[0]
                    in (0x8100, 0x88a8)):
                del pkt[12:16]
                l3 -= 4
        elif a.startswith("push_vlan(") and a.endswith(")"):
            f = kv(a[len("push_vlan("):-1])
            tpid = int(f.get("tpid", "0x8100"), 0)
            tci = int(f["vid"]) | int(f.get("pcp", "0")) << 13
            pkt[12:12] = struct.pack("!HH", tpid, tci)
            l3 += 4
        elif a.startswith("set(eth(") and a.endswith("))"):
            for k, v in kv(a[len("set(eth("):-2]).items():
                mac = bytes.fromhex(v.split("/")[0].replace(":", ""))
                if k == "dst":
                    pkt[0:6] = mac
                elif k == "src":
                    pkt[6:12] = mac
                else:
                    raise Unpredictable(a)
        elif a.startswith("set(ipv4(") and a.endswith("))"):
            for k, v in kv(a[len("set(ipv4("):-2]).items():
                if k not in ("src", "dst") or "/" in v:
                    raise Unpredictable(a)
                set_ipv4_addr(pkt, l3, 12 if k == "src" else 16,
                              socket.inet_aton(v))
        else:
            raise Unpredictable(a)
    return outputs


def set_ipv4_addr(pkt, l3, field, new):
    """packet_set_ipv4_addr() of OVS's lib/packets.c."""
    old = bytes(pkt[l3 + field:l3 + field + 4])
    if old == new:
        return
    o = struct.unpack("!I", old)[0]
    n = struct.unpack("!I", new)[0]
    ihl = (pkt[l3] & 0xf) * 4
    tot_len = struct.unpack("!H", pkt[l3 + 2:l3 + 4])[0]
    proto = pkt[l3 + 9]
    l4 = l3 + ihl
    l4_size = tot_len - ihl
    if proto == 6 and l4_size >= 20:
        c = struct.unpack("!H", pkt[l4 + 16:l4 + 18])[0]
        pkt[l4 + 16:l4 + 18] = struct.pack("!H", recalc_csum32(c, o, n))
    elif proto == 17 and l4_size >= 8:
        c = struct.unpack("!H", pkt[l4 + 6:l4 + 8])[0]
        if c:
            c = recalc_csum32(c, o, n) or 0xffff
            pkt[l4 + 6:l4 + 8] = struct.pack("!H", c)
    c = struct.unpack("!H", pkt[l3 + 10:l3 + 12])[0]
    pkt[l3 + 10:l3 + 12] = struct.pack("!H", recalc_csum32(c, o, n))
    pkt[l3 + field:l3 + field + 4] = new


def cmd_predict(args):
    ctl = Unixctl(args.ctl)
    corpus = build_corpus(args.seed)
    vlan_limit = args.vlan_limit if args.vlan_limit else 2
    preds = []
    start = time.time()
    order = range(len(corpus))
    if args.only:
        order = [int(x) for x in args.only.split(",")]
    for i in order:
        kind, data = corpus[i]
        pred = {"index": i, "kind": kind, "frame": data.hex(),
                "observable": True}
        try:
            out = ctl.call("ofproto/trace", args.bridge,
                           "in_port=%s" % args.in_port, data.hex())
            acts = [line[len("Datapath actions: "):]
                    for line in out.splitlines()
                    if line.startswith("Datapath actions: ")]
            if len(acts) != 1:
                raise Unpredictable("no datapath actions in trace")
            pred["actions"] = acts[0]
            outputs = apply_actions(data, acts[0], args.out_port,
                                    vlan_limit)
            pred["expect"] = [f.hex() for f in outputs]
            # A frame predicted to be dropped can be seen if it is wrongly
            # forwarded as it was sent.
            pred["observable"] = all(observable(f)
                                     for f in outputs or [data])
        except (Unpredictable, RuntimeError) as e:
            pred["error"] = str(e)
        preds.append(pred)
    with open(args.output, "w") as f:
        json.dump(preds, f)
    n_fwd = sum(1 for p in preds if p.get("expect"))
    n_err = sum(1 for p in preds if "error" in p)
    print("%d frames traced in %.1f s: %d to be forwarded, %d dropped, "
          "%d unpredictable, %d unobservable"
          % (len(preds), time.time() - start, n_fwd,
             len(preds) - n_fwd - n_err, n_err,
             sum(1 for p in preds if not p["observable"])))
    return 0


# ---------------------------------------------------------------------------
# Sending and receiving.

CLONE_NEWNET = 0x40000000
SOL_PACKET = 263
PACKET_AUXDATA = 8
ETH_P_ALL = 3
SO_RCVBUFFORCE = 33
PACKET_OUTGOING = 4
TP_STATUS_VLAN_VALID = 1 << 4
TP_STATUS_VLAN_TPID_VALID = 1 << 6

libc = ctypes.CDLL(None, use_errno=True)


def setns(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, "setns %s: %s" % (path, os.strerror(e)))
    finally:
        os.close(fd)


def ns_socket(ns, dev, receive):
    """A packet socket on 'dev' in network namespace 'ns'."""
    own = "/proc/self/ns/net"
    home = os.open(own, os.O_RDONLY)
    try:
        setns("/run/netns/%s" % ns)
        if receive:
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                              socket.htons(ETH_P_ALL))
            s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
            try:
                s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE,
                             64 << 20)
            except OSError:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 20)
            s.bind((dev, ETH_P_ALL))
        else:
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
            s.bind((dev, 0))
    finally:
        if libc.setns(home, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns back")
        os.close(home)
    return s


def recv_frame(s):
    """One incoming frame from 's', with the VLAN tag that the receiving
    kernel took out of it put back; None for outgoing frames."""
    data, anc, _, addr = s.recvmsg(65536, socket.CMSG_SPACE(20))
    if addr[2] == PACKET_OUTGOING:
        return None
    for level, typ, cdata in anc:
        if level == SOL_PACKET and typ == PACKET_AUXDATA and len(cdata) >= 20:
            status, _, _, _, _, tci, tpid = struct.unpack("=IIIHHHH",
                                                          cdata[:20])
            if status & TP_STATUS_VLAN_VALID:
                if not status & TP_STATUS_VLAN_TPID_VALID:
                    tpid = 0x8100
                data = data[:12] + struct.pack("!HH", tpid, tci) + data[12:]
    return data


def cmd_hello(args):
    s = ns_socket(args.ns, args.dev, False)
    for vid in [None] + (args.vlan or []):
        tag = struct.pack("!HH", 0x8100, vid) if vid is not None else b""
        s.send(BCAST + DST_MAC + tag + b"\x88\xb5" + b"hello".ljust(46, b"\0"))
    s.close()
    return 0


def cmd_send(args):
    with open(args.pred) as f:
        preds = json.load(f)
    rx = ns_socket(args.recv_ns, args.recv_dev, True)
    tx = ns_socket(args.send_ns, args.send_dev, False)
    arrivals = collections.defaultdict(list)
    indexes = set(p["index"] for p in preds)
    noise = 0

    def drain(deadline, want=None):
        nonlocal noise
        while True:
            timeout = max(0.0, deadline - time.time())
            r, _, _ = select.select([rx], [], [], timeout)
            if not r:
                return False
            frame = recv_frame(rx)
            if frame is None:
                continue
            idx = frame_index(frame)
            if idx not in indexes:
                noise += 1
                continue
            arrivals[idx].append(frame.hex())
            if want is not None and idx == want:
                return True

    start = time.time()
    for p in preds:
        data = bytes.fromhex(p["frame"])
        tx.send(data)
        if p.get("expect") and p["observable"]:
            # Wait for it (frames that missed in XDP take an upcall).
            drain(time.time() + args.wait, p["index"])
        else:
            drain(time.time() + args.gap)
    drain(time.time() + args.settle)
    elapsed = time.time() - start
    with open(args.output, "w") as f:
        json.dump({"arrivals": arrivals, "noise": noise, "time": elapsed}, f)
    print("%d frames sent in %.1f s, %d arrived, %d other frames"
          % (len(preds), elapsed, sum(len(v) for v in arrivals.values()),
             noise))
    return 0


# ---------------------------------------------------------------------------
# Comparison.

def cmd_compare(args):
    with open(args.pred) as f:
        preds = json.load(f)
    failed = False
    for n, path in enumerate(args.passes, 1):
        with open(path) as f:
            arrivals = json.load(f)["arrivals"]
        by_tags = collections.Counter()
        by_kind = collections.Counter()
        n_bad = 0
        for p in preds:
            got = arrivals.get(str(p["index"]), [])
            if "error" in p:
                what = "cannot predict (%s)" % p["error"]
            elif not p["observable"]:
                continue
            elif sorted(got) == sorted(p["expect"]):
                continue
            elif not p["expect"]:
                what = "forwarded, predicted dropped"
            elif not got:
                what = "dropped, predicted forwarded"
            elif len(got) != len(p["expect"]):
                what = "arrived %d times, predicted %d" % (len(got),
                                                            len(p["expect"]))
            else:
                what = "bytes differ"
            n_bad += 1
            frame = bytes.fromhex(p["frame"])
            by_tags[(what, n_tags(frame))] += 1
            by_kind[(what, p["kind"].split("/")[0])] += 1
            if n_bad > args.max_details:
                continue
            print("pass %d: frame %d (%s): %s" % (n, p["index"], p["kind"],
                                                  what))
            print("    sent      %s" % p["frame"])
            print("    actions   %s" % p.get("actions"))
            for w in p.get("expect", []):
                print("    predicted %s" % w)
            for g in got:
                print("    arrived   %s" % g)
        if n_bad > args.max_details:
            print("pass %d: (%d more)" % (n, n_bad - args.max_details))
        print("pass %d: %d of %d frames disagree with ofproto/trace"
              % (n, n_bad, len(preds)))
        for (what, tags), count in sorted(by_tags.items()):
            print("pass %d:   %4d with %d VLAN tags: %s" % (n, count, tags,
                                                           what))
        for (what, kind), count in sorted(by_kind.items()):
            print("pass %d:   %4d %s: %s" % (n, count, kind, what))
        failed = failed or n_bad > 0
    return 1 if failed else 0


def cmd_corpus(args):
    corpus = build_corpus(args.seed)
    if args.dump:
        for i, (kind, data) in enumerate(corpus):
            print(i, kind, data.hex())
        return 0
    kinds = collections.Counter(k.split("/")[0] for k, _ in corpus)
    for k, n in sorted(kinds.items()):
        print("%5d %s" % (n, k))
    tags = collections.Counter(n_tags(d) for _, d in corpus)
    print("%d frames, %d kinds; by VLAN tags: %s"
          % (len(corpus), len(kinds),
             ", ".join("%d: %d" % kv for kv in sorted(tags.items()))))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("corpus")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--dump", action="store_true")
    p.set_defaults(fn=cmd_corpus)

    p = sub.add_parser("predict")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--ctl", required=True)
    p.add_argument("--bridge", required=True)
    p.add_argument("--in-port", required=True)
    p.add_argument("--out-port", type=int, required=True)
    p.add_argument("--vlan-limit", type=int, default=1)
    p.add_argument("--only", help="comma-separated frame indexes, in the "
                   "order to send them (for debugging)")
    p.add_argument("--output", required=True)
    p.set_defaults(fn=cmd_predict)

    p = sub.add_parser("hello")
    p.add_argument("--ns", required=True)
    p.add_argument("--dev", required=True)
    p.add_argument("--vlan", type=int, action="append")
    p.set_defaults(fn=cmd_hello)

    p = sub.add_parser("send")
    p.add_argument("--pred", required=True)
    p.add_argument("--send-ns", required=True)
    p.add_argument("--send-dev", required=True)
    p.add_argument("--recv-ns", required=True)
    p.add_argument("--recv-dev", required=True)
    p.add_argument("--output", required=True)
    p.add_argument("--wait", type=float, default=0.2)
    p.add_argument("--gap", type=float, default=0.0005)
    p.add_argument("--settle", type=float, default=0.5)
    p.set_defaults(fn=cmd_send)

    p = sub.add_parser("compare")
    p.add_argument("--pred", required=True)
    p.add_argument("--max-details", type=int, default=30)
    p.add_argument("passes", nargs="+")
    p.set_defaults(fn=cmd_compare)

    args = ap.parse_args()
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
