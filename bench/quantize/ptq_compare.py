"""Compares trt-compat's INT8 Q/DQ quantization with PyTorch's post-training static quantization (FX graph mode) on
the same network, the same weights and the same held-out inputs.

Needs Debian's python3-torch and python3-torchvision (1.13 / 0.14); writes everything under OUT_DIR.
Usage: /usr/bin/python3 bench/quantize/ptq_compare.py OUT_DIR [resnet18|mobilenet_v2 ...]

For each network: torchvision model with random weights (seed 0), exported to ONNX (opset 13); 40 input samples
[1,3,224,224] drawn like normalised images (uniform [0,1) then ImageNet mean/std), saved as sample_XX.npz. trt-compat
holds out every fifth sample (indices 4, 9, ...) and calibrates on the other 32; PyTorch calibrates on the same 32
and both are measured on the same 8 held-out samples against the FP32 PyTorch model's outputs.
"""
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch
import torchvision
from torch.ao.quantization import get_default_qconfig_mapping
from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

out = sys.argv[1]
nets = sys.argv[2:] or ["resnet18", "mobilenet_v2"]
repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.makedirs(out, exist_ok=True)
torch.backends.quantized.engine = "onednn" if "onednn" in torch.backends.quantized.supported_engines else "qnnpack"
mean = np.array([0.485, 0.456, 0.406], dtype=np.float32).reshape(1, 3, 1, 1)
std = np.array([0.229, 0.224, 0.225], dtype=np.float32).reshape(1, 3, 1, 1)


def cosine(r, g):
    nr, ng = np.linalg.norm(r), np.linalg.norm(g)
    if nr == 0 or ng == 0:
        return 1.0 if nr == ng else 0.0  # an all-zero output against a non-zero one points nowhere
    return float(np.dot(r.ravel(), g.ravel()) / (nr * ng))


def stats(ref, got):
    cos = [cosine(r, g) for r, g in zip(ref, got)]
    top1 = np.mean([int(np.argmax(r) == np.argmax(g)) for r, g in zip(ref, got)])
    return {"cosineMin": min(cos), "cosineMean": float(np.mean(cos)),
            "maxAbsError": float(max(np.abs(r - g).max() for r, g in zip(ref, got))), "top1Agreement": float(top1)}


results = {}
for name in nets:
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None).eval()
    d = os.path.join(out, name)
    calib_dir = os.path.join(d, "samples")
    os.makedirs(calib_dir, exist_ok=True)
    rng = np.random.default_rng(1)
    samples = [((rng.random((1, 3, 224, 224), dtype=np.float32) - mean) / std).astype(np.float32) for _ in range(40)]
    for i, s in enumerate(samples):
        np.savez(os.path.join(calib_dir, "sample_%02d.npz" % i), images=s)
    calib = [s for i, s in enumerate(samples) if i % 5 != 4]
    held = [s for i, s in enumerate(samples) if i % 5 == 4]
    onnx_path = os.path.join(d, name + ".onnx")
    torch.onnx.export(model, torch.from_numpy(samples[0]), onnx_path, input_names=["images"], output_names=["logits"],
                      opset_version=13)
    with torch.no_grad():
        ref = [model(torch.from_numpy(s)).numpy() for s in held]
        # PyTorch PTQ, FX graph mode: default qconfig of the engine (histogram observer for activations, per-channel
        # weights for onednn/fbgemm)
        prepared = prepare_fx(model, get_default_qconfig_mapping(torch.backends.quantized.engine),
                              (torch.from_numpy(samples[0]),))
        t0 = time.time()
        for s in calib:
            prepared(torch.from_numpy(s))
        calib_s = time.time() - t0
        quantized = convert_fx(prepared)
        got = [quantized(torch.from_numpy(s)).numpy() for s in held]
    results[name] = {"pytorch_ptq": dict(stats(ref, got), engine=torch.backends.quantized.engine,
                                         calibrationSeconds=calib_s)}
    for method in ["entropy", "percentile", "minmax"]:
        q_path = os.path.join(d, "%s.%s.int8.onnx" % (name, method))
        cmd = [os.path.join(repo, "trt-compat"), "quantize", onnx_path, "--calib", calib_dir, "--method", method,
               "--out", q_path, "--json"]
        t0 = time.time()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit("trt-compat failed: " + proc.stderr)
        r = json.loads(proc.stdout)
        o = r["accuracy"]["outputs"][0]
        results[name]["trt_compat_" + method] = {
            "cosineMin": o["cosineMin"], "cosineMean": o["cosineMean"], "maxAbsError": o["maxAbsError"],
            "top1Agreement": o.get("top1Agreement"), "heldOutSamples": r["accuracy"]["samples"],
            "seconds": time.time() - t0}
    print(json.dumps({name: results[name]}, indent=1), flush=True)

with open(os.path.join(out, "results.json"), "w") as f:
    json.dump(results, f, indent=1)
