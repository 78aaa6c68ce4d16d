"""Exports the benchmark models with random weights (no download): torchvision resnet18 (classification)
and ssdlite320_mobilenet_v3_large (detection, with its NMS post-processing in the graph).

Needs Debian's python3-torch and python3-torchvision (apt-get install python3-torchvision).
Usage: /usr/bin/python3 bench/models/export_models.py OUT_DIR
"""
import sys
import os

import torch
import torchvision

out = sys.argv[1] if len(sys.argv) > 1 else "bench/target/models"
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)

resnet = torchvision.models.resnet18(weights=None).eval()
torch.onnx.export(resnet, torch.randn(1, 3, 224, 224), os.path.join(out, "resnet18.onnx"),
                  input_names=["images"], output_names=["logits"], opset_version=13,
                  dynamic_axes={"images": {0: "batch"}, "logits": {0: "batch"}})

ssd = torchvision.models.detection.ssdlite320_mobilenet_v3_large(
    weights=None, weights_backbone=None, num_classes=91).eval()
# A random detector scores every anchor near 1/91; a low threshold keeps NMS doing real work.
ssd.score_thresh = 0.001
torch.onnx.export(ssd, ([torch.rand(3, 320, 320)],), os.path.join(out, "ssdlite320.onnx"),
                  input_names=["image"], output_names=["boxes", "scores", "labels"], opset_version=13)
print("wrote", sorted(os.listdir(out)))
