# Sourced (not run) by the bench scripts that drive a `trt-compat serve`; they set $here (the repository root)
# first. Gives them:
#   $work                      a temporary folder, removed at exit together with the server
#   bench_build [mvn args...]  builds web and bench from this tree (never mvn install) and lets the launcher
#                              refresh its class-data-sharing archive before anything is timed
#   bench_matmul_model FILE    the 1.5 GB synthetic MatMul model at FILE, generated if missing (below)
#   bench_serve NAME [args...] starts `trt-compat serve` on a free loopback port with its data in $work/data and
#                              sets $pid (the JVM: the launcher execs java) and $base (http://127.0.0.1:PORT);
#                              environment assignments before the call (TRT_COMPAT_JAVA_OPTS=...) reach the JVM
work="$(mktemp -d)"
pid=""
bench_cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap bench_cleanup EXIT

bench_build() {
  (cd "$here" && ./mvnw -q -B -ntp "$@" -DskipTests -pl web,bench -am package >&2)
  "$here/trt-compat" --version >/dev/null
}

bench_serve() {
  local name="$1"
  shift
  "$here/trt-compat" serve --port 0 --data-dir "$work/data" "$@" 2>"$work/serve.log" &
  pid=$!
  for _ in $(seq 1 240); do grep -q "serving on" "$work/serve.log" && break; sleep 0.5; done
  base="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.log" | head -1)"
  [ -n "$base" ] || { echo "$name: the server did not start:" >&2; cat "$work/serve.log" >&2; exit 1; }
}

# bench_matmul_model FILE: the 1.5 GB synthetic model (24 MatMul layers of 3968 x 3968 FLOAT weights) at FILE,
# generated (streamed, about a minute) unless it is there already. Call after bench_build.
bench_matmul_model() {
  [ -f "$1" ] && return
  echo "== generating $1 (streamed, about a minute)" >&2
  local cp="$here/bench/target/classes:$here/compat-matrix/target/classes"
  cp="$cp:$(ls "$here"/web/target/lib/protobuf-java-*.jar)"
  java -cp "$cp" dev.trtcompat.bench.BenchModels "$(dirname "$1")" matmul-1.5g >&2
}
