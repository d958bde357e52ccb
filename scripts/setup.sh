#!/usr/bin/env bash
# setup.sh — installs the Debian packages dropnet needs, only those missing.
# Called by `make setup` (which `make demo`, `make test`, `make fashion` and `make paper` run
# first; a plain `make` never does) and by .ci/run, so a fresh machine needs nothing done by hand. Needs root or sudo only when something is missing.
set -euo pipefail

packages=(
  make gcc libc6-dev          # the build
  zlib1g-dev libcjson-dev     # gzip (IDX files) and JSON (safetensors headers)
  clang libomp-14-dev         # the second compiler CI builds with, and its OpenMP runtime
  valgrind                    # CI's memory check of the demo
  dataset-fashion-mnist       # the real data set (tests use a subset; `make fashion` all of it)
  chromium fonts-dejavu-core  # renders the HTML report headless in the test suite (docs/REPORT.md)
  python3-venv python3-pip python3-setuptools python3-numpy  # the Python package (python/)
  python3-pytest python3-torch python3-sklearn python3-pandas # its tests' references
  python3-scipy               # scripts/test_doc_tables.py's reference for make paper's statistics
  libopenblas0-openmp libopenblas0-pthread  # numpy's and PyTorch's BLAS (libblas.so.3): without
                              # them Debian's reference BLAS makes bench-peers' PyTorch figures
                              # meaningless; bench/peers.py runs each build (bench/RESULTS.md)
  emscripten nodejs          # make web: the playground as WebAssembly; node drives its test (docs/PLAYGROUND.md)
  protobuf-c-compiler libprotobuf-c-dev libonnx-dev  # ONNX: protoc-c, its runtime, onnx.proto
  python3-onnx               # ONNX tests: the checker (node + npm for onnxruntime-node come with nodejs)
  openmpi-bin libopenmpi-dev  # make mpi / test-mpi: data-parallel training (docs/SCALING.md)
  time                        # /usr/bin/time: test-mpi measures each rank's peak memory
  "$@"                        # extras a build asks for (make BLAS=openblas: libopenblas-openmp-dev)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
