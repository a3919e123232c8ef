#!/usr/bin/env python3
"""Sends malformed and hostile HTTP requests to a web server and checks that
each gets the right status (or a closed connection), and that a slowloris
crowd neither holds the server nor keeps it from serving others.

    bad_input.py ADDRESS PORT

The server must run with --head-timeout=3s. Bounded: 200 slow connections
for about 8 seconds. Exits 1 on the first wrong answer."""

import select
import socket
import sys
import time

address, port = sys.argv[1], int(sys.argv[2])
SLOW_CONNECTIONS = 200
HEAD_TIMEOUT = 3.0


def exchange(data, timeout=5.0):
    """Sends data and returns everything read until the server closes, and
    whether it did close within the timeout."""
    with socket.create_connection((address, port), timeout=timeout) as connection:
        try:
            connection.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may refuse before it has read everything
        reply = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = connection.recv(65536)
            except socket.timeout:
                return reply, False
            except ConnectionResetError:
                return reply, True
            if not chunk:
                return reply, True
            reply += chunk
        return reply, False


def status_of(reply):
    parts = reply.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


HOST = b"Host: test\r\n"
CASES = [
    ("a 10 KiB request line", b"GET /" + b"a" * 10240 + b" HTTP/1.1\r\n" + HOST + b"\r\n", 414),
    ("a 20 KiB header", b"GET / HTTP/1.1\r\n" + HOST + b"X-Big: " + b"b" * 20480 + b"\r\n\r\n", 431),
    ("200 headers", b"GET / HTTP/1.1\r\n" + HOST + b"".join(b"X-%d: v\r\n" % n for n in range(200)) + b"\r\n", 431),
    ("Content-Length with Transfer-Encoding",
     b"POST / HTTP/1.1\r\n" + HOST + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("a negative Content-Length", b"POST / HTTP/1.1\r\n" + HOST + b"Content-Length: -1\r\n\r\n", 400),
    ("a Content-Length past 2^64", b"POST / HTTP/1.1\r\n" + HOST + b"Content-Length: 99999999999999999999999\r\n\r\n", 400),
    ("a Content-Length past the body limit", b"POST / HTTP/1.1\r\n" + HOST + b"Content-Length: 1000000000000\r\n\r\n", 413),
    ("two different Content-Lengths",
     b"POST / HTTP/1.1\r\n" + HOST + b"Content-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400),
    ("a chunk size that is not hex",
     b"POST / HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400),
    ("a chunk size past 2^64",
     b"POST / HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffffff\r\n", 400),
    ("a chunk without its CRLF",
     b"POST / HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n", 400),
    ("an unknown transfer coding",
     b"POST / HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501),
    ("no Host", b"GET / HTTP/1.1\r\n\r\n", 400),
    ("two Hosts", b"GET / HTTP/1.1\r\n" + HOST + HOST + b"\r\n", 400),
    ("a folded header", b"GET / HTTP/1.1\r\n" + HOST + b"X-A: one\r\n two\r\n\r\n", 400),
    ("a space before the colon", b"GET / HTTP/1.1\r\n" + HOST + b"X-A : one\r\n\r\n", 400),
    ("a bare CR", b"GET / HTTP/1.1\r\n" + HOST + b"X-A: o\rne\r\n\r\n", 400),
    ("a NUL in a header", b"GET / HTTP/1.1\r\n" + HOST + b"X-A: o\x00ne\r\n\r\n", 400),
    ("HTTP/2.0 in the request line", b"GET / HTTP/2.0\r\n" + HOST + b"\r\n", 505),
    ("garbage", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n", 400),
    ("a dot-dot path", b"GET /../../etc/passwd HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n", 400),
]


def check_cases():
    for name, data, expected in CASES:
        reply, closed = exchange(data)
        status = status_of(reply)
        if status != expected:
            fail(f"{name}: status {status}, expected {expected}: {reply[:200]!r}")
        # A refused request closes the connection, since where the next
        # request would begin is unknown.
        if not closed:
            fail(f"{name}: the connection stayed open after {status}")
        print(f"bad input: {name}: {status}")


def get_page():
    """One GET on a fresh connection; returns the status and the seconds it took."""
    began = time.monotonic()
    reply, _ = exchange(b"GET / HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n", timeout=5)
    return status_of(reply), time.monotonic() - began


def check_slowloris():
    slow = []
    for _ in range(SLOW_CONNECTIONS):
        connection = socket.create_connection((address, port), timeout=5)
        connection.sendall(b"GET / HTTP/1.1\r\n" + HOST)
        connection.setblocking(False)
        slow.append(connection)
    began = time.monotonic()
    answered = {}  # connection index -> what it got before closing
    slowest = 0.0
    served = 0
    header = b"X-Slow: " + b"z" * 64 + b"\r\n"
    position = 0
    while time.monotonic() - began < HEAD_TIMEOUT + 5 and len(answered) < len(slow):
        # One more byte on every slow connection still open.
        for index, connection in enumerate(slow):
            if index in answered:
                continue
            try:
                connection.send(header[position % len(header):][:1])
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                pass
        position += 1
        # Meanwhile an ordinary client is served, quickly.
        status, seconds = get_page()
        if status != 200:
            fail(f"slowloris: an ordinary GET got {status} while the crowd was connected")
        served += 1
        slowest = max(slowest, seconds)
        readable, _, _ = select.select([c for i, c in enumerate(slow) if i not in answered], [], [], 0.3)
        for connection in readable:
            index = slow.index(connection)
            try:
                data = connection.recv(65536)
            except ConnectionResetError:
                data = b""
            if not data:
                answered[index] = answered.get(index, b"") or b"closed"
            else:
                answered[index] = data
    elapsed = time.monotonic() - began
    for connection in slow:
        connection.close()
    if len(answered) < len(slow):
        fail(f"slowloris: {len(slow) - len(answered)} of {len(slow)} slow connections were still open after {elapsed:.1f} s")
    timeouts = sum(1 for data in answered.values() if status_of(data) == 408)
    if timeouts == 0:
        fail("slowloris: no slow connection got 408")
    if slowest > 2.0:
        fail(f"slowloris: an ordinary GET took {slowest:.2f} s")
    print(f"slowloris: {len(slow)} slow connections ended within {elapsed:.1f} s "
          f"({timeouts} with 408); {served} ordinary GETs served meanwhile, the slowest in {slowest * 1000:.0f} ms")


check_cases()
check_slowloris()
