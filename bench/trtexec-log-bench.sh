#!/usr/bin/env bash
# Prints how fast the trtexec log parser reads a generated --verbose log, and its heap growth.
# Usage: bench/trtexec-log-bench.sh [lines] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl bench -am package -DskipTests
cp_file=$(mktemp)
./mvnw -B -q -pl bench dependency:build-classpath -Dmdep.outputFile="$cp_file" >/dev/null
exec java -Xmx256m -cp "bench/target/classes:$(cat "$cp_file")" dev.trtcompat.bench.TrtexecLogBench "$@"
