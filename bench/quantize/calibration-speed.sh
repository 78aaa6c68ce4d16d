#!/usr/bin/env bash
# Calibration speed and memory: time per calibration sample against a plain ONNX Runtime inference loop, and peak
# Java heap while calibrating on 500 JPEG images at 224x224. Two denominators: the median of `trt-compat run` on one
# fixed input tensor (no decoding), and a plain inference loop over the same images, read as calibration reads them
# (SameImagesLoop: same decoding, preprocessing and read-ahead; no exposed tensors, no histograms), with ONNX
# Runtime's default options (spinning on) and with the calibration session's (spinning off).
# Usage: bench/quantize/calibration-speed.sh MODEL.onnx [IMAGES] [WORK_DIR]
#   MODEL: an image classifier with input [1,3,224,224]; the figures in docs use the random-weight 1000-class
#   ResNet-18 that the comparison script of 45477ec writes (`git show 45477ec:bench/quantize/ptq_compare.py`, run
#   with --size 224: OUT/resnet18/resnet18.onnx); IMAGES: number of random JPEGs to generate (default 500).
# Needs /usr/bin/python3 with PIL and numpy (Debian python3-pil, python3-numpy) to write the images.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
(cd "$here" && ./mvnw -B -q -o -pl web -am package -DskipTests >&2)  # the jar, and SameImagesLoop in test-classes
model="$1"
n="${2:-500}"
work="${3:-$(mktemp -d)}"
mkdir -p "$work/images"
/usr/bin/python3 - "$work/images" "$n" <<'PY'
import sys, numpy as np
from PIL import Image
out, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(0)
for i in range(n):
    # smooth random images (a few gradients plus noise) so JPEG decoding does real work
    y, x = np.mgrid[0:256, 0:256] / 255.0
    base = np.stack([np.sin(x * rng.uniform(1, 9) + y * rng.uniform(1, 9)) for _ in range(3)], -1)
    img = ((base * 0.4 + 0.5 + rng.normal(0, 0.05, base.shape)).clip(0, 1) * 255).astype(np.uint8)
    Image.fromarray(img).save("%s/img_%04d.jpg" % (out, i), quality=90)
PY
echo "images: $n JPEG 256x256 in $work/images" >&2

"$here/trt-compat" run "$model" --runs 20 --warmup 3 --json > "$work/run.json"
plain_ms=$(/usr/bin/python3 -c "import json;print(json.load(open('$work/run.json'))['latencyMs']['median'])")

# Progress lines on stderr are timestamped: calibration's own time per sample is read between the first and the
# last "calibrating N/M" line (start-up, sessions, evaluation and rewrite excluded).
start=$(date +%s.%N)
TRT_COMPAT_JAVA_OPTS="-Xmx512m -Xlog:gc:file=$work/gc.log" "$here/trt-compat" quantize "$model" \
  --calib "$work/images" --size 224x224 --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225 --scale 1/255 \
  --method entropy --eval-samples 1 --out "$work/model.int8.onnx" --json 2>&1 > "$work/quantize.json" \
  | while IFS= read -r line; do echo "$(date +%s.%N) $line"; done > "$work/progress.log"
end=$(date +%s.%N)

# The same-images loops, each in a fresh JVM with the launcher's options for quantize, after calibration (the images
# are in the page cache for all three).
for spin in on off; do
  java -XX:+UseSerialGC -Xms64m -Xmx512m -cp "$here/converter/target/test-classes:$here/web/target/lib/*" \
    dev.trtcompat.quantize.SameImagesLoop "$model" "$work/images" "$spin" "$(nproc)" > "$work/loop-$spin.txt"
done

/usr/bin/python3 - "$work" "$plain_ms" "$start" "$end" <<'PY'
import json, re, sys
work, plain_ms, start, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
q = json.load(open(work + "/quantize.json"))
samples = q["calibrationSamples"]
per = (end - start) * 1000 / samples
marks = []
for line in open(work + "/progress.log"):
    t, _, msg = line.partition(" ")
    m = re.match(r"calibrating (\d+)/", msg)
    if m:
        marks.append((float(t), int(m.group(1))))
(t0, n0), (t1, n1) = marks[0], marks[-1]
calib = (t1 - t0) * 1000 / (n1 - n0)
peak = 0
for line in open(work + "/gc.log"):
    m = re.search(r"(\d+)M->(\d+)M\((\d+)M\)", line)
    if m:
        peak = max(peak, int(m.group(1)))
print("plain ONNX Runtime inference, median     %.1f ms" % plain_ms)
print("quantize wall time / calibration sample  %.1f ms (%d samples; includes start-up, evaluation, rewrite)"
      % (per, samples))
print("ratio                                    %.2fx" % (per / plain_ms))
print("calibration alone / sample               %.1f ms (samples %d to %d), ratio %.2fx" % (calib, n0, n1, calib / plain_ms))
print("peak Java heap before a GC (-Xmx512m)    %d MiB" % peak)
for spin, options in (("on", "ONNX Runtime's default"), ("off", "as the calibration session")):
    loop = float(open("%s/loop-%s.txt" % (work, spin)).read().split()[0])
    print("plain ONNX Runtime loop over the same images, spinning %-3s (%s): %.1f ms a sample; calibration alone / it %.2fx"
          % (spin, options, loop, calib / loop))
PY
