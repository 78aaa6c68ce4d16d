#!/usr/bin/env bash
# The figures of docs/quantization.md's "Accuracy report" table: QuantizerTest's requests (same models, data and
# seeds; see AccuracyTable) measured again, one table row per line: model | data | method | cosine min measured.
# Usage: bench/quantize/accuracy-table.sh [THREADS]   (default 1: one ONNX Runtime thread, as the doc's figures)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
(cd "$here" && ./mvnw -B -q -o -pl converter -am test-compile >&2 && ./mvnw -B -q -o -pl web -am package -DskipTests >&2)
echo "commit $(git -C "$here" rev-parse --short HEAD)$(git -C "$here" diff --quiet HEAD -- converter/src/main || echo ' (with uncommitted changes)'), $(date -u +%Y-%m-%dT%H:%MZ), threads ${1:-1}"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
java -Dtrtcompat.repo="$here" -cp "$here/converter/target/test-classes:$here/compat-matrix/target/test-classes:$here/web/target/lib/*" \
  dev.trtcompat.quantize.AccuracyTable "${1:-1}"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
