#!/usr/bin/env python3
"""Writes torchvision's ResNet-18, ResNet-34 or MobileNet v2 architecture, or MobileNet v1 (1.0, 224), as an
ONNX model with random weights, built with the onnx package alone (no PyTorch): for CPU benchmarks beside
ONNX Runtime on machines where PyTorch cannot be installed.

    python3 scripts/cnn_onnx.py resnet18 cpu-ort/resnet18.onnx
    python3 scripts/cnn_onnx.py mobilenet_v1 cpu-ort/mobilenet_v1.onnx     (or mobilenet_v2)

Input 'input' (N, 3, 224, 224) with a free batch dimension, output 'output' (N, 1000), opset 17; the
layers as torchvision has them (BatchNorm kept as its own node, as exporters write it in training-free
graphs they did not fold); He-initialised weights from a fixed seed, so every run writes the same file.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

BLOCKS = {"resnet18": [2, 2, 2, 2], "resnet34": [3, 4, 6, 3]}
# MobileNet v1: (output channels, stride) of each depthwise-separable pair after the stem
V1_PAIRS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
# MobileNet v2: (expansion t, output channels c, repeats n, first stride s) of each stage, as torchvision has them
V2_STAGES = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


class Builder:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes = []
        self.inits = []
        self.count = 0

    def name(self, prefix):
        self.count += 1
        return f"{prefix}_{self.count}"

    def const(self, prefix, array):
        n = self.name(prefix)
        self.inits.append(numpy_helper.from_array(array.astype(np.float32), n))
        return n

    def conv_bn(self, x, cin, cout, k, stride, relu, groups=1):
        """Conv (no bias) + BatchNormalization, then ReLU (relu True), ReLU6 (relu "relu6") or nothing."""
        fan_in = cin // groups * k * k
        w = self.const("w", self.rng.normal(0, np.sqrt(2.0 / fan_in), (cout, cin // groups, k, k)))
        y = self.name("conv")
        self.nodes.append(helper.make_node("Conv", [x, w], [y], kernel_shape=[k, k], strides=[stride, stride],
                                           pads=[k // 2] * 4, group=groups))
        scale = self.const("gamma", self.rng.uniform(0.5, 1.0, cout))
        bias = self.const("beta", self.rng.normal(0, 0.1, cout))
        mean = self.const("mean", self.rng.normal(0, 0.1, cout))
        var = self.const("var", self.rng.uniform(0.5, 1.5, cout))
        z = self.name("bn")
        self.nodes.append(helper.make_node("BatchNormalization", [y, scale, bias, mean, var], [z], epsilon=1e-5))
        if not relu:
            return z
        r = self.name("relu")
        if relu == "relu6":
            lo, hi = self.const("zero", np.array(0.0)), self.const("six", np.array(6.0))
            self.nodes.append(helper.make_node("Clip", [z, lo, hi], [r]))
        else:
            self.nodes.append(helper.make_node("Relu", [z], [r]))
        return r

    def block(self, x, cin, cout, stride):
        y = self.conv_bn(x, cin, cout, 3, stride, True)
        y = self.conv_bn(y, cout, cout, 3, 1, False)
        shortcut = x if stride == 1 and cin == cout else self.conv_bn(x, cin, cout, 1, stride, False)
        s = self.name("add")
        self.nodes.append(helper.make_node("Add", [y, shortcut], [s]))
        r = self.name("relu")
        self.nodes.append(helper.make_node("Relu", [s], [r]))
        return r


def mobilenet_v1(b):
    x, cin = b.conv_bn("input", 3, 32, 3, 2, "relu6"), 32
    for cout, stride in V1_PAIRS:
        x = b.conv_bn(x, cin, cin, 3, stride, "relu6", groups=cin)
        x = b.conv_bn(x, cin, cout, 1, 1, "relu6")
        cin = cout
    return x, cin


def mobilenet_v2(b):
    x, cin = b.conv_bn("input", 3, 32, 3, 2, "relu6"), 32
    for t, c, n, s in V2_STAGES:
        for i in range(n):
            stride = s if i == 0 else 1
            hidden = cin * t
            y = x if t == 1 else b.conv_bn(x, cin, hidden, 1, 1, "relu6")
            y = b.conv_bn(y, hidden, hidden, 3, stride, "relu6", groups=hidden)
            y = b.conv_bn(y, hidden, c, 1, 1, False)
            if stride == 1 and cin == c:
                r = b.name("add")
                b.nodes.append(helper.make_node("Add", [y, x], [r]))
                y = r
            x, cin = y, c
    return b.conv_bn(x, cin, 1280, 1, 1, "relu6"), 1280


def resnet(b, arch):
    x = b.conv_bn("input", 3, 64, 7, 2, True)
    p = b.name("pool")
    b.nodes.append(helper.make_node("MaxPool", [x], [p], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]))
    x, cin = p, 64
    for stage, (count, cout) in enumerate(zip(BLOCKS[arch], [64, 128, 256, 512])):
        for i in range(count):
            x = b.block(x, cin, cout, 2 if stage > 0 and i == 0 else 1)
            cin = cout
    return x, cin


# each architecture: its weights' seed and the body that returns (features, their channels)
ARCHS = {"resnet18": (18, lambda b: resnet(b, "resnet18")), "resnet34": (34, lambda b: resnet(b, "resnet34")),
         "mobilenet_v1": (1, mobilenet_v1), "mobilenet_v2": (2, mobilenet_v2)}


def build(arch):
    seed, body = ARCHS[arch]
    b = Builder(seed)
    x, features = body(b)
    g = b.name("gap")
    b.nodes.append(helper.make_node("GlobalAveragePool", [x], [g]))
    f = b.name("flat")
    b.nodes.append(helper.make_node("Flatten", [g], [f], axis=1))
    w = b.const("fc_w", b.rng.normal(0, np.sqrt(1.0 / features), (1000, features)))
    bias = b.const("fc_b", np.zeros(1000))
    b.nodes.append(helper.make_node("Gemm", [f, w, bias], ["output"], transB=1))
    graph = helper.make_graph(b.nodes, arch, [helper.make_tensor_value_info("input", TensorProto.FLOAT,
                                                                           ["N", 3, 224, 224])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 1000])], b.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="clnn-scripts",
                              ir_version=8)     # opset 17's IR version: readable by every ONNX Runtime since 1.12
    onnx.checker.check_model(model)
    return model


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ARCHS:
        sys.exit("usage: cnn_onnx.py " + "|".join(ARCHS) + " OUT.onnx")
    out = sys.argv[2]
    tmp = out + ".part"
    onnx.save(build(sys.argv[1]), tmp)
    os.replace(tmp, out)        # never a half-written model under the final name
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
