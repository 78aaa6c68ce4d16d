#!/usr/bin/env bash
# Measures the container runner on the local trtexec test double image (no GPU needed):
#  1. per-run overhead of ContainerRunner.run against a bare `docker run --rm --network none` of the same
#     image and command (median of N, default 20; target < 0.5 s);
#  2. 8 runs of `sleep 1` queued at a limit of 2 (total should be about 4 x one run; nothing left behind).
# Needs a Docker engine (see scripts/test-all.sh) and busybox-static for the test image.
# Usage: bench/container-overhead.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20}"
containers/test-image/build.sh >/dev/null
./mvnw -B -q -pl containers -am test-compile -DskipTests
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
./mvnw -B -q -pl containers dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null
exec java -Dtrtcompat.repo="$PWD" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "containers/target/test-classes:containers/target/classes:compat-matrix/target/classes:$(cat "$cp_file")" \
  dev.trtcompat.docker.ContainerOverheadBench "$runs"
