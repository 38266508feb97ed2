#!/usr/bin/env python3
"""Writes fixtures/rule-coverage.tsv: which public cases catch a port that breaks each named rule.

Runs every mutant of the python-numpy example port (examples/python-numpy/cogddim_port.py --mutant NAME; each
breaks one named rule of docs/reference-semantics.md) through `cogddim conform --candidate` on every committed
suite, and records, per mutant and failing suite, the harness's hints and the failing cases. `cogddim conform
--coverage` reads the file; tests/Conformance/Harness/RuleCoverageTests.cs reruns each mutant on the suites listed
and checks every row.

  python3 scripts/rule-coverage.py [--cli "dotnet src/CogDdim.Cli/bin/Release/net10.0/cogddim.dll"]
                                   [--python /usr/bin/python3] [--jobs 2] [--out fixtures/rule-coverage.tsv]

Needs a built CLI (dotnet build src/CogDdim.Cli -c Release) and a python3 with numpy.
"""
import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PORT = os.path.join(REPO, "examples", "python-numpy", "cogddim_port.py")
HEADER = """# cogddim-rule-coverage/1: the public cases that catch a port breaking each named rule of docs/reference-semantics.md.
# One row per mutant of examples/python-numpy/cogddim_port.py (--mutant; its description names the rule) and suite it
# fails: the harness's hints for the whole run, the number of failing cases in that suite, and the first five.
# Written by scripts/rule-coverage.py; read by `cogddim conform --coverage`; checked by RuleCoverageTests.
# rule\tmutant\thints\tsuite\tfailed\tcases
"""


def mutants():
    text = open(PORT, encoding="utf-8").read()
    block = text[text.index("MUTANTS = {"):text.index("\n}\n", text.index("MUTANTS = {"))]
    return re.findall(r'^\s+"([a-z0-9-]+)": "\[([a-z0-9-]+)\]', block, re.M)


def run(cli, python, mutant):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "report.json")
        candidate = f"{shlex.quote(python)} {shlex.quote(PORT)} --mutant {mutant}"
        subprocess.run(shlex.split(cli) + ["conform", os.path.join(REPO, "fixtures"), "--candidate", candidate,
                                           "--format", "json", "--output", out],
                       cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        with open(out, encoding="utf-8") as f:
            return json.load(f)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cli", default="dotnet src/CogDdim.Cli/bin/Release/net10.0/cogddim.dll")
    p.add_argument("--python", default="/usr/bin/python3")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--out", default=os.path.join(REPO, "fixtures", "rule-coverage.tsv"))
    args = p.parse_args()
    found = mutants()
    with ThreadPoolExecutor(args.jobs) as pool:
        reports = list(pool.map(lambda m: run(args.cli, args.python, m[0]), found))
    lines = []
    for (mutant, rule), report in zip(found, reports):
        hints = ",".join(h["code"] for h in report["hints"]) or "-"
        caught = [s for s in report["suites"] if s["failed"] > 0]
        for s in caught:
            cases = "; ".join(f["case"] for f in s["failures"][:5])
            lines.append(f"{rule}\t{mutant}\t{hints}\t{s['set']}/{s['suite']}\t{s['failed']}\t{cases}")
        print(f"{rule:26} {mutant:30} {report['failed']:5} failed in {len(caught):2} suites; hints {hints}", flush=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(HEADER + "".join(line + "\n" for line in lines))
    print(f"wrote {args.out}: {len(lines)} rows")


if __name__ == "__main__":
    sys.exit(main())
