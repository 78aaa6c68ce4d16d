#!/usr/bin/env bash
# Speed and memory of `trt-compat inspect --json` against the Python peer (onnx.load + onnx.checker), whole
# processes from the command line. Builds the app and the generators, writes the benchmark models into
# bench/out/ (gitignored, ~3.5 GB), then prints a Markdown table of wall time (hyperfine) and peak RSS
# (/usr/bin/time -v). Needs: hyperfine, time, python3-onnx (apt-get install -y hyperfine time python3-onnx).
# Usage: bench/inspect-speed.sh [RUNS [PEER_RUNS]]   (trt-compat: RUNS after 1 warm-up, default 10;
#        the peer: PEER_RUNS, default 3, no warm-up: one run of it on 1.5 GB takes seconds to minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
peer_runs="${2:-3}"
out=bench/out
py=/usr/bin/python3   # Debian's python3, the one python3-onnx is installed for

for tool in hyperfine /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "inspect-speed: $tool missing (apt-get install -y hyperfine time)" >&2; exit 1; }
done
"$py" -c 'import onnx' || { echo "inspect-speed: python3-onnx missing" >&2; exit 1; }

echo "== build" >&2
./mvnw -q -B -ntp -DskipTests -pl web,bench -am package >&2
# Generated once; delete bench/out/ to regenerate after changing the generators.
if [ ! -f "$out/faster-rcnn-like.onnx" ]; then
  echo "== generating models into $out (streamed, a minute or two)" >&2
  cp="bench/target/classes:compat-matrix/target/classes:$(ls web/target/lib/protobuf-java-*.jar)"
  java -cp "$cp" dev.trtcompat.bench.BenchModels "$out" >&2
fi
./trt-compat --version >/dev/null   # makes the class-data-sharing archive if the build is new
# The archive must really be used: with -Xshare:on the JVM refuses to start when it cannot map it.
TRT_COMPAT_JAVA_OPTS=-Xshare:on ./trt-compat inspect --json "$out/matmul-0.15g.onnx" >/dev/null \
  || { echo "inspect-speed: the CDS archive is not usable (-Xshare:on failed)" >&2; exit 1; }

peer() {  # the Python peer on one model
  echo "$py -c \"import onnx; m = onnx.load('$1'); onnx.checker.check_model(m)\""
}
rss_kb() {  # peak RSS in KiB of one run of a command line
  /usr/bin/time -v bash -c "$1 >/dev/null" 2>&1 | awk -F': ' '/Maximum resident set size/ {print $2}'
}

models=(matmul-1.5g.onnx matmul-1.5g-external.onnx matmul-0.15g.onnx matmul-0.15g-external.onnx faster-rcnn-like.onnx)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "| model | size on disk | trt-compat inspect --json | peak RSS | python onnx.load + check_model | peak RSS | speed-up |"
echo "|---|---|---|---|---|---|---|"
for m in "${models[@]}"; do
  p="$out/$m"
  bytes=$(stat -c %s "$p")
  if [ -f "$p.data" ]; then bytes=$((bytes + $(stat -c %s "$p.data"))); fi
  ours="./trt-compat inspect --json $p"
  theirs="$(peer "$p")"
  hyperfine -N --style none --warmup 1 --runs "$runs" --export-json "$tmp/ours.json" "$ours" >&2
  hyperfine --style none --runs "$peer_runs" --export-json "$tmp/theirs.json" "$theirs" >&2
  ours_rss=$(rss_kb "$ours")
  theirs_rss=$(rss_kb "$theirs")
  "$py" - "$m" "$bytes" "$tmp/ours.json" "$tmp/theirs.json" "$ours_rss" "$theirs_rss" <<'PY'
import json, sys
m, size, a, b, ra, rb = sys.argv[1:]
ra_, rb_ = int(ra) / 1024, int(rb) / 1024
x = json.load(open(a))["results"][0]; y = json.load(open(b))["results"][0]
def t(r): return f"{r['mean']*1000:.0f} ms ± {(r['stddev'] or 0)*1000:.0f} (cpu {1000*(r['user']+r['system']):.0f} ms)"
print(f"| {m} | {int(size)/1e9:.2f} GB | {t(x)} | {ra_:.0f} MiB | {t(y)} | {rb_:.0f} MiB | {y['mean']/x['mean']:.1f}x |")
PY
done
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), python3-onnx $("$py" -c 'import onnx; print(onnx.__version__)'); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
