#!/usr/bin/env bash
# Before/after of the knowledge-base start-up cost (what bench/kb-load.sh measures) for two checkouts on one
# machine: the four configurations (before and after, whole knowledge base and first 14 releases) run in turn
# JVM by JVM, so a shared machine's changing load weighs on all of them alike. Prints each JVM's line, then per
# configuration the median cold wall, thread CPU and process CPU, and the median over rounds of (all - first 14)
# per checkout, wall and thread CPU.
# Each checkout must have run bench/kb-load.sh once (it builds bench and writes the classpath and overlay).
# Usage: bench/kb-load-compare.sh BEFORE_DIR AFTER_DIR [rounds=6]
#   e.g. git worktree add --detach /tmp/kb-before main && (cd /tmp/kb-before && bench/kb-load.sh 1)
set -euo pipefail
before=$(cd "$1" && pwd)
after=$(cd "$2" && pwd)
n="${3:-6}"
cpof() {
  echo "$1/bench/target/classes:$1/compat-matrix/target/classes:$(grep -v '^$' "$1/bench/target/classpath.txt" \
    | tr '\n' ':' | sed 's#[^:]*compat-matrix[^:]*:##g')"
}
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
out=""
for _ in $(seq "$n"); do
  for dir in "$before" "$after"; do
    name=before
    [ "$dir" = "$after" ] && name=after
    line=$(java -XX:+UseSerialGC -cp "$(cpof "$dir")" dev.trtcompat.bench.KnowledgeBaseLoad 5)
    out+="$name-all $line"$'\n'
    line=$(java -XX:+UseSerialGC -cp "$dir/bench/target/kb-first-14:$(cpof "$dir")" dev.trtcompat.bench.KnowledgeBaseLoad 5)
    out+="$name-14 $line"$'\n'
  done
done
printf '%s' "$out"
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -n | awk '{v[NR]=$1} END {if (NR) printf "%.1f", v[int((NR+1)/2)]; else printf "n/a"}'; }
# fields after the configuration name: wall <9>, thread CPU <12>, process CPU <20> (where the checkout prints it)
for cfg in before-all before-14 after-all after-14; do
  echo "$cfg: cold wall median $(printf '%s' "$out" | awk -v c="$cfg" '$1 == c {print $9}' | median) ms," \
    "thread CPU median $(printf '%s' "$out" | awk -v c="$cfg" '$1 == c {print $12}' | median) ms," \
    "process CPU median $(printf '%s' "$out" | awk -v c="$cfg" '$1 == c && $20 != "" {print $20}' | median) ms"
done
for name in before after; do
  for f in 9:wall 12:thread-CPU; do
    # the all and first-14 JVMs of one round ran back to back: their difference is the added releases' cost
    d=$(printf '%s' "$out" | awk -v a="$name-all" -v b="$name-14" -v k="${f%%:*}" \
      '$1 == a {x[++i] = $k} $1 == b {y[++j] = $k} END {for (m = 1; m <= i; m++) print x[m] - y[m]}' | median)
    echo "$name: 35 releases minus first 14, median over $n rounds of the paired difference: $d ms ${f#*:}"
  done
done
