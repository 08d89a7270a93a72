#!/usr/bin/env python3
"""Stand-in for systemd's notification socket in tests.

Usage: notify-listen.py SOCKET_PATH OUTPUT_FILE

Binds a datagram socket at SOCKET_PATH (what $NOTIFY_SOCKET names) and
appends every message it receives to OUTPUT_FILE as one line:
"<monotonic seconds> <message with newlines replaced by |>".  Runs until
killed.
"""
import os
import socket
import sys
import time


def main():
    path, output = sys.argv[1], sys.argv[2]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    with open(output, "a", buffering=1) as out:
        while True:
            data = sock.recv(65536)
            text = data.decode("utf-8", "replace").strip().replace("\n", "|")
            out.write("%.3f %s\n" % (time.monotonic(), text))
            out.flush()
            os.fsync(out.fileno())


if __name__ == "__main__":
    main()
