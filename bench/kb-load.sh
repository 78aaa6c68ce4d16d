#!/usr/bin/env bash
# Knowledge-base start-up cost: KnowledgeBase.bundled() timed cold (first call in a fresh JVM: read, parse and
# validate every tensorrt-*.json, Jackson class loading included) in N fresh JVMs; median and p90 of wall and
# thread CPU time (target: under 100 ms added to start-up for ~35 releases).
# Usage: bench/kb-load.sh [jvms=20]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -ntp -o -pl bench -am package -DskipTests >&2
cp_file=bench/target/classpath.txt
./mvnw -q -B -ntp -o -pl bench dependency:build-classpath -Dmdep.outputFile="$PWD/$cp_file" >&2 || true
# compat-matrix comes from the reactor build, not from ~/.m2 (never mvn install)
cp="bench/target/classes:compat-matrix/target/classes:$(grep -v '^$' "$cp_file" | tr '\n' ':' | sed 's#[^:]*compat-matrix[^:]*:##g')"
n="${1:-20}"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
out=$(for _ in $(seq "$n"); do java -XX:+UseSerialGC -cp "$cp" dev.trtcompat.bench.KnowledgeBaseLoad; done)
echo "$out" | head -1
stat() { # column -> "median p90 min" of that column over the runs
  echo "$out" | awk -v f="$1" '{print $f}' | sort -n | awk '{v[NR]=$1} END {
    p=int(NR*0.9); if (p<1) p=1; printf "%.1f %.1f %.1f", v[int((NR+1)/2)], v[p], v[1] }'
}
read -r wm wp wmin <<<"$(stat 9)"
read -r cm cp90 cmin <<<"$(stat 11)"
echo "cold KnowledgeBase.bundled() over $n fresh JVMs: wall median $wm ms, p90 $wp ms, min $wmin ms;" \
  "thread CPU median $cm ms, p90 $cp90 ms"
