#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""virtccwd against bad and many clients, with raw sockets (no libvirt):
malformed, truncated, oversized and wrong-program messages, garbage,
pipelining without reading, 100 concurrent clients, the client limit,
keepalive both ways, and peer credentials on the read-write socket.

    robustness.py VIRTCCWD

Every bad input must get an error reply or a clean disconnect, the
daemon must stay up and keep serving. Prints "N passed, N failed" last.
"""
import os
import random
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

REMOTE = 0x20008086
KEEPALIVE = 0x6b656570
CALL, REPLY, MESSAGE = 0, 1, 2
PROC_OPEN, PROC_SUPPORTS_FEATURE, PROC_AUTH_LIST = 1, 60, 66
PROC_LOOKUP, PROC_LIST_ALL = 113, 285
MAX = 32 * 1024 * 1024

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def xdr_string(s):
    b = s.encode()
    return struct.pack(">I", len(b)) + b + b"\0" * (-len(b) % 4)


def frame(proc, body=b"", prog=REMOTE, vers=1, mtype=CALL, serial=0, status=0):
    return struct.pack(">IIIiIII", 28 + len(body), prog, vers, proc, mtype, serial,
                       status) + body


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def recv_frame(s, timeout=5.0):
    """(header tuple, body), or None when the server closed."""
    s.settimeout(timeout)
    try:
        head = recv_exact(s, 28)
        if head is None:
            return None
        length, prog, vers, proc, mtype, serial, status = struct.unpack(">IIIiIII", head)
        body = recv_exact(s, length - 28) if length > 28 else b""
        return (prog, vers, proc, mtype, serial, status), body
    except (ConnectionResetError, BrokenPipeError):
        return None


def closed_by_server(s, timeout=5.0):
    s.settimeout(timeout)
    try:
        while True:
            data = s.recv(65536)
            if not data:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def error_code(body):
    code, domain = struct.unpack(">ii", body[:8])
    return code


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def session(path):
    """A connected and opened client."""
    s = connect(path)
    s.sendall(frame(PROC_AUTH_LIST, serial=0))
    recv_frame(s)
    s.sendall(frame(PROC_OPEN, struct.pack(">I", 1) + xdr_string("nodedev:///system") +
                    struct.pack(">I", 0), serial=1))
    r = recv_frame(s)
    assert r and r[0][5] == 0, r
    return s


def list_all(s, serial):
    s.sendall(frame(PROC_LIST_ALL, struct.pack(">iI", 1, 0x80000000), serial=serial))
    r = recv_frame(s, 30)
    if not r or r[0][5] != 0:
        return None
    body = r[1]
    n = struct.unpack(">I", body[:4])[0]
    return n


def alive_and_serving(path, daemon):
    if daemon.poll() is not None:
        return False
    try:
        s = session(path)
        n = list_all(s, 5)
        s.close()
        return n == 8
    except OSError:
        return False


def main():
    daemon_path = sys.argv[1]
    tmp = tempfile.mkdtemp()
    os.mkdir(tmp + "/root")
    sock = tmp + "/sock"
    daemon = subprocess.Popen([daemon_path, "--root", tmp + "/root",
                               "--socket", sock, "--socket-ro", sock + "-ro",
                               "--keepalive-interval", "1", "--keepalive-count", "2",
                               "--max-clients", "120"],
                              stderr=open(tmp + "/log", "w"))
    try:
        for _ in range(100):
            if os.path.exists(sock + "-ro"):
                break
            time.sleep(0.05)
        run(sock, daemon)
    finally:
        daemon.terminate()
        daemon.wait()
        log = open(tmp + "/log").read()
        check("AddressSanitizer" not in log and "runtime error" not in log,
              "no sanitizer reports in the daemon log")
        shutil.rmtree(tmp)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def run(path, daemon):
    # --- impossible length words: disconnect
    for what, raw in [("length 0", b"\0\0\0\0"), ("length 27", struct.pack(">I", 27)),
                      ("length 32 MiB + 1", struct.pack(">I", MAX + 1)),
                      ("length 0xffffffff", b"\xff\xff\xff\xff")]:
        s = connect(path)
        s.sendall(raw + b"\0" * 24)
        check(closed_by_server(s), "%s: disconnected" % what)
        s.close()
    check(alive_and_serving(path, daemon), "alive after bad lengths")

    # --- truncated messages: the client goes away mid-message
    for cut in (1, 3, 10, 27, 40):
        s = connect(path)
        msg = frame(PROC_LOOKUP, xdr_string("computer"))
        s.sendall(msg[:cut])
        s.close()
    check(alive_and_serving(path, daemon), "alive after truncated messages")

    # --- a client stuck mid-message does not block the others
    stuck = connect(path)
    stuck.sendall(frame(PROC_LOOKUP, xdr_string("computer"))[:20])
    check(alive_and_serving(path, daemon), "others served while one client is mid-message")
    stuck.close()

    s = session(path)
    # --- wrong program / version: error reply, connection stays
    s.sendall(frame(1, prog=0x11111111, serial=10))
    r = recv_frame(s)
    check(r and r[0][0] == 0x11111111 and r[0][5] == 1 and error_code(r[1]) == 39,
          "wrong program: error reply (RPC error)")
    s.sendall(frame(1, vers=2, serial=11))
    r = recv_frame(s)
    check(r and r[0][5] == 1 and error_code(r[1]) == 39, "wrong version: error reply")
    check(list_all(s, 12) == 8, "connection usable after wrong program")

    # --- malformed bodies: decode errors
    for what, body in [("short string", struct.pack(">I", 1000) + b"abcd"),
                       ("string over 4 MiB", struct.pack(">I", 4 * 1024 * 1024 + 1)),
                       ("NUL in string", struct.pack(">I", 4) + b"ab\0c"),
                       ("trailing bytes", xdr_string("computer") + b"\0\0\0\0"),
                       ("empty body", b"")]:
        s.sendall(frame(PROC_LOOKUP, body, serial=13))
        r = recv_frame(s)
        check(r and r[0][5] == 1 and error_code(r[1]) == 39 and
              b"Unable to decode message payload" in r[1], "%s: decode error" % what)
    s.sendall(frame(PROC_LOOKUP, xdr_string("computer"), serial=14, status=1))
    r = recv_frame(s)
    check(r and r[0][5] == 1 and error_code(r[1]) == 39, "call with status ERROR refused")

    # --- a whole 32 MiB message is read and answered
    big = xdr_string("x" * (4 * 1024 * 1024))
    body = big + b"\0" * (MAX - 28 - len(big))
    s.sendall(frame(PROC_LOOKUP, body, serial=15))
    r = recv_frame(s, 30)
    check(r and r[0][4] == 15 and r[0][5] == 1, "32 MiB message: error reply")
    check(list_all(s, 16) == 8, "connection usable after a 32 MiB message")

    # --- a REPLY from the client: disconnect
    s.sendall(frame(PROC_LOOKUP, mtype=REPLY, serial=17))
    check(closed_by_server(s), "reply from client: disconnected")
    s.close()

    # --- garbage frames
    rnd = random.Random(42)
    for i in range(300):
        s = connect(path)
        n = rnd.randrange(0, 200)
        body = bytes(rnd.randrange(256) for _ in range(n))
        proc = rnd.choice([rnd.randrange(-5, 500), PROC_LOOKUP, PROC_LIST_ALL, 1, 123, 428,
                           374])
        mtype = rnd.choice([CALL, CALL, CALL, rnd.randrange(0, 8)])
        prog = rnd.choice([REMOTE, REMOTE, REMOTE, KEEPALIVE, rnd.randrange(1 << 32)])
        s.sendall(frame(proc, body, prog=prog, mtype=mtype, serial=i))
        # a reply, a disconnect, or (keepalive messages) nothing
        s.settimeout(0.2 if prog == KEEPALIVE else 5)
        try:
            s.recv(65536)
        except (socket.timeout, ConnectionResetError):
            pass
        s.close()
    check(alive_and_serving(path, daemon), "alive after 300 garbage frames")

    # --- pipelining without reading: back-pressure, then every reply
    s = session(path)
    n = 3000
    payload = b"".join(frame(PROC_LIST_ALL, struct.pack(">iI", 1, 0xc0000000), serial=100 + i)
                       for i in range(n))
    sender = threading.Thread(target=s.sendall, args=(payload,))
    sender.start()
    time.sleep(1.0)
    got = 0
    serial_ok = True
    for i in range(n):
        r = recv_frame(s, 30)
        if not r:
            break
        serial_ok &= r[0][4] == 100 + i
        got += 1
    sender.join()
    check(got == n and serial_ok, "pipelined %d calls: %d replies in order" % (n, got))
    s.close()

    # --- 100 clients at once
    results = []

    def worker(i):
        try:
            c = session(path)
            ok = all(list_all(c, 10 + k) == 8 for k in range(5))
            results.append(ok)
            time.sleep(0.5)
            c.close()
        except OSError as e:
            results.append(False)
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(len(results) == 100 and all(results), "100 concurrent clients: %d ok" %
          sum(1 for r in results if r))

    # --- the client limit (120): the next connection is closed
    held = [connect(path) for _ in range(120)]
    time.sleep(0.3)
    extra = connect(path)
    check(closed_by_server(extra, 3), "client 121 refused")
    extra.close()
    for c in held:
        c.close()
    time.sleep(0.3)
    check(alive_and_serving(path, daemon), "served again below the limit")

    # --- keepalive: the client pings, the server pongs
    s = session(path)
    s.sendall(frame(1, prog=KEEPALIVE, mtype=MESSAGE))
    r = recv_frame(s)
    check(r and r[0][:5] == (KEEPALIVE, 1, 2, MESSAGE, 0), "PING -> PONG")
    # a client that asked for keepalive gets pings, and is dropped when silent
    s.sendall(frame(PROC_SUPPORTS_FEATURE, struct.pack(">i", 10), serial=20))
    r = recv_frame(s)
    check(r and r[1] == struct.pack(">i", 1), "keepalive feature supported")
    r = recv_frame(s, 4)
    check(r and r[0][:4] == (KEEPALIVE, 1, 1, MESSAGE), "server PING after silence")
    s.sendall(frame(2, prog=KEEPALIVE, mtype=MESSAGE))     # PONG
    r = recv_frame(s, 4)
    check(r and r[0][2] == 1, "another PING after the PONG and more silence")
    check(closed_by_server(s, 8), "silent keepalive client dropped")
    s.close()

    # --- the read-only socket refuses changes, whatever the open flags
    s = session(path + "-ro")
    s.sendall(frame(124, xdr_string("css_0_0_0052"), serial=30))   # DESTROY
    r = recv_frame(s)
    check(r and r[0][5] == 1 and error_code(r[1]) == 29, "ro socket: destroy denied")
    s.close()

    # --- peer credentials: another user on the read-write socket
    if os.geteuid() == 0:
        os.chmod(os.path.dirname(path), 0o755)
        os.chmod(path, 0o666)
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.setgid(65534)
                os.setuid(65534)
                c = connect(path)
                c.sendall(frame(PROC_AUTH_LIST))
                r = recv_frame(c)
                if r and r[0][5] == 1 and error_code(r[1]) == 45 and closed_by_server(c):
                    code = 0
            except Exception as e:
                print(e)
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        check(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0,
              "uid 65534 on the read-write socket: refused (auth failed), disconnected")
        os.chmod(path, 0o600)

    check(alive_and_serving(path, daemon), "daemon alive at the end")


if __name__ == "__main__":
    sys.exit(main())
