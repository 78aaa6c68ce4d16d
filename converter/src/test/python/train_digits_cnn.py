#!/usr/bin/python3
"""Trains the small CNN of the digits quantization test (converter's DigitsQuantizeTest) on real handwritten digits
and writes it with its data to converter/src/test/resources/digits. Debian's python3-torch (1.13) and
python3-sklearn, nothing downloaded, a few seconds on one core:

    /usr/bin/python3 converter/src/test/python/train_digits_cnn.py converter/src/test/resources/digits

Writes digits_cnn.onnx (input "image" [batch, 1, 8, 8], pixel / 16; output "logits" [batch, 10]), calibration/
(10 .npz files of 16 train-split images each, input "image"), heldout.npz (the whole test split: "image" and its
"label") and prints the FP32 accuracies that README.md records. Data and split: digits_data.py.
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn

import digits_data

OUT = sys.argv[1] if len(sys.argv) > 1 else "."
EPOCHS, BATCH, LR = 40, 64, 3e-3
CALIB_FILES, CALIB_PER_FILE = 10, 16


class DigitsCnn(nn.Module):
    """Conv-BN-ReLU x2 at 8x8, max pool to 4x4, a residual block (its Add exercises the residual Q/DQ rule), global
    average pool, fully connected: about 40 k weights."""

    def __init__(self):
        super().__init__()

        def cbr(i, o):
            return [nn.Conv2d(i, o, 3, 1, 1, bias=False), nn.BatchNorm2d(o), nn.ReLU()]

        self.features = nn.Sequential(*cbr(1, 16), *cbr(16, 32), nn.MaxPool2d(2), *cbr(32, 48))
        self.res = nn.Sequential(*cbr(48, 48), nn.Conv2d(48, 48, 3, 1, 1, bias=False), nn.BatchNorm2d(48))
        self.fc = nn.Linear(48, 10)

    def forward(self, x):
        f = self.features(x)
        f = torch.relu(f + self.res(f))
        return self.fc(f.mean((2, 3)))


def accuracy(model, x, y):
    with torch.no_grad():
        return float((model(torch.from_numpy(x)).argmax(1).numpy() == y).mean())


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    train_x, train_y, test_x, test_y = digits_data.split()
    model = DigitsCnn()
    opt = torch.optim.Adam(model.parameters(), lr=LR, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, EPOCHS)
    gen = torch.Generator().manual_seed(0)
    for epoch in range(EPOCHS):
        model.train()
        perm = torch.randperm(len(train_y), generator=gen).numpy()
        for b in range(0, len(perm), BATCH):
            idx = perm[b:b + BATCH]
            loss = nn.functional.cross_entropy(model(torch.from_numpy(train_x[idx])), torch.from_numpy(train_y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
    model.eval()
    os.makedirs(os.path.join(OUT, "calibration"), exist_ok=True)
    path = os.path.join(OUT, "digits_cnn.onnx")
    torch.onnx.export(model, torch.from_numpy(test_x[:1]), path, opset_version=13, do_constant_folding=True,
                      input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    # calibration: the first CALIB_FILES x CALIB_PER_FILE train-split images, in the split's order
    for i in range(CALIB_FILES):
        part = train_x[i * CALIB_PER_FILE:(i + 1) * CALIB_PER_FILE]
        np.savez(os.path.join(OUT, "calibration", "digits_%02d.npz" % i), image=part)
    np.savez_compressed(os.path.join(OUT, "heldout.npz"), image=test_x, label=test_y)
    print("%s: %d bytes, opset 13; final loss %.4f" % (path, os.path.getsize(path), float(loss)))
    print("FP32 accuracy: train split %.4f (%d images), test split %.4f (%d images)" % (
        accuracy(model, train_x, train_y), len(train_y), accuracy(model, test_x, test_y), len(test_y)))


if __name__ == "__main__":
    main()
