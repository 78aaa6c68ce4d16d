#!/usr/bin/env bash
# Wall time, CPU time and peak heap of `trt-compat fix` on large synthetic models (BenchModels), with the JVM heap
# capped at 512 MiB: the run succeeding at all shows the weights never land on the heap. Both ONNX Runtime runs of
# the equivalence proof are included. Peak heap is the largest "before GC" figure in the GC log; CPU is user + system
# of the whole process (ONNX Runtime included), which says more than wall time on a shared, loaded machine. Each run
# also prints when each phase of the fix ended (TRT_COMPAT_FIX_PHASES, seconds since the fixer started).
#   1. matmul-1.5g.onnx: 24 MatMul layers of 3968 x 3968 FLOAT weights in one 1.5 GB file, RUNS times.
#   2. matmul-2.5g.onnx: 24 layers of 5120 x 5120 (2.5 GB in one file, over protobuf's 2 GiB), once: the fixed model
#      must come out as fixed.onnx plus fixed.onnx.data.
#   3. matmul-2.5g-external.onnx: the same weights already in an external-data file, once.
# Needs: /usr/bin/time (apt-get install -y time); ~12 GB of disk in bench/out (gitignored).
# Usage: bench/fix-speed.sh [RUNS [CASES]]   (RUNS default 3; CASES default "1.5g 2.5g 2.5g-external")
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
cases="${2:-1.5g 2.5g 2.5g-external}"
out=bench/out
command -v /usr/bin/time >/dev/null || { echo "fix-speed: /usr/bin/time missing (apt-get install -y time)" >&2; exit 1; }

echo "== build" >&2
./mvnw -q -B -ntp -DskipTests -pl web,bench -am package >&2
cp="bench/target/classes:compat-matrix/target/classes:$(ls web/target/lib/protobuf-java-*.jar)"
if [ ! -f "$out/matmul-1.5g.onnx" ]; then
  echo "== generating the 1.5 GB model into $out (streamed, a minute or two)" >&2
  java -cp "$cp" dev.trtcompat.bench.BenchModels "$out" matmul-1.5g >&2
fi
if [[ "$cases" == *2.5g* ]] && [ ! -f "$out/matmul-2.5g-external.onnx.data" ]; then
  echo "== generating the 2.5 GB models into $out (streamed, a few minutes)" >&2
  java -cp "$cp" dev.trtcompat.bench.BenchModels "$out" matmul-2.5g >&2
fi
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"

# fix_once NAME SHAPE LABEL: one timed run; prints one line of figures and the files written
fix_once() {
  local model="$out/$1" shape="$2" label="$3" log fixed
  fixed="$out/fixed-$label"
  rm -rf "$fixed"
  mkdir -p "$fixed"
  log=$(mktemp)
  start=$(date +%s.%N)
  /usr/bin/time -v -o "$log.time" env TRT_COMPAT_JAVA_OPTS="-Xmx512m -Xlog:gc:file=$log" TRT_COMPAT_FIX_PHASES=1 \
    ./trt-compat fix "$model" --shapes "$shape" --out "$fixed/fixed.onnx" >"$log.out" 2>"$log.err"
  end=$(date +%s.%N)
  peak=$(grep -o '[0-9]*M->' "$log" | sed 's/M->//' | sort -n | tail -1)
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log.time")
  cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.1f", u + s}' "$log.time")
  printf '%s: wall %.1f s, CPU %s s, peak heap %s MiB (cap 512), peak RSS %d MiB (includes ONNX Runtime sessions and mapped weights); %s\n' \
    "$label" "$(echo "$end - $start" | bc)" "$cpu" "${peak:-?}" "$((rss / 1024))" \
    "$(grep -m1 -E '^written:|^refused:' "$log.out" || echo 'no output')"
  grep -m1 '^unproven:' "$log.out" | cut -c1-200 || true
  grep '^phase' "$log.err" | sed 's/^/  /' || true
  ls -l "$fixed" | tail -n +2
  rm -f "$log" "$log.time" "$log.out" "$log.err"
}

for c in $cases; do
  case "$c" in
    1.5g)
      echo "model: $out/matmul-1.5g.onnx, $(stat -c %s "$out/matmul-1.5g.onnx") bytes"
      for i in $(seq 1 "$runs"); do
        fix_once matmul-1.5g.onnx x:1x3968 "1.5g-run$i"
      done
      ;;
    2.5g)
      echo "model: $out/matmul-2.5g.onnx, $(stat -c %s "$out/matmul-2.5g.onnx") bytes (one file)"
      fix_once matmul-2.5g.onnx x:1x5120 2.5g
      ;;
    2.5g-external)
      echo "model: $out/matmul-2.5g-external.onnx + .data, $(stat -c %s "$out/matmul-2.5g-external.onnx.data") bytes of weights"
      fix_once matmul-2.5g-external.onnx x:1x5120 2.5g-external
      ;;
    *) echo "fix-speed: unknown case $c" >&2; exit 2 ;;
  esac
done
