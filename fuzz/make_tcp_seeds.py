#!/usr/bin/env python3
"""Writes the seed corpora of fuzz_tcp_connection and fuzz_tcp_table:
fuzz/corpus/tcp_connection/<seed> and fuzz/corpus/tcp_table/<seed>.

Plain python3, no scapy:
    python3 fuzz/make_tcp_seeds.py
The output is deterministic, so re-running it leaves git clean.

Both targets decode their input into steps (segments, time, app calls); the
Seed and TableSeed classes below write that encoding, one method per kind of
step, so each seed reads as the story it tells (a handshake, data both ways,
loss and SACK recovery, a close) and the fuzzer starts deep in the state
machine rather than at the first byte. Keep them in step with the decoders
(fuzz_tcp_connection.cpp, fuzz_tcp_table.cpp, tcp_fuzz_support.hpp).
Seeds stay short: the replay test runs every prefix and one-byte variant.
"""
import os
import struct

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

CONNECT, ACCEPT, PAIR = 0, 1, 2
BUFFER_SIZES = [1, 100, 1460, 4096, 20000, 65535, 131072, 262144]
MSS_CHOICES = {28: 0, 64: 1, 88: 2, 536: 3, 1220: 4, 1460: 5, 8960: 7}

FIN, SYN, RST, PSH, ACK, URG, ECE, CWR = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80

# Sequence number bases (choose_sequence): the connection's own variables.
RCV_NXT, SND_UNA, SND_NXT, SND_MAX, RIGHT_EDGE, IRS, ISS, RAW = range(8)

# Option kinds, for raw option bytes.
EOL, NOP, MSS, WSCALE, SACK_OK, SACK, TIMESTAMPS = 0, 1, 2, 3, 4, 5, 8


def u16(value):
    return struct.pack(">H", value & 0xFFFF)


def u32(value):
    return struct.pack(">I", value & 0xFFFFFFFF)


def seq(base, offset=0):
    """A sequence number: `base` plus `offset` (an int16 covers most)."""
    if base == RAW:
        return bytes([RAW]) + u32(offset)
    if offset == 0:
        return bytes([base])
    if -32768 <= offset <= 32767:
        return bytes([base | 2 << 3]) + u16(offset)
    return bytes([base | 3 << 3]) + u32(offset)


def config(window_scaling=True, timestamps=True, sack=True, no_delay=False, cubic=False,
           send=4096, receive=4096, ranges=16, mss=1460, delayed_ack_ms=40, time_wait_ms=60000,
           fin_wait_2_ms=60000, retransmissions=15, syn_retransmissions=6, challenge_acks=10,
           user_timeout_ms=None, keepalive=None):
    switches = ((0 if window_scaling else 0x01) | (0 if timestamps else 0x02) |
                (0 if sack else 0x04) | (0x08 if no_delay else 0) | (0x10 if cubic else 0) |
                (0x20 if user_timeout_ms is not None else 0) |
                (0x40 if keepalive is not None else 0))
    out = bytes([switches, BUFFER_SIZES.index(send), BUFFER_SIZES.index(receive), ranges,
                 MSS_CHOICES[mss], delayed_ack_ms, time_wait_ms // 250, fin_wait_2_ms // 250,
                 retransmissions, syn_retransmissions, challenge_acks])
    if user_timeout_ms is not None:
        out += bytes([user_timeout_ms // 500])
    if keepalive is not None:
        idle_s, interval_s, probes = keepalive
        out += bytes([idle_s, interval_s, probes])
    return out


def options(mss=None, wscale=None, sack_ok=False, timestamps=None, sacks=()):
    """Options built from fields: timestamps = (TSval step, TSecr step), near
    the peer's clock and ours; sacks = ((left, right), ...) as seq() bytes."""
    choice = 0x80 | (0x01 if mss is not None else 0) | (0x02 if wscale is not None else 0) | \
        (0x04 if sack_ok else 0) | (0x08 if timestamps is not None else 0) | len(sacks) << 4
    out = bytes([choice])
    if mss is not None:
        out += u16(mss)
    if wscale is not None:
        out += bytes([wscale])
    if timestamps is not None:
        out += bytes([timestamps[0] & 0xFF, timestamps[1] & 0xFF])
    for left, right in sacks:
        out += left + right
    return out


def raw_options(data):
    """Option bytes as sent, however malformed (up to 40 are used)."""
    return bytes([len(data)]) + data


def payload(size):
    if size < 0xE0:
        return bytes([size])
    return bytes([0xDF + (size + 2047) // 2048])


class Seed:
    def __init__(self, mode, *configs, start_ms=1000, iss=(1000, 500000), clock=(77, 99)):
        self.data = bytes([mode]) + u32(start_ms)
        for index, chosen in enumerate(configs):
            self.data += chosen + u32(iss[index]) + u32(0x1000 * (index + 1)) + u32(clock[index])

    # --- steps ---
    def segment(self, flags, sequence, ack, window=65535, opts=None, size=0, urgent=None,
                side=0, opcode=0):
        """A crafted segment to the connection (side 1: the pair's server).
        Without `opcode` this is also what accept mode reads as its SYN."""
        body = bytes([flags]) + sequence + ack + u16(window)
        if flags & URG:
            body += u16(urgent or 0)
        body += opts if opts is not None else raw_options(b"")
        body += payload(size)
        self.data += (bytes([opcode | side << 7]) if opcode is not None else b"") + body
        return self

    def syn(self, *args, **kwargs):
        return self.segment(*args, opcode=None, **kwargs)

    def clock_to_deadline(self):
        self.data += bytes([3, 0])
        return self

    def clock_ms(self, milliseconds):
        """Forward 1 to 64 ms, every timer on time."""
        self.data += bytes([3, 1 | (milliseconds - 1) << 2])
        return self

    def clock_late(self, tenths):
        """Forward tenths of a second (up to 63), timers run once at the end."""
        self.data += bytes([3, 2 | tenths << 2])
        return self

    def clock_seconds(self, root):
        """Forward root² · 4 + 1 seconds, every timer on time."""
        self.data += bytes([3, 3 | root << 2])
        return self

    def write(self, units, side=0):
        """units · 7 bytes (units < 0xc0)."""
        self.data += bytes([8 | side << 7, units])
        return self

    def read(self, size=0x7F, side=0):
        self.data += bytes([10 | side << 7, size])
        return self

    def shutdown(self, side=0):
        self.data += bytes([11 | side << 7])
        return self

    def no_delay(self, on=True, side=0):
        self.data += bytes([12 | side << 7, 1 if on else 0])
        return self

    def hold(self, side=0):
        """Holds the side's segments back (or lets them go again)."""
        self.data += bytes([12 | side << 7, 0xC0])
        return self

    def keepalive(self, idle_s, interval_s, probes, side=0):
        self.data += bytes([13 | side << 7, probes or 10, idle_s, interval_s])
        return self

    def close(self, side=0):
        self.data += bytes([14 | side << 7])
        return self

    def abort(self, side=0):
        self.data += bytes([15 | side << 7])
        return self

    # --- the network between a pair (from: 0 client, 1 server) ---
    def deliver(self, from_side=0):
        self.data += bytes([5 | from_side << 7, 0])
        return self

    def drop(self, from_side=0):
        self.data += bytes([5 | from_side << 7, 3])
        return self

    def duplicate(self, from_side=0):
        self.data += bytes([5 | from_side << 7, 4])
        return self

    def overtake(self, index, from_side=0):
        self.data += bytes([5 | from_side << 7, 5 | index << 3])
        return self

    def deliver_all(self, from_side=0):
        self.data += bytes([5 | from_side << 7, 7])
        return self

    def exchange(self, rounds=3):
        for _ in range(rounds):
            self.deliver_all(0).deliver_all(1)
        return self


def put(name, seed, target="tcp_connection"):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as file:
        file.write(seed.data)


LINUX_SYN = dict(mss=1460, wscale=7, sack_ok=True, timestamps=(0, 0))


def connect_seeds():
    # Active open against a crafted Linux-like peer, data both ways, the
    # peer's FIN, our FIN, TIME-WAIT to CLOSED.
    seed = Seed(CONNECT, config())
    seed.segment(SYN | ACK, seq(RAW, 0x5E6F7081), seq(SND_NXT), opts=options(**LINUX_SYN))
    seed.write(20).segment(ACK | PSH, seq(RCV_NXT), seq(SND_NXT), opts=options(timestamps=(1, 0)),
                           size=100)
    seed.read().segment(ACK | FIN, seq(RCV_NXT), seq(SND_NXT), opts=options(timestamps=(2, 0)))
    seed.shutdown().segment(ACK, seq(RCV_NXT), seq(SND_NXT), opts=options(timestamps=(3, 0)))
    seed.clock_to_deadline().clock_seconds(4)
    put("connect-data-close", seed)

    # The peer's MSS is 0 and its window scale 15: the connection must
    # clamp both (to 64 bytes and 14) and still send only what fits.
    seed = Seed(CONNECT, config(send=20000))
    seed.segment(SYN | ACK, seq(RAW, 7), seq(SND_NXT), window=1,
                 opts=options(mss=0, wscale=15, sack_ok=True))
    seed.write(150).segment(ACK, seq(RCV_NXT), seq(SND_NXT), window=0xFFFF)
    seed.clock_late(2).segment(ACK, seq(RCV_NXT), seq(SND_NXT, 64), window=0xFFFF)
    put("connect-mss-0-window-scale-15", seed)

    # An MSS of 1, given as raw option bytes; then bad options: a length of
    # 0, a length of 1, and an option that runs past the header.
    seed = Seed(CONNECT, config(timestamps=False))
    seed.segment(SYN | ACK, seq(RAW, 99), seq(SND_NXT),
                 opts=raw_options(bytes([MSS, 4, 0, 1, NOP, WSCALE, 3, 200])))
    seed.write(10)
    seed.segment(ACK, seq(RCV_NXT), seq(SND_NXT), opts=raw_options(bytes([NOP, MSS, 0])), size=5)
    seed.segment(ACK, seq(RCV_NXT), seq(SND_NXT), opts=raw_options(bytes([SACK_OK, 1])), size=5)
    seed.segment(ACK, seq(RCV_NXT), seq(SND_NXT), opts=raw_options(bytes([TIMESTAMPS, 10, 1, 2])),
                 size=5)
    seed.segment(ACK, seq(RCV_NXT), seq(SND_NXT), opts=raw_options(bytes([SACK, 6, 0, 0, 0, 1])),
                 size=5)
    seed.read()
    put("connect-mss-1-bad-options", seed)

    # Urgent pointers beyond the data, with and without URG, and SACK
    # blocks outside the window: below SND.UNA, beyond SND.MAX, reversed,
    # far away.
    seed = Seed(CONNECT, config(send=20000))
    seed.segment(SYN | ACK, seq(RAW, 1 << 31), seq(SND_NXT), opts=options(**LINUX_SYN))
    seed.write(100).clock_ms(1)
    seed.segment(ACK | URG | PSH, seq(RCV_NXT), seq(SND_UNA), urgent=0xFFFF, size=10,
                 opts=options(timestamps=(1, 0)))
    seed.segment(ACK | URG, seq(RCV_NXT), seq(SND_UNA), urgent=0, size=0,
                 opts=options(timestamps=(1, 0)))
    seed.segment(ACK, seq(RCV_NXT), seq(SND_UNA), opts=options(timestamps=(2, 0), sacks=[
        (seq(SND_UNA, -1000), seq(SND_UNA, -10)), (seq(SND_MAX, 10), seq(SND_MAX, 5000)),
        (seq(SND_UNA, 700), seq(SND_UNA, 100))]))
    seed.segment(ACK, seq(RCV_NXT), seq(SND_UNA), opts=options(timestamps=(3, 0), sacks=[
        (seq(RAW, 0x12345678), seq(RAW, 0x12345679)), (seq(ISS), seq(ISS, 1 << 30))]))
    seed.clock_to_deadline()
    put("connect-urgent-and-bad-sack", seed)

    # A flood of tiny out-of-order segments beyond a hole, more than the
    # receive buffer keeps ranges for, then the hole filled.
    seed = Seed(CONNECT, config(receive=20000, ranges=4))
    seed.segment(SYN | ACK, seq(RAW, 40000), seq(SND_NXT), opts=options(**LINUX_SYN))
    for index in range(12):
        seed.segment(ACK, seq(RCV_NXT, 2 + 2 * index), seq(SND_NXT),
                     opts=options(timestamps=(1, 0)), size=1)
    seed.segment(ACK, seq(RCV_NXT), seq(SND_NXT), opts=options(timestamps=(2, 0)), size=4)
    seed.read()
    put("connect-tiny-out-of-order-flood", seed)

    # A zero window: persist probes, then the window opens.
    seed = Seed(CONNECT, config(window_scaling=False, timestamps=False))
    seed.segment(SYN | ACK, seq(RAW, 5), seq(SND_NXT), window=0, opts=options(mss=1460))
    seed.write(50).clock_seconds(1).clock_seconds(2)
    seed.segment(ACK, seq(RCV_NXT), seq(SND_UNA), window=4096).clock_to_deadline()
    put("connect-zero-window", seed)

    # Keepalive with times of zero: they count as a second, or the timer
    # would fire at `now` forever (found by this fuzzer).
    seed = Seed(CONNECT, config(keepalive=(0, 0, 3)))
    seed.segment(SYN | ACK, seq(RAW, 5), seq(SND_NXT), opts=options(mss=1460))
    seed.write(5).keepalive(0, 0, 2).clock_seconds(1).clock_seconds(3)
    put("connect-keepalive-zero", seed)

    # A RST in the window but not at RCV.NXT (challenge ACK), then one at it.
    seed = Seed(CONNECT, config())
    seed.segment(SYN | ACK, seq(RAW, 77), seq(SND_NXT), opts=options(**LINUX_SYN))
    seed.segment(RST, seq(RCV_NXT, 100), seq(RAW, 0), opts=options(timestamps=(1, 0)))
    seed.segment(SYN, seq(RCV_NXT, 5), seq(RAW, 0), opts=options(timestamps=(1, 0)))
    seed.segment(RST | ACK, seq(RCV_NXT), seq(SND_NXT))
    put("connect-reset", seed)


def accept_seeds():
    # Passive open from a Linux SYN, a request, the response, the peer's FIN.
    seed = Seed(ACCEPT, config(), iss=(500000,))
    seed.syn(SYN, seq(RAW, 0x1A2B3C4D), seq(RAW, 0), window=64240, opts=options(**LINUX_SYN))
    seed.segment(ACK, seq(RCV_NXT), seq(SND_NXT), opts=options(timestamps=(1, 0)))
    seed.segment(ACK | PSH, seq(RCV_NXT), seq(SND_NXT), opts=options(timestamps=(2, 0)), size=80)
    seed.read().write(60)
    seed.segment(ACK | FIN, seq(RCV_NXT), seq(SND_NXT), opts=options(timestamps=(3, 0)))
    seed.close().segment(ACK, seq(RCV_NXT), seq(SND_NXT), opts=options(timestamps=(4, 0)))
    put("accept-request-response", seed)

    # A SYN with an MSS of 1 and a window scale of 255; the SYN-ACK is lost
    # and retransmitted; the retransmitted SYN is answered again.
    seed = Seed(ACCEPT, config(send=20000), iss=(500000,))
    seed.syn(SYN, seq(RAW, 1), seq(RAW, 0), window=1, opts=options(mss=1, wscale=255))
    seed.clock_to_deadline()
    seed.segment(SYN, seq(IRS), seq(RAW, 0), opts=options(mss=1, wscale=255))
    seed.segment(ACK, seq(RCV_NXT), seq(SND_NXT), window=0xFFFF).write(50)
    seed.segment(ACK, seq(RCV_NXT), seq(SND_NXT), window=0xFFFF)
    put("accept-mss-1-window-scale-255", seed)


def pair_seeds():
    client = config(send=20000, receive=20000, mss=536)
    server = config(send=20000, receive=20000, mss=536, cubic=True)

    # Handshake, data both ways, orderly close from both sides.
    seed = Seed(PAIR, client, server)
    seed.deliver_all(0).deliver_all(1).deliver_all(0)
    seed.write(100).exchange().read(side=1).write(90, side=1).exchange().read()
    seed.shutdown().exchange().shutdown(side=1).exchange().clock_seconds(4)
    put("pair-transfer-close", seed)

    # Loss in a window of segments: SACK recovery.
    seed = Seed(PAIR, client, server)
    seed.exchange(2)
    for _ in range(5):
        seed.write(190)
    seed.drop().deliver_all(0).exchange(4).read(side=1).clock_to_deadline().exchange(2)
    put("pair-loss-sack-recovery", seed)

    # The same without SACK or timestamps: NewReno, duplicates, reordering.
    plain = config(send=20000, receive=20000, mss=536, sack=False, timestamps=False)
    seed = Seed(PAIR, plain, plain)
    seed.exchange(2)
    for _ in range(5):
        seed.write(190)
    seed.overtake(2).duplicate().drop().deliver_all(0).exchange(4)
    seed.clock_to_deadline().exchange(2).read(side=1)
    put("pair-loss-reorder-newreno", seed)

    # A receiver that does not read: the window closes, the sender probes.
    small = config(send=20000, receive=1460, mss=536, window_scaling=False)
    seed = Seed(PAIR, client, small)
    seed.exchange(2).write(150).exchange(4).clock_seconds(1).exchange(2).read(side=1)
    seed.exchange(2).clock_seconds(2).exchange(2)
    put("pair-zero-window-persist", seed)

    # A simultaneous close, segments held back meanwhile.
    seed = Seed(PAIR, client, server)
    seed.exchange(2).write(10).write(10, side=1).hold().shutdown().shutdown(side=1).hold()
    seed.exchange(3).clock_seconds(4)
    put("pair-simultaneous-close", seed)

    # An abort with unread data: the peer's data gets a RST.
    seed = Seed(PAIR, client, server)
    seed.exchange(2).write(10, side=1).exchange(2).close().exchange(2)
    put("pair-close-unread", seed)


class TableSeed:
    """fuzz_tcp_table: a TcpTable listening on port 80 of 10.0.0.2."""

    # Tuple choices (choose_tuple): remote address and port, and our port.
    TO_LISTENER, TO_CLOSED_PORT, TO_HELD, TO_RAW_PORT = range(4)
    # Sequence bases (choose_sequence): relative to what the table last sent.
    OUR_ACK, PAST_OUR_SEQ, OUR_SEQ = range(3)

    def __init__(self, listener, syn_backlog=2, max_connections=4, cookies=True, backlog=2,
                 start_ms=1000, peer_clock=5000):
        options = syn_backlog | (max_connections - 1) << 2 | (0 if cookies else 0x20)
        self.data = bytes([options, backlog - 1]) + listener + bytes([1, 2]) + u32(start_ms) + \
            u32(peer_clock)

    @staticmethod
    def tuple(remote=0, port=0, local=0, held=0):
        return bytes([remote | port << 2 | local << 4 | held << 6])

    @staticmethod
    def seq(base, offset=0):
        if base == RAW:
            return bytes([3]) + u32(offset)
        if offset == 0:
            return bytes([base])
        return bytes([base | 3 << 2]) + u32(offset)

    @staticmethod
    def options(mss=None, wscale=None, sack_ok=False, timestamp_step=None):
        """TSecr echoes the table's last TSval on the tuple; TSval steps on."""
        choice = 0x80 | (0x01 if mss is not None else 0) | (0x02 if wscale is not None else 0) | \
            (0x04 if sack_ok else 0) | (0x08 if timestamp_step is not None else 0)
        out = bytes([choice])
        if mss is not None:
            out += u16(mss)
        if wscale is not None:
            out += bytes([wscale])
        if timestamp_step is not None:
            out += bytes([timestamp_step & 0xFF])
        return out

    def segment(self, tuple_choice, flags, sequence, ack, window=65535, opts=None, size=0):
        self.data += bytes([0]) + tuple_choice + bytes([flags]) + sequence + ack + u16(window) + \
            (opts if opts is not None else bytes([0])) + bytes([size])
        return self

    def clock_to_deadline(self):
        self.data += bytes([5, 0])
        return self

    def clock_seconds(self, root):
        self.data += bytes([5, 3 | root << 2])
        return self

    def connect(self, remote=0, port=0, local_port=None):
        choice = remote | port << 2 | ((0x40 | local_port << 4) if local_port is not None else 0)
        self.data += bytes([7, choice])
        return self

    def accept(self):
        self.data += bytes([8])
        return self

    def write(self, held, units):
        """units · 97 bytes (units < 32)."""
        self.data += bytes([9, held, units << 3])
        return self

    def read(self, held):
        self.data += bytes([9, held, 2])
        return self

    def shutdown(self, held):
        self.data += bytes([9, held, 4])
        return self

    def close(self, held):
        self.data += bytes([11, held])
        return self

    def abort(self, held):
        self.data += bytes([11 | 0x80, held])
        return self

    def transmitter(self, room=None, failures=0):
        """Room for `room` more segments (None: no limit), the next
        `failures` sends failing."""
        self.data += bytes([12, 0x80 if room is None else room | failures << 4])
        return self

    def listener(self, backlog=2):
        """Closes the listener, or opens it again."""
        self.data += bytes([13, backlog - 1])
        return self

    def unreachable(self, tuple_choice, sequence, hard):
        self.data += bytes([14]) + tuple_choice + sequence + bytes([1 if hard else 0])
        return self

    def close_all(self):
        self.data += bytes([0xFF])
        return self


def table_seeds():
    t = TableSeed
    linux = t.options(mss=1460, wscale=7, sack_ok=True, timestamp_step=1)
    ts = t.options(timestamp_step=1)
    peer = t.tuple(remote=0, port=0, local=t.TO_LISTENER)

    # A passive open, a request and response, our FIN first: TIME-WAIT while
    # the app still holds the socket, then a new SYN on the same tuple.
    seed = TableSeed(config())
    seed.segment(peer, SYN, t.seq(RAW, 1000), t.seq(RAW, 0), opts=linux)
    seed.segment(peer, ACK, t.seq(t.OUR_ACK), t.seq(t.PAST_OUR_SEQ), opts=ts)
    seed.accept().segment(peer, ACK | PSH, t.seq(t.OUR_ACK), t.seq(t.PAST_OUR_SEQ), opts=ts,
                          size=40)
    seed.read(0).write(0, 3).shutdown(0)
    seed.segment(peer, ACK | FIN, t.seq(t.OUR_ACK), t.seq(t.PAST_OUR_SEQ), opts=ts)
    seed.segment(peer, SYN, t.seq(t.OUR_ACK, 100000), t.seq(RAW, 0), opts=linux)
    seed.close(0).segment(peer, SYN, t.seq(t.OUR_ACK, 200000), t.seq(RAW, 0), opts=linux)
    seed.segment(peer, ACK, t.seq(t.OUR_ACK), t.seq(t.PAST_OUR_SEQ), opts=ts).accept()
    seed.clock_seconds(4)
    put("passive-open-time-wait-new-syn", seed, "tcp_table")

    # A SYN flood past the SYN backlog: cookies; one echoed back completes.
    seed = TableSeed(config(), syn_backlog=1, max_connections=3)
    for remote in range(4):
        seed.segment(t.tuple(remote=remote, port=1), SYN, t.seq(RAW, 7 + remote),
                     t.seq(RAW, 0), opts=linux)
    seed.segment(t.tuple(remote=2, port=1), ACK, t.seq(t.OUR_ACK), t.seq(t.PAST_OUR_SEQ),
                 opts=ts)
    seed.accept().accept().clock_to_deadline().clock_seconds(2)
    put("syn-flood-cookies", seed, "tcp_table")

    # An active open from port 80 (the listener's), answered, then closed
    # by the peer first and by us; segments to a closed port get RSTs.
    seed = TableSeed(config())
    seed.connect(remote=1, port=1, local_port=2)
    out = t.tuple(remote=1, port=1, local=t.TO_HELD, held=0)
    seed.segment(out, SYN | ACK, t.seq(RAW, 3000), t.seq(t.PAST_OUR_SEQ), opts=linux)
    seed.write(0, 10).segment(out, ACK | FIN, t.seq(t.OUR_ACK), t.seq(t.PAST_OUR_SEQ), opts=ts)
    seed.close(0).segment(out, ACK, t.seq(t.OUR_ACK), t.seq(t.PAST_OUR_SEQ), opts=ts)
    seed.segment(t.tuple(remote=3, port=3, local=t.TO_CLOSED_PORT), ACK, t.seq(RAW, 1),
                 t.seq(RAW, 2))
    put("active-open-close", seed, "tcp_table")

    # The transmitter fills up mid-transfer; connections wait, then go on.
    seed = TableSeed(config(send=20000))
    seed.segment(peer, SYN, t.seq(RAW, 1000), t.seq(RAW, 0), opts=linux)
    seed.transmitter(room=0).segment(peer, ACK, t.seq(t.OUR_ACK), t.seq(t.PAST_OUR_SEQ),
                                     opts=ts)
    seed.accept().write(0, 31).transmitter(room=3, failures=1).transmitter().clock_to_deadline()
    seed.unreachable(t.tuple(remote=0, port=0, local=t.TO_HELD), t.seq(t.OUR_SEQ), True)
    seed.abort(0)
    put("transmitter-full-unreachable", seed, "tcp_table")

    # Connections left in the accept queue when the listener closes, then
    # the stack stops.
    seed = TableSeed(config(), backlog=2)
    for port in range(2):
        tuple_choice = t.tuple(remote=0, port=port)
        seed.segment(tuple_choice, SYN, t.seq(RAW, 500), t.seq(RAW, 0), opts=linux)
        seed.segment(tuple_choice, ACK, t.seq(t.OUR_ACK), t.seq(t.PAST_OUR_SEQ), opts=ts)
    seed.accept().listener().listener().connect(remote=2).close_all().clock_seconds(3)
    put("listener-close-stop", seed, "tcp_table")


def main():
    connect_seeds()
    accept_seeds()
    pair_seeds()
    table_seeds()


if __name__ == "__main__":
    main()
