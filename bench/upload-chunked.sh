#!/usr/bin/env bash
# The resumable upload path (/api/v1/uploads) against its bound, in the same run: `sha256sum` of the file and a
# chunked upload of the same file to a fresh `trt-compat serve` (declare, PUT chunks of CHUNK_MIB with
# Content-Range, complete), from the declaration to the 201. Each chunk is a separate curl reading its slice of the
# file with `dd`, as a resuming client would. Prints wall and CPU seconds (user + system) of sha256sum and
# of the server during the upload: on a machine shared with other work the wall times follow each process's share
# of the cores, the CPU times do not. Each round deletes the stored model again.
# Usage: bench/upload-chunked.sh [ROUNDS=3] [MODEL=bench/out/matmul-1.5g.onnx] [CHUNK_MIB=256]
# The 1.5 GB model is generated on first use into bench/out/ (as bench/upload-speed.sh does).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"
model="${2:-$here/bench/out/matmul-1.5g.onnx}"
chunk=$(( ${3:-256} << 20 ))

# shellcheck source=bench/lib/serve.sh
source "$here/bench/lib/serve.sh"

echo "== build" >&2
bench_build
bench_matmul_model "$model"
bytes="$(stat -c %s "$model")"
name="$(basename "$model")"

bench_serve upload-chunked --max-upload "$((bytes + 1048576))"
api="$base/api/v1"

cat "$model" >/dev/null  # page cache warm for both
ticks="$(getconf CLK_TCK)"
server_cpu() { awk -v t="$ticks" '{printf "%.2f", ($14 + $15) / t}' "/proc/$pid/stat"; }
printf '%-6s %-22s %-30s %s\n' round "sha256sum: wall (cpu)" "chunked: wall (cpu server)" ratio
for r in $(seq 1 "$rounds"); do
  t0="$(date +%s.%N)"
  sum="$(/usr/bin/time -f '%U %S' -o "$work/sum.cpu" sha256sum "$model" | cut -d' ' -f1)"
  t1="$(date +%s.%N)"
  s0="$(server_cpu)"
  id="$(curl -sf -H 'Content-Type: application/json' \
    -d "{\"model\": {\"name\": \"$name\", \"size\": $bytes, \"sha256\": \"$sum\"}}" "$api/uploads" \
    | grep -o '"id" *: *"[0-9a-f]*"' | head -1 | grep -o '[0-9a-f]\{32\}')"
  for ((start = 0; start < bytes; start += chunk)); do
    end=$(( start + chunk < bytes ? start + chunk - 1 : bytes - 1 ))
    dd if="$model" iflag=skip_bytes,count_bytes skip="$start" count=$((end - start + 1)) bs=4M status=none \
      | curl -sf -o /dev/null -T - -H "Content-Range: bytes $start-$end/$bytes" "$api/uploads/$id/files/$name"
  done
  code="$(curl -s -o "$work/answer.json" -w '%{http_code}' -X POST "$api/uploads/$id/complete")"
  t2="$(date +%s.%N)"
  s1="$(server_cpu)"
  [ "$code" = 201 ] || { echo "upload-chunked: HTTP $code: $(cat "$work/answer.json")" >&2; exit 1; }
  grep -q "\"sha256\" *: *\"$sum\"" "$work/answer.json" || { echo "upload-chunked: sha256 differs" >&2; exit 1; }
  hash_s="$(echo "$t1 - $t0" | bc)"
  up_s="$(echo "$t2 - $t1" | bc)"
  printf '%-6s %-22s %-30s %.2f\n' "$r" "$(printf '%.2f s (%s s)' "$hash_s" "$(awk '{printf "%.2f", $1 + $2}' "$work/sum.cpu")")" \
    "$(printf '%.2f s (%.2f s)' "$up_s" "$(echo "$s1 - $s0" | bc)")" "$(echo "$up_s / $hash_s" | bc -l)"
  curl -s -o /dev/null -X DELETE "$api/models/$sum"
done
echo "model: $model, $bytes bytes, chunks of $chunk bytes"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%F %H:%M UTC')"
