#!/usr/bin/env python3
"""Exports the ONNX fixtures of clnn's import tests from PyTorch.

Writes reduced MobileNet v1 (alpha 0.25, 64x64, 10 classes), MobileNet v2 (alpha 0.25, 64x64,
10 classes) and the MNIST quickstart CNN with seeded random weights (BatchNorm statistics too),
opset 13, a dynamic batch axis, into core/src/test/resources/onnx/ (a few MB in all). The
networks are written out here in the torchvision / Keras structure so only torch is needed.
OnnxFixturesTest runs every .onnx file there in clnn and in ONNX Runtime and compares them.

    pip install torch onnx && python3 scripts/export_fixtures.py
"""
import os

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "core", "src", "test", "resources", "onnx")


def divisible(v, divisor=8):
    new = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new + divisor if new < 0.9 * v else new


def conv_bn(cin, cout, k, stride, groups=1, act=True):
    layers = [nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    if act:
        layers.append(nn.ReLU6(inplace=True))
    return nn.Sequential(*layers)


class MobileNetV1(nn.Module):
    """Keras layout: ZeroPadding before each strided convolution, ReLU6, global pooling, dense."""

    def __init__(self, alpha=0.25, classes=10):
        super().__init__()
        c = divisible(32 * alpha)
        layers = [nn.ZeroPad2d((0, 1, 0, 1)), nn.Conv2d(3, c, 3, 2, 0, bias=False), nn.BatchNorm2d(c), nn.ReLU6()]
        for out, stride in [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [
                (1024, 2), (1024, 1)]:
            out = divisible(out * alpha)
            layers.append(conv_bn(c, c, 3, stride, groups=c))
            layers.append(conv_bn(c, out, 1, 1))
            c = out
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c, classes)

    def forward(self, x):
        x = self.pool(self.features(x))
        return torch.softmax(self.classifier(x.reshape(x.shape[0], -1)), dim=1)


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        layers = [] if expand == 1 else [conv_bn(cin, hidden, 1, 1)]
        layers += [conv_bn(hidden, hidden, 3, stride, groups=hidden), conv_bn(hidden, cout, 1, 1, act=False)]
        self.conv = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        return x + self.conv(x) if self.residual else self.conv(x)


class MobileNetV2(nn.Module):
    """torchvision's structure with the width multiplier."""

    def __init__(self, alpha=0.25, classes=10):
        super().__init__()
        c = divisible(32 * alpha)
        layers = [conv_bn(3, c, 3, 2)]
        for t, ch, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                            (6, 160, 3, 2), (6, 320, 1, 1)]:
            out = divisible(ch * alpha)
            for i in range(n):
                layers.append(InvertedResidual(c, out, s if i == 0 else 1, t))
                c = out
        last = 1280
        layers.append(conv_bn(c, last, 1, 1))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(last, classes))

    def forward(self, x):
        x = nn.functional.adaptive_avg_pool2d(self.features(x), 1)
        return self.classifier(torch.flatten(x, 1))


class MnistCnn(nn.Module):
    """TensorFlow's "quickstart for experts": Conv 32 3x3 + ReLU, Flatten, Dense 128 + ReLU, Dense 10."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 32, 3)
        self.fc1 = nn.Linear(26 * 26 * 32, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = torch.flatten(torch.relu(self.conv(x)), 1)
        return self.fc2(torch.relu(self.fc1(x)))


def randomise(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                m.bias.copy_(torch.rand(m.bias.shape, generator=g) - 0.5)
                m.running_mean.copy_((torch.rand(m.running_mean.shape, generator=g) - 0.5) * 0.4)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
            elif isinstance(m, (nn.Conv2d, nn.Linear)):
                fan_in = m.weight[0].numel()
                m.weight.copy_((torch.rand(m.weight.shape, generator=g) * 2 - 1) * (3.0 / fan_in) ** 0.5)
                if m.bias is not None:
                    m.bias.copy_(torch.rand(m.bias.shape, generator=g) - 0.5)
    return model.eval()


def export(name, model, shape):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name + ".onnx")
    args = dict(opset_version=13, input_names=["input"], output_names=["output"],
                dynamic_axes={"input": {0: "N"}, "output": {0: "N"}}, do_constant_folding=True)
    try:
        # the TorchScript exporter: what most published models went through
        torch.onnx.export(model, torch.rand(*shape), path, dynamo=False, **args)
    except TypeError:
        torch.onnx.export(model, torch.rand(*shape), path, **args)
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    torch.manual_seed(0)
    export("mobilenet_v1_025_64", randomise(MobileNetV1(0.25, 10), 1), (2, 3, 64, 64))
    export("mobilenet_v2_025_64", randomise(MobileNetV2(0.25, 10), 2), (2, 3, 64, 64))
    export("mnist_cnn", randomise(MnistCnn(), 3), (2, 1, 28, 28))
