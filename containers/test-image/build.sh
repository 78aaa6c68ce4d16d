#!/usr/bin/env bash
# Builds the trtexec TEST DOUBLE image: a LOCAL stand-in for nvcr.io/nvidia/tensorrt used by trt-compat's
# tests and benchmarks on machines without a GPU or registry access. It is not TensorRT: its `trtexec`
# replays real recorded trtexec logs (see ./trtexec and logs/INDEX.tsv).
#
# The root filesystem is Debian's static busybox plus the replay script, imported with `docker import`
# (no registry, no network). The image is named trt-compat-test-double/tensorrt:<tag> and labelled
# dev.trtcompat.test-double=true. Re-running is cheap: an image whose content label matches is kept.
#
# Usage: containers/test-image/build.sh [TAG ...]   (default tag: latest)
#   TRTCOMPAT_TEST_DOUBLE_REPO overrides the repository name (default trt-compat-test-double/tensorrt).
# Prints the full reference of every image it made or found, one per line.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="${TRTCOMPAT_TEST_DOUBLE_REPO:-trt-compat-test-double/tensorrt}"
tags=("$@")
[ "${#tags[@]}" -gt 0 ] || tags=(latest)

# Static, so it runs in an image that has no C library. Debian's busybox-static installs it as /bin/busybox.
busybox="${TRTCOMPAT_BUSYBOX:-/bin/busybox}"
linkage="$(LC_ALL=C ldd "$busybox" 2>&1 || true)"
if [ ! -x "$busybox" ] || ! grep -qE 'not a dynamic executable|statically linked' <<<"$linkage"; then
  echo "build.sh: needs a statically linked busybox at $busybox (Debian package busybox-static)" >&2
  exit 1
fi
docker info >/dev/null 2>&1 || { echo "build.sh: no Docker engine answers (DOCKER_HOST=${DOCKER_HOST:-unix:///var/run/docker.sock})" >&2; exit 1; }

content="$(cat "$busybox" "$here/trtexec" "$here/build.sh" "$here"/logs/* | sha256sum | cut -c1-16)"

image_content() { docker image inspect -f '{{ index .Config.Labels "dev.trtcompat.test-double.content" }}' "$1" 2>/dev/null || true; }

base="$repo:${tags[0]}"
if [ "$(image_content "$base")" != "$content" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  root="$work/rootfs"
  mkdir -p "$root"/{bin,usr/bin,usr/local/bin,tmp,models,out,etc,opt/trtexec-test-double/logs,workspace,proc,sys,dev}
  chmod 1777 "$root/tmp"
  cp "$busybox" "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done
  cp "$here/trtexec" "$root/usr/local/bin/trtexec"
  chmod 755 "$root/usr/local/bin/trtexec"
  cp "$here"/logs/* "$root/opt/trtexec-test-double/logs/"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
  printf 'This image is a TEST DOUBLE for nvcr.io/nvidia/tensorrt built by trt-compat. It contains no TensorRT.\n' \
    > "$root/README.test-double"
  tar -C "$root" --numeric-owner --owner=0 --group=0 -cf - . | docker import \
    --change 'LABEL dev.trtcompat.test-double=true' \
    --change "LABEL dev.trtcompat.test-double.content=$content" \
    --change 'LABEL org.opencontainers.image.description="trt-compat test double of the TensorRT container: trtexec replays recorded logs"' \
    --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
    --change 'WORKDIR /workspace' \
    --change 'CMD ["/bin/sh"]' \
    - "$base" >/dev/null
fi
echo "$base"
for tag in "${tags[@]:1}"; do
  if [ "$(image_content "$repo:$tag")" != "$content" ]; then docker tag "$base" "$repo:$tag"; fi
  echo "$repo:$tag"
done
