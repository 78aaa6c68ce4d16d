#!/usr/bin/env bash
# A/B of calibration between two builds on the same images, for a loaded machine where the plain-ORT ratio of
# calibration-speed.sh swings with the load: the builds run alternately (A B A B ...), each reporting calibration
# time per sample (between the first and last timestamped "calibrating N/M" line), the process's CPU seconds and
# the SHA-256 of the INT8 model it wrote (equal hashes: equal scales, equal model).
# Usage: bench/quantize/calibration-ab.sh DIR_A DIR_B MODEL.onnx IMAGES_DIR [ROUNDS] [WORK_DIR]
#   DIR_A, DIR_B: copies of a build's web/target/trt-compat.jar and web/target/lib (e.g. cp -r web/target/{trt-compat.jar,lib} DIR)
# JVM flags are the launcher's for quantize (serial GC, full JIT, -Xmx512m).
set -euo pipefail
a="$1" b="$2" model="$3" images="$4" rounds="${5:-2}"
work="${6:-$(mktemp -d)}"
mkdir -p "$work"
for round in $(seq 1 "$rounds"); do
  for side in A B; do
    dir=$a; [ "$side" = B ] && dir=$b
    log="$work/$side$round"
    load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -f "%U %S %e" -o "$log.time" java -XX:+UseSerialGC -Xms64m -Xmx512m -jar "$dir/trt-compat.jar" \
      quantize "$model" --calib "$images" --size 224x224 --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225 \
      --scale 1/255 --method entropy --eval-samples 1 --out "$log.int8.onnx" --json 2>&1 >/dev/null \
      | while IFS= read -r line; do echo "$(date +%s.%N) $line"; done > "$log.progress"
    /usr/bin/python3 - "$log" "$side" "$round" "$load" <<'PY'
import hashlib, re, sys
log, side, rnd, load = sys.argv[1:]
marks = []
for line in open(log + ".progress"):
    t, _, msg = line.partition(" ")
    m = re.match(r"calibrating (\d+)/", msg)
    if m:
        marks.append((float(t), int(m.group(1))))
(t0, n0), (t1, n1) = marks[0], marks[-1]
user, sys_, wall = map(float, open(log + ".time").read().split()[-3:])
sha = hashlib.sha256(open(log + ".int8.onnx", "rb").read()).hexdigest()[:16]
print("%s round %s  load %s  calibration %.1f ms/sample (samples %d-%d)  CPU %.1f s  wall %.1f s  model sha256 %s"
      % (side, rnd, load, (t1 - t0) * 1000 / (n1 - n0), n0, n1, user + sys_, wall, sha))
PY
  done
done
