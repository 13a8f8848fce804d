#!/bin/sh
# Installs, with apt-get, every Debian package gaze needs to build, test and train: the compiler,
# cmake, pkg-config, the libraries (FFmpeg's for video files among them), the pictures' font and the Fashion-MNIST dataset. Packages
# already installed are left alone, so this is quick on a machine that has them. Run as root on
# Debian 12. `scripts/install-deps.sh tests` (what scripts/test.sh runs) also installs what only the
# test suite uses: python3-onnx and python3-opencv, the independent ONNX checker and runtime that
# `gaze export`'s files are checked with (ctest gaze_onnx_opencv).
set -eu

PACKAGES="g++ cmake ninja-build pkg-config git ca-certificates
  libfmt-dev libcli11-dev nlohmann-json3-dev libyaml-cpp-dev doctest-dev
  libopenblas-openmp-dev libdnnl-dev libstb-dev zlib1g-dev fonts-dejavu-core
  libopenmpi-dev openmpi-bin
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev
  dataset-fashion-mnist"
if [ "${1:-}" = tests ]; then
  PACKAGES="$PACKAGES python3-onnx python3-opencv"
fi

missing=""
for package in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $package"
  fi
done

if [ -n "$missing" ]; then
  echo "gaze: installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # --force-unsafe-io: dpkg skips its fsync after each file, most of the time of unpacking the
  # test packages' ~300 dependencies on a bare system; a crash mid-install means rerunning this.
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-unsafe-io $missing
fi
# The CUDA backend builds when the CUDA toolkit with cuDNN and cuBLAS is under /usr/local/cuda;
# it is not a Debian package, and gaze builds without it.
