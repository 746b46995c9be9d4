#!/usr/bin/env python3
"""An SMTP server that drops the connection in the middle of DATA the first time it sees a
recipient, and accepts that recipient's message on every later try, for the fault peers
(scripts/peers/faults.sh). It shows that a retry after a dropped DATA delivers exactly once.

    droponce.py --listen 127.0.0.39:25 --maildir DIR --pidfile FILE

Accepted messages are written to DIR, one file each. No TLS, no extensions: plain RFC 5321.
"""
import argparse
import os
import socketserver
import threading
import uuid

SEEN = set()
LOCK = threading.Lock()


class Session(socketserver.StreamRequestHandler):
    timeout = 30

    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        self.reply("220 mx.droponce.fault.example ESMTP drop-once")
        recipients = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("utf-8", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 mx.droponce.fault.example")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 2.1.0 ok")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>").lower())
                self.reply("250 2.1.5 ok")
            elif verb == "DATA":
                with LOCK:
                    first = any(r not in SEEN for r in recipients)
                    SEEN.update(recipients)
                self.reply("354 go ahead")
                if first:
                    self.rfile.readline()  # read a little of the message, then hang up
                    return
                data = []
                while True:
                    chunk = self.rfile.readline()
                    if not chunk or chunk in (b".\r\n", b".\n"):
                        break
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                name = os.path.join(self.server.maildir, uuid.uuid4().hex)
                with open(name, "wb") as out:
                    out.write(b"".join(data))
                self.reply("250 2.0.0 ok: queued")
            elif verb == "QUIT":
                self.reply("221 2.0.0 bye")
                return
            else:
                self.reply("250 2.0.0 ok" if verb in ("RSET", "NOOP") else "502 5.5.1 not implemented")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", required=True, help="HOST:PORT")
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--pidfile")
    args = parser.parse_args()
    host, port = args.listen.rsplit(":", 1)
    os.makedirs(args.maildir, exist_ok=True)
    server = Server((host, int(port)), Session)
    server.maildir = args.maildir
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write(str(os.getpid()))
    server.serve_forever()


if __name__ == "__main__":
    main()
