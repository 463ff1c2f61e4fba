#!/usr/bin/env python3
"""The `clnn train mnist` recipe in PyTorch or TensorFlow, for same-run training-speed references.

The recipe (dev.clnn.models.MnistCnn, TensorFlow's "quickstart for experts"): Conv2D 32 3x3 ReLU,
Flatten, Dense 128 ReLU, Dense 10 (logits); Glorot-uniform kernels and zero biases; softmax
cross-entropy; Adam (learning rate 1e-3, betas 0.9 / 0.999, epsilon 1e-7, Keras' default); batch 32,
shuffled each epoch; images scaled to [0, 1]. Reads the same MNIST-format IDX files as clnn
(Fashion-MNIST from Debian's dataset-fashion-mnist by default).

    python3 scripts/train_reference.py --framework torch [--epochs 1] [--threads N] [--data DIR] [--json]
    python3 scripts/train_reference.py --framework tf ...

Prints, per epoch, the training time (the pass over the training set: forward, backward and the
optimizer step of every batch) and the loss and accuracy on the training and test sets, in the
format of `clnn train mnist`, and with --json one JSON line per epoch. Neither framework is a
dependency of clnn: install them in a virtual environment of their own (see BENCHMARKS.md).
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import numpy as np


def idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        magic = struct.unpack(">I", f.read(4))[0]
        rank = magic & 0xFF
        dims = struct.unpack(">" + "I" * rank, f.read(4 * rank))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


def find(data, stem):
    for name in (stem + ".gz", stem):
        p = os.path.join(data, name)
        if os.path.exists(p):
            return p
    sys.exit(f"train_reference: {stem}(.gz) not found in {data}")


def load(data, limit):
    xs = idx(find(data, "train-images-idx3-ubyte")).astype(np.float32) / 255.0
    ys = idx(find(data, "train-labels-idx1-ubyte")).astype(np.int64)
    xt = idx(find(data, "t10k-images-idx3-ubyte")).astype(np.float32) / 255.0
    yt = idx(find(data, "t10k-labels-idx1-ubyte")).astype(np.int64)
    if limit:
        xs, ys = xs[:limit], ys[:limit]
    return xs, ys, xt, yt


def report(args, epoch, seconds, train, test, threads, version):
    print(f"Epoch {epoch}, Loss: {train[0]:.4f}, Accuracy: {100 * train[1]:.2f}, "
          f"Test Loss: {test[0]:.4f}, Test Accuracy: {100 * test[1]:.2f}")
    print(f"  training {seconds:.1f} s ({args.framework} {version}, {threads} threads)")
    if args.json:
        print(json.dumps({"framework": args.framework, "version": version, "threads": threads, "epoch": epoch,
                          "train_seconds": round(seconds, 3), "loss": train[0], "accuracy": train[1],
                          "test_loss": test[0], "test_accuracy": test[1]}))
    sys.stdout.flush()


def run_torch(args, xs, ys, xt, yt):
    import torch
    from torch import nn

    torch.manual_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Flatten(), nn.Linear(26 * 26 * 32, 128), nn.ReLU(),
                          nn.Linear(128, 10))
    for m in model:
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.from_numpy(xs).unsqueeze(1)
    y = torch.from_numpy(ys)
    xtt = torch.from_numpy(xt).unsqueeze(1)
    ytt = torch.from_numpy(yt)
    g = torch.Generator().manual_seed(args.seed)

    def evaluate(xe, ye):
        model.eval()
        loss, right = 0.0, 0
        with torch.no_grad():
            for i in range(0, len(xe), 1000):
                out = model(xe[i:i + 1000])
                loss += loss_fn(out, ye[i:i + 1000]).item() * len(out)
                right += (out.argmax(1) == ye[i:i + 1000]).sum().item()
        model.train()
        return loss / len(xe), right / len(xe)

    for epoch in range(1, args.epochs + 1):
        order = torch.randperm(len(x), generator=g)
        start = time.perf_counter()
        for i in range(0, len(x), 32):
            b = order[i:i + 32]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[b]), y[b])
            loss.backward()
            opt.step()
        seconds = time.perf_counter() - start
        report(args, epoch, seconds, evaluate(x, y), evaluate(xtt, ytt), torch.get_num_threads(), torch.__version__)


def run_tf(args, xs, ys, xt, yt):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    tf.random.set_seed(args.seed)
    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    model = tf.keras.Sequential([tf.keras.Input((28, 28, 1)), tf.keras.layers.Conv2D(32, 3, activation="relu"),
                                 tf.keras.layers.Flatten(), tf.keras.layers.Dense(128, activation="relu"),
                                 tf.keras.layers.Dense(10)])
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    opt = tf.keras.optimizers.Adam(learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7)

    # the quickstart's custom training step, compiled with tf.function
    @tf.function
    def step(images, labels):
        with tf.GradientTape() as tape:
            loss = loss_fn(labels, model(images, training=True))
        opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))

    def evaluate(xe, ye):
        out = model.predict(xe[..., None], batch_size=1000, verbose=0)
        return float(loss_fn(ye, out)), float(np.mean(np.argmax(out, 1) == ye))

    train = tf.data.Dataset.from_tensor_slices((xs[..., None], ys)).shuffle(len(xs), seed=args.seed).batch(32)
    threads = args.threads or os.cpu_count()
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        for images, labels in train:
            step(images, labels)
        seconds = time.perf_counter() - start
        report(args, epoch, seconds, evaluate(xs, ys), evaluate(xt, yt), threads, tf.__version__)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--framework", choices=["torch", "tf"], required=True)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--threads", type=int, default=0, help="CPU threads (default: the framework's own choice)")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist", help="folder of the four IDX files")
    p.add_argument("--limit", type=int, default=0, help="train on the first N images only")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--json", action="store_true", help="also print one JSON line per epoch")
    args = p.parse_args()
    xs, ys, xt, yt = load(args.data, args.limit)
    (run_torch if args.framework == "torch" else run_tf)(args, xs, ys, xt, yt)


if __name__ == "__main__":
    main()
