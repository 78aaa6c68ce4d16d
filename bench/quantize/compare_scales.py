"""Compares the activation ranges of two Q/DQ models written by `trt-compat quantize` from the same FP32 model, e.g.
entropy against minmax, or one build against another.

Needs Debian's python3-onnx. Usage: /usr/bin/python3 bench/quantize/compare_scales.py A.int8.onnx B.int8.onnx

For every activation QuantizeLinear (its input is not an initializer) present in both: amax = scale * 127. Prints
how many tensors there are, the median and the extremes of amax(A) / amax(B), and the five tensors where A's range is
smallest against B's.
"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def activation_amax(path):
    graph = onnx.load(path, load_external_data=False).graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    amax = {}
    for node in graph.node:
        if node.op_type == "QuantizeLinear" and node.input[0] not in inits and node.input[1] in inits:
            scale = inits[node.input[1]]
            if scale.size == 1:
                amax[node.input[0]] = float(scale.ravel()[0]) * 127
    return amax


a, b = activation_amax(sys.argv[1]), activation_amax(sys.argv[2])
common = sorted(set(a) & set(b))
ratio = np.array([a[t] / b[t] for t in common if b[t] > 0])
print("activation tensors: %d in both (%d only in A, %d only in B)" % (
    len(common), len(set(a) - set(b)), len(set(b) - set(a))))
print("amax(A) / amax(B): min %.3f  median %.3f  max %.3f  below 0.5: %d" % (
    ratio.min(), np.median(ratio), ratio.max(), int((ratio < 0.5).sum())))
for t in sorted(common, key=lambda t: a[t] / b[t] if b[t] > 0 else 1)[:5]:
    print("  %-40s A %.4g  B %.4g" % (t, a[t], b[t]))
