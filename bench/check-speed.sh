#!/usr/bin/env bash
# Static checker speed: every TensorRT release of the knowledge base checked for a generated ~1,400-node
# detection-class graph, after parsing; median of repeated runs in one JVM (target < 50 ms).
# Usage: bench/check-speed.sh [nodes=1400] [runs=50] [warmup=20]
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file=bench/target/classpath.txt
# One reactor invocation: bench's dependencies resolve to the modules just built (never mvn install).
./mvnw -q -B -ntp -pl bench -am -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile="$PWD/$cp_file" >&2
# compat-matrix comes from the reactor build, not from ~/.m2 (never mvn install)
cp="bench/target/classes:compat-matrix/target/classes:$(grep -v '^$' "$cp_file" | tr '\n' ':' | sed 's#[^:]*compat-matrix[^:]*:##g')"
echo "machine: $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
exec java -XX:+UseSerialGC -cp "$cp" dev.trtcompat.bench.CheckSpeed "${1:-1400}" "${2:-50}" "${3:-20}"
