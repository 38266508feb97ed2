"""Hostile candidate: never reads, never answers."""
import time

time.sleep(100000)
