#!/usr/bin/env bash
# The service under concurrent page and API traffic: starts `trt-compat serve` on a free loopback port with
# a fresh data folder, uploads a real PyTorch export (MobileNetV2, 1 MB; override with MODEL=path.onnx),
# then CLIENTS keep-alive clients request the model page and the model's matrix JSON in turn for SECONDS
# (after WARMUP seconds not counted) and the script prints per URL: requests, errors, req/s and
# p50/p90/p99/max latency, then the server's heap and resident memory. Issue 5's target: p99 < 100 ms and
# zero errors with 50 clients for 60 s. ENFORCE=1 makes a missed target exit 1.
# Usage: bench/web-load.sh [CLIENTS=50] [SECONDS=60]
#   PATHS: the URL paths to load, {id} replaced by the model id (default: the page and the matrix JSON).
#   COMPARE=N: also upload N-1 more models (the PyTorch exports, then libonnx-testdata models) and load the
#     comparison of all N instead: the compare page and its JSON ({ids} in PATHS is the comma-joined ids).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
clients="${1:-50}"
seconds="${2:-60}"
warmup="${WARMUP:-5}"
model="${MODEL:-$here/compat-matrix/src/test/resources/pytorch-exports/classification_mobilenet_v2.onnx}"
# The model page and the model's matrix JSON (PATHS='/models/{id} /api/v1/models/{id}/compatibility' for the
# static check alone).
default_paths='/models/{id} /api/v1/models/{id}/matrix'
compare="${COMPARE:-0}"
[ "$compare" -gt 0 ] && default_paths='/compare?models={ids} /api/v1/compare?models={ids}'
paths="${PATHS:-$default_paths}"

# shellcheck source=bench/lib/serve.sh
source "$here/bench/lib/serve.sh"

echo "== build" >&2
bench_build

# The launcher execs java, so $! is the server JVM itself (for jcmd and /proc).
bench_serve web-load

code="$(curl -s -o "$work/upload.json" -w '%{http_code}' -F "model=@$model" "$base/api/v1/models")"
case "$code" in 200|201) ;; *) echo "web-load: upload answered HTTP $code: $(cat "$work/upload.json")" >&2; exit 1 ;; esac
id="$(grep -o '"id" *: *"[0-9a-f]*"' "$work/upload.json" | head -1 | grep -o '[0-9a-f]\{64\}')"
ids="$id"
if [ "$compare" -gt 1 ]; then
  more=()
  for f in "$here"/compat-matrix/src/test/resources/pytorch-exports/*.onnx \
      /usr/share/libonnx-testdata/data/pytorch-converted/*/model.onnx; do
    [ "$f" -ef "$model" ] || more+=("$f")
  done
  n=1
  for f in "${more[@]}"; do
    [ "$n" -ge "$compare" ] && break
    # Models the reader refuses (422) or content already uploaded are skipped: N distinct models are compared.
    c="$(curl -s -o "$work/more.json" -w '%{http_code}' -F "model=@$f" "$base/api/v1/models")"
    [ "$c" = 201 ] || continue
    ids="$ids,$(grep -o '"id" *: *"[0-9a-f]*"' "$work/more.json" | head -1 | grep -o '[0-9a-f]\{64\}')"
    n=$((n + 1))
  done
  echo "comparing $(echo "$ids" | tr ',' '\n' | sort -u | wc -l) models" >&2
fi
urls=()
for p in $paths; do
  p="${p//'{ids}'/$ids}"
  u="$base${p//'{id}'/$id}"
  c="$(curl -gs -o "$work/probe" -w '%{http_code}' "$u" || true)"
  echo "GET ${p//'{id}'/$id} -> HTTP $c, $(wc -c <"$work/probe") bytes" >&2
  urls+=("$u")
done

enforce=()
[ "${ENFORCE:-0}" = 1 ] && enforce=(--enforce)
rc=0
java -XX:+UseSerialGC -Xmx1g -cp "$here/bench/target/classes" dev.trtcompat.bench.WebLoad \
  --clients "$clients" --seconds "$seconds" --warmup "$warmup" --p99-ms 100 --max-errors 0 \
  "${enforce[@]}" "${urls[@]}" || rc=$?

echo
echo "model: $(basename "$model"), $(stat -c %s "$model") bytes, id $id"
echo "server heap now (jcmd GC.heap_info):"
jcmd "$pid" GC.heap_info 2>/dev/null | sed -n 's/^ *\(garbage-first heap\|region size\)/  \1/p' | head -2 || true
awk '/VmHWM|VmRSS/ {printf "server %s %d MiB\n", $1, $2/1024}' "/proc/$pid/status"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%F %H:%M UTC')"
exit "$rc"
