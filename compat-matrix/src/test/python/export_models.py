#!/usr/bin/python3
"""Exports the small PyTorch models the checker's PyTorch tests read (compat-matrix/src/test/resources/pytorch-exports).

Random weights, fixed seed, no downloads. Run with Debian's python3-torch / python3-torchvision
(apt-get install python3-torch python3-torchvision):

    /usr/bin/python3 compat-matrix/src/test/python/export_models.py compat-matrix/src/test/resources/pytorch-exports

Each model is small (the whole folder stays well under 5 MB) and exercises one compatibility fact.
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.models.resnet import BasicBlock

OUT = sys.argv[1] if len(sys.argv) > 1 else "."
torch.manual_seed(0)


class DetectionHead(nn.Module):
    """A tiny single-class detector: conv backbone, box/score heads, NMS and a score-threshold nonzero."""

    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1), nn.ReLU(), nn.Conv2d(8, 16, 3, 2, 1), nn.ReLU())
        self.boxes = nn.Conv2d(16, 4, 1)
        self.scores = nn.Conv2d(16, 1, 1)

    def forward(self, x):
        f = self.backbone(x)
        b = self.boxes(f).flatten(2).transpose(1, 2)[0]
        xy = b[:, :2].abs() * 64
        boxes = torch.cat([xy, xy + b[:, 2:].abs() * 16 + 1], dim=1)
        scores = self.scores(f).flatten().sigmoid()
        keep = torchvision.ops.nms(boxes, scores, 0.5)
        kept = scores[keep]
        confident = torch.nonzero(kept > 0.3).squeeze(1)
        return boxes[keep][confident], kept[confident]


class Lstm(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(16, 32, num_layers=1, batch_first=True)
        self.fc = nn.Linear(32, 4)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.fc(y[:, -1])


class GridSample(nn.Module):
    def forward(self, x, grid):
        return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


class Einsum(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(8, 8))

    def forward(self, a, b):
        return torch.einsum("bij,bjk->bik", a, b) + torch.einsum("ij,bjk->bik", self.w, b)


class IndexPut(nn.Module):
    def forward(self, x, idx, v):
        y = x.clone()
        y[idx] = v
        return y


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        layer = nn.TransformerEncoderLayer(d_model=32, nhead=4, dim_feedforward=64, batch_first=True)
        self.enc = nn.TransformerEncoder(layer, num_layers=2)

    def forward(self, x):
        return self.enc(x)


class Segmenter(nn.Module):
    """Encoder-decoder with bilinear upsampling (Resize linear) and a 1x1 classifier."""

    def __init__(self):
        super().__init__()
        self.down = nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1), nn.BatchNorm2d(8), nn.ReLU(), nn.Conv2d(8, 16, 3, 2, 1), nn.ReLU())
        self.cls = nn.Conv2d(16, 5, 1)

    def forward(self, x):
        y = self.cls(self.down(x))
        return F.interpolate(y, size=x.shape[-2:], mode="bilinear", align_corners=False)


class ResNet18Narrow(nn.Module):
    """ResNet-18's topology (7x7 stem, max pool, 4 stages of 2 BasicBlocks with projection shortcuts, global average
    pool, fully connected) at an eighth of its widths (8-16-32-64 channels, 10 classes), so the file stays small."""

    def __init__(self, widths=(8, 16, 32, 64), classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, widths[0], 7, 2, 3, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU(),
                                  nn.MaxPool2d(3, 2, 1))
        layers, inplanes = [], widths[0]
        for i, planes in enumerate(widths):
            stride = 1 if i == 0 else 2
            down = None
            if stride != 1 or inplanes != planes:
                down = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
            layers += [BasicBlock(inplanes, planes, stride, down), BasicBlock(planes, planes)]
            inplanes = planes
        self.layers = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(inplanes, classes)

    def forward(self, x):
        return self.fc(self.pool(self.layers(self.stem(x))).flatten(1))


def data_dependent_batchnorm(model, images):
    """Random BatchNorm affines with running statistics measured on images (as bench/quantize/ptq_engine_check.py):
    a randomly initialised network's activations otherwise vanish or explode with depth."""
    with torch.no_grad():
        for bn in [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]:
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.normal_(0, 0.2)
            bn.reset_running_stats()
            bn.momentum = None
        model.train()
        model(images)
    return model


def export(model, args, name, opset, **kw):
    model.eval()
    path = os.path.join(OUT, name + ".onnx")
    torch.onnx.export(model, args, path, opset_version=opset, do_constant_folding=True, **kw)
    print(f"{path}: {os.path.getsize(path)} bytes, opset {opset}")


def main():
    os.makedirs(OUT, exist_ok=True)
    export(DetectionHead(), (torch.randn(1, 3, 64, 64),), "detection_nms_nonzero", 13,
           input_names=["image"], output_names=["boxes", "scores"])
    export(Lstm(), (torch.randn(2, 5, 16),), "lstm", 13, input_names=["x"], output_names=["y"],
           dynamic_axes={"x": {0: "batch", 1: "seq"}})
    export(GridSample(), (torch.randn(1, 3, 8, 8), torch.rand(1, 4, 4, 2) * 2 - 1), "grid_sample", 16,
           input_names=["x", "grid"], output_names=["y"])
    export(Einsum(), (torch.randn(2, 8, 8), torch.randn(2, 8, 8)), "einsum", 13,
           input_names=["a", "b"], output_names=["y"])
    export(IndexPut(), (torch.randn(6, 4), torch.tensor([0, 2]), torch.randn(2, 4)), "index_put", 13,
           input_names=["x", "idx", "v"], output_names=["y"])
    export(Encoder(), (torch.randn(1, 10, 32),), "transformer_encoder", 14, input_names=["tokens"],
           output_names=["y"], dynamic_axes={"tokens": {0: "batch", 1: "seq"}})
    export(Segmenter(), (torch.randn(1, 3, 32, 32),), "segmentation", 11, input_names=["image"], output_names=["mask"])
    cls = torchvision.models.mobilenet_v2(width_mult=0.25, num_classes=10)
    export(cls, (torch.randn(1, 3, 64, 64),), "classification_mobilenet_v2", 13, input_names=["image"],
           output_names=["logits"], dynamic_axes={"image": {0: "batch"}})
    resnet = data_dependent_batchnorm(ResNet18Narrow(), torch.randn(32, 3, 64, 64))
    export(resnet, (torch.randn(1, 3, 64, 64),), "classification_resnet18_narrow", 13, input_names=["image"],
           output_names=["logits"])


if __name__ == "__main__":
    main()
