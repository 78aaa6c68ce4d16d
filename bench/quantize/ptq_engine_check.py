"""Why ptq_compare.py's --symmetric-control collapsed: the same FX post-training quantization of one small network
with four activation observers, on each of Debian torch's quantized engines (onednn, qnnpack).

Needs Debian's python3-torch and python3-torchvision (1.13 / 0.14). Usage:
    /usr/bin/python3 bench/quantize/ptq_engine_check.py [--size 64] [--engines onednn,qnnpack]

The network is torchvision's ResNet-18 (10 classes) with the data-dependent BatchNorm initialisation of
ptq_compare.py (random affine, running statistics from 32 random inputs) so its outputs are not degenerate; 12
random inputs calibrate and are measured (this isolates the engines' kernels, it is not an accuracy figure). Prints
the lowest per-sample cosine similarity with the FP32 outputs for each engine and observer. Per-channel symmetric
qint8 weights throughout (the default).
"""
import argparse
import copy

import torch
import torchvision
from torch.ao.quantization import HistogramObserver, MinMaxObserver, QConfig, default_per_channel_weight_observer
from torch.ao.quantization import get_default_qconfig_mapping
from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

parser = argparse.ArgumentParser()
parser.add_argument("--size", type=int, default=64)
parser.add_argument("--engines", default="onednn,qnnpack")
args = parser.parse_args()
torch.manual_seed(0)
torch.set_num_threads(1)

model = torchvision.models.resnet18(weights=None, num_classes=10)
with torch.no_grad():
    for bn in [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]:
        bn.weight.uniform_(0.5, 1.5)
        bn.bias.normal_(0, 0.2)
        bn.reset_running_stats()
        bn.momentum = None
    model.train()
    model(torch.randn(32, 3, args.size, args.size))
model.eval()
inputs = [torch.randn(1, 3, args.size, args.size) for _ in range(12)]
with torch.no_grad():
    reference = [model(x) for x in inputs]

OBSERVERS = {
    "engine default (HistogramObserver, affine quint8)": None,
    "HistogramObserver, symmetric quint8 (zero point 128)":
        HistogramObserver.with_args(dtype=torch.quint8, qscheme=torch.per_tensor_symmetric),
    "MinMaxObserver, symmetric quint8 (zero point 128)":
        MinMaxObserver.with_args(dtype=torch.quint8, qscheme=torch.per_tensor_symmetric),
    "MinMaxObserver, affine quint8": MinMaxObserver.with_args(dtype=torch.quint8),
}


def mapping_with(engine, observer):
    """The engine's default mapping with every use of its default qconfig given this activation observer."""
    mapping = get_default_qconfig_mapping(engine)
    if observer is None:
        return mapping
    default = mapping.global_qconfig
    qconfig = QConfig(activation=observer, weight=default_per_channel_weight_observer)
    mapping.set_global(qconfig)
    for key, value in list(mapping.object_type_qconfigs.items()):
        if value == default:
            mapping.set_object_type(key, qconfig)
    return mapping


def cosine(a, b):
    return float(torch.nn.functional.cosine_similarity(a.flatten(), b.flatten(), dim=0))


print("| engine | activation observer | cosine min |")
print("|---|---|---|")
for engine in args.engines.split(","):
    torch.backends.quantized.engine = engine
    for label, observer in OBSERVERS.items():
        with torch.no_grad():
            prepared = prepare_fx(copy.deepcopy(model), mapping_with(engine, observer), (inputs[0],))
            for x in inputs:
                prepared(x)
            quantized = convert_fx(prepared)
            worst = min(cosine(r, quantized(x)) for r, x in zip(reference, inputs))
        print("| %s | %s | %.4f |" % (engine, label, worst), flush=True)
