#!/usr/bin/env bash
# CPU time per element of calibration's histogram (TensorHistogram.add) for ReLU-like and Gaussian data, against a
# build's jars: DIR holds a copy of web/target/lib (default: this tree's, built by ./trt-compat or the reactor).
# Two builds compare by giving each one's lib folder; equal "bins checksum" lines mean equal histograms.
# Usage: bench/quantize/histogram-speed.sh [LIB_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
lib="${1:-$here/web/target/lib}"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
exec java -XX:+UseSerialGC -cp "$lib/*" "$here/bench/quantize/HistogramSpeed.java"
