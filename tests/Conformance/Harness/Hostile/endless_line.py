"""Hostile candidate: answers the handshake with one line that never ends."""
import sys

sys.stdin.readline()
chunk = b"x" * 65536
while True:
    sys.stdout.buffer.write(chunk)
    sys.stdout.buffer.flush()
