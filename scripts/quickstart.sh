#!/bin/sh
# The main job: install what is missing, build gaze in Release and train the quickstart config
# (a small CBAM ResNet on Fashion-MNIST, about two minutes on 2 cores) into a new run directory.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/configure-preset.sh release
cmake --build --preset release
build/release/gaze info
build/release/gaze train configs/quickstart.yaml --set log.name="quickstart-$(date +%Y%m%d-%H%M%S)"
