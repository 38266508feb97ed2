"""Hostile candidate: answers the handshake with random bytes (newlines included), then waits."""
import os
import random
import sys
import time

sys.stdin.readline()
rng = random.Random(7)
sys.stdout.buffer.write(bytes(rng.randrange(256) for _ in range(5000)) + b"\n")
sys.stdout.buffer.flush()
time.sleep(100000)
