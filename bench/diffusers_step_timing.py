"""Times one CogVideoXDDIMScheduler.step on a CogVideoX-5b latent [1, 13, 16, 60, 90] per dtype, on the CPU.

Run by bench/torch-vs-diffusers.sh inside the torch 2.6 chroot (Debian 13's python3-torch). With --diffusers-source
(diffusers' scheduling_ddim_cogvideox.py, loaded with fixtures/generate.py's stand-ins as the fixture generator
does) it times diffusers' own step; without it, it times the same torch op sequence that step issues, and says so.
Prints one JSON object per line: {"what": ..., "dtype": ..., "median_ms": ..., "mean_ms": ..., "min_ms": ...}.
"""
import argparse
import importlib.util
import json
import statistics
import sys
import time

import torch

SHAPE = (1, 13, 16, 60, 90)
DTYPES = ["float64", "float32", "float16", "bfloat16", "bfloat16/float32"]


def load_generate(path):
    spec = importlib.util.spec_from_file_location("cogddim_generate", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def op_sequence_step(alphas_cumprod, final_alpha_cumprod, num_train, num_inference):
    """diffusers 0.37's step for v_prediction, op for op (eta = 0), as written in scheduling_ddim_cogvideox.py."""
    def step(model_output, timestep, sample):
        prev_timestep = timestep - num_train // num_inference
        alpha_prod_t = alphas_cumprod[timestep]
        alpha_prod_t_prev = alphas_cumprod[prev_timestep] if prev_timestep >= 0 else final_alpha_cumprod
        beta_prod_t = 1 - alpha_prod_t
        pred_original_sample = (alpha_prod_t**0.5) * sample - (beta_prod_t**0.5) * model_output
        a_t = ((1 - alpha_prod_t_prev) / (1 - alpha_prod_t)) ** 0.5
        b_t = alpha_prod_t_prev**0.5 - alpha_prod_t**0.5 * a_t
        prev_sample = a_t * sample + b_t * pred_original_sample
        return prev_sample, pred_original_sample
    return step


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True, help="a fixture suite JSON (its config is used)")
    parser.add_argument("--generate", required=True, help="fixtures/generate.py")
    parser.add_argument("--diffusers-source", help="diffusers' scheduling_ddim_cogvideox.py")
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()

    with open(args.config) as f:
        config = json.load(f)["config"]
    gen = load_generate(args.generate)
    scheduler_class = (gen.load_scheduler_classes([args.diffusers_source], "0.37.0")[0]["CogVideoXDDIMScheduler"]
                       if args.diffusers_source else None)
    if scheduler_class is not None:
        scheduler = scheduler_class(**config)
        scheduler.set_timesteps(50)
        what = "diffusers step"

        def step(m, t, s):
            out = scheduler.step(m, t, s)
            return out.prev_sample, out.pred_original_sample
        timesteps = [int(t) for t in scheduler.timesteps]
    else:
        # The same tables as the fixtures: the backend's conformance shows they are the recorded ones.
        what = "diffusers' step op sequence (diffusers not loaded)"
        suite = json.load(open(args.config))
        ac = gen.dec(suite["schedule"]["alphas_cumprod"])
        final = gen.dec(suite["schedule"]["final_alpha_cumprod"])
        step = op_sequence_step(ac, final, config["num_train_timesteps"], 50)
        timesteps = list(range(config["num_train_timesteps"] - 1, -1, -config["num_train_timesteps"] // 50))
    t = timesteps[25]

    torch.manual_seed(0)
    for label in DTYPES:
        sample_type, model_type = (label.split("/") + [label])[:2]
        sample = torch.randn(SHAPE, dtype=torch.float64).to(getattr(torch, sample_type))
        model_output = torch.randn(SHAPE, dtype=torch.float64).to(getattr(torch, model_type))
        for _ in range(3):
            step(model_output, t, sample)
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            step(model_output, t, sample)
            times.append((time.perf_counter() - start) * 1000)
        print(json.dumps({"what": what, "dtype": label, "median_ms": statistics.median(times), "mean_ms": statistics.mean(times), "min_ms": min(times),
                          "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
