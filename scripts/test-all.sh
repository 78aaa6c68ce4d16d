#!/usr/bin/env bash
# The project's one test command (README). It prepares a brand-new Debian machine itself:
# installs the test corpus and the real parts the tests use, starts a Docker engine when none
# answers, starts a throwaway PostgreSQL cluster, then runs every test of every module.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
# chromium + chromium-driver (+ a font for legible failure screenshots): web's real-browser tests
# (@Tag("browser")) drive Debian's builds by path.
for p in libonnx-testdata docker.io busybox-static postgresql python3-onnx chromium chromium-driver fonts-liberation; do
  have_pkg "$p" || need_pkgs+=("$p")
done
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  echo "test-all: installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

# A Docker engine for the container tests: no bridge, no iptables, containers run with --network none.
if ! docker info >/dev/null 2>&1; then
  echo "test-all: starting dockerd"
  mkdir -p /var/log
  nohup dockerd --bridge=none --iptables=false >/var/log/trt-compat-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { echo "test-all: dockerd did not start; see /var/log/trt-compat-dockerd.log" >&2; exit 1; }
fi

# A throwaway PostgreSQL cluster (127.0.0.1:55432) for the PostgreSQL tests; they fail without it.
eval "$(bash scripts/test-postgres.sh)"
export TRTCOMPAT_TEST_PG_URL

exec ./mvnw -B -ntp verify "$@"
