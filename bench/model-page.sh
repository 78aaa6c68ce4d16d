#!/usr/bin/env bash
# The model page of a large model: size and answer time of the first and the cached view, for chain graphs of the
# given node counts (dev.trtcompat.bench.ChainGraph), plus a paged and a searched view of the graph listing. Starts
# its own `trt-compat serve` on a free loopback port with a fresh data folder and removes both at the end.
# Targets (issue 15): under 300 KB, under 300 ms for the first view, under 20 ms cached. FIRST_VIEW=now also
# reports when the complete page (every section filled) becomes available after the upload's answer.
# Usage: [FIRST_VIEW=ready|now] bench/model-page.sh [node counts...=3000 300000]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(3000 300000)
# shellcheck source=bench/lib/serve.sh
source "$here/bench/lib/serve.sh"

bench_build -o
mkdir -p "$here/bench/out/chain"
for n in "${sizes[@]}"; do
  f="$here/bench/out/chain/chain-$n.onnx"
  [ -f "$f" ] || java -cp "$here/bench/target/classes:$here/web/target/trt-compat.jar" dev.trtcompat.bench.ChainGraph "$f" "$n" >&2
done

bench_serve model-page

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
get() {  # prints: HTTP status, bytes, seconds
  curl -gs -o /dev/null -w '%{http_code} %{size_download} %{time_total}' "$1"
}
for n in "${sizes[@]}"; do
  code="$(curl -s -o "$work/upload.json" -w '%{http_code}' -F "model=@$here/bench/out/chain/chain-$n.onnx" "$base/api/v1/models")"
  case "$code" in 200|201) ;; *) echo "model-page: upload answered HTTP $code: $(cat "$work/upload.json")" >&2; exit 1 ;; esac
  uploaded=$(date +%s.%N)
  id="$(grep -o '"id" *: *"[0-9a-f]*"' "$work/upload.json" | head -1 | grep -o '[0-9a-f]\{64\}')"
  # The server starts the model's analysis when the upload is stored. FIRST_VIEW=now asks for the page at once: a
  # large model's first view answers without waiting, its verdict, matrix and graph sections "analysing"
  # placeholders (data-analysing), and the page is asked for again every 0.2 s until it comes complete (what
  # model.js does every second). By default the first view is taken once the analysis is ready: the page render
  # with the analysis at hand, what a user who reads the upload's answer first gets.
  if [ "${FIRST_VIEW:-ready}" = ready ]; then
    for _ in $(seq 1 1200); do grep -q "analysis of model $id .* ready in" "$work/serve.log" && break; sleep 0.1; done
    echo "chain-$n: background analysis: $(grep -o "analysis of model $id .* ready in [0-9]* ms" "$work/serve.log" | grep -o '[0-9]* nodes) ready in [0-9]* ms'), seen $(awk -v a="$uploaded" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}') s after the upload's answer"
    echo "chain-$n: first view:  $(get "$base/models/$id")  (status, bytes, seconds)"
  else
    curl -s -o "$work/page.html" -w '%{http_code} %{size_download} %{time_total}' "$base/models/$id" >"$work/first"
    placeholders=$(grep -o 'data-analysing' "$work/page.html" | wc -l)
    echo "chain-$n: first view:  $(cat "$work/first")  (status, bytes, seconds; $placeholders section(s) analysing)"
    polls=0
    while grep -q 'data-analysing' "$work/page.html"; do
      sleep 0.2
      polls=$((polls + 1))
      [ $polls -gt 600 ] && { echo "model-page: the page of $id was still analysing after 2 minutes" >&2; exit 1; }
      curl -s -o "$work/page.html" -w '%{http_code} %{size_download} %{time_total}' "$base/models/$id" >"$work/last"
    done
    echo "chain-$n: complete page: $(cat "$work/last" 2>/dev/null || cat "$work/first") (status, bytes, seconds of that request), available $(awk -v a="$uploaded" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}') s after the upload's answer ($polls polls)"
  fi
  echo "chain-$n: second view: $(get "$base/models/$id")"
  echo "chain-$n: graph page 1000 of the listing: $(get "$base/models/$id?graph-page=1000")"
  echo "chain-$n: graph page 1000 again (cached): $(get "$base/models/$id?graph-page=1000")"
  echo "chain-$n: graph search 'b2999.': $(get "$base/models/$id?graph-q=b2999.")"
  echo "chain-$n: graph search 'b2999.' again (cached): $(get "$base/models/$id?graph-q=b2999.")"
  echo "chain-$n: nodes JSON, offset 1000 limit 100: $(get "$base/api/v1/models/$id/nodes?offset=1000&limit=100")"
done
