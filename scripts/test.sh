#!/bin/sh
# Builds and runs the whole test suite: the Release build, then the same suite under
# AddressSanitizer and UndefinedBehaviorSanitizer. `scripts/test.sh release` or
# `scripts/test.sh asan` runs one of them.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh tests
presets="${*:-release asan}"
for preset in $presets; do
  echo "gaze: building and testing the '$preset' preset"
  scripts/configure-preset.sh "$preset"
  cmake --build --preset "$preset"
  ctest --preset "$preset"
done
