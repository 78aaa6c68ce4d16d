#!/usr/bin/env bash
# Wall time and peak heap of `trt-compat fix` on the 1.5 GB synthetic model (24 MatMul layers of 3968 x 3968
# FLOAT weights, bench/out/matmul-1.5g.onnx, made by BenchModels like bench/inspect-speed.sh does), with the JVM
# heap capped at 512 MiB: the run succeeding at all shows the weights never land on the heap. Includes both ONNX
# Runtime runs of the equivalence proof. Peak heap is the largest "before GC" figure in the GC log.
# Needs: /usr/bin/time (apt-get install -y time). Usage: bench/fix-speed.sh [RUNS]   (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
out=bench/out
command -v /usr/bin/time >/dev/null || { echo "fix-speed: /usr/bin/time missing (apt-get install -y time)" >&2; exit 1; }

echo "== build" >&2
./mvnw -q -B -ntp -DskipTests -pl web,bench -am package >&2
if [ ! -f "$out/matmul-1.5g.onnx" ]; then
  echo "== generating models into $out (streamed, a minute or two)" >&2
  cp="bench/target/classes:compat-matrix/target/classes:$(ls web/target/lib/protobuf-java-*.jar)"
  java -cp "$cp" dev.trtcompat.bench.BenchModels "$out" >&2
fi
model="$out/matmul-1.5g.onnx"
mkdir -p "$out/fixed"
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1)"
echo "model: $model, $(stat -c %s "$model") bytes"
for i in $(seq 1 "$runs"); do
  log=$(mktemp)
  rm -f "$out/fixed/matmul-1.5g.fixed.onnx"
  start=$(date +%s.%N)
  /usr/bin/time -v -o "$log.time" env TRT_COMPAT_JAVA_OPTS="-Xmx512m -Xlog:gc:file=$log" \
    ./trt-compat fix "$model" --shapes x:1x3968 --out "$out/fixed/matmul-1.5g.fixed.onnx" >/dev/null
  end=$(date +%s.%N)
  peak=$(grep -o '[0-9]*M->' "$log" | sed 's/M->//' | sort -n | tail -1)
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log.time")
  printf 'run %d: wall %.1f s, peak heap %s MiB (cap 512), peak RSS %d MiB (includes ONNX Runtime sessions and mapped weights)\n' \
    "$i" "$(echo "$end - $start" | bc)" "${peak:-?}" "$((rss / 1024))"
  rm -f "$log" "$log.time"
done
ls -l "$out/fixed/matmul-1.5g.fixed.onnx"
