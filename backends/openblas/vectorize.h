// GAZE_VECTORIZE: compile a loop twice, for x86-64-v3 (AVX2, FMA, ...) and for the baseline
// x86-64, and pick the version at load time from what the CPU supports.
//
// The level is named, not a CPU: GCC resolves target_clones("arch=haswell") with
// __builtin_cpu_is("haswell"), true only on Intel's Haswell itself, so every later Intel CPU and
// every AMD one ran the SSE2 version. "arch=x86-64-v3" tests the ISA level's feature bits.
//
// Both versions give the same results: the project compiles without -ffast-math and with
// floating-point contraction off (ISO C++ mode), so the wider version only does the same
// operations on more elements at once.
#pragma once

#define GAZE_VECTORIZE __attribute__((target_clones("arch=x86-64-v3", "default")))
// The same with an x86-64-v4 (AVX-512) version too, for the fused attention's row loops (exp,
// max, sums over a tile's rows), where twice the width pays.
#define GAZE_VECTORIZE_WIDE __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
