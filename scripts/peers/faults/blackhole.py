#!/usr/bin/env python3
"""A TCP listener whose connections time out, for the fault peers (scripts/peers/faults.sh).

A firewalled or overloaded MX drops SYNs: connect() neither succeeds nor is refused, it
times out. On loopback, with no firewall rules, the same happens when a listener's accept
queue is full: Linux drops the SYN (net.ipv4.tcp_abort_on_overflow=0, the default). This
program listens with a backlog of 0, never accepts, and fills the queue with connections
to itself, then holds them until SIGTERM/SIGINT.

    blackhole.py --listen 127.0.0.36:25
"""
import argparse
import os
import signal
import socket
import sys
import threading
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", required=True, help="HOST:PORT")
    parser.add_argument("--pidfile")
    args = parser.parse_args()
    host, port = args.listen.rsplit(":", 1)
    address = (host, int(port))

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(address)
    listener.listen(0)

    held = []
    for _ in range(16):
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        probe.settimeout(0.5)
        try:
            probe.connect(address)
        except (socket.timeout, OSError):
            probe.close()
            break  # the queue is full: SYNs are dropped now
        held.append(probe)
    else:
        print("blackhole: the accept queue never filled", file=sys.stderr, flush=True)
        return 1
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    print(time.strftime("%H:%M:%S"), "blackhole on %s:%d: accept queue full (%d held), SYNs dropped"
          % (host, address[1], len(held)), flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    for s in held:
        s.close()
    listener.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
