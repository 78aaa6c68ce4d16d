#!/usr/bin/env bash
# Heap, RSS, wall and CPU time of `quantize` and `fp16` on a model of ~1 GB of weights (BenchModels matmul-1g: 24
# MatMul layers of 3232 x 3232 FLOAT, one file), with the Java heap capped: the weights stay mapped (page cache) and
# fp16's large FLOAT16 copies live in scratch pages, so both need only their working set on the heap.
# Peak heap is the larger of the largest "before GC" figure in the GC log and the heap used at exit
# (gc+heap+exit); RSS includes ONNX Runtime's sessions (each holds the weights natively) and the mapped weights.
# Usage: bench/quantize/large-model.sh [XMX [BEFORE_JAR [MODEL [COMMANDS]]]]
#   XMX: the heap cap (default 512m, the launcher's);
#   BEFORE_JAR: another build's trt-compat.jar (e.g. one built from main before issue 12) run first with the same
#   cap, to show what it says ("" for none);
#   MODEL: 1g (default), 2.5g (one file over protobuf's 2 GiB) or 2.5g-external (its weights in an external-data file;
#   the 2.5 GB models are BenchModels matmul-2.5g, 24 layers of 5120 x 5120, written with data file beside them);
#   COMMANDS: default "quantize fp16".
# Needs /usr/bin/time (apt-get install -y time); ~4 GB of disk in bench/out (gitignored), ~13 GB with the 2.5 GB models.
set -euo pipefail
cd "$(dirname "$0")/../.."
xmx="${1:-512m}"
before="${2:-}"
case "${3:-1g}" in
  1g) model=matmul-1g.onnx; gen=matmul-1g; shape=x:1x3232 ;;
  2.5g) model=matmul-2.5g.onnx; gen=matmul-2.5g; shape=x:1x5120 ;;
  2.5g-external) model=matmul-2.5g-external.onnx; gen=matmul-2.5g; shape=x:1x5120 ;;
  *) echo "large-model: unknown model $3" >&2; exit 2 ;;
esac
commands="${4:-quantize fp16}"
out=bench/out
command -v /usr/bin/time >/dev/null || { echo "large-model: /usr/bin/time missing (apt-get install -y time)" >&2; exit 1; }

echo "== build" >&2
./mvnw -q -B -o -DskipTests -pl web,bench -am package >&2
cp="bench/target/classes:compat-matrix/target/classes:$(ls web/target/lib/protobuf-java-*.jar)"
if [ ! -f "$out/$model" ]; then
  echo "== generating $gen into $out" >&2
  java -cp "$cp" dev.trtcompat.bench.BenchModels "$out" "$gen" >&2
fi
echo "model: $out/$model, $(du -cb "$out/$model"* | tail -1 | cut -f1) bytes with its data; heap cap -Xmx$xmx"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"

# the launcher's flags for quantize and fp16 (./trt-compat), the cap last so that it wins
jvm=(-XX:+UseSerialGC -XX:-UsePerfData -Xms64m -Xss1m -Xlog:disable -Xlog:all=error:stderr "-Xmx$xmx")

# run_once JAR COMMAND LABEL: one timed run; prints one line of figures and the first line of the answer
run_once() {
  local jar="$1" cmd="$2" label="$3" log dest
  dest="$out/large-$label"
  rm -rf "$dest"
  mkdir -p "$dest"
  log=$(mktemp)
  start=$(date +%s.%N)
  rc=0
  /usr/bin/time -v -o "$log.time" java "${jvm[@]}" "-Xlog:gc,gc+heap+exit:file=$log" -jar "$jar" "$cmd" \
    "$out/$model" --synthetic 4 --shapes "$shape" --eval-samples 1 --threads 2 \
    --out "$dest/model.onnx" >"$log.out" 2>"$log.err" || rc=$?
  end=$(date +%s.%N)
  before_gc=$(grep -o '[0-9]*M->' "$log" | sed 's/M->//' | sort -n | tail -1)
  at_exit=$(awk '/generation +total/ {for (i = 1; i <= NF; i++) if ($i == "used") {sub("K,?", "", $(i + 1)); u += $(i + 1)}}
    END {printf "%d", u / 1024}' "$log")
  peak=$(( ${before_gc:-0} > ${at_exit:-0} ? ${before_gc:-0} : ${at_exit:-0} ))
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log.time")
  cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.1f", u + s}' "$log.time")
  printf '%s: exit %d, wall %.1f s, CPU %s s, peak heap %s MiB (cap %s), peak RSS %d MiB; %s\n' \
    "$label" "$rc" "$(echo "$end - $start" | bc)" "$cpu" "$peak" "$xmx" "$((rss / 1024))" \
    "$(grep -m1 -E '^wrote|^error:' "$log.out" "$log.err" | cut -d: -f2- | cut -c1-220 || echo 'no output')"
  ls -l "$dest" | tail -n +2
  if [ -f "$dest/model.onnx.data" ]; then
    echo "  data file sha256 $(sha256sum "$dest/model.onnx.data" | cut -d' ' -f1)"
  fi
  rm -rf "$dest" "$log" "$log.time" "$log.out" "$log.err"
}

for cmd in $commands; do
  if [ -n "$before" ]; then
    run_once "$before" "$cmd" "before-$cmd"
  fi
  run_once web/target/trt-compat.jar "$cmd" "$cmd"
done
