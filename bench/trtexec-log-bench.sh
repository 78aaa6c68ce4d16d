#!/usr/bin/env bash
# Prints how fast the trtexec log parser reads a generated --verbose log, with the heap capped at 64 MiB
# (the log is generated on the fly, so a run that finishes shows memory does not grow with its length).
# Usage: bench/trtexec-log-bench.sh [lines] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl bench -am package -DskipTests
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
# Sibling modules come from their target/classes (nothing is installed to ~/.m2); the rest from Maven.
./mvnw -B -q -pl bench dependency:build-classpath -Dmdep.outputFile="$cp_file" -DexcludeGroupIds=dev.trtcompat >/dev/null
modules="bench/target/classes:converter/target/classes:containers/target/classes:compat-matrix/target/classes"
java -Xmx64m -cp "$modules:$(cat "$cp_file")" dev.trtcompat.bench.TrtexecLogBench "$@"
