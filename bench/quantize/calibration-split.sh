#!/usr/bin/env bash
# Where a calibration sample's time goes on ONNX Runtime (issue 12): plain run, run with the tensors Q/DQ placement
# quantizes exposed as pinned outputs (as Calibrator runs it), and that run plus the histograms, one after the other or
# overlapped (histograms of one run during the next), last on ONNX Runtime's optimized model with the exposed
# tensors in its blocked layout (BlockedOutputs, as Calibrator runs it now); intra-op spinning on
# and off. Decoding is left out (random input). Interleaved rounds, best round of each; see CalibrationSplit.
# Usage: bench/quantize/calibration-split.sh MODEL.onnx [PER_ROUND] [ROUNDS] [THREADS]
#   MODEL: input [1,3,224,224] (bench/quantize/ptq_compare.py leaves resnet18.onnx); THREADS default: CPU count.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
(cd "$here" && ./mvnw -B -q -o -pl web -am package -DskipTests >&2)
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp "$here/converter/target/test-classes:$here/web/target/lib/*" dev.trtcompat.quantize.CalibrationSplit \
  "$1" "${2:-10}" "${3:-10}" "${4:-$(nproc)}"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
