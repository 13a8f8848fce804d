#!/bin/sh
# The main job: install what is missing, build gaze in Release and run it.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release
cmake --build --preset release
build/release/gaze info
