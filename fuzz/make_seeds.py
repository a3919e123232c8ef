#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets: fuzz/corpus/<target>/<seed>.

Needs scapy (apt-get install python3-scapy); run with the system python3:
    /usr/bin/python3 fuzz/make_seeds.py
The output is deterministic, so re-running it leaves git clean. The DHCP
messages are the fixtures of net/wire/dhcpv4_test.cpp, the TCP segments those of
net/wire/tcp_test.cpp. The udp and tcp targets read
the pseudo-header's source and destination addresses (4 + 4 bytes) before
the datagram or segment, so their seeds start with them.
"""
import os
import socket
import struct

from scapy.all import (ARP, BOOTP, DHCP, DNS, DNSQR, ICMP, IP, TCP, UDP, Dot1Q, Ether,
                       IPOption_Router_Alert, IPOption_RR, fragment, raw)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
CLIENT_MAC = "52:54:00:12:34:56"
CLIENT_MAC_BYTES = bytes.fromhex("525400123456")
SERVER_MAC = "52:54:00:ab:cd:ef"
PARAMETERS = [1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42]


def put(target, name, data):
    folder = os.path.join(ROOT, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as file:
        file.write(bytes(data))


def padded(message):
    """A client's message, padded with zeros to 300 bytes as dhclient does."""
    data = raw(message)
    return data + b"\0" * max(0, 300 - len(data))


def addresses(source, destination):
    return socket.inet_aton(source) + socket.inet_aton(destination)


def dhcp_messages():
    xid = 0x3903F326
    server_options = [("server_id", "192.168.122.1"), ("lease_time", 3600),
                      ("renewal_time", 1800), ("rebinding_time", 3150),
                      ("subnet_mask", "255.255.255.0"), ("broadcast_address", "192.168.122.255"),
                      ("router", "192.168.122.1"), ("name_server", "192.168.122.1", "9.9.9.9"),
                      ("domain", b"example.internal"), "end"]
    return {
        "discover": padded(BOOTP(op=1, chaddr=CLIENT_MAC_BYTES, xid=xid, secs=3) / DHCP(options=[
            ("message-type", "discover"), ("requested_addr", "192.168.122.76"),
            ("hostname", b"oasis"), ("param_req_list", PARAMETERS), "end"])),
        "offer": raw(BOOTP(op=2, chaddr=CLIENT_MAC_BYTES, xid=xid, yiaddr="192.168.122.76",
                           siaddr="192.168.122.1") /
                     DHCP(options=[("message-type", "offer")] + server_options)),
        "request": padded(BOOTP(op=1, chaddr=CLIENT_MAC_BYTES, xid=xid, secs=4, flags=0x8000) /
                          DHCP(options=[
                              ("message-type", "request"), ("client_id", b"\x01" + CLIENT_MAC_BYTES),
                              ("requested_addr", "192.168.122.76"), ("server_id", "192.168.122.1"),
                              ("max_dhcp_size", 1500), ("hostname", b"oasis"),
                              ("param_req_list", PARAMETERS), "end"])),
        "ack": raw(BOOTP(op=2, chaddr=CLIENT_MAC_BYTES, xid=xid, flags=0x8000,
                         yiaddr="192.168.122.76", siaddr="192.168.122.1") /
                   DHCP(options=[("message-type", "ack")] + server_options)),
        "release": padded(BOOTP(op=1, chaddr=CLIENT_MAC_BYTES, xid=0x5A17C0DE,
                                ciaddr="192.168.122.76") / DHCP(options=[
            ("message-type", "release"), ("client_id", b"\x01" + CLIENT_MAC_BYTES),
            ("server_id", "192.168.122.1"), "end"])),
        "decline": padded(BOOTP(op=1, chaddr=CLIENT_MAC_BYTES, xid=0x0BADCAFE) / DHCP(options=[
            ("message-type", "decline"), ("client_id", b"\x01" + CLIENT_MAC_BYTES),
            ("requested_addr", "192.168.122.76"), ("server_id", "192.168.122.1"), "end"])),
    }


def dhcp_frame(name, message):
    """The message in the Ethernet frame that carries it."""
    if name in ("discover", "request"):
        return Ether(src=CLIENT_MAC, dst="ff:ff:ff:ff:ff:ff") / IP(
            src="0.0.0.0", dst="255.255.255.255", id=0) / UDP(sport=68, dport=67) / message
    broadcast = name == "ack"
    return Ether(src=SERVER_MAC, dst="ff:ff:ff:ff:ff:ff" if broadcast else CLIENT_MAC) / IP(
        src="192.168.122.1", dst="255.255.255.255" if broadcast else "192.168.122.76",
        id=0x1C46, ttl=64) / UDP(sport=67, dport=68) / message


def main():
    for name, message in dhcp_messages().items():
        put("dhcpv4", f"dhcp-{name}", message)
        if name in ("release", "decline"):
            continue
        frame = Ether(raw(dhcp_frame(name, message)))
        put("ethernet", f"dhcp-{name}", raw(frame))
        put("ipv4", f"dhcp-{name}", raw(frame[IP]))
        put("udp", f"dhcp-{name}", addresses(frame[IP].src, frame[IP].dst) + raw(frame[UDP]))

    request = ARP(op=1, hwsrc=CLIENT_MAC, psrc="10.0.0.2", pdst="10.0.0.1")
    reply = ARP(op=2, hwsrc=SERVER_MAC, psrc="10.0.0.1", hwdst=CLIENT_MAC, pdst="10.0.0.2")
    put("arp", "request", raw(request))
    put("arp", "reply", raw(reply))
    put("arp", "gratuitous", raw(ARP(op=1, hwsrc=CLIENT_MAC, psrc="10.0.0.2", pdst="10.0.0.2",
                                     hwdst="00:00:00:00:00:00")))
    put("arp", "request-padded", raw(request) + b"\0" * 18)
    put("ethernet", "arp-request", raw(Ether(src=CLIENT_MAC, dst="ff:ff:ff:ff:ff:ff") / request))
    put("ethernet", "vlan-arp-reply",
        raw(Ether(src=SERVER_MAC, dst=CLIENT_MAC) / Dot1Q(vlan=42, prio=5) / reply))

    # A ping as Linux sends it: a timestamp, then 48 bytes counting up from 0x10.
    echo_data = b"\x8a\x2b\x65\x67\0\0\0\0" + bytes(range(0x10, 0x40))
    echo = IP(raw(IP(src="10.0.0.2", dst="10.0.0.1", id=0x4D2, flags="DF", ttl=64) /
                  ICMP(type=8, id=0x1C2E, seq=1) / echo_data))
    put("ethernet", "icmp-echo-request", raw(Ether(src=CLIENT_MAC, dst=SERVER_MAC) / echo))
    put("ipv4", "icmp-echo-request", raw(echo))
    put("icmpv4", "echo-request", raw(echo[ICMP]))
    put("icmpv4", "echo-reply", raw(ICMP(type=0, id=0x1C2E, seq=1) / echo_data))
    query = IP(raw(IP(src="10.0.0.2", dst="10.0.0.1", id=7) / UDP(sport=40000, dport=53) /
                   DNS(id=0x1234, rd=1, qd=DNSQR(qname="example.com"))))
    put("icmpv4", "port-unreachable", raw(ICMP(type=3, code=3) / raw(query)))
    put("icmpv4", "time-exceeded", raw(ICMP(type=11, code=0) / raw(echo)[:28]))
    put("icmpv4", "fragmentation-needed",
        raw(ICMP(type=3, code=4, nexthopmtu=1400) / raw(echo)[:28]))

    put("udp", "dns-query", addresses("10.0.0.2", "10.0.0.1") + raw(query[UDP]))
    put("udp", "no-checksum", addresses("10.0.0.2", "10.0.0.1") +
        raw(UDP(sport=5000, dport=6000, chksum=0) / b"no checksum"))
    put("ipv4", "udp-dns-query", raw(query))
    put("ipv4", "options-router-alert-record-route",
        raw(IP(src="10.0.0.2", dst="224.0.0.22", ttl=1,
               options=[IPOption_Router_Alert(), IPOption_RR(routers=["10.0.0.9"])]) /
            UDP(sport=1, dport=2) / b"x"))
    put("ipv4", "first-fragment",
        raw(IP(src="10.0.0.2", dst="10.0.0.1", id=99, flags="MF", proto=17) / (b"\0" * 32)))
    put("ipv4", "last-fragment",
        raw(IP(src="10.0.0.2", dst="10.0.0.1", id=99, frag=4, proto=17) / (b"\x01" * 16)))

    tcp_seeds()
    stack_seeds()


def stack_seeds():
    """Frame sequences for fuzz_stack: each frame a 2-byte length, then its bytes.
    The stack under fuzz is 02:00:00:00:00:01 / 10.0.0.2 with UDP port 7 open."""
    us_mac, peer_mac, us, peer = "02:00:00:00:00:01", "52:54:00:12:34:56", "10.0.0.2", "10.0.0.1"

    def frames(*packets):
        return b"".join(struct.pack(">H", len(raw(p))) + raw(p) for p in packets)

    def to_us(packet):
        return Ether(dst=us_mac, src=peer_mac) / packet

    arp = Ether(dst="ff:ff:ff:ff:ff:ff", src=peer_mac) / ARP(op=1, hwsrc=peer_mac, psrc=peer,
                                                             pdst=us)
    ping = to_us(IP(src=peer, dst=us, id=1) / ICMP(id=7, seq=1) / (b"x" * 32))
    big = IP(src=peer, dst=us, id=4) / ICMP(id=7, seq=2) / (b"y" * 3000)
    pieces = [to_us(piece) for piece in fragment(big, fragsize=1480)]
    put("stack", "arp-request", frames(arp))
    put("stack", "arp-then-ping", frames(arp, ping))
    put("stack", "udp-echo-port",
        frames(arp, to_us(IP(src=peer, dst=us, id=2) / UDP(sport=5000, dport=7) / b"hello")))
    put("stack", "udp-closed-port",
        frames(to_us(IP(src=peer, dst=us, id=3) / UDP(sport=5000, dport=9) / b"closed")))
    put("stack", "fragmented-ping", frames(arp, *pieces))
    put("stack", "fragments-reversed", frames(*reversed(pieces)))
    put("stack", "vlan-tagged",
        frames(Ether(dst=us_mac, src=peer_mac) / Dot1Q(vlan=5) / IP(src=peer, dst=us) / ICMP()))


def tcp_seeds():
    """The fixtures of net/wire/tcp_test.cpp: a Linux handshake, data and close."""
    def put_tcp(name, source, destination, header, payload=b""):
        packet = IP(raw(IP(src=source, dst=destination) / header / payload))
        put("tcp", name, addresses(source, destination) + raw(packet[TCP]))

    client, server = "10.0.0.1", "10.0.0.2"
    put_tcp("syn", client, server, TCP(
        sport=45678, dport=80, seq=0x1A2B3C4D, flags="S", window=64240,
        options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (2830121415, 0)),
                 ("NOP", None), ("WScale", 7)]))
    put_tcp("syn-ack", server, client, TCP(
        sport=80, dport=45678, seq=0x5E6F7081, ack=0x1A2B3C4E, flags="SA", window=65160,
        options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (104729, 2830121415)),
                 ("NOP", None), ("WScale", 7)]))
    put_tcp("data-push", client, server, TCP(
        sport=45678, dport=80, seq=0x1A2B3C4E, ack=0x5E6F7082, flags="PA", window=502,
        options=[("NOP", None), ("NOP", None), ("Timestamp", (2830121416, 104729))]),
        b"GET / HTTP/1.1\r\nHost: oasis\r\n\r\n")
    put_tcp("fin", server, client, TCP(sport=80, dport=45678, seq=0x5E6F7082, ack=0x1A2B3C6E,
                                       flags="FA", window=509))
    put_tcp("sack", client, server, TCP(
        sport=45678, dport=80, seq=0x1A2B3C6E, ack=0x5E6F7083, flags="A", window=502,
        options=[("NOP", None), ("NOP", None), ("SAck", (0x5E6F8000, 0x5E6F9000,
                                                         0x5E6FA000, 0x5E6FB000))]))
    put_tcp("window-scale-15", client, server, TCP(
        sport=1, dport=2, flags="S", options=[("WScale", 15), ("EOL", None)]))

    # What a hostile peer may send instead (issue 4): each checksum is valid,
    # so the parser itself, not the checksum test, has to refuse or survive it.
    def put_tcp_raw(name, data_offset, option_bytes, payload=b"", **fields):
        header = TCP(sport=45678, dport=80, seq=0x1A2B3C4D, dataofs=data_offset, **fields)
        packet = raw(IP(src=client, dst=server) / header / (option_bytes + payload))
        put("tcp", name, addresses(client, server) + packet[20:])

    put_tcp_raw("data-offset-4", 4, b"", b"data", flags="A")
    put_tcp_raw("data-offset-15-truncated", 15, b"\x01" * 8, flags="S")
    put_tcp_raw("option-length-0", 6, b"\x02\x00\x05\xb4", flags="S")
    put_tcp_raw("option-length-1", 6, b"\x04\x01\x01\x00", flags="S")
    put_tcp_raw("option-past-header", 6, b"\x01\x08\x0a\x00", b"\x00" * 8, flags="S")
    put_tcp_raw("sack-length-6", 7, b"\x01\x01\x05\x06\x00\x00\x00\x01", flags="A")
    put_tcp_raw("mss-0", 6, b"\x02\x04\x00\x00", flags="S")
    put_tcp_raw("mss-1", 7, b"\x02\x04\x00\x01\x03\x03\xff\x00", flags="S")
    put_tcp_raw("urgent-beyond-data", 5, b"", b"abc", flags="PAU", urgptr=0xFFFF)


if __name__ == "__main__":
    main()
