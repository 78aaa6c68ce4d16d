#!/usr/bin/env bash
# SHA-256 of what `quantize` (entropy, percentile, minmax) and `fp16` write for a few models, so that two builds can
# be compared byte for byte (the streaming read and write of issue 12 must not change a single output byte).
# Random calibration samples with a fixed seed make every run of one build write the same bytes.
# Usage: bench/quantize/stream-identity.sh [JAR] [WORK_DIR] > shas.txt
#   JAR: the trt-compat.jar to run (default web/target/trt-compat.jar, built first); run it once per build and diff
#   the two outputs. Models: ResNet-18 (/tmp/qc-bench/resnet18.onnx, left by bench/quantize/ptq_compare.py; skipped
#   when absent), two libonnx-testdata node models (Debian libonnx-testdata: its
#   opset 11+ models keep their weights as graph inputs, so only activations get pairs there) and two test exports
#   with weights (mobilenet_v2, transformer_encoder).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jar="${1:-}"
work="${2:-$(mktemp -d)}"
if [ -z "$jar" ]; then
  (cd "$here" && ./mvnw -q -B -o -DskipTests -pl web -am package >&2)
  jar="$here/web/target/trt-compat.jar"
fi
testdata=/usr/share/libonnx-testdata/data/node
exports="$here/compat-matrix/src/test/resources/pytorch-exports"
models=(
  "/tmp/qc-bench/resnet18.onnx"
  "$testdata/test_conv_with_strides_padding/model.onnx"
  "$testdata/test_gemm_default_matrix_bias/model.onnx"
  "$exports/classification_mobilenet_v2.onnx"
  "$exports/transformer_encoder.onnx"
)
# the launcher's flags for quantize and fp16 (./trt-compat), with the heap raised for ResNet-18's two copies
jvm=(-XX:+UseSerialGC -XX:-UsePerfData -Xms64m -Xmx1g -Xss1m -Xlog:disable -Xlog:all=error:stderr)
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for m in "${models[@]}"; do
  if [ ! -f "$m" ]; then
    echo "skipped (missing): $m" >&2
    continue
  fi
  name="$(basename "$(dirname "$m")")-$(basename "$m" .onnx)"
  for method in entropy percentile minmax; do
    out="$work/$name.$method.onnx"
    java "${jvm[@]}" -jar "$jar" quantize "$m" --synthetic 4 --seed 7 --method "$method" --eval-samples 1 \
      --threads 1 --out "$out" --json >/dev/null
    echo "$(sha256sum "$out" | cut -d' ' -f1)  $name quantize $method"
  done
  out="$work/$name.fp16.onnx"
  java "${jvm[@]}" -jar "$jar" fp16 "$m" --synthetic 4 --seed 7 --eval-samples 1 --threads 1 --out "$out" \
    --json >/dev/null
  echo "$(sha256sum "$out" | cut -d' ' -f1)  $name fp16"
done
