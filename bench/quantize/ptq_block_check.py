"""Where PyTorch's post-training quantization of a MobileNetV2 from ptq_compare.py goes wrong on one engine: the
same FX PTQ with one block at a time quantized (the rest FP32), then with the depthwise convolutions, the residual
Adds or the classifier left in FP32.

Needs Debian's python3-torch and python3-torchvision (1.13 / 0.14). Usage:
    /usr/bin/python3 bench/quantize/ptq_block_check.py SEED_DIR [--engine qnnpack] [--width-mult 1.0]
SEED_DIR is OUT_DIR/mobilenet_v2/seedS of a ptq_compare.py run with --train-steps (its trained.pt and samples/).
Calibrates on the same 64 samples and measures on the same 16 held out as ptq_compare.py; prints the lowest and
mean per-sample cosine similarity of the logits with FP32 for each variant.
"""
import argparse
import copy
import glob
import operator
import os

import numpy as np
import torch
import torchvision
from torch.ao.quantization import get_default_qconfig_mapping
from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

parser = argparse.ArgumentParser()
parser.add_argument("seed_dir")
parser.add_argument("--engine", default="qnnpack", choices=["onednn", "qnnpack"])
parser.add_argument("--width-mult", type=float, default=1.0)
args = parser.parse_args()
torch.set_num_threads(1)
torch.backends.quantized.engine = args.engine

model = torchvision.models.mobilenet_v2(weights=None, num_classes=10, width_mult=args.width_mult)
model.load_state_dict(torch.load(os.path.join(args.seed_dir, "trained.pt"))["state"])
model.eval()
samples = [np.load(f)["images"] for f in sorted(glob.glob(os.path.join(args.seed_dir, "samples", "*.npz")))]
calib = [torch.from_numpy(s) for i, s in enumerate(samples) if i % 5 != 4]  # ptq_compare.py's split
held = [torch.from_numpy(s) for i, s in enumerate(samples) if i % 5 == 4]
with torch.no_grad():
    ref = [model(x).numpy().ravel() for x in held]


def measure(label, adjust):
    mapping = get_default_qconfig_mapping(args.engine)
    adjust(mapping)
    with torch.no_grad():
        prepared = prepare_fx(copy.deepcopy(model), mapping, (calib[0],))
        for x in calib:
            prepared(x)
        quantized = convert_fx(prepared)
        got = [quantized(x).numpy().ravel() for x in held]
    cos = [float(r @ g / (np.linalg.norm(r) * np.linalg.norm(g))) for r, g in zip(ref, got)]
    print("%-8s %-34s cosine min %.4f mean %.4f" % (args.engine, label, min(cos), np.mean(cos)), flush=True)


def only(name):
    def adjust(mapping):
        qconfig = mapping.global_qconfig
        mapping.set_global(None)
        for key in list(mapping.object_type_qconfigs):
            mapping.set_object_type(key, None)
        mapping.set_module_name(name, qconfig)
    return adjust


def fp32_modules(names):
    def adjust(mapping):
        for name in names:
            mapping.set_module_name(name, None)
    return adjust


def fp32_adds(mapping):
    mapping.set_object_type(operator.add, None)
    mapping.set_object_type(torch.add, None)


depthwise = [n for n, m in model.named_modules() if isinstance(m, torch.nn.Conv2d) and m.groups > 1]
measure("whole network", lambda mapping: None)
measure("depthwise convolutions in FP32", fp32_modules(depthwise))
measure("residual Adds in FP32", fp32_adds)
measure("classifier in FP32", fp32_modules(["classifier"]))
for i in range(len(model.features)):
    measure("only features.%d quantized" % i, only("features.%d" % i))
measure("only classifier quantized", only("classifier"))
