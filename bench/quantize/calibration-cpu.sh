#!/usr/bin/env bash
# CPU time per calibration sample, thread by thread (issue 12): on a loaded machine the wall time per sample swings
# with other processes, the CPU each thread spends much less. Runs one build's quantize on the images (the options of
# calibration-ab.sh) and reads /proc/PID/task/*/stat at the first and the last but one "calibrating N/M" line (one every 20 samples).
# Usage: [CALIB_JAVA_OPTS="-D..."] bench/quantize/calibration-cpu.sh DIR MODEL.onnx IMAGES_DIR [OUT.onnx]
#   CALIB_JAVA_OPTS: extra JVM options, split on spaces (e.g. a JFR recording or -Xlog:gc)
#   DIR: a copy of a build's web/target/trt-compat.jar and web/target/lib (as for calibration-ab.sh)
# Threads: "java" are the calibration thread and ONNX Runtime's intra-op workers (native threads keep the name of the
# thread that made them), trt-compat-hist the histogram threads, trt-compat-cali the image reader.
set -euo pipefail
dir="$1" model="$2" images="$3" out="${4:-$(mktemp -d)/model.int8.onnx}"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$dir/trt-compat.jar" "$model" "$images" "$out" <<'PY'
import os, re, subprocess, sys, time
jar, model, images, out = sys.argv[1:5]
tick = os.sysconf("SC_CLK_TCK")
p = subprocess.Popen(
    ["java", "-XX:+UseSerialGC", "-Xms64m", "-Xmx512m"] + os.environ.get("CALIB_JAVA_OPTS", "").split() + ["-jar", jar, "quantize", model, "--calib", images,
     "--size", "224x224", "--mean", "0.485,0.456,0.406", "--std", "0.229,0.224,0.225", "--scale", "1/255",
     "--method", "entropy", "--eval-samples", "1", "--out", out, "--json"],
    stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)

def threads():
    cpu = {}
    for tid in os.listdir("/proc/%d/task" % p.pid):
        try:
            stat = open("/proc/%d/task/%s/stat" % (p.pid, tid)).read()
        except OSError:
            continue  # the thread ended
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        cpu[(name, tid)] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return cpu

first = last = None
for line in p.stderr:
    m = re.match(r"calibrating (\d+)/(\d+)", line)
    if m:
        n, total = int(m.group(1)), int(m.group(2))
        if first is None:
            first, n0, t0 = threads(), n, time.time()
        elif n < total:  # not the final line: after it calibration's threads end, some before they could be read
            last, n1, t1 = threads(), n, time.time()
if p.wait() != 0 or last is None:
    sys.exit("quantize failed, or its progress lines were too few to measure between")
samples = n1 - n0
by_name = {}
for (name, tid), seconds in last.items():
    key = re.sub(r"-?\d+$", "", name)
    by_name[key] = by_name.get(key, 0) + seconds - first.get((name, tid), 0)
print("samples %d-%d: wall %.1f ms a sample" % (n0, n1, (t1 - t0) * 1000 / samples))
for name, seconds in sorted(by_name.items(), key=lambda e: -e[1]):
    if seconds > 0:
        print("  %-20s %6.2f ms CPU a sample" % (name, seconds * 1000 / samples))
print("  %-20s %6.2f ms CPU a sample" % ("all threads", sum(by_name.values()) * 1000 / samples))
PY
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
