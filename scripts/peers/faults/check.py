#!/usr/bin/env python3
"""Readiness checks for the fault peers (scripts/peers/faults.sh), standard library only.

Each argument is one check, KIND,HOST,PORT[,ARG]; HOST may be an IPv6 literal (::1).
All checks are retried until they pass or --wait seconds have gone by; the exit status
is 0 when all passed, 1 otherwise (the failing ones are printed with the reason).

  greet,H,P,CODE     connects, reads a greeting starting with CODE (220, 421, 554), QUIT
  silent,H,P         connects, and no byte arrives within a second
  refused,H,P        the connection is refused
  timeout,H,P        the connection neither succeeds nor is refused within a second
  smtps,H,P          implicit TLS (TLS 1.2+) handshake, then a 220 greeting
  starttls,H,P,ok    EHLO offers STARTTLS and a TLS 1.2+ handshake succeeds
  starttls,H,P,fail  EHLO offers STARTTLS and a TLS 1.2+ handshake fails; then a new
                     plaintext session still accepts MAIL and RCPT
  greylist,H,P,RCPT  MAIL from a probe sender, RCPT TO:<RCPT> is answered 450 "Greylisted"
  ehlo,H,P,WORD      EHLO answer contains the capability WORD (or !WORD: lacks it)

    check.py --wait 30 greet,127.0.0.12,25,220 refused,127.0.0.11,25
"""
import argparse
import concurrent.futures
import socket
import ssl
import sys
import time

STEP = 1.0


def connect(host, port, timeout=STEP):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((host, port))
    return s


def read_reply(f):
    """Reads one (possibly multi-line) SMTP reply; returns (code, text lines)."""
    lines = []
    while True:
        line = f.readline()
        if not line:
            raise ConnectionError("connection closed after %r" % lines)
        line = line.decode("utf-8", "replace").rstrip("\r\n")
        lines.append(line)
        if len(line) < 4 or line[3] != "-":
            return int(line[:3]), lines


def command(sock, f, text):
    sock.sendall(text.encode() + b"\r\n")
    return read_reply(f)


def tls_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2  # what directmx offers
    return ctx


def check_greet(host, port, code):
    with connect(host, port) as s:
        f = s.makefile("rb")
        got, lines = read_reply(f)
        if str(got) != code:
            raise AssertionError("greeting %r, expected %s" % (lines, code))
        if got == 220:
            command(s, f, "QUIT")


def check_silent(host, port):
    with connect(host, port) as s:
        s.settimeout(STEP)
        try:
            data = s.recv(1)
        except socket.timeout:
            return
        raise AssertionError("server said %r" % data)


def check_refused(host, port):
    try:
        connect(host, port).close()
    except ConnectionRefusedError:
        return
    except socket.timeout:
        raise AssertionError("connect timed out instead of being refused")
    raise AssertionError("something accepts connections here")


def check_timeout(host, port):
    try:
        s = connect(host, port)
    except socket.timeout:
        return
    except ConnectionRefusedError:
        raise AssertionError("connection refused instead of timing out")
    s.close()
    raise AssertionError("connection accepted instead of timing out")


def check_smtps(host, port):
    with connect(host, port, 5) as raw:
        with tls_context().wrap_socket(raw) as s:
            f = s.makefile("rb")
            got, lines = read_reply(f)
            if got != 220:
                raise AssertionError("greeting %r after TLS %s" % (lines, s.version()))
            command(s, f, "QUIT")


def ehlo(s, f):
    code, lines = command(s, f, "EHLO probe.faults.invalid")
    if code != 250:
        raise AssertionError("EHLO answered %r" % lines)
    return [l[4:].split(" ")[0].upper() for l in lines[1:]]


def check_starttls(host, port, expect):
    with connect(host, port, 5) as raw:
        f = raw.makefile("rb")
        code, lines = read_reply(f)
        if code != 220:
            raise AssertionError("greeting %r" % lines)
        if "STARTTLS" not in ehlo(raw, f):
            raise AssertionError("STARTTLS not offered")
        code, lines = command(raw, f, "STARTTLS")
        if code != 220:
            raise AssertionError("STARTTLS answered %r" % lines)
        try:
            s = tls_context().wrap_socket(raw)
        except (ssl.SSLError, OSError) as e:
            if expect == "fail":
                failure = e
            else:
                raise AssertionError("TLS handshake failed: %s" % e)
        else:
            version = s.version()
            s.close()
            if expect == "fail":
                raise AssertionError("TLS handshake succeeded (%s)" % version)
            return
    # Handshake failed as expected: a plaintext session must still get as far as RCPT.
    with connect(host, port, 5) as s:
        f = s.makefile("rb")
        read_reply(f)
        ehlo(s, f)
        code, lines = command(s, f, "MAIL FROM:<probe@faults.invalid>")
        if code != 250:
            raise AssertionError("plaintext MAIL answered %r (after TLS failure: %s)" % (lines, failure))
        command(s, f, "RSET")
        command(s, f, "QUIT")


def check_greylist(host, port, rcpt):
    with connect(host, port, 5) as s:
        f = s.makefile("rb")
        read_reply(f)
        ehlo(s, f)
        code, lines = command(s, f, "MAIL FROM:<probe-%d@faults.invalid>" % time.time_ns())
        if code != 250:
            raise AssertionError("MAIL answered %r" % lines)
        code, lines = command(s, f, "RCPT TO:<%s>" % rcpt)
        if code != 450 or "reylist" not in " ".join(lines):
            raise AssertionError("RCPT answered %r, expected 450 Greylisted" % lines)
        command(s, f, "QUIT")


def check_ehlo(host, port, word):
    with connect(host, port, 5) as s:
        f = s.makefile("rb")
        read_reply(f)
        caps = ehlo(s, f)
        command(s, f, "QUIT")
    if word.startswith("!"):
        if word[1:].upper() in caps:
            raise AssertionError("EHLO offers %s: %r" % (word[1:], caps))
    elif word.upper() not in caps:
        raise AssertionError("EHLO lacks %s: %r" % (word, caps))


CHECKS = {
    "greet": check_greet, "silent": check_silent, "refused": check_refused,
    "timeout": check_timeout, "smtps": check_smtps, "starttls": check_starttls,
    "greylist": check_greylist, "ehlo": check_ehlo,
}


def run(spec):
    kind, host, port, *rest = spec.split(",")
    return CHECKS[kind](host, int(port), *rest)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wait", type=float, default=30, help="seconds to keep retrying (default 30)")
    parser.add_argument("checks", nargs="+")
    args = parser.parse_args()
    for spec in args.checks:
        if spec.split(",")[0] not in CHECKS:
            parser.error("unknown check %r" % spec)
    deadline = time.monotonic() + args.wait
    pending = {spec: "not tried" for spec in args.checks}
    def attempt(spec):
        try:
            run(spec)
            return None
        except Exception as e:  # any failure is retried until the deadline
            return "%s: %s" % (type(e).__name__, e)

    while True:
        # All pending checks at once: several wait a second on purpose (silent, timeout).
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(pending)) as pool:
            results = dict(zip(list(pending), pool.map(attempt, list(pending))))
        for spec, why in results.items():
            if why is None:
                del pending[spec]
            else:
                pending[spec] = why
        if not pending or time.monotonic() >= deadline:
            break
        time.sleep(0.2)
    for spec, why in pending.items():
        print("check.py: %s failed: %s" % (spec, why), file=sys.stderr)
    return 1 if pending else 0


if __name__ == "__main__":
    sys.exit(main())
