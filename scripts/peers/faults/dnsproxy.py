#!/usr/bin/env python3
"""A DNS proxy that fails on purpose, for the fault peers (scripts/peers/faults.sh).

NSD only gives authoritative answers: NOERROR, NXDOMAIN, or REFUSED outside its zones.
Real resolvers also answer SERVFAIL and sometimes never answer. This proxy listens on
UDP and TCP, forwards every query to the upstream server (NSD) unchanged, except:

  - names at or under servfail.fault.example: SERVFAIL (rcode 2), no records;
  - names at or under timeout.fault.example: no answer at all (UDP dropped, TCP kept
    open without a reply until the client gives up).

Python 3 standard library only. Runs in the foreground until SIGTERM/SIGINT.

    dnsproxy.py --listen 127.0.0.1:5354 --upstream 127.0.0.1:5353
"""
import argparse
import os
import signal
import socket
import socketserver
import struct
import sys
import threading
import time

SERVFAIL_SUFFIX = ("servfail", "fault", "example")
TIMEOUT_SUFFIX = ("timeout", "fault", "example")
UPSTREAM_TIMEOUT = 5.0


def parse_qname(msg):
    """The question's name as a tuple of lower-case labels, and the end of the question."""
    if len(msg) < 12:
        raise ValueError("short message")
    qdcount = struct.unpack("!H", msg[4:6])[0]
    if qdcount != 1:
        raise ValueError("qdcount %d" % qdcount)
    labels = []
    pos = 12
    while True:
        if pos >= len(msg):
            raise ValueError("truncated name")
        length = msg[pos]
        pos += 1
        if length == 0:
            break
        if length & 0xC0:
            raise ValueError("compressed question name")
        labels.append(msg[pos:pos + length].decode("ascii", "replace").lower())
        pos += length
    end = pos + 4  # QTYPE, QCLASS
    if end > len(msg):
        raise ValueError("truncated question")
    return tuple(labels), end


def under(labels, suffix):
    return len(labels) >= len(suffix) and labels[-len(suffix):] == suffix


def servfail(query, question_end):
    qid, flags = struct.unpack("!HH", query[:4])
    opcode_rd = flags & 0x7900  # opcode and RD copied from the query
    header = struct.pack("!HHHHHH", qid, 0x8000 | opcode_rd | 2, 1, 0, 0, 0)
    return header + query[12:question_end]


def decide(query):
    """'forward', 'drop' or a response (bytes) for one query."""
    try:
        labels, end = parse_qname(query)
    except ValueError:
        return "forward"  # let the real server answer FORMERR
    if under(labels, SERVFAIL_SUFFIX):
        return servfail(query, end)
    if under(labels, TIMEOUT_SUFFIX):
        return "drop"
    return "forward"


def log(*parts):
    print(time.strftime("%H:%M:%S"), *parts, flush=True)


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


class Udp(socketserver.ThreadingUDPServer):
    daemon_threads = True
    allow_reuse_address = True


class Tcp(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", required=True, help="HOST:PORT")
    parser.add_argument("--upstream", required=True, help="HOST:PORT")
    parser.add_argument("--pidfile")
    args = parser.parse_args()
    lhost, lport = args.listen.rsplit(":", 1)
    uhost, uport = args.upstream.rsplit(":", 1)
    upstream = (uhost, int(uport))

    class UdpHandler(socketserver.BaseRequestHandler):
        def handle(self):
            query, sock = self.request
            action = decide(query)
            if action == "drop":
                log("udp drop", self.client_address)
                return
            if action != "forward":
                log("udp servfail", self.client_address)
                sock.sendto(action, self.client_address)
                return
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as up:
                up.settimeout(UPSTREAM_TIMEOUT)
                up.sendto(query, upstream)
                try:
                    answer, _ = up.recvfrom(65535)
                except socket.timeout:
                    log("udp upstream timeout")
                    return
            sock.sendto(answer, self.client_address)

    class TcpHandler(socketserver.BaseRequestHandler):
        def handle(self):
            conn = self.request
            conn.settimeout(120)
            try:
                while True:
                    length = struct.unpack("!H", recv_exact(conn, 2))[0]
                    query = recv_exact(conn, length)
                    action = decide(query)
                    if action == "drop":
                        log("tcp drop", self.client_address)
                        # Say nothing; the client times out. Keep reading so a closed
                        # connection ends this thread.
                        while conn.recv(4096):
                            pass
                        return
                    if action == "forward":
                        with socket.create_connection(upstream, timeout=UPSTREAM_TIMEOUT) as up:
                            up.sendall(struct.pack("!H", len(query)) + query)
                            alen = struct.unpack("!H", recv_exact(up, 2))[0]
                            action = recv_exact(up, alen)
                    else:
                        log("tcp servfail", self.client_address)
                    conn.sendall(struct.pack("!H", len(action)) + action)
            except (ConnectionError, socket.timeout, OSError):
                return

    udp = Udp((lhost, int(lport)), UdpHandler)
    tcp = Tcp((lhost, int(lport)), TcpHandler)
    for server in (udp, tcp):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    log("dnsproxy listening on %s (udp+tcp), upstream %s:%d" % (args.listen, *upstream))

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    udp.shutdown()
    tcp.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
