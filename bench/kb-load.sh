#!/usr/bin/env bash
# Knowledge-base start-up cost: KnowledgeBase.bundled() timed cold (first call in a fresh JVM: read, parse and
# validate every tensorrt-*.json, Jackson class loading included) in N fresh JVMs, for the whole knowledge base
# and for its first 14 releases (7.0 ... 10.1, the size before 10.2 ... 11.3 were added; a releases.txt overlay
# put first on the classpath), so the difference is what the added releases cost; plus a warm reload in each JVM
# (the part proportional to the data). Thread CPU is the calling thread's: the loader parses on up to one thread
# per core, so the process's CPU over the cold load (helper and JIT compiler threads included) is printed too.
# Target: under 100 ms added to start-up for ~35 releases.
# Usage: bench/kb-load.sh [jvms=6]
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file=bench/target/classpath.txt
# One reactor invocation: bench's dependencies resolve to the modules just built (never mvn install).
./mvnw -q -B -ntp -o -pl bench -am -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile="$PWD/$cp_file" >&2
cp="bench/target/classes:compat-matrix/target/classes:$(grep -v '^$' "$cp_file" | tr '\n' ':' | sed 's#[^:]*compat-matrix[^:]*:##g')"
overlay=bench/target/kb-first-14/dev/trtcompat/rules
mkdir -p "$overlay"
grep -v '^#' compat-matrix/src/main/resources/dev/trtcompat/rules/releases.txt | head -14 > "$overlay/releases.txt"
n="${1:-6}"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
median() { sort -n | awk '{v[NR]=$1} END {printf "%.1f", v[int((NR+1)/2)]}'; }
# The two configurations alternate JVM by JVM, so that a change in the machine's load during the run (other
# builds on a shared machine) weighs on both alike.
all_out=""
first_out=""
for _ in $(seq "$n"); do
  all_out+=$(java -XX:+UseSerialGC -cp "$cp" dev.trtcompat.bench.KnowledgeBaseLoad 5)$'\n'
  first_out+=$(java -XX:+UseSerialGC -cp "bench/target/kb-first-14:$cp" dev.trtcompat.bench.KnowledgeBaseLoad 5)$'\n'
done
for set in all first-14; do
  out="$all_out"
  [ "$set" = first-14 ] && out="$first_out"
  out=$(echo "$out" | grep -v '^$')
  echo "$out" | head -1
  # fields: ... wall <8> ms thread-cpu <11> ms warm reload thread-cpu <16> ms process-cpu <19> ms
  echo "$set: $n fresh JVMs, cold KnowledgeBase.bundled() wall median $(echo "$out" | awk '{print $8}' | median) ms," \
    "thread CPU median $(echo "$out" | awk '{print $11}' | median) ms, process CPU median" \
    "$(echo "$out" | awk '{print $19}' | median) ms; warm reload thread CPU median" \
    "$(echo "$out" | awk '{print $16}' | median) ms"
done
