#!/usr/bin/env bash
# Uploads a generated model of SIZE bytes (default 1 GiB; sparse file, so it costs no disk to make) to a
# fresh `trt-compat serve` and prints the upload time and the server's peak resident memory before and
# after: the upload is streamed to disk, so the peak must not grow with the file.
# Usage: bench/web-upload.sh [SIZE_BYTES]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
size="${1:-1073741824}"
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

python3 - "$work/model.onnx" "$size" <<'PY'
import sys
def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7f; n >>= 7
        if n: out.append(b | 0x80)
        else: out.append(b); return bytes(out)
def key(num, wire): return varint(num << 3 | wire)
def ld(num, payload): return key(num, 2) + varint(len(payload)) + payload
path, size = sys.argv[1], int(sys.argv[2])
n = size // 4
def value(name):  # ValueInfoProto: FLOAT [n]
    shape = ld(2, ld(1, key(1, 0) + varint(n)))
    return ld(1, name.encode()) + ld(2, ld(1, key(1, 0) + varint(1) + shape))
node = ld(1, b"x") + ld(1, b"W") + ld(2, b"y") + ld(4, b"Mul")
tensor_head = key(1, 0) + varint(n) + key(2, 0) + varint(1) + ld(8, b"W") + key(9, 2) + varint(size)
init_head = key(5, 2) + varint(len(tensor_head) + size) + tensor_head
graph_rest = ld(1, node) + ld(2, b"g") + ld(11, value("x")) + ld(12, value("y"))
with open(path, "wb") as f:
    f.write(key(1, 0) + varint(8) + ld(8, ld(1, b"") + key(2, 0) + varint(17)))
    f.write(key(7, 2) + varint(len(graph_rest) + len(init_head) + size) + graph_rest + init_head)
    f.seek(size, 1); f.truncate()
PY

"$here/trt-compat" --version >/dev/null  # builds the jar when needed
java -XX:+UseG1GC -jar "$here/web/target/trt-compat.jar" serve --port 0 --data-dir "$work/data" \
  --max-upload "$((size + 1048576))" 2>"$work/serve.log" &
pid=$!
for _ in $(seq 1 120); do grep -q "serving on" "$work/serve.log" && break; sleep 0.5; done
url="$(grep -o 'http://127.0.0.1:[0-9]*/' "$work/serve.log")"
before="$(awk '/VmHWM/ {print $2}' /proc/$pid/status)"
t="$(curl -s -o "$work/answer.json" -w '%{http_code} %{time_total}' -F "model=@$work/model.onnx" "${url}api/v1/models")"
after="$(awk '/VmHWM/ {print $2}' /proc/$pid/status)"
echo "model:              $(stat -c %s "$work/model.onnx") bytes"
echo "upload:             HTTP ${t% *} in ${t#* } s"
echo "server peak RSS:    $((before / 1024)) MiB before, $((after / 1024)) MiB after the upload"
