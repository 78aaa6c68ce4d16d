#!/usr/bin/env bash
# `trt-compat fix` on real detection exports at fixed shapes: torchvision SSDlite320-MobileNetV3-Large and
# Faster R-CNN MobileNetV3-Large 320 FPN (random weights, one 3x320x320 image), opsets 11, 13 and 17, made by
# bench/models/export_detection.py (14 MB and 78 MB each: too large for the test resources, so only figures are
# kept, in docs/fix.md). Every release is a target and every pass runs; the fix is proven by ONNX Runtime.
# Prints per model the passes applied, whether the proof passed, and the verdict per release before -> after.
# Needs: /usr/bin/python3 with python3-torch and python3-torchvision (export only; skipped when the files exist).
# Usage: bench/fix-detection.sh [OPSET ...]   (default 11 13 17; DETECTORS=ssdlite320 for SSDlite only)
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/detection
opsets=("${@:-11 13 17}")
# shellcheck disable=SC2206
opsets=(${opsets[*]})
detectors="${DETECTORS:-ssdlite320,frcnn_mnv3_320}"
mkdir -p "$out/fixed"
echo "== build" >&2
./mvnw -q -B -ntp -DskipTests -pl web -am package >&2

missing=()
for d in ${detectors//,/ }; do
  for o in "${opsets[@]}"; do
    [ -f "$out/${d}_opset$o.onnx" ] || missing+=("$o")
  done
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "== exporting (about a minute per model)" >&2
  DETECTORS="$detectors" /usr/bin/python3 bench/models/export_detection.py "$out" \
    $(printf '%s\n' "${missing[@]}" | sort -un) >&2
fi

for d in ${detectors//,/ }; do
  for o in "${opsets[@]}"; do
    name="${d}_opset$o"
    start=$(date +%s.%N)
    rc=0
    ./trt-compat fix "$out/$name.onnx" --out "$out/fixed/$name.fixed.onnx" --json >"$out/$name.fix.json" || rc=$?
    end=$(date +%s.%N)
    printf '== %s (exit %d, %.1f s)\n' "$name" "$rc" "$(echo "$end - $start" | bc)"
    [ -s "$out/$name.fix.json" ] || { echo "no report (see the error above)"; continue; }
    /usr/bin/python3 - "$out/$name.fix.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
print("status:", r["status"], "| proven:", r["proven"], "| passes:", ", ".join(r["passesApplied"]) or "none")
for o in (r.get("equivalence") or {}).get("outputs") or []:
    print(f"  output {o['name']}: max abs {o['maxAbsError']:.3g}, max rel {o['maxRelError']:.3g}")
gained = [c["tensorrt"] for c in r["releases"]
          if c["before"] == "incompatible" and c["after"] != "incompatible"]
print("releases gained:", ", ".join(gained) or "none")
for line in r["summary"]:
    print("  " + line)
for p in r["passes"]:
    if p["name"] == "resize" and p["findingsRemoved"]:
        print("  resize removed: " + "; ".join(p["findingsRemoved"]))
for n in r["notes"]:
    if n.startswith("resize:"):
        print("  " + n)
seen = set()
for c in r["releases"]:
    if c["after"] == "incompatible":
        ops = sorted({x.split(":")[0].split(" ", 2)[-1] for x in c["remaining"]})
        if tuple(ops) not in seen:
            seen.add(tuple(ops))
            print(f"  left on {c['tensorrt']} (errors and unknown facts): " + ", ".join(ops))
EOF
  done
done
