#!/usr/bin/env bash
# One large upload against its bound, in the same run: `sha256sum` of the file (the least any upload that
# hashes its bytes must cost) and `curl -F model=@FILE` to a fresh `trt-compat serve`, from first byte to the
# 201. Each round deletes the stored model again so every upload is a new one. The server's log line for the
# store says where the upload's time went (received + hashed + written, fsync, reader, recording). Besides wall
# times it prints CPU seconds (user + system) of sha256sum, of curl and of the server during the upload: on a
# machine shared with other work the wall times follow each process's share of the cores, the CPU times do not.
# Usage: bench/upload-speed.sh [ROUNDS=3] [MODEL=bench/out/matmul-1.5g.onnx]
# The 1.5 GB model (24 x 63 MB MatMul weights) is generated on first use into bench/out/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"
model="${2:-$here/bench/out/matmul-1.5g.onnx}"

# shellcheck source=bench/lib/serve.sh
source "$here/bench/lib/serve.sh"

echo "== build" >&2
bench_build
bench_matmul_model "$model"
bytes="$(stat -c %s "$model")"

# The data folder sits on the same file system as the work folder; the launcher execs java, so $! is the JVM.
bench_serve upload-speed --max-upload "$((bytes + 1048576))"

cat "$model" >/dev/null  # page cache warm for both, as it would be for a file just written
ticks="$(getconf CLK_TCK)"
server_cpu() { awk -v t="$ticks" '{printf "%.2f", ($14 + $15) / t}' "/proc/$pid/stat"; }
printf '%-6s %-22s %-32s %-7s %s\n' round "sha256sum: wall (cpu)" "upload: wall (cpu curl + server)" ratio \
  "server: where the upload's time went"
for r in $(seq 1 "$rounds"); do
  t0="$(date +%s.%N)"
  sum="$(/usr/bin/time -f '%U %S' -o "$work/sum.cpu" sha256sum "$model" | cut -d' ' -f1)"
  t1="$(date +%s.%N)"
  s0="$(server_cpu)"
  answer="$(/usr/bin/time -f '%U %S' -o "$work/curl.cpu" \
    curl -s -o "$work/answer.json" -w '%{http_code} %{time_total}' -F "model=@$model" "$base/api/v1/models")"
  s1="$(server_cpu)"
  code="${answer% *}"
  [ "$code" = 201 ] || { echo "upload-speed: HTTP $code: $(cat "$work/answer.json")" >&2; exit 1; }
  grep -q "\"sha256\" *: *\"$sum\"" "$work/answer.json" || { echo "upload-speed: sha256 differs: $(cat "$work/answer.json")" >&2; exit 1; }
  hash_s="$(echo "$t1 - $t0" | bc)"
  phases="$(grep 'stored model' "$work/serve.log" | tail -1 | sed 's/.*); //')"
  sum_cpu="$(awk '{printf "%.2f", $1 + $2}' "$work/sum.cpu")"
  curl_cpu="$(awk '{printf "%.2f", $1 + $2}' "$work/curl.cpu")"
  printf '%-6s %-22s %-32s %-7.2f %s\n' "$r" "$(printf '%.2f s (%s s)' "$hash_s" "$sum_cpu")" \
    "$(printf '%.2f s (%s s + %.2f s)' "${answer#* }" "$curl_cpu" "$(echo "$s1 - $s0" | bc)")" \
    "$(echo "${answer#* } / $hash_s" | bc -l)" "$phases"
  curl -s -o /dev/null -X DELETE "$base/api/v1/models/$sum"
done
echo "model: $model, $bytes bytes"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%F %H:%M UTC')"
