#!/usr/bin/env bash
# How closely quantize --sensitivity keeps to its --budget: for each budget, the analysis's own seconds (the
# result's "seconds", from the start of the analysis to the written model) and the process's wall time, with what the
# budget cut. Usage: bench/quantize/sensitivity-budget.sh [MODEL] [SAMPLES] [BUDGET...]
#   defaults: the MobileNetV2 export, 2000 random calibration samples, budgets 4s 8s 16s; one ONNX Runtime thread.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
model="${1:-$here/compat-matrix/src/test/resources/pytorch-exports/classification_mobilenet_v2.onnx}"
samples="${2:-2000}"
shift $(( $# > 2 ? 2 : $# ))
budgets=("${@:-4s 8s 16s}")
(cd "$here" && ./mvnw -B -q -o -pl web -am package -DskipTests >&2)
"$here/trt-compat" --version >/dev/null  # the first run after a build trains the CDS archive: not in the figures
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "commit $(git -C "$here" rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H:%MZ), $(basename "$model"), $samples samples"
for b in ${budgets[*]}; do
  load="$(cut -d' ' -f1-3 /proc/loadavg)"
  start=$(date +%s.%N)
  "$here/trt-compat" quantize "$model" --synthetic "$samples" --method percentile --threads 1 --eval-samples 8 \
    --out "$out/m.int8.onnx" --sensitivity --budget "$b" --json >"$out/r.json" 2>/dev/null
  wall=$(echo "$(date +%s.%N) - $start" | bc)
  python3 - "$b" "$wall" "$load" "$out/r.json" <<'PY'
import json, sys
b, wall, load, path = sys.argv[1:]
r = json.load(open(path))
print(f"budget {b}: analysis {r['seconds']:.2f} s, process {float(wall):.2f} s, "
      f"{r['layersRanked']}/{r['layers']} layers, calibration {r['model']['calibrationSamples']} samples, "
      f"remeasured {str(r['remeasured']).lower()}, load {load}")
for c in r['budgetCuts']:
    print("  cut: " + c)
PY
done
