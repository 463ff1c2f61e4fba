#!/usr/bin/env python3
"""Exports clnn's ONNX model corpus: classification networks of many families and two segmentation
networks with Resize, from torchvision and timm, with seeded random weights, each through both of
PyTorch's ONNX exporters:

    <net>.ts17.onnx      the TorchScript exporter (dynamo=False), opset 17, dynamic batch axis "N"
    <net>.dynamo18.onnx  the dynamo exporter (torch.export), opset 18, static batch 1

Random weights give vanishing or exploding activations, which would make any comparison vacuous, so
before export every norm layer's affine parameters are drawn at random (scale in [0.5, 1.5], shift
in [-0.2, 0.2]), parameters that their initialiser left at (almost) zero -- zero-initialised
biases, last-BN-of-the-block gammas, ConvNeXt's 1e-6 layer scales -- are drawn in [-0.1, 0.1] so
that no branch is silently switched off, and the BatchNorm statistics are re-estimated on a few
random batches (the BatchNorm layers alone in train mode, momentum None: a plain average). Nothing
is downloaded (weights=None / pretrained=False).

Next to each model it writes:
    <net>.input.npy            the (1, 3, H, W) float32 input, seeded (one per network)
    <net>.<exporter>.ref.npy   ONNX Runtime's (CPU) first output for that input
    <net>.json                 sizes, export times and errors, |PyTorch - ONNX Runtime| per exporter,
                               the output's statistics and, with --torch-latency, eager PyTorch's
                               batch-1 latency (CUDA when there is a GPU: TF32 off, cudnn.benchmark)

    python3 scripts/corpus/export.py OUT_DIR [--only a,b] [--skip a,b] [--jobs N] [--torch-latency]
    python3 scripts/corpus/export.py --list

scripts/corpus/check.py then runs every model with clnn and compares it with the saved references.
"""
import argparse
import json
import os
import sys
import time
import traceback
import zlib

# name -> (source, constructor name, keyword arguments, input size, family)
TV, TIMM = "torchvision", "timm"
CORPUS = [
    ("resnet18", TV, "resnet18", {}, 224, "ResNet"),
    ("resnet50", TV, "resnet50", {}, 224, "ResNet"),
    ("resnext50_32x4d", TV, "resnext50_32x4d", {}, 224, "ResNeXt"),
    ("wide_resnet50_2", TV, "wide_resnet50_2", {}, 224, "Wide-ResNet"),
    ("regnet_x_400mf", TV, "regnet_x_400mf", {}, 224, "RegNet"),
    ("regnet_y_400mf", TV, "regnet_y_400mf", {}, 224, "RegNet (SE)"),
    ("densenet121", TV, "densenet121", {}, 224, "DenseNet"),
    ("inception_v3", TV, "inception_v3", {"aux_logits": False, "init_weights": True}, 224, "Inception"),
    ("googlenet", TV, "googlenet", {"aux_logits": False, "init_weights": True}, 224, "GoogLeNet"),
    ("squeezenet1_0", TV, "squeezenet1_0", {}, 224, "SqueezeNet"),
    ("squeezenet1_1", TV, "squeezenet1_1", {}, 224, "SqueezeNet"),
    ("shufflenet_v2_x1_0", TV, "shufflenet_v2_x1_0", {}, 224, "ShuffleNet"),
    ("mnasnet1_0", TV, "mnasnet1_0", {}, 224, "MnasNet"),
    ("mobilenet_v2", TV, "mobilenet_v2", {}, 224, "MobileNet v2"),
    ("mobilenet_v3_small", TV, "mobilenet_v3_small", {}, 224, "MobileNet v3"),
    ("mobilenet_v3_large", TV, "mobilenet_v3_large", {}, 224, "MobileNet v3"),
    ("efficientnet_b0", TV, "efficientnet_b0", {}, 224, "EfficientNet v1"),
    ("efficientnet_v2_s", TV, "efficientnet_v2_s", {}, 224, "EfficientNet v2"),
    ("convnext_tiny", TV, "convnext_tiny", {}, 224, "ConvNeXt"),
    ("swin_t", TV, "swin_t", {}, 224, "Swin"),
    ("ghostnet_100", TIMM, "ghostnet_100", {}, 224, "GhostNet"),
    ("repvgg_a0", TIMM, "repvgg_a0", {}, 224, "RepVGG"),
    ("mobilevit_xxs", TIMM, "mobilevit_xxs", {}, 256, "MobileViT"),
    ("deit_tiny_patch16_224", TIMM, "deit_tiny_patch16_224", {}, 224, "ViT/DeiT"),
    ("levit_128s", TIMM, "levit_128s", {}, 224, "LeViT"),
    ("mixnet_s", TIMM, "mixnet_s", {}, 224, "MixNet"),
    ("tf_efficientnet_b0", TIMM, "tf_efficientnet_b0", {}, 224, "EfficientNet v1 (TF padding)"),
    ("seresnext26d_32x4d", TIMM, "seresnext26d_32x4d", {}, 224, "SE-ResNeXt"),
    ("dla34", TIMM, "dla34", {}, 224, "DLA"),
    ("rexnet_100", TIMM, "rexnet_100", {}, 224, "ReXNet"),
    ("convnextv2_atto", TIMM, "convnextv2_atto", {}, 224, "ConvNeXt v2"),
    ("mobilenetv4_conv_small", TIMM, "mobilenetv4_conv_small", {}, 224, "MobileNet v4"),
    ("poolformer_s12", TIMM, "poolformer_s12", {}, 224, "PoolFormer"),
    ("hrnet_w18_small", TIMM, "hrnet_w18_small", {}, 224, "HRNet"),
    ("dpn68", TIMM, "dpn68", {}, 224, "DPN"),
    ("res2net50_26w_4s", TIMM, "res2net50_26w_4s", {}, 224, "Res2Net"),
    ("lcnet_050", TIMM, "lcnet_050", {}, 224, "LCNet"),
    ("efficientvit_b0", TIMM, "efficientvit_b0", {}, 224, "EfficientViT"),
    ("lraspp_mobilenet_v3_large", TV, "segmentation.lraspp_mobilenet_v3_large",
     {"weights_backbone": None, "num_classes": 21}, 224, "segmentation (LR-ASPP, Resize)"),
    ("deeplabv3_mobilenet_v3_large", TV, "segmentation.deeplabv3_mobilenet_v3_large",
     {"weights_backbone": None, "num_classes": 21, "aux_loss": False}, 224, "segmentation (DeepLab v3, Resize)"),
]
EXPORTERS = ("ts17", "dynamo18")
BN_BATCHES, BN_BATCH = 4, 8


def seed_of(name, base):
    return (zlib.crc32(name.encode()) ^ base) & 0x7FFFFFFF


class FirstOutput:
    """Wraps a model whose forward returns a dict (torchvision segmentation: {"out": ...}) or a tuple."""

    def __new__(cls, model):
        import torch

        class Wrapped(torch.nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, x):
                y = self.inner(x)
                if isinstance(y, dict):
                    return y["out"]
                return y[0] if isinstance(y, (tuple, list)) else y

        return Wrapped(model)


def construct(source, ctor, kwargs):
    if source == TV:
        import torchvision
        fn = torchvision.models
        for part in ctor.split("."):
            fn = getattr(fn, part)
        return fn(weights=None, **kwargs)
    import timm
    return timm.create_model(ctor, pretrained=False, **kwargs)


def randomise(model, g):
    """Random affine parameters for the norm layers, random values for parameters left near zero."""
    import torch
    from torch import nn
    norms = (nn.modules.batchnorm._BatchNorm, nn.LayerNorm, nn.GroupNorm)
    with torch.no_grad():
        seen = set()
        for m in model.modules():
            if isinstance(m, norms) and getattr(m, "weight", None) is not None:
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                seen.add(id(m.weight))
                if m.bias is not None:
                    m.bias.copy_((torch.rand(m.bias.shape, generator=g) - 0.5) * 0.4)
                    seen.add(id(m.bias))
        for _, p in model.named_parameters():
            if id(p) not in seen and p.numel() > 0 and float(p.abs().max()) < 1e-5:
                p.copy_((torch.rand(p.shape, generator=g) - 0.5) * 0.2)


def reestimate_bn(model, g, size, device="cpu"):
    """BatchNorm statistics from BN_BATCHES random batches: only the BatchNorm layers in train mode,
    momentum None (a cumulative average), the rest of the model (dropout, stochastic depth) in eval."""
    import torch
    bns = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if not bns:
        return 0
    model.eval()
    for m in bns:
        m.reset_running_stats()
        m.momentum = None
        m.train()
    with torch.no_grad():
        for _ in range(BN_BATCHES):
            model(torch.randn(BN_BATCH, 3, size, size, generator=g).to(device))
    model.eval()
    return len(bns)


def build(entry, base_seed, device="cpu"):
    """The model (eval mode, re-estimated), its input (1, 3, H, W) and the number of BatchNorm layers."""
    import torch
    name, source, ctor, kwargs, size, _ = entry
    seed = seed_of(name, base_seed)
    torch.manual_seed(seed)
    model = construct(source, ctor, kwargs)
    if source == TV and ctor.startswith("segmentation."):
        model = FirstOutput(model)
    g = torch.Generator().manual_seed(seed + 1)
    randomise(model, g)
    model = model.to(device)
    bns = reestimate_bn(model, g, size, device)
    x = torch.randn(1, 3, size, size, generator=torch.Generator().manual_seed(seed + 2))
    return model.eval(), x, bns


def export_one(model, x, path, exporter):
    import torch
    common = dict(input_names=["input"], output_names=["output"])
    with torch.no_grad():
        if exporter == "ts17":
            torch.onnx.export(model, (x,), path, dynamo=False, opset_version=17, do_constant_folding=True,
                              dynamic_axes={"input": {0: "N"}, "output": {0: "N"}}, **common)
        else:
            torch.onnx.export(model, (x,), path, dynamo=True, opset_version=18, external_data=False,
                              optimize=True, verbose=False, **common)


def ort_run(path, x):
    import onnxruntime as ort
    s = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    return s.run(None, {s.get_inputs()[0].name: x})[0]


def export_entry(entry, out, base_seed, threads):
    """Exports one network with both exporters; returns its metadata (errors included, never raises)."""
    import warnings
    import numpy as np
    import torch
    warnings.filterwarnings("ignore")
    if threads:
        torch.set_num_threads(threads)
    name, source, ctor, _, size, family = entry
    meta = {"name": name, "family": family, "source": source, "constructor": ctor, "size": size,
            "seed": seed_of(name, base_seed), "torch": torch.__version__, "exporters": {}}
    t0 = time.perf_counter()
    try:
        model, x, bns = build(entry, base_seed)
    except Exception as e:  # noqa: BLE001 - reported in the metadata
        meta["error"] = f"build: {type(e).__name__}: {e}".splitlines()[0]
        return meta
    meta["bn_layers"] = bns
    meta["build_seconds"] = round(time.perf_counter() - t0, 2)
    meta["params"] = sum(p.numel() for p in model.parameters())
    xn = x.numpy()
    np.save(os.path.join(out, f"{name}.input.npy"), xn)
    with torch.no_grad():
        y = model(x)
    y = y.numpy()
    meta["output_shape"] = list(y.shape)
    meta["output_std"] = float(y.std())
    meta["output_abs_max"] = float(np.abs(y).max())
    for exporter in EXPORTERS:
        path = os.path.join(out, f"{name}.{exporter}.onnx")
        info = {"file": os.path.basename(path)}
        t1 = time.perf_counter()
        try:
            export_one(model, x, path, exporter)
            info["export_seconds"] = round(time.perf_counter() - t1, 2)
            info["bytes"] = os.path.getsize(path)
            ref = ort_run(path, xn)
            np.save(os.path.join(out, f"{name}.{exporter}.ref.npy"), ref)
            info["ref"] = f"{name}.{exporter}.ref.npy"
            info["ref_shape"] = list(ref.shape)
            info["torch_vs_ort_max_abs"] = float(np.abs(ref - y).max()) if ref.shape == y.shape else None
        except Exception as e:  # noqa: BLE001
            info["error"] = f"{type(e).__name__}: {e}".strip().splitlines()[0][:400]
            info["export_seconds"] = round(time.perf_counter() - t1, 2)
            for stale in (path, os.path.join(out, f"{name}.{exporter}.ref.npy")):
                if os.path.exists(stale):
                    os.remove(stale)
        meta["exporters"][exporter] = info
    meta["seconds"] = round(time.perf_counter() - t0, 2)
    return meta


def torch_latency(entry, base_seed, runs=50, warmup=10):
    """Eager PyTorch, batch 1, median of `runs` synchronised runs: CUDA (TF32 off, cudnn.benchmark) when
    available, else the CPU."""
    import torch
    cuda = torch.cuda.is_available()
    device = "cuda" if cuda else "cpu"
    if cuda:
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cudnn.benchmark = True
    model, x, _ = build(entry, base_seed, device)
    x = x.to(device)
    times = []
    with torch.no_grad():
        for i in range(warmup + runs):
            if cuda:
                torch.cuda.synchronize()
            t = time.perf_counter()
            model(x)
            if cuda:
                torch.cuda.synchronize()
            if i >= warmup:
                times.append(time.perf_counter() - t)
    times.sort()
    name = torch.cuda.get_device_name(0) if cuda else "cpu"
    return {"device": name, "ms": round(times[len(times) // 2] * 1e3, 4), "runs": runs}


def _worker(args):
    entry, out, seed, threads = args
    try:
        return export_entry(entry, out, seed, threads)
    except Exception:  # noqa: BLE001 - a crash in one network must not stop the others
        return {"name": entry[0], "error": traceback.format_exc().strip().splitlines()[-1]}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", nargs="?", help="output folder")
    p.add_argument("--only", default="", help="comma-separated names to export, in that order (default: all)")
    p.add_argument("--skip", default="", help="comma-separated names to leave out")
    p.add_argument("--seed", type=int, default=2026, help="base seed (default 2026)")
    p.add_argument("--jobs", type=int, default=1, help="networks exported at once, in separate processes")
    p.add_argument("--torch-latency", action="store_true",
                   help="afterwards, time eager PyTorch at batch 1, one network at a time")
    p.add_argument("--list", action="store_true", help="print the corpus and exit")
    a = p.parse_args()
    if a.list:
        for e in CORPUS:
            print(f"{e[0]:32s} {e[1]:12s} {e[4]:4d}  {e[5]}")
        return 0
    if not a.out:
        p.error("the output folder is needed")
    only = [s for s in a.only.split(",") if s]
    skip = {s for s in a.skip.split(",") if s}
    by_name = {e[0]: e for e in CORPUS}
    unknown = (set(only) | skip) - set(by_name)
    if unknown:
        p.error(f"not in the corpus: {', '.join(sorted(unknown))}")
    # --only exports in the order given, the rest in the corpus's order
    entries = [e for e in ([by_name[n] for n in only] if only else CORPUS) if e[0] not in skip]
    os.makedirs(a.out, exist_ok=True)
    cores = os.cpu_count() or 1
    threads = max(1, cores // a.jobs) if a.jobs > 1 else 0
    t0 = time.perf_counter()
    work = [(e, a.out, a.seed, threads) for e in entries]
    if a.jobs > 1:
        import multiprocessing as mp
        with mp.get_context("spawn").Pool(a.jobs, maxtasksperchild=1) as pool:
            metas = pool.imap(_worker, work)
            metas = list(_report(metas, a.out))
    else:
        metas = list(_report(map(_worker, work), a.out))
    print(f"exported {len(metas)} networks in {time.perf_counter() - t0:.0f} s", flush=True)
    if a.torch_latency:
        for meta in metas:
            if "error" in meta:
                continue
            try:
                meta["torch_latency"] = torch_latency(by_name[meta["name"]], a.seed)
                print(f"  eager PyTorch {meta['name']}: {meta['torch_latency']['ms']:.3f} ms "
                      f"({meta['torch_latency']['device']})", flush=True)
            except Exception as e:  # noqa: BLE001
                meta["torch_latency"] = {"error": f"{type(e).__name__}: {e}".splitlines()[0]}
            _write_meta(meta, a.out)
    failed = [f"{m['name']}.{x}" for m in metas for x, i in m.get("exporters", {}).items() if "error" in i]
    failed += [m["name"] for m in metas if "error" in m]
    if failed:
        print("export failures: " + ", ".join(failed))
    return 0


def _write_meta(meta, out):
    with open(os.path.join(out, f"{meta['name']}.json"), "w") as f:
        json.dump(meta, f, indent=1)


def _report(metas, out):
    for meta in metas:
        _write_meta(meta, out)
        if "error" in meta:
            print(f"{meta['name']}: FAILED {meta['error']}", flush=True)
        else:
            parts = []
            for x, i in meta["exporters"].items():
                if "error" in i:
                    parts.append(f"{x} FAILED ({i['error'][:160]})")
                else:
                    parts.append(f"{x} {i['bytes'] / 1e6:.1f} MB, {i['export_seconds']:.1f} s, "
                                 f"|torch-ort| {i['torch_vs_ort_max_abs']:.2g}")
            print(f"{meta['name']} ({meta['params'] / 1e6:.1f} M params, {meta['bn_layers']} BN, "
                  f"output std {meta['output_std']:.3g}): " + "; ".join(parts), flush=True)
        yield meta


if __name__ == "__main__":
    sys.exit(main())
