#!/bin/sh
# Configures a CMake preset (`scripts/configure-preset.sh release`). The presets build with Ninja,
# which compiles every library's files as soon as a core is free instead of one target after the
# other as make does; a build directory that an older checkout configured with make cannot switch
# generator in place (CMake refuses), so it is started afresh, with one line saying so.
set -eu
cd "$(dirname "$0")/.."
preset="$1"
cache="build/$preset/CMakeCache.txt"
if [ -f "$cache" ] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$cache"; then
  echo "gaze: build/$preset was configured with another generator than the presets' Ninja; removing it to configure afresh"
  rm -rf "build/$preset"
fi
cmake --preset "$preset"
