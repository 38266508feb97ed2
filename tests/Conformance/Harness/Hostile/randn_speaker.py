"""A candidate that offers randn (and randn_state) and answers every randn request wrongly, for the harness tests.

usage: randn_speaker.py MODE, MODE one of
  wrong-shape     every output has the right dtype, one element more than asked, shape [n + 1]
  nan             every output has the right dtype and shape, and every value is NaN
  garbage-state   outputs of zeros of the right dtype and shape; every state is "not base64!"
  short-state     outputs of zeros; every state is base64 of 12 bytes
  unasked-digest  every output is a digest {dtype, shape, sha256}, although the request says digest: false
  too-few         one output fewer than the draws
Standard library only (no numpy).
"""
import base64
import hashlib
import json
import struct
import sys

MODE = sys.argv[1]
SIZES = {"float64": 8, "float32": 4, "float16": 2, "bfloat16": 2}
NAN = {"float64": struct.pack("<d", float("nan")), "float32": struct.pack("<f", float("nan")),
       "float16": b"\x00\x7e", "bfloat16": b"\xc0\x7f"}


def count(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def output(draw):
    dtype, shape = draw["dtype"], list(draw["shape"])
    n = count(shape)
    if MODE == "wrong-shape":
        shape, n = [n + 1], n + 1
    raw = NAN[dtype] * n if MODE == "nan" else b"\x00" * (SIZES[dtype] * n)
    if MODE == "unasked-digest":
        return {"dtype": dtype, "shape": shape, "sha256": hashlib.sha256(raw).hexdigest()}
    return {"dtype": dtype, "shape": shape, "data": base64.b64encode(raw).decode()}


def state():
    if MODE == "garbage-state":
        return "not base64!"
    return base64.b64encode(b"\x00" * (12 if MODE == "short-state" else 5056)).decode()


for line in sys.stdin:
    request = json.loads(line)
    reply = {"id": request["id"], "ok": True}
    call = request["call"]
    if call == "hello":
        reply["result"] = {"protocol": "cogddim-candidate/1", "name": "randn-speaker", "version": MODE,
                           "dtypes": ["float64", "float32", "float16", "bfloat16"], "calls": ["schedule", "randn", "randn_state"]}
    elif call == "shutdown":
        reply["result"] = {}
        print(json.dumps(reply), flush=True)
        break
    elif call == "randn":
        draws = request["args"]["draws"]
        outputs = [output(d) for d in draws]
        reply["result"] = {"outputs": outputs[:-1] if MODE == "too-few" else outputs, "states": [state() for _ in draws]}
    else:
        reply = {"id": request["id"], "ok": False, "error": {"type": "Unsupported", "message": call}}
    print(json.dumps(reply), flush=True)
