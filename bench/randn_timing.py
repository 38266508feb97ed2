"""Times torch.randn(1, 13, 16, 60, 90, generator=g, dtype=d) on the CPU, single threaded, for RandnBenchmarks.

  /usr/bin/python3 bench/randn_timing.py                          # torch 1.13 (Debian 12)
  chroot ../torch26-root python3 /tmp/randn_timing.py             # torch 2.6 (copy the file into its /tmp first)

Prints one JSON object per dtype: {"torch": ..., "dtype": ..., "median_ms": ..., "min_ms": ..., "runs": ...}.
"""
import json
import statistics
import sys
import time

import torch

SHAPE = (1, 13, 16, 60, 90)


def main(dtypes):
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(42)
    for name in dtypes:
        d = getattr(torch, name)
        for _ in range(5):
            torch.randn(SHAPE, generator=g, dtype=d)
        times = []
        for _ in range(40):
            t0 = time.perf_counter()
            torch.randn(SHAPE, generator=g, dtype=d)
            times.append((time.perf_counter() - t0) * 1e3)
        print(json.dumps({"torch": torch.__version__, "dtype": name, "median_ms": round(statistics.median(times), 3),
                          "min_ms": round(min(times), 3), "runs": len(times)}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or ["float32", "bfloat16", "float16", "float64"])
