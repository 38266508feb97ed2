"""A candidate that speaks cogddim-candidate/1 correctly but computes nothing right, for hostile-candidate tests.

usage: protocol_speaker.py MODE, MODE one of
  nan          every output tensor has the right dtype and shape, and every value is NaN
  wrong-shape  every output tensor has the right dtype and shape [1]
  hang-on-step shakes hands and answers schedule/set_timesteps, then never answers step
  crash-on-step exits with code 9 on every step request
  wrong-id     answers every request after the handshake with the id 12345
  string-id    answers every request after the handshake with its id as a string ("7")
  surrogate    answers every step with an error whose type holds a lone surrogate escape (\\ud800)
  unsupported  answers Unsupported to every scheduler call, schedule included
  huge-error   answers every step with a ValueError whose message is 4 MB long
  fork-orphan  forks a child that sleeps (and holds stdout) at start, then answers as nan does
  fork-crash   on the first step forks a child that sleeps holding stdout, then exits with code 9
  error-CLASS  answers every scheduler call with an error of the Python class CLASS (RuntimeError, TypeError, ...)
Standard library only (no numpy).
"""
import base64
import json
import os
import struct
import sys
import time

MODE = sys.argv[1]
SIZES = {"float64": 8, "float32": 4, "float16": 2, "bfloat16": 2, "int64": 8}
NAN = {"float64": struct.pack("<d", float("nan")), "float32": struct.pack("<f", float("nan")),
       "float16": b"\x00\x7e", "bfloat16": b"\xc0\x7f", "int64": b"\x00" * 8}


def tensor(dtype, shape):
    count = 1
    for d in shape:
        count *= d
    return {"dtype": dtype, "shape": shape, "data": base64.b64encode(NAN[dtype] * count).decode()}


def like(t, dtype=None):
    dtype = dtype or t["dtype"]
    return tensor(dtype, [1] if MODE == "wrong-shape" else t["shape"])


def promote(a, b):
    if a == b:
        return a
    return "float64" if "float64" in (a, b) else "float32"


def table_dtype(config):
    plain = config.get("trained_betas") is None and config["beta_schedule"] == "scaled_linear"
    return "float64" if plain else "float32"


def answer(request):
    call, args = request["call"], request.get("args", {})
    if call == "hello":
        return {"protocol": "cogddim-candidate/1", "name": "protocol speaker " + MODE, "version": "0",
                "dtypes": ["float64", "float32", "float16", "bfloat16"],
                "calls": ["schedule", "set_timesteps", "step", "add_noise", "get_velocity"]}
    if MODE == "wrong-id":
        return {}
    if MODE.startswith("error-"):
        raise PortError(MODE[len("error-"):], "the speaker answers every call with this class")
    if MODE == "unsupported":
        raise PortError("Unsupported", call + " is not implemented")
    if MODE == "surrogate" and call == "step":
        raise PortError("Value\ud800Error", "a lone surrogate")
    if MODE == "huge-error" and call == "step":
        raise PortError("ValueError", "x" * (4 << 20))
    if MODE == "fork-crash" and call == "step":
        if os.fork() == 0:
            time.sleep(100000)
        os._exit(9)
    config = request["config"]
    n = config["num_train_timesteps"]
    if call == "schedule":
        d = table_dtype(config)
        steps = list(range(n - 1, -1, -1))
        return {"betas": tensor(d, [n]), "alphas": tensor(d, [n]), "alphas_cumprod": tensor(d, [n]),
                "final_alpha_cumprod": tensor("float32", []), "init_noise_sigma": 1.0, "order": 1, "len": n,
                "timesteps": {"dtype": "int64", "shape": [n], "data": base64.b64encode(struct.pack("<%dq" % n, *steps)).decode()}}
    if call == "set_timesteps":
        k = args["num_inference_steps"]
        steps = [n - 1 - i * (n // max(k, 1)) for i in range(k)]
        return {"timesteps": {"dtype": "int64", "shape": [k], "data": base64.b64encode(struct.pack("<%dq" % k, *steps)).decode()}}
    if call == "step":
        if MODE == "hang-on-step":
            time.sleep(100000)
        if MODE == "crash-on-step":
            sys.exit(9)
        out = promote(args["sample"]["dtype"], args["model_output"]["dtype"])
        return {"prev_sample": like(args["sample"], out), "pred_original_sample": like(args["model_output"], out)}
    if call == "add_noise":
        return {"noisy_samples": like(args["original_samples"])}
    if call == "get_velocity":
        return {"velocity": like(args["sample"])}
    return None


class PortError(Exception):
    def __init__(self, type_, message):
        super().__init__(message)
        self.type, self.message = type_, message


if MODE == "fork-orphan" and os.fork() == 0:
    time.sleep(100000)
    os._exit(0)

for line in sys.stdin:
    request = json.loads(line)
    if request["call"] == "shutdown":
        break
    reply_id = 12345 if MODE == "wrong-id" and request["call"] != "hello" else request["id"]
    if MODE == "string-id" and request["call"] != "hello":
        reply_id = str(request["id"])
    try:
        reply = {"id": reply_id, "ok": True, "result": answer(request)}
    except PortError as e:
        reply = {"id": reply_id, "ok": False, "error": {"type": e.type, "message": e.message}}
    print(json.dumps(reply), flush=True)
