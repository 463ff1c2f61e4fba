#!/usr/bin/env python3
"""Checks clnn's ONNX import against ONNX Runtime on a machine without Maven (the packed runtime of
../shared/tools/device-pack): for every fixture in a folder, a seeded input is run by onnxruntime
and by `clnn infer` on each given device, and the outputs are compared at rtol 5e-4, atol 1e-5.

    python3 scripts/check_onnx_fixtures.py FOLDER DEVICE-SPEC...
"""
import glob
import os
import subprocess
import sys

import numpy as np
import onnxruntime as ort


def main(folder, devices):
    failures = 0
    java = ["java", "-cp", os.environ["CLASSPATH"], "dev.clnn.cli.Main"]
    env = dict(os.environ)
    # OpenCL drivers' signal handlers must be chained with the JVM's (see README)
    env["LD_PRELOAD"] = os.path.join(os.environ["JAVA_HOME"], "lib", "libjsig.so")
    for model in sorted(glob.glob(os.path.join(folder, "*.onnx"))):
        session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
        shape = [d if isinstance(d, int) else 2 for d in session.get_inputs()[0].shape]
        x = np.random.default_rng(7).random(shape, dtype=np.float32)
        expected = session.run(None, {session.get_inputs()[0].name: x})[0]
        np.save(model + ".in.npy", x)
        for device in devices:
            out = model + "." + device + ".out.npy"
            run = subprocess.run(java + ["infer", "--model", model, "--input", model + ".in.npy", "--output", out,
                                         "--device", device], capture_output=True, text=True, env=env)
            if run.returncode != 0:
                print(f"FAIL {os.path.basename(model)} on {device}: {run.stderr.strip() or run.stdout.strip()}")
                failures += 1
                continue
            got = np.load(out)
            ok = got.shape == expected.shape and np.allclose(got, expected, rtol=5e-4, atol=1e-5)
            err = float(np.max(np.abs(got - expected))) if got.shape == expected.shape else float("nan")
            print(f"{'PASS' if ok else 'FAIL'} {os.path.basename(model)} on {device}: shape {got.shape}, "
                  f"max error {err:.3g}")
            failures += 0 if ok else 1
    return failures


if __name__ == "__main__":
    sys.exit(1 if main(sys.argv[1], sys.argv[2:]) else 0)
