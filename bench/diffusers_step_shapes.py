#!/usr/bin/env python3
"""Times diffusers' own CogVideoXDDIMScheduler.step on the CPU on both CogVideoX latent shapes (5b and 1.5), for
docs/performance.md: the "diffusers" column that `cogddim bench` and bench/CogDdim.Benchmarks compare with.
(bench/diffusers_step_timing.py, used by bench/torch-vs-diffusers.sh, times the 5b shape with a fixture's config.)

Two modes, and the output says which one ran:
  * --diffusers-source FILE: diffusers' own step. FILE is diffusers 0.37.0's
    src/diffusers/schedulers/scheduling_ddim_cogvideox.py, loaded on its own with the stand-ins of
    fixtures/generate.py (never commit that file; get it with
    `git -C diffusers show v0.37.0:src/diffusers/schedulers/scheduling_ddim_cogvideox.py > /tmp/x.py`).
    Without the option, `import diffusers` is tried.
  * --ops: no diffusers at all: the same torch op sequence as diffusers' step (v_prediction), written out below.

Config: CogVideoX-5b's scheduler config (v_prediction, zero-SNR rescale, trailing spacing, snr_shift_scale 1.0),
50 steps, a middle timestep, standard normal inputs. Prints, per shape and dtype, the median of the timed steps
and the GB/s moved (sample + model output read, prev_sample + pred_original_sample written).

Runs in the torch-2.6 root of ../shared/tools/torch-chroot.sh, e.g. from the repository root:
  bash ../shared/tools/torch-chroot.sh /work/torch-root
  mkdir -p /work/torch-root/cogddim && cp -r bench fixtures/*.py /tmp/x.py /work/torch-root/cogddim/
  chroot /work/torch-root python3 /cogddim/bench/diffusers_step_shapes.py --diffusers-source /cogddim/x.py \
      --diffusers-version 0.37.0 --generate /cogddim/generate.py
"""

import argparse
import importlib.util
import os
import statistics
import sys
import time

import torch

SHAPES = {"5b": (1, 13, 16, 60, 90), "1.5": (1, 21, 16, 96, 170)}
DTYPES = {"float32": (torch.float32, torch.float32), "float64": (torch.float64, torch.float64),
          "float16": (torch.float16, torch.float16), "bfloat16": (torch.bfloat16, torch.bfloat16),
          "bfloat16/float32": (torch.bfloat16, torch.float32), "float16/float32": (torch.float16, torch.float32)}
CONFIG = dict(num_train_timesteps=1000, beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
              clip_sample=False, set_alpha_to_one=True, steps_offset=0, prediction_type="v_prediction",
              timestep_spacing="trailing", rescale_betas_zero_snr=True, snr_shift_scale=1.0)


def load_generate(path):
    # generate.py imports its sibling modules (rule_suites, randn_fixtures): its folder goes on the path first.
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    spec = importlib.util.spec_from_file_location("cogddim_generate", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def diffusers_step(scheduler_class):
    scheduler = scheduler_class(**CONFIG)
    scheduler.set_timesteps(50)
    timestep = int(scheduler.timesteps[25])

    def step(model_output, sample):
        out = scheduler.step(model_output, timestep, sample, return_dict=False)
        return out[0], out[1]

    return step


def op_sequence_step(scheduler_class):
    """diffusers' step for v_prediction, op for op (0-dim float64 scalars from the float64 table)."""
    scheduler = scheduler_class(**CONFIG)
    scheduler.set_timesteps(50)
    timestep = int(scheduler.timesteps[25])
    alphas_cumprod = scheduler.alphas_cumprod
    final_alpha_cumprod = scheduler.final_alpha_cumprod
    ratio = CONFIG["num_train_timesteps"] // 50

    def step(model_output, sample):
        prev_timestep = timestep - ratio
        alpha_prod_t = alphas_cumprod[timestep]
        alpha_prod_t_prev = alphas_cumprod[prev_timestep] if prev_timestep >= 0 else final_alpha_cumprod
        beta_prod_t = 1 - alpha_prod_t
        pred_original_sample = (alpha_prod_t**0.5) * sample - (beta_prod_t**0.5) * model_output
        a_t = ((1 - alpha_prod_t_prev) / (1 - alpha_prod_t)) ** 0.5
        b_t = alpha_prod_t_prev**0.5 - alpha_prod_t**0.5 * a_t
        prev_sample = a_t * sample + b_t * pred_original_sample
        return prev_sample, pred_original_sample

    return step


def median_seconds(step, model_output, sample, iterations, budget):
    step(model_output, sample)
    step(model_output, sample)
    times = []
    start_all = time.perf_counter()
    for _ in range(iterations):
        start = time.perf_counter()
        step(model_output, sample)
        times.append(time.perf_counter() - start)
        if len(times) >= 3 and time.perf_counter() - start_all > budget:
            break
    return statistics.median(times), len(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--diffusers-source", help="diffusers 0.37.0's scheduling_ddim_cogvideox.py (else: import diffusers)")
    parser.add_argument("--diffusers-version", help="the version of --diffusers-source, for the output (e.g. 0.37.0)")
    parser.add_argument("--generate", default=os.path.join(os.path.dirname(__file__), "..", "fixtures", "generate.py"),
                        help="the repository's fixtures/generate.py (its loader and stand-ins)")
    parser.add_argument("--ops", action="store_true", help="time the torch op sequence instead of diffusers' step")
    parser.add_argument("--shape", choices=["5b", "1.5", "all"], default="all")
    parser.add_argument("--dtype", default=",".join(DTYPES), help="comma-separated: " + ", ".join(DTYPES))
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (default: torch's own choice)")
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--budget", type=float, default=5.0, help="stop a measurement after this many seconds (>= 3 steps)")
    args = parser.parse_args(argv)

    if args.threads:
        torch.set_num_threads(args.threads)
    generate = load_generate(args.generate)
    sources = [args.diffusers_source] if args.diffusers_source else []
    classes, version = generate.load_scheduler_classes(sources, args.diffusers_version)
    if "CogVideoXDDIMScheduler" not in classes:
        raise SystemExit("CogVideoXDDIMScheduler not found (pass --diffusers-source scheduling_ddim_cogvideox.py)")
    scheduler_class = classes["CogVideoXDDIMScheduler"]
    make_step = op_sequence_step if args.ops else diffusers_step
    mode = "torch op sequence of diffusers' step (no diffusers call)" if args.ops else f"diffusers {version} CogVideoXDDIMScheduler.step"
    print(f"{mode}; torch {torch.__version__}, {torch.get_num_threads()} threads, cpu capability {torch.backends.cpu.get_cpu_capability()}")
    step = make_step(scheduler_class)
    generator = torch.Generator().manual_seed(20250101)
    for name, shape in SHAPES.items():
        if args.shape not in ("all", name):
            continue
        elements = 1
        for n in shape:
            elements *= n
        print(f"\nCogVideoX {name} latents {list(shape)}: {elements:,} elements")
        print(f"{'dtype':<17} {'median ms':>10} {'GB/s':>7} {'steps':>6}")
        for dtype in args.dtype.split(","):
            sample_dtype, model_dtype = DTYPES[dtype]
            sample = torch.randn(shape, generator=generator).to(sample_dtype)
            model_output = torch.randn(shape, generator=generator).to(model_dtype)
            seconds, count = median_seconds(step, model_output, sample, args.iterations, args.budget)
            moved = elements * (sample.element_size() + 3 * model_output.element_size())
            print(f"{dtype:<17} {seconds * 1e3:>10.3f} {moved / seconds / 1e9:>7.1f} {count:>6}")


if __name__ == "__main__":
    sys.exit(main())
