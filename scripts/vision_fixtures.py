#!/usr/bin/env python3
"""Writes the fixtures of clnn's vision tests and the bundled ImageNet labels.

- core/src/main/resources/dev/clnn/vision/imagenet_labels.txt: the 1,000 ImageNet class names in
  index order, one per line, from torchvision's ResNet50_Weights.IMAGENET1K_V1 metadata.
- core/src/test/resources/vision/CASE.png and CASE_tensor.npy / CASE_pil.npy: small seeded RGB
  images and what torchvision's ImageNet-style preprocessing makes of them: resize of the shorter
  side (bilinear, antialias=True), centre crop, scale to [0, 1], normalise with ImageNet's mean
  and std, (1, 3, H, W) float32. "_tensor" runs the transforms on a float tensor (no rounding
  between steps: clnn's arithmetic); "_pil" is the usual PIL pipeline, which rounds to 8 bits after
  each pass of its separable filter.

ImagePreprocessorTorchvisionTest compares clnn's output with both.

    /path/to/venv/bin/python scripts/vision_fixtures.py      # needs torch, torchvision, numpy, Pillow
"""
import os

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision import transforms
from torchvision.transforms import functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
TEST_OUT = os.path.join(ROOT, "core", "src", "test", "resources", "vision")
LABELS = os.path.join(ROOT, "core", "src", "main", "resources", "dev", "clnn", "vision", "imagenet_labels.txt")
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]

# name: (width, height, resize of the shorter side, crop (height, width))
CASES = {
    "landscape_down": (61, 47, 20, (16, 16)),    # downscale by 2.35, odd crop offsets
    "portrait_up": (30, 53, 40, (36, 32)),       # upscale, crop not square
    "strong_down": (97, 64, 9, (9, 7)),          # downscale by 7.1: wide filter support
    "padded": (40, 30, 12, (20, 18)),            # crop larger than the image: zero padding
}


def image(width, height, seed):
    """Smooth gradients plus seeded noise and a few hard edges: something antialiasing changes."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    r = 255 * x / max(1, width - 1)
    g = 255 * y / max(1, height - 1)
    b = 127.5 + 127.5 * np.sin(x / 2.0) * np.cos(y / 3.0)
    rgb = np.stack([r, g, b], axis=-1) + rng.normal(0, 25, (height, width, 3))
    rgb[(x // 4 + y // 4) % 2 == 0] *= 0.5
    return Image.fromarray(np.clip(np.rint(rgb), 0, 255).astype(np.uint8), "RGB")


def write_labels():
    categories = torchvision.models.ResNet50_Weights.IMAGENET1K_V1.meta["categories"]
    assert len(categories) == 1000
    with open(LABELS, "w", encoding="utf-8", newline="\n") as f:
        for name in categories:
            f.write(name + "\n")


def write_case(name, width, height, resize, crop, seed):
    pil = image(width, height, seed)
    pil.save(os.path.join(TEST_OUT, name + ".png"))
    normalize = transforms.Normalize(MEAN, STD)
    t = F.to_tensor(pil)
    t = F.resize(t, resize, interpolation=transforms.InterpolationMode.BILINEAR, antialias=True)
    t = normalize(F.center_crop(t, list(crop)))
    np.save(os.path.join(TEST_OUT, name + "_tensor.npy"), t.unsqueeze(0).numpy().astype(np.float32))
    p = transforms.Compose([transforms.Resize(resize, antialias=True), transforms.CenterCrop(list(crop)),
                            transforms.ToTensor(), normalize])(pil)
    np.save(os.path.join(TEST_OUT, name + "_pil.npy"), p.unsqueeze(0).numpy().astype(np.float32))


def main():
    os.makedirs(TEST_OUT, exist_ok=True)
    torch.manual_seed(0)
    write_labels()
    for seed, (name, (w, h, resize, crop)) in enumerate(CASES.items()):
        write_case(name, w, h, resize, crop, seed)


if __name__ == "__main__":
    main()
