#!/usr/bin/env bash
# The static checker's cost curve, whole process (`./trt-compat check`, JVM start to exit): for chain graphs of
# each node count (dev.trtcompat.bench.ChainGraph, a repeated 10-node block) and for the first 14 releases and
# every release of the knowledge base, the median wall time and the median CPU time (user + sys) of RUNS runs and
# the largest peak RSS (/usr/bin/time). On a machine shared with other builds the CPU time is the steadier figure.
# Target: 300k nodes with every release under 2 s wall.
# Usage: bench/check-scale.sh [runs=3] [node counts...=3000 30000 100000 300000]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
shift || true
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(3000 30000 100000 300000)
# One reactor invocation: bench and the application jar from the modules just built (never mvn install).
./mvnw -q -B -ntp -o -pl bench,web -am -DskipTests package >&2
# the application jar's manifest names its dependencies (web/target/lib), protobuf included
cp="bench/target/classes:web/target/trt-compat.jar"
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
out=bench/out/chain
mkdir -p "$out"
./trt-compat --version >/dev/null  # makes the class-data-sharing archive before anything is timed
first14=$(grep -v '^#' compat-matrix/src/main/resources/dev/trtcompat/rules/releases.txt | head -14 \
  | sed 's/tensorrt-//; s/\.json//' | paste -sd,)
all=$(grep -v '^#' compat-matrix/src/main/resources/dev/trtcompat/rules/releases.txt | wc -l)
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
echo "nodes releases median_wall_s median_cpu_s max_peak_rss_mib (runs: $runs; ./trt-compat check MODEL [--trt ...] >/dev/null)"
for n in "${sizes[@]}"; do
  model="$out/chain-$n.onnx"
  [ -f "$model" ] || java -cp "$cp" dev.trtcompat.bench.ChainGraph "$model" "$n" >&2
  for set in 14 "$all"; do
    args=()
    [ "$set" = 14 ] && args=(--trt "$first14")
    walls=()
    cpus=()
    rss=0
    for _ in $(seq "$runs"); do
      # check exits 1 (or 6) when a release rejects the model: a result, not a failure of the benchmark
      rc=0
      /usr/bin/time -o "$out/time.txt" -f '%e %U %S %M' ./trt-compat check "$model" "${args[@]}" >/dev/null 2>"$out/err.txt" || rc=$?
      case "$rc" in 0 | 1 | 6) ;; *) echo "check failed (exit $rc):" >&2; cat "$out/err.txt" >&2; exit 1 ;; esac
      read -r wall user sys kb < <(tail -1 "$out/time.txt")
      walls+=("$wall")
      cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')")
      [ "$kb" -gt "$rss" ] && rss="$kb"
    done
    echo "$n $set $(printf '%s\n' "${walls[@]}" | median) $(printf '%s\n' "${cpus[@]}" | median) $((rss / 1024))"
  done
done
