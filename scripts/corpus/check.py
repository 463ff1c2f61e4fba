#!/usr/bin/env python3
"""Runs the ONNX model corpus of scripts/corpus/export.py through clnn on one device and compares each
output with the ONNX Runtime reference saved by the export, then prints (and with --md writes) a
Markdown table: network, exporter, PASS / FAIL / ERROR, max error, clnn's batch-1 latency, ONNX
Runtime's on this machine's CPU (timed here, in the same run) and eager PyTorch's (as the export
measured it with --torch-latency, on the GPU machine).

PASS means every element satisfies |clnn - ort| <= atol + rtol * |ort| with rtol 1e-3 and
atol 1e-4 * max|ort|, and the shapes agree. ERROR is a clnn run that failed: the table gives the
first line of its message (for an import, every unsupported operator is named in that line).

    python3 scripts/corpus/check.py CORPUS_DIR --device SPEC [--runs 20] [--only a,b] [--md FILE]
        [--json FILE] [--timeout 600] [--no-ort-latency] [--shard K/N] [--clnn "java -cp ... dev.clnn.cli.Main"]
    python3 scripts/corpus/check.py --merge A.json B.json ... [--md FILE]   (one table from shards)

clnn is started as --clnn says; by default `java -cp $CLASSPATH dev.clnn.cli.Main` when CLASSPATH
holds the clnn jars (the packed runtime of ../shared/tools/device-pack), else the repository's
./clnn. libjsig is preloaded either way (OpenCL drivers' signal handlers, see README). The latency
is `clnn infer --examples RUNS`: the mean of RUNS further runs of the batch after the compile and
first run, host copies in and out included.
"""
import argparse
import datetime
import glob
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time

import numpy as np

RTOL, ATOL_REL = 1e-3, 1e-4
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def clnn_command(arg):
    if arg:
        return shlex.split(arg)
    cp = os.environ.get("CLASSPATH", "")
    if "clnn-core" in cp:
        return ["java", "-cp", cp, "dev.clnn.cli.Main"]
    return [os.path.join(ROOT, "clnn")]


def clnn_env():
    env = dict(os.environ)
    java_home = env.get("JAVA_HOME")
    if not java_home:
        java = subprocess.run(["sh", "-c", "readlink -f \"$(command -v java)\""], capture_output=True, text=True).stdout
        java_home = os.path.dirname(os.path.dirname(java.strip())) if java.strip() else ""
    jsig = os.path.join(java_home, "lib", "libjsig.so")
    if java_home and os.path.exists(jsig) and jsig not in env.get("LD_PRELOAD", ""):
        env["LD_PRELOAD"] = jsig + (":" + env["LD_PRELOAD"] if env.get("LD_PRELOAD") else "")
    env.setdefault("CLNN_PROGRESS", "lines")
    return env


def first_error_line(text):
    """clnn's own one-line message ("clnn: ..."), else the last non-empty line."""
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    for l in lines:
        if l.startswith("clnn: "):
            return l[len("clnn: "):]
    return lines[-1] if lines else "(no message)"


def short_note(text):
    """The table's note: an "unsupported operators" list as each operator once with its count and first node."""
    import re
    if not text.startswith("unsupported operators:"):
        return text
    ops = {}
    for op, node in re.findall(r"(\w+) \(node '([^']*)'", text):
        n, first = ops.get(op, (0, node))
        ops[op] = (n + 1, first)
    if not ops:
        return text
    return "unsupported operators: " + ", ".join(
        f"{op} x{n} (first node '{first}')" if n > 1 else f"{op} (node '{first}')" for op, (n, first) in ops.items())


def ort_latency(path, x, runs):
    import onnxruntime as ort
    s = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    feed = {s.get_inputs()[0].name: x}
    for _ in range(3):
        s.run(None, feed)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        s.run(None, feed)
        times.append(time.perf_counter() - t)
    times.sort()
    return times[len(times) // 2] * 1e3


def compare(got, ref):
    """(passed, max |error|, max |error| / max |ref|, note)."""
    if got.shape != ref.shape:
        if got.size != ref.size:
            return False, float("nan"), float("nan"), f"shape {got.shape} vs ONNX Runtime's {ref.shape}"
        got = got.reshape(ref.shape)
        note = f"shape {got.shape} vs {ref.shape} (same size)"
    else:
        note = ""
    scale = float(np.abs(ref).max())
    diff = np.abs(got.astype(np.float64) - ref.astype(np.float64))
    finite = bool(np.all(np.isfinite(got)))
    ok = finite and bool(np.all(diff <= ATOL_REL * scale + RTOL * np.abs(ref))) and not note
    err = float(diff.max()) if finite else float("inf")
    return ok, err, err / scale if scale else float("nan"), note if finite else "non-finite values"


def check_one(meta, exporter, args, clnn, env, work):
    name = meta["name"]
    info = meta.get("exporters", {}).get(exporter, {})
    row = {"model": name, "family": meta.get("family", ""), "exporter": exporter}
    if "error" in info or "ref" not in info:
        row.update(result="EXPORT", note=info.get("error") or meta.get("error") or "not exported")
        return row
    path = os.path.join(args.corpus, info["file"])
    xin = os.path.join(args.corpus, f"{name}.input.npy")
    ref = np.load(os.path.join(args.corpus, info["ref"]))
    out = os.path.join(work, f"{name}.{exporter}.out.npy")
    js = os.path.join(work, f"{name}.{exporter}.json")
    cmd = clnn + ["infer", "--model", path, "--input", xin, "--output", out, "--device", args.device,
                  "--examples", str(args.runs), "--json", js]
    t0 = time.perf_counter()
    try:
        run = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=args.timeout)
        rc, text = run.returncode, run.stderr + "\n" + run.stdout
    except subprocess.TimeoutExpired:
        rc, text = None, f"timed out after {args.timeout} s"
    row["seconds"] = round(time.perf_counter() - t0, 1)
    if rc != 0 or not os.path.exists(out):
        row.update(result="ERROR", note=first_error_line(text) if rc is not None else text, rc=rc)
        return row
    with open(js) as f:
        doc = json.load(f)
    row["clnn_ms"] = doc.get("msPerRun")
    row["compile_s"] = doc.get("compileAndFirstRunSeconds")
    ok, err, rel, note = compare(np.load(out), ref)
    row.update(result="PASS" if ok else "FAIL", max_err=err, rel_err=rel, note=note)
    if not args.no_ort_latency:
        row["ort_ms"] = ort_latency(path, np.load(xin), args.ort_runs)
    lat = meta.get("torch_latency", {})
    if "ms" in lat:
        row["torch_ms"], row["torch_device"] = lat["ms"], lat["device"]
    for f in (out, js):
        os.remove(f)
    return row


def fmt(v, spec):
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else format(v, spec)


def table(rows):
    head = ("| network | family | exporter | result | max error (rel. to max\\|ref\\|) | clnn ms | "
            "ORT CPU ms | eager PyTorch ms | note |\n|---|---|---|---|---|---|---|---|---|\n")
    lines = []
    for r in rows:
        err = f"{fmt(r.get('max_err'), '.2g')} ({fmt(r.get('rel_err'), '.1e')})" if "max_err" in r else ""
        note = short_note(r.get("note") or "").replace("|", "\\|")
        if len(note) > 300:
            note = note[:297] + "..."
        lines.append(f"| {r['model']} | {r['family']} | {r['exporter']} | {r['result']} | {err} | "
                     f"{fmt(r.get('clnn_ms'), '.2f')} | {fmt(r.get('ort_ms'), '.2f')} | "
                     f"{fmt(r.get('torch_ms'), '.2f')} | {note} |")
    return head + "\n".join(lines) + "\n"


def summary(rows):
    n = len(rows)
    counts = {k: sum(1 for r in rows if r["result"] == k) for k in ("PASS", "FAIL", "ERROR", "EXPORT")}
    nets = sorted({r["model"] for r in rows})
    both = sum(1 for m in nets if all(r["result"] == "PASS" for r in rows if r["model"] == m))
    return (f"{counts['PASS']} of {n} models pass ({100.0 * counts['PASS'] / max(n, 1):.0f} %): "
            f"{counts['FAIL']} FAIL, {counts['ERROR']} ERROR, {counts['EXPORT']} not exported; "
            f"{both} of {len(nets)} networks pass with both exporters")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("corpus", nargs="?", help="folder written by scripts/corpus/export.py")
    p.add_argument("--device", help="clnn device spec (gpu, cpu, 0, ...)")
    p.add_argument("--runs", type=int, default=20, help="timed clnn runs after the first (default 20)")
    p.add_argument("--ort-runs", type=int, default=20, help="timed ONNX Runtime runs (default 20)")
    p.add_argument("--only", default="", help="comma-separated networks (default: all in the folder)")
    p.add_argument("--skip", default="", help="comma-separated networks to leave out")
    p.add_argument("--exporters", default="ts17,dynamo18", help="default ts17,dynamo18")
    p.add_argument("--timeout", type=int, default=600, help="seconds per clnn run (default 600)")
    p.add_argument("--no-ort-latency", action="store_true", help="do not time ONNX Runtime")
    p.add_argument("--clnn", default="", help="the clnn command line to start (see above)")
    p.add_argument("--md", help="write the Markdown table (with a header naming the run) here")
    p.add_argument("--json", help="write the rows as JSON here")
    p.add_argument("--shard", default="1/1", help="K/N: only every N-th network from the K-th (default 1/1)")
    p.add_argument("--merge", nargs="+", metavar="JSON", help="merge the --json files of earlier runs into one table")
    a = p.parse_args()
    if a.merge:
        return merge(a)
    if not a.corpus or not a.device:
        p.error("CORPUS_DIR and --device are needed")
    a.corpus = os.path.abspath(a.corpus)
    only = {s for s in a.only.split(",") if s}
    skip = {s for s in a.skip.split(",") if s}
    metas = []
    for f in sorted(glob.glob(os.path.join(a.corpus, "*.json"))):
        with open(f) as fh:
            m = json.load(fh)
        if "name" in m and (not only or m["name"] in only) and m["name"] not in skip:
            metas.append(m)
    k, n = (int(v) for v in a.shard.split("/"))
    metas = metas[k - 1::n]
    if not metas:
        p.error(f"no exported networks in {a.corpus}")
    clnn, env = clnn_command(a.clnn), clnn_env()
    stamp = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    head = (f"clnn ONNX corpus on device '{a.device}', {stamp}, host {platform.node()} "
            f"({os.cpu_count()} cores); {a.runs} clnn runs, {a.ort_runs} ONNX Runtime runs; "
            f"rtol {RTOL}, atol {ATOL_REL} x max|ref|")
    rows = []
    with tempfile.TemporaryDirectory(prefix="clnn-corpus-") as work:
        for m in metas:
            for exporter in a.exporters.split(","):
                r = check_one(m, exporter, a, clnn, env, work)
                rows.append(r)
                extra = f"max error {r['max_err']:.3g} ({r['rel_err']:.1e} of max|ref|), " if "max_err" in r else ""
                lat = f"clnn {r['clnn_ms']:.2f} ms, ORT CPU {fmt(r.get('ort_ms'), '.2f')} ms, " if r.get("clnn_ms") else ""
                print(f"{r['result']:6s} {m['name']}.{exporter}: {extra}{lat}{short_note(r.get('note') or '')} "
                      f"[{r.get('seconds', 0)} s]", flush=True)
                if a.json:  # after every row, so that a run cut short still leaves its rows
                    with open(a.json, "w") as f:
                        json.dump({"head": head, "device": a.device, "date": stamp, "rows": rows}, f, indent=1)
    return write(head, rows, a.md)


def write(head, rows, md):
    text = head + "\n\n" + summary(rows) + "\n\n" + table(rows)
    print()
    print(text)
    if md:
        with open(md, "w") as f:
            f.write(text)
    return 0 if all(r["result"] == "PASS" for r in rows) else 1


def merge(a):
    heads, rows = [], []
    for f in a.merge:
        with open(f) as fh:
            doc = json.load(fh)
        heads.append(doc["head"])
        rows += doc["rows"]
    order = {e: i for i, e in enumerate(("ts17", "dynamo18"))}
    rows.sort(key=lambda r: (r["model"], order.get(r["exporter"], 9)))
    # one line per distinct setting; the dates of the runs merged become a range
    import re
    stamp = re.compile(r", (\d{4}-\d\d-\d\dT[\d:+-]+), ")
    dates = sorted(m.group(1) for h in heads for m in [stamp.search(h)] if m)
    settings = dict.fromkeys(stamp.sub(", ", h) for h in heads)
    span = f"{len(heads)} runs merged, {dates[0]} to {dates[-1]}: " if len(heads) > 1 and dates else ""
    return write(span + "\n".join(settings), rows, a.md)


if __name__ == "__main__":
    sys.exit(main())
