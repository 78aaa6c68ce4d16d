"""Exports torchvision detectors at fixed input shapes for the `fix` detection figures (bench/fix-detection.sh).

Random weights (weights=None, weights_backbone=None: no download), fixed seed, one image of a fixed size, so every
dim in the graph is static except what the post-processing computes (NMS, TopK, NonZero).

    /usr/bin/python3 bench/models/export_detection.py OUT_DIR [OPSET ...]

Writes ssdlite320_opset{N}.onnx (SSDlite320-MobileNetV3-Large, 320x320) and frcnn_mnv3_320_opset{N}.onnx
(Faster R-CNN MobileNetV3-Large 320 FPN, 320x320) for each opset (default: 11 13 17). The files are 14 MB and
78 MB, too large for the test resources; only the figures are kept (docs/fix.md).
"""
import os
import sys
import time

import torch
import torchvision

out = sys.argv[1] if len(sys.argv) > 1 else "bench/target/detection"
opsets = [int(a) for a in sys.argv[2:]] or [11, 13, 17]
only = os.environ.get("DETECTORS", "ssdlite320,frcnn_mnv3_320").split(",")
os.makedirs(out, exist_ok=True)


def detector(name):
    torch.manual_seed(0)
    det = torchvision.models.detection
    if name == "ssdlite320":
        m = det.ssdlite320_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=91)
    else:
        m = det.fasterrcnn_mobilenet_v3_large_320_fpn(weights=None, weights_backbone=None, num_classes=91)
    # A random detector scores every box near 1/91; a low threshold keeps NMS doing real work.
    if hasattr(m, "score_thresh"):
        m.score_thresh = 0.001
    else:
        m.roi_heads.score_thresh = 0.001
    return m.eval()


for name in only:
    for opset in opsets:
        path = os.path.join(out, f"{name}_opset{opset}.onnx")
        start = time.time()
        torch.manual_seed(1)
        image = torch.rand(3, 320, 320)
        torch.onnx.export(detector(name), ([image],), path, opset_version=opset, do_constant_folding=True,
                          input_names=["image"], output_names=["boxes", "scores", "labels"])
        print(f"{path}: {os.path.getsize(path)} bytes, opset {opset}, {time.time() - start:.1f} s", flush=True)
