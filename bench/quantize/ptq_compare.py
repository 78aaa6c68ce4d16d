"""Compares trt-compat's INT8 Q/DQ quantization with PyTorch's post-training static quantization (FX graph mode) on
the same network, the same weights, the same calibration samples and the same held-out inputs.

Needs Debian's python3-torch and python3-torchvision (1.13 / 0.14); writes everything under OUT_DIR.
Usage: /usr/bin/python3 bench/quantize/ptq_compare.py OUT_DIR [--nets resnet18,mobilenet_v2] [--seeds 0,1,2]
           [--size 224] [--samples 80] [--methods entropy,percentile,minmax] [--engine onednn[,qnnpack]] [--threads N]
           [--train-steps N [--train-last 0.5] [--train-lr 3e-3] [--train-batch 16] [--train-cosine]]
           [--width-mult 1.0] [--symmetric-control] [--float-logits-control] [--exclude NODE_OR_OP,...]
           [--held-out N [--bootstrap 10000]] [--task gratings|digits]
(TRT_COMPAT="java -jar other.jar" measures another build than the checkout's ./trt-compat; --reuse keeps the
networks, samples and PyTorch figures of an earlier run in OUT_DIR and runs only trt-compat's methods again;
--reuse --methods '' only prints the table of OUT_DIR/results.json.)

No trained weights can be downloaded here, and a torchvision network with its default random initialisation is
degenerate (MobileNetV2's logits are ~1e-9: the signal dies in the inverted residual blocks). So for every seed:

1. A structured task: 10 classes of oriented colour gratings (class k: orientation k * 18 degrees; random spatial
   frequency, phase, colour, a random bright blob and pixel noise), values in [0, 1] normalised with ImageNet's
   mean/std. Training, calibration and held-out images are disjoint draws.
2. Data-dependent initialisation (as LSUV does for plain networks): every BatchNorm gets a random affine
   (gamma ~ U[0.5, 1.5], beta ~ N(0, 0.2^2)), then its running mean/variance are re-estimated on 64 training images
   (train mode, cumulative average), so every block's activations have the scale the affine gives them instead of
   vanishing or exploding, and ReLUs cut a varying share of each channel.
3. The classifier (last Linear, 10 outputs) is trained on frozen features of 200 training images (300 steps of
   Adam) so that the class scores depend on the input and have real margins; the FP32 task accuracy on the
   held-out images is reported.

With --train-steps N, steps 2 and 3 are replaced by N Adam steps on fresh images of the task (--train-batch) of the
whole network, or of the last --train-last share of its parameter tensors, then BatchNorm statistics re-estimated on
64 images (meant for MobileNetV2, whose head-only network lost its class scores under every INT8 scheme).
--train-cosine decays the learning rate to zero over the steps (cosine), so the last steps settle instead of
bouncing. A trained network is kept in OUT_DIR/NET/seedS/trained.pt with the settings that made it and the random
state after training: a later run with the same settings (another --engine, other --methods) loads it instead of
training again and draws the same samples.
--engine onednn,qnnpack runs PyTorch's PTQ once per engine on the same network: the first engine's figures are
"pytorch_ptq", each other's "pytorch_ptq_ENGINE".
--symmetric-control needs --engine qnnpack: onednn's kernels collapse on some quantization parameters
(bench/quantize/ptq_engine_check.py).
--float-logits-control also runs PyTorch's PTQ with the classifier (last Linear) left in FP32 ("pytorch_ptq_float_logits"):
PyTorch's default rounds the logits to 8 bits, where trt-compat's outputs stay FP32; this run separates that. Its
counterpart on our side: --exclude Gemm (passed to quantize --exclude; figures "trt_compat_METHOD_exclude_Gemm"), the
classifier in FP32 in both. With --symmetric-control too, "pytorch_ptq_float_logits_symmetric[_ENGINE]" is the
symmetric run with the classifier in FP32.

--task digits replaces the gratings with real data: scikit-learn's copy of the UCI handwritten digits (1,797 images
of 8x8, 10 classes, CC BY 4.0; Debian's python3-sklearn, nothing downloaded) with the fixed train/test split of
converter/src/test/python/digits_data.py (1,347 / 450 images), each image upsampled to SIZE x SIZE (bilinear),
replicated to 3 channels and normalised like the gratings. It needs --train-steps (the whole network is trained, on
batches of the train split; BatchNorm statistics re-estimated on 64 train images); calibration samples come from the
train split, the held-out ones (every fifth sample, and --held-out N more) from the test split, each test image used
once, so SAMPLES / 5 + N <= 450. Accuracy against the true labels is reported for FP32 (the whole test split) and, on
the --held-out samples, for every quantizer ("right against the labels"). Real data, but tiny images of an easy task:
it shows how the quantizers compare on a really trained network and real inputs, not what they do on ImageNet.

The network (batch 1, SIZE x SIZE) is exported to ONNX (opset 13). SAMPLES images are written as .npz; trt-compat
holds out every fifth (16 of 80) and calibrates on the rest (64), PyTorch calibrates on the same 64, and both are
measured on the same held-out 16: PyTorch's quantized model against the FP32 PyTorch model (computed here with the
definitions of trt-compat's OutputAccuracy), trt-compat's Q/DQ model against the FP32 model on ONNX Runtime (its own
accuracy report). Writes results.json (every seed) and prints a summary table.

16 held-out samples per seed do not separate two quantizers whose cosines differ in the third decimal. --held-out N
adds N more held-out samples per seed (OUT_DIR/NET/seedS/heldout/, drawn from a generator of their own, so the 80
samples above stay the same draws and calibration stays the same 64): PyTorch's quantized model is measured on them
here, each trt-compat Q/DQ model (calibrated as above) on ONNX Runtime by bench/quantize/HeldOutEval.java with
OutputComparison's and ClassAgreement's definitions (the jars of TRT_COMPAT_LIB, default web/target/lib). Per sample:
cosine, max abs error, top-1/top-5 agreement (OUT_DIR/NET/seedS/heldout.json). The paired comparison: per sample,
our cosine minus PyTorch's (the first engine's default qconfig), its mean with a bootstrap 95% interval (--bootstrap
resamples of the samples, per seed; over the seeds resampled within each seed), and how many samples each side wins.
"""
import argparse
import copy
import json
import math
import os
import shlex
import subprocess
import sys
import time

import numpy as np
import torch
import torchvision
from torch.ao.quantization import HistogramObserver, QConfig, default_per_channel_weight_observer
from torch.ao.quantization import get_default_qconfig_mapping
from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

CLASSES = 10
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32).reshape(1, 3, 1, 1)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32).reshape(1, 3, 1, 1)

parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("--nets", default="resnet18,mobilenet_v2")
parser.add_argument("--seeds", default="0,1,2")
parser.add_argument("--size", type=int, default=224)
parser.add_argument("--methods", default="entropy,percentile,minmax")
parser.add_argument("--samples", type=int, default=80)
parser.add_argument("--train-steps", type=int, default=0,
                    help="train the whole network this many Adam steps (batch 16, fresh images each step) instead of "
                         "the data-dependent initialisation and head-only training")
parser.add_argument("--symmetric-control", action="store_true",
                    help="also run PyTorch's PTQ with symmetric activations (zero point 128: the 255 levels of "
                         "symmetric INT8, as TensorRT needs) to separate that from the rest")
parser.add_argument("--float-logits-control", action="store_true",
                    help="also run PyTorch's PTQ with the classifier in FP32, so its logits are not rounded to 8 bits "
                         "(trt-compat's outputs stay FP32)")
parser.add_argument("--exclude", default="",
                    help="passed to trt-compat quantize --exclude (e.g. Gemm: the classifier in FP32); its figures are "
                         "trt_compat_METHOD_exclude_NAMES")
parser.add_argument("--train-last", type=float, default=1.0,
                    help="with --train-steps: train only this last share of the parameter tensors (in registration "
                         "order, so the later layers); backward through MobileNetV2's depthwise convolutions is slow "
                         "on CPU")
parser.add_argument("--train-lr", type=float, default=1e-3, help="Adam's learning rate for --train-steps")
parser.add_argument("--train-batch", type=int, default=16, help="images per step for --train-steps")
parser.add_argument("--train-cosine", action="store_true",
                    help="with --train-steps: decay the learning rate to zero over the steps (cosine schedule)")
parser.add_argument("--width-mult", type=float, default=1.0,
                    help="MobileNetV2's width multiplier (torchvision's width_mult; other networks ignore it)")
parser.add_argument("--engine", default="onednn",
                    help="PyTorch's quantized engine(s), comma-separated, from onednn and qnnpack (Debian's torch has "
                         "no fbgemm; onednn is its x86 successor); the first one's figures are 'pytorch_ptq'")
parser.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                    help="torch threads (1 on a shared, oversubscribed machine: spinning OpenMP threads lose there)")
parser.add_argument("--held-out", type=int, default=0,
                    help="this many more held-out samples per seed, disjoint from the calibration samples, for the "
                         "per-sample paired comparison")
parser.add_argument("--bootstrap", type=int, default=10000, help="bootstrap resamples of the paired comparison")
parser.add_argument("--task", choices=["gratings", "digits"], default="gratings",
                    help="digits: real data, the UCI handwritten digits of scikit-learn (see the module's docstring)")
parser.add_argument("--reuse", action="store_true",
                    help="keep the networks, samples and PyTorch figures of OUT_DIR's results.json; quantize again")
args = parser.parse_args()
engines = [e for e in args.engine.split(",") if e]
if args.task == "digits" and args.train_steps <= 0:
    parser.error("--task digits trains the whole network: give --train-steps N")
if not engines or any(e not in ("onednn", "qnnpack") for e in engines):
    parser.error("--engine takes onednn and/or qnnpack, comma-separated")
repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.makedirs(args.out, exist_ok=True)
# TRT_COMPAT="java -Xmx512m -jar /tmp/before.jar" measures another build than the checkout's launcher
cli = shlex.split(os.environ.get("TRT_COMPAT", "")) or [os.path.join(repo, "trt-compat")]
# the jars HeldOutEval.java runs against (those of the build TRT_COMPAT runs, e.g. /work/main/web/target/lib)
lib = os.environ.get("TRT_COMPAT_LIB") or os.path.join(repo, "web", "target", "lib")
# the suffix of trt-compat's figures and models quantized with --exclude (a node name's "/" made "-": file names)
variant = ("_exclude_" + "_".join(e for e in args.exclude.split(",") if e)).replace("/", "-") if args.exclude else ""
torch.backends.quantized.engine = engines[0]
torch.set_num_threads(max(1, args.threads))


def gratings(rng, n, size):
    """n images of the structured task and their labels."""
    labels = rng.integers(0, CLASSES, n)
    yy, xx = np.meshgrid(np.linspace(-1, 1, size), np.linspace(-1, 1, size), indexing="ij")
    images = np.empty((n, 3, size, size), dtype=np.float32)
    for j, k in enumerate(labels):
        theta = np.pi * k / CLASSES + rng.normal(0, 0.03)
        freq = rng.uniform(3, 8) * np.pi
        wave = np.sin(freq * (np.cos(theta) * xx + np.sin(theta) * yy) + rng.uniform(0, 2 * np.pi))
        cy, cx, r = rng.uniform(-0.7, 0.7), rng.uniform(-0.7, 0.7), rng.uniform(0.1, 0.3)
        blob = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
        colour, base = rng.uniform(0.1, 0.5, 3), rng.uniform(0.3, 0.7, 3)
        for c in range(3):
            images[j, c] = base[c] + colour[c] * wave + 0.4 * blob
        images[j] += rng.normal(0, 0.05, (3, size, size))
    images = np.clip(images, 0, 1)
    return ((images - MEAN) / STD).astype(np.float32), labels


sys.path.insert(0, os.path.join(repo, "converter", "src", "test", "python"))


class Digits:
    """The real task: scikit-learn's UCI digits (converter/src/test/python/digits_data.py: the data, its licence and
    the one fixed split), each 8x8 image upsampled (bilinear) to SIZE x SIZE, replicated to 3 channels and normalised
    with ImageNet's mean/std like the gratings. Training batches and calibration images come from the train split;
    held-out images from the test split, in its order, never the same image twice."""

    def __init__(self):
        import digits_data  # needs python3-sklearn, only for this task
        self.train_x, self.train_y, self.test_x, self.test_y = digits_data.split()
        self.next_test = 0

    @staticmethod
    def prepare(images):
        up = torch.nn.functional.interpolate(torch.from_numpy(images), size=(args.size, args.size), mode="bilinear",
                                             align_corners=False).numpy()
        return ((np.repeat(up, 3, axis=1) - MEAN) / STD).astype(np.float32)

    def train(self, rng, n):
        idx = rng.choice(len(self.train_y), n, replace=False)
        return self.prepare(self.train_x[idx]), self.train_y[idx]

    def test(self, n):
        if self.next_test + n > len(self.test_y):
            raise SystemExit("the digits test split has %d images; --samples / 5 + --held-out ask for more"
                             % len(self.test_y))
        part = slice(self.next_test, self.next_test + n)
        self.next_test += n
        return self.prepare(self.test_x[part]), self.test_y[part]

    def samples(self, rng, n):
        """n samples in trt-compat's DataSplit order: every fifth from the test split (held out), the rest from the
        train split (calibration)."""
        held = n // 5
        calib_x, calib_y = self.train(rng, n - held)
        held_x, held_y = self.test(held)
        order = [("h", i // 5) if i % 5 == 4 else ("c", i - i // 5) for i in range(n)]
        x = np.stack([held_x[j] if k == "h" else calib_x[j] for k, j in order])
        y = np.array([held_y[j] if k == "h" else calib_y[j] for k, j in order])
        return x, y


def training_batch(rng, n, task):
    """n labelled training images of the task."""
    return task.train(rng, n) if task else gratings(rng, n, args.size)


def data_dependent_init(model, images, gen):
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    with torch.no_grad():
        for bn in bns:
            bn.weight.copy_(torch.empty_like(bn.weight).uniform_(0.5, 1.5, generator=gen))
            bn.bias.copy_(torch.empty_like(bn.bias).normal_(0, 0.2, generator=gen))
            bn.reset_running_stats()
            bn.momentum = None  # cumulative average over the batches below
        model.train()
        for b in range(0, len(images), 16):
            model(torch.from_numpy(images[b:b + 16]))
    model.eval()


def head_of(model):
    return model.fc if hasattr(model, "fc") else model.classifier[-1]


def train_head(model, images, labels, gen):
    head = head_of(model)
    feats = []
    hook = head.register_forward_hook(lambda m, i, o: feats.append(i[0].detach()))
    with torch.no_grad():
        for b in range(0, len(images), 16):
            model(torch.from_numpy(images[b:b + 16]))
    hook.remove()
    x, y = torch.cat(feats), torch.from_numpy(labels)
    x_mean, x_std = x.mean(0), x.std(0) + 1e-6
    lin = torch.nn.Linear(x.shape[1], CLASSES)
    opt = torch.optim.Adam(lin.parameters(), lr=1e-2)
    for _ in range(300):
        idx = torch.randint(0, len(x), (64,), generator=gen)
        loss = torch.nn.functional.cross_entropy(lin((x[idx] - x_mean) / x_std), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():  # fold the feature standardisation into the head
        head.weight.copy_(lin.weight / x_std)
        head.bias.copy_(lin.bias - (lin.weight / x_std) @ x_mean)
    return float(loss)


def train_whole(model, rng, gen, task=None):
    """Trains every layer on the structured task (or the digits' train split), then re-estimates BatchNorm's running
    statistics on 64 fresh images (cumulative average) so that eval mode sees the statistics of the final weights."""
    params = list(model.parameters())
    first = int(len(params) * (1 - args.train_last))
    for p in params[:first]:
        p.requires_grad_(False)  # no gradient flows into the frozen early layers: their backward is skipped
    opt = torch.optim.Adam(params[first:], lr=args.train_lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, args.train_steps) if args.train_cosine else None
    model.train()
    correct = seen = 0
    for step in range(args.train_steps):
        x, y = training_batch(rng, args.train_batch, task)
        logits = model(torch.from_numpy(x))
        loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if sched:
            sched.step()
        correct += int((logits.argmax(1).numpy() == y).sum())
        seen += len(y)
        if step % 25 == 24 or step == args.train_steps - 1:  # accuracy on the fresh images of the last 25 steps
            print("train step %d loss %.3f accuracy %.2f" % (step + 1, float(loss), correct / seen), flush=True)
            correct = seen = 0
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    with torch.no_grad():
        for bn in bns:
            bn.reset_running_stats()
            bn.momentum = None
        x, _ = training_batch(rng, 64, task)
        for b in range(0, len(x), 16):
            model(torch.from_numpy(x[b:b + 16]))
    model.eval()
    return float(loss)


def cosine(r, g):
    nr, ng = np.linalg.norm(r), np.linalg.norm(g)
    if nr == 0 or ng == 0:
        return 1.0 if nr == ng else 0.0
    return float(np.dot(r.ravel(), g.ravel()) / (nr * ng))


def stats(ref, got):
    """trt-compat's OutputAccuracy definitions: max rel over elements whose reference is not zero; top-5 = FP32's
    top class among the other model's five highest."""
    cos = [cosine(r, g) for r, g in zip(ref, got)]
    rel = max(float((np.abs(r - g)[r != 0] / np.abs(r[r != 0])).max()) for r, g in zip(ref, got))
    return {"cosineMin": min(cos), "cosineMean": float(np.mean(cos)),
            "maxAbsError": float(max(np.abs(r - g).max() for r, g in zip(ref, got))), "maxRelError": rel,
            "top1Agreement": float(np.mean([np.argmax(r) == np.argmax(g) for r, g in zip(ref, got)])),
            "top5Agreement": float(np.mean([np.argmax(r) in np.argsort(-g.ravel())[:5]
                                            for r, g in zip(ref, got)]))}


def per_sample(ref, got):
    """stats()'s figures for each sample on its own, to pair them between quantizers."""
    return {"cosine": [cosine(r, g) for r, g in zip(ref, got)],
            "maxAbs": [float(np.abs(r - g).max()) for r, g in zip(ref, got)],
            "top1": [int(np.argmax(r) == np.argmax(g)) for r, g in zip(ref, got)],
            "top5": [int(np.argmax(r) in np.argsort(-g.ravel())[:5]) for r, g in zip(ref, got)],
            "argmax": [int(np.argmax(g)) for g in got]}


def summarise(s, labels=None):
    """A per_sample() record aggregated as stats() aggregates (top-1/top-5 as counts here); with the samples' true
    labels, also how many the quantized model classifies right ("correct")."""
    res = {"cosineMin": min(s["cosine"]), "cosineMean": float(np.mean(s["cosine"])), "maxAbsError": max(s["maxAbs"]),
           "top1": int(sum(s["top1"])), "top5": int(sum(s["top5"])), "samples": len(s["cosine"])}
    if labels is not None and "argmax" in s:
        res["correct"] = int(sum(int(a == y) for a, y in zip(s["argmax"], labels)))
    return res


def paired(ours, theirs, seed):
    """Two per_sample() records of the same samples, paired: per sample, our cosine minus theirs, its mean with a
    bootstrap 95% interval of that mean, the samples where each side's cosine is higher, and the top-1 discordant
    samples (one side agrees with FP32's class, the other does not)."""
    return paired_pooled([ours], [theirs], seed)


def paired_pooled(ours, theirs, seed):
    """paired() over several seeds' records, the bootstrap resampling within each seed (stratified)."""
    rng = np.random.default_rng(seed)
    diffs = [np.asarray(o["cosine"]) - np.asarray(t["cosine"]) for o, t in zip(ours, theirs)]
    total = sum(len(d) for d in diffs)
    means = np.zeros(args.bootstrap)
    for d in diffs:
        means += d[rng.integers(0, len(d), (args.bootstrap, len(d)))].sum(1) / total
    both = np.concatenate(diffs)
    top1 = [(a, b) for o, t in zip(ours, theirs) for a, b in zip(o["top1"], t["top1"])]
    only_ours, only_theirs = sum(1 for a, b in top1 if a and not b), sum(1 for a, b in top1 if b and not a)
    return {"meanDiff": float(both.mean()), "ci95": [float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))],
            "oursHigher": int((both > 0).sum()), "theirsHigher": int((both < 0).sum()), "samples": int(total),
            "top1OnlyOurs": only_ours, "top1OnlyTheirs": only_theirs, "top1McNemarP": mcnemar(only_ours, only_theirs)}


def mcnemar(b, c):
    """Exact two-sided McNemar test of the discordant pairs: the chance of a split at least this uneven if either
    side were as likely to be the one that agrees."""
    n = b + c
    return 1.0 if n == 0 else min(1.0, 2 * sum(math.comb(n, k) for k in range(min(b, c) + 1)) / 2 ** n)


def symmetric_mapping():
    """The default mapping with every use of its default qconfig (conv, linear, relu, bn, the rest) made symmetric."""
    mapping = get_default_qconfig_mapping(torch.backends.quantized.engine)
    default = mapping.global_qconfig
    symmetric = QConfig(activation=HistogramObserver.with_args(dtype=torch.quint8, qscheme=torch.per_tensor_symmetric),
                        weight=default_per_channel_weight_observer)
    mapping.set_global(symmetric)
    for key, qconfig in list(mapping.object_type_qconfigs.items()):
        if qconfig == default:
            mapping.set_object_type(key, symmetric)
    return mapping


def build_and_measure_pytorch(name, seed, d, calib_dir, onnx_path):
    """Builds the seed's network, writes its ONNX export and samples, and measures PyTorch's PTQ."""
    os.makedirs(calib_dir, exist_ok=True)
    rng, gen = np.random.default_rng(1000 + seed), torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    extra = {"width_mult": args.width_mult} if name == "mobilenet_v2" else {}
    model = getattr(torchvision.models, name)(weights=None, num_classes=CLASSES, **extra).eval()
    trained = os.path.join(d, "trained.pt")
    settings = {k: getattr(args, k) for k in ["size", "train_steps", "train_last", "train_lr", "train_batch",
                                              "train_cosine", "width_mult"]}
    task = None
    if args.task == "digits":
        settings["task"] = "digits"  # absent for gratings: networks trained before the option still load
        task = Digits()
    cached = torch.load(trained) if os.path.exists(trained) else None
    if args.train_steps > 0 and cached is not None and cached["settings"] == settings:
        model.load_state_dict(cached["state"])
        model.eval()
        rng.bit_generator.state, loss = cached["rng"], cached["loss"]  # as if trained here: the same samples
        print("%s: loaded the network trained with the same settings" % trained, flush=True)
    elif args.train_steps > 0:
        t0 = time.time()
        loss = train_whole(model, rng, gen, task)
        print("trained in %.0f s" % (time.time() - t0), flush=True)
        os.makedirs(d, exist_ok=True)
        torch.save({"settings": settings, "state": model.state_dict(), "rng": rng.bit_generator.state,
                    "loss": loss}, trained)
    else:
        train_x, train_y = gratings(rng, 200, args.size)
        data_dependent_init(model, train_x[:64], gen)
        loss = train_head(model, train_x, train_y, gen)
    samples, sample_y = task.samples(rng, args.samples) if task else gratings(rng, args.samples, args.size)
    for i, s in enumerate(samples):
        np.savez(os.path.join(calib_dir, "sample_%03d.npz" % i), images=s[None])
    calib = [s[None] for i, s in enumerate(samples) if i % 5 != 4]  # trt-compat's DataSplit: every fifth held out
    held_idx = [i for i in range(len(samples)) if i % 5 == 4]
    held = [samples[i][None] for i in held_idx]
    torch.onnx.export(model, torch.from_numpy(calib[0]), onnx_path, input_names=["images"],
                      output_names=["logits"], opset_version=13)
    with torch.no_grad():
        ref = [model(torch.from_numpy(s)).numpy() for s in held]
    task_acc = float(np.mean([np.argmax(r) == sample_y[i] for r, i in zip(ref, held_idx)]))
    # the 16 held-out samples are few for a task accuracy: 200 more images from a generator of their own (so the
    # samples above stay the same draws as before this was added); digits: the whole test split
    if task:
        eval_x, eval_y = task.prepare(task.test_x), task.test_y
    else:
        eval_x, eval_y = gratings(np.random.default_rng(3000 + seed), 200, args.size)
    with torch.no_grad():
        eval_pred = np.concatenate([model(torch.from_numpy(eval_x[b:b + 50])).argmax(1).numpy()
                                    for b in range(0, len(eval_y), 50)])
    res = {"fp32TaskAccuracy": task_acc, "headLoss": loss, "logitStd": float(np.std(np.concatenate(ref))),
           "heldOut": len(held), "calibration": len(calib)}
    res["fp32TestSplitAccuracy" if task else "fp32TaskAccuracy200"] = float(np.mean(eval_pred == eval_y))
    extra = None
    if args.held_out > 0:  # a generator of its own: the samples above stay the same draws
        extra_x, extra_y = task.test(args.held_out) if task else gratings(
            np.random.default_rng(5000 + seed), args.held_out, args.size)
        extra_dir = os.path.join(d, "heldout")
        os.makedirs(extra_dir, exist_ok=True)
        for i, s in enumerate(extra_x):
            np.savez(os.path.join(extra_dir, "sample_%04d.npz" % i), images=s[None])
        extra_held = [s[None] for s in extra_x]
        with torch.no_grad():
            extra_ref = [model(torch.from_numpy(s)).numpy() for s in extra_held]
        extra = (extra_held, extra_ref)
        res["extraHeldOut"] = {"samples": args.held_out, "fp32TaskAccuracy": float(np.mean(
            [np.argmax(r) == y for r, y in zip(extra_ref, extra_y)])), "labels": [int(y) for y in extra_y]}
    # PyTorch PTQ, FX graph mode, each engine's default qconfig mapping: HistogramObserver (quint8, asymmetric) on
    # activations; weights qint8 symmetric, per channel on onednn, per tensor on qnnpack
    per = {}
    for i, engine in enumerate(engines):
        torch.backends.quantized.engine = engine
        suffix = "" if i == 0 else "_" + engine
        measured = measure_pytorch(model, calib, held, ref, suffix, extra)
        per.update(measured.pop("perSample"))
        res.update(measured)
    torch.backends.quantized.engine = engines[0]
    if extra:
        res["extraHeldOut"]["quantizers"] = {k: summarise(v, extra_y) for k, v in per.items()}
        with open(os.path.join(d, "heldout.json"), "w") as f:
            json.dump(per, f)
    return res


def measure_extra_held_out(name, d, res, methods):
    """Our Q/DQ models on the extra held-out samples (HeldOutEval.java on ONNX Runtime), paired with PyTorch's."""
    fp32 = os.path.join(d, name + ".onnx")
    models = [os.path.join(d, "%s.%s%s.int8.onnx" % (name, m, variant)) for m in methods]
    cmd = ["java", "-XX:+UseSerialGC", "-Xmx1g", "-cp", os.path.join(lib, "*"),
           os.path.join(repo, "bench", "quantize", "HeldOutEval.java"), fp32, os.path.join(d, "heldout"),
           str(max(1, args.threads))] + models
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit("HeldOutEval failed: " + proc.stderr)
    ours = json.loads(proc.stdout)
    with open(os.path.join(d, "heldout.json")) as f:
        per = json.load(f)
    extra = res["extraHeldOut"]
    extra["runtime"] = ours["runtime"]
    extra.setdefault("paired", {})
    for method, path in zip(methods, models):
        key = "trt_compat_" + method + variant
        per[key] = ours["models"][path]
        if len(per[key]["cosine"]) != extra["samples"]:
            raise SystemExit("HeldOutEval measured %d samples, expected %d" % (len(per[key]["cosine"]), extra["samples"]))
        extra["quantizers"][key] = summarise(per[key], extra.get("labels"))
        extra["paired"][key] = paired(per[key], per["pytorch_ptq"], 1)
    with open(os.path.join(d, "heldout.json"), "w") as f:
        json.dump(per, f)


def measure_pytorch(model, calib, held, ref, suffix, extra):
    """PyTorch's PTQ on the current quantized engine: its default mapping, and the symmetric one if asked; with
    extra = (samples, FP32 outputs), also per sample on those (in res["perSample"])."""
    res = {"perSample": {}}
    mappings = {"pytorch_ptq" + suffix: get_default_qconfig_mapping(torch.backends.quantized.engine)}
    if args.symmetric_control:
        mappings["pytorch_ptq_symmetric" + suffix] = symmetric_mapping()
    if args.float_logits_control:
        head = next(n for n, m in model.named_modules() if m is head_of(model))
        mappings["pytorch_ptq_float_logits" + suffix] = get_default_qconfig_mapping(
            torch.backends.quantized.engine).set_module_name(head, None)
        if args.symmetric_control:
            mappings["pytorch_ptq_float_logits_symmetric" + suffix] = symmetric_mapping().set_module_name(head, None)
    for key, mapping in mappings.items():
        with torch.no_grad():
            prepared = prepare_fx(copy.deepcopy(model), mapping, (torch.from_numpy(calib[0]),))
            for s in calib:
                prepared(torch.from_numpy(s))
            quantized = convert_fx(prepared)
            res[key] = stats(ref, [quantized(torch.from_numpy(s)).numpy() for s in held])
            if extra:
                res["perSample"][key] = per_sample(extra[1], [quantized(torch.from_numpy(s)).numpy() for s in extra[0]])
    return res


previous = {}
if args.reuse:
    with open(os.path.join(args.out, "results.json")) as f:
        previous = json.load(f)
results = dict(previous)
for name in args.nets.split(","):
    for seed in [int(s) for s in args.seeds.split(",")]:
        key = "%s/seed%d" % (name, seed)
        d = os.path.join(args.out, name, "seed%d" % seed)
        calib_dir = os.path.join(d, "samples")
        onnx_path = os.path.join(d, name + ".onnx")
        res = previous.get(key)
        wanted = ["pytorch_ptq" + ("" if i == 0 else "_" + e) for i, e in enumerate(engines)]
        if args.symmetric_control:
            wanted += [w.replace("pytorch_ptq", "pytorch_ptq_symmetric") for w in wanted]
        if args.float_logits_control:
            wanted += [w.replace("pytorch_ptq", "pytorch_ptq_float_logits") for w in wanted
                       if w.startswith("pytorch_ptq")]
        if args.held_out and not (res and res.get("extraHeldOut", {}).get("samples") == args.held_out
                                  and os.path.exists(os.path.join(d, "heldout.json"))):
            res = None  # PyTorch's per-sample figures on the extra held-out samples are needed
        if res is None or any(w not in res for w in wanted):
            res = dict(res or {}, **build_and_measure_pytorch(name, seed, d, calib_dir, onnx_path))
        for method in [m for m in args.methods.split(",") if m]:
            q_path = os.path.join(d, "%s.%s%s.int8.onnx" % (name, method, variant))
            cmd = cli + ["quantize", onnx_path, "--calib", calib_dir, "--method", method, "--out", q_path,
                         "--eval-samples", str(res["heldOut"]), "--threads", str(max(1, args.threads)), "--json"]
            if args.exclude:
                cmd += ["--exclude", args.exclude]
            t0 = time.time()
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                raise SystemExit("trt-compat failed: " + proc.stderr)
            acc = json.loads(proc.stdout)["accuracy"]
            if acc["samples"] != res["heldOut"]:
                raise SystemExit("trt-compat held out %s samples, expected %d" % (acc["samples"], res["heldOut"]))
            res["trt_compat_" + method + variant] = {k: acc["outputs"][0][k] for k in [
                "cosineMin", "cosineMean", "maxAbsError", "maxRelError", "top1Agreement", "top5Agreement"]}
            res["trt_compat_" + method + variant]["seconds"] = time.time() - t0
        methods = [m for m in args.methods.split(",") if m]
        if args.held_out and methods:
            measure_extra_held_out(name, d, res, methods)
        results[key] = res
        print(json.dumps({key: res}), flush=True)
        with open(os.path.join(args.out, "results.json"), "w") as f:
            json.dump(results, f, indent=1)

# summary: per network and quantizer over the seeds (worst cosine min, mean of cosine means, largest errors, mean
# agreement), then every seed's cosine min
print("\n| network | quantizer | cosine min (worst seed) | cosine mean | max abs | max rel | top-1 | top-5 | "
      "cosine min per seed |")
print("|---|---|---|---|---|---|---|---|---|")
for name in args.nets.split(","):
    runs = [results["%s/seed%s" % (name, seed)] for seed in args.seeds.split(",")]
    ptq = [q for q in runs[0] if q.startswith("pytorch_ptq")]
    for q in ptq + [q for q in runs[0] if q.startswith("trt_compat_")]:
        if not all(q in r for r in runs):
            continue
        rs = [r[q] for r in runs]
        print("| %s | %s | %.6f | %.6f | %.3g | %.3g | %.3f | %.3f | %s |" % (
            name, q, min(r["cosineMin"] for r in rs), np.mean([r["cosineMean"] for r in rs]),
            max(r["maxAbsError"] for r in rs), max(r["maxRelError"] for r in rs),
            np.mean([r["top1Agreement"] for r in rs]), np.mean([r["top5Agreement"] for r in rs]),
            " / ".join("%.6f" % r["cosineMin"] for r in rs)))
    more = "fp32TestSplitAccuracy" if args.task == "digits" else "fp32TaskAccuracy200"
    accuracies = ["%.2f%s, %.2f" % (r["fp32TaskAccuracy"], "; %.3f" % r[more] if more in r else "", r["logitStd"])
                  for r in runs]
    print("| %s | FP32 task accuracy (held-out samples; %s), logit std | %s |" % (
        name, "the whole test split" if args.task == "digits" else "200 more images where measured",
        " / ".join(accuracies)))

if args.held_out:
    # the extra held-out samples: each quantizer over the seeds, then the paired comparison with PyTorch's PTQ
    print("\n| network | quantizer (%d more held-out samples per seed) | cosine min (worst seed) | cosine mean | max abs | "
          "top-1 | top-5 | right against the labels | cosine min per seed |" % args.held_out)
    print("|---|---|---|---|---|---|---|---|---|")
    for name in args.nets.split(","):
        extras = [results["%s/seed%s" % (name, seed)].get("extraHeldOut") for seed in args.seeds.split(",")]
        if not all(e and e.get("samples") == args.held_out for e in extras):
            continue
        for q in [q for q in extras[0]["quantizers"] if all(q in e["quantizers"] for e in extras)]:
            rs = [e["quantizers"][q] for e in extras]
            right = "%d/%d" % (sum(r["correct"] for r in rs), sum(r["samples"] for r in rs)) if all(
                "correct" in r for r in rs) else "-"
            print("| %s | %s | %.6f | %.6f | %.3g | %d/%d | %d/%d | %s | %s |" % (
                name, q, min(r["cosineMin"] for r in rs), np.mean([r["cosineMean"] for r in rs]),
                max(r["maxAbsError"] for r in rs), sum(r["top1"] for r in rs), sum(r["samples"] for r in rs),
                sum(r["top5"] for r in rs), sum(r["samples"] for r in rs), right,
                " / ".join("%.6f" % r["cosineMin"] for r in rs)))
        print("| %s | FP32 task accuracy per seed (PyTorch) | %s |" % (
            name, " / ".join("%.4f" % e["fp32TaskAccuracy"] for e in extras)))
    print("\n| network | ours - PyTorch PTQ (onednn): per-sample cosine, mean [bootstrap 95%%] (samples where ours / "
          "theirs is higher; top-1 agreeing only ours / only theirs, exact McNemar p) | per seed | all seeds |" % ())
    print("|---|---|---|---|")
    for name in args.nets.split(","):
        seeds = args.seeds.split(",")
        pers = []
        for seed in seeds:
            path = os.path.join(args.out, name, "seed" + seed, "heldout.json")
            if os.path.exists(path):
                with open(path) as f:
                    pers.append(json.load(f))
        if len(pers) < len(seeds):
            continue
        peers = [t for t in pers[0] if t.startswith("pytorch_ptq") and all(t in p for p in pers)]
        for t in peers:
            for q in [q for q in pers[0] if q.startswith("trt_compat_") and all(q in p for p in pers)]:
                cell = lambda p: "%+.6f [%+.6f, %+.6f] (%d/%d; %d/%d, p %.2f)" % (  # noqa: E731
                    p["meanDiff"], p["ci95"][0], p["ci95"][1], p["oursHigher"], p["theirsHigher"], p["top1OnlyOurs"],
                    p["top1OnlyTheirs"], p["top1McNemarP"])
                print("| %s | %s%s | %s | %s |" % (
                    name, q, "" if t == "pytorch_ptq" else " vs " + t, " / ".join(cell(paired(p[q], p[t], 1)) for p in pers),
                    cell(paired_pooled([p[q] for p in pers], [p[t] for p in pers], 1))))
