#!/usr/bin/env bash
# Concurrent large uploads with a bounded server heap: writes one valid ONNX model of MB megabytes (one big
# initializer), starts `trt-compat serve` with -Xmx256m on a free loopback port and a fresh data folder, fires
# N uploads at once (each with 8 weight bytes changed, so N distinct models are stored), then checks every
# stored file's SHA-256 against what was sent and what the API answered, and prints per-upload time, total
# wall time, MB/s, the server's peak heap used (from its GC log: the largest heap-before-GC, and the heap at
# the end) and peak RSS (VmHWM). Issue 5's target: 20 concurrent 200 MB uploads all stored intact, heap bounded.
# Usage: bench/upload-load.sh [N=20] [MB=200]     (HEAP=256m to change the server's -Xmx)
# The server is started with --max-concurrent-uploads N (default 8), so all N are received at once.
# Needs N x MB megabytes free under ${TMPDIR:-/tmp} (plus MB for the source model); removed at the end.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
uploads="${1:-20}"
mb="${2:-200}"
heap="${HEAP:-256m}"

# shellcheck source=bench/lib/serve.sh
source "$here/bench/lib/serve.sh"

need=$(( (uploads + 1) * mb * 105 / 100 ))
avail=$(df --output=avail -BM "$work" | tail -1 | tr -dc '0-9')
if [ "$avail" -lt "$need" ]; then
  echo "upload-load: needs about $need MB free under $work, only $avail MB there" >&2
  exit 1
fi

echo "== build" >&2
bench_build

# The launcher execs java, so $! is the server JVM itself. GC events go to a file (the launcher turns JVM
# logging off otherwise); the largest heap-before-GC in it is the peak heap used, since the heap only
# grows between collections.
TRT_COMPAT_JAVA_OPTS="-Xmx$heap -Xlog:gc:file=$work/gc.log" bench_serve upload-load --max-concurrent-uploads "$uploads"
rss_start="$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")"

rc=0
java -XX:+UseSerialGC -Xmx512m -cp "$here/bench/target/classes:$here/web/target/lib/*" dev.trtcompat.bench.UploadLoad \
  --url "$base" --data-dir "$work/data" --work "$work/src" --uploads "$uploads" --mb "$mb" || rc=$?

# e.g. "[1.234s][info][gc] GC(7) Pause Young (Normal) (G1 Evacuation Pause) 120M->20M(256M) 5.1ms"
read -r gc_peak gc_cap gcs < <(grep -o '[0-9]*[KMG]->[0-9]*[KMG]([0-9]*[KMG])' "$work/gc.log" | awk -F'->' '
  function mib(v) { u = substr(v, length(v)); n = substr(v, 1, length(v) - 1) + 0;
                    return u == "K" ? n / 1024 : (u == "G" ? n * 1024 : n) }
  { b = mib($1); if (b > peak) peak = b; split($2, a, "("); c = mib(substr(a[2], 1, length(a[2]) - 1)); if (c > cap) cap = c }
  END { printf "%d %d %d\n", peak, cap, NR }')
end_used_kb="$(jcmd "$pid" GC.heap_info 2>/dev/null | sed -n 's/^ *garbage-first heap .* used \([0-9]*\)K.*/\1/p')"
end_used=$(( ${end_used_kb:-0} / 1024 ))
echo
echo "server: -Xmx$heap, G1, $gcs collections during the run"
echo "server peak heap used: $(( gc_peak > end_used ? gc_peak : end_used )) MiB (largest heap before a GC $gc_peak MiB, at the end $end_used MiB; most committed $gc_cap MiB)"
awk -v s="$rss_start" '/VmHWM/ {printf "server peak RSS (VmHWM): %d MiB (%d MiB before the uploads)\n", $2/1024, s/1024}' "/proc/$pid/status"
grep -i 'exception\|error' "$work/serve.log" | head -5 || true
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%F %H:%M UTC')"
exit "$rc"
