"""Hostile candidate: exits before the handshake."""
import sys

sys.stderr.write("exit_at_once: bye\n")
sys.exit(3)
