#!/usr/bin/env bash
# Compares the ONNX Runtime reference harness (trt-compat run) with a bare Java loop over the same session,
# for a classification model (torchvision resnet18) and a detection model (torchvision SSDlite320), both
# exported with random weights by bench/models/export_models.py (needs Debian's python3-torchvision).
# Usage: bench/reference-overhead.sh [THREADS] [ROUNDS]   (defaults: all processors, 3 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${1:-$(nproc)}"
rounds="${2:-3}"
models=bench/target/models
if [ ! -f "$models/resnet18.onnx" ] || [ ! -f "$models/ssdlite320.onnx" ]; then
  if ! /usr/bin/python3 -c "import torchvision" 2>/dev/null; then
    echo "reference-overhead: installing python3-torchvision to export the models"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-torchvision >/dev/null
  fi
  /usr/bin/python3 bench/models/export_models.py "$models" 2>/dev/null
fi
./mvnw -B -q -pl bench -am package -Dmaven.test.skip=true dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
cp="bench/target/classes:$(cat bench/target/classpath.txt)"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
java -cp "$cp" dev.trtcompat.bench.ReferenceOverheadBench "$models/resnet18.onnx" 30 5 "$threads" "$rounds" images:1x3x224x224
java -cp "$cp" dev.trtcompat.bench.ReferenceOverheadBench "$models/ssdlite320.onnx" 10 3 "$threads" "$rounds"
