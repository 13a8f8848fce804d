// The number of threads every CPU backend uses. OpenBLAS (Debian's openmp flavour), oneDNN and
// gaze's own loops all run on the one libgomp pool, so one setting governs them all and no two
// pools spin against each other.
#pragma once

namespace gaze {

// n >= 1. The initial value is GAZE_NUM_THREADS when set, else the hardware's thread count.
void set_num_threads(int n);
int num_threads();

// Denormal floats (below ~1.2e-38) flushed to zero in every thread of the pool (x86 MXCSR FTZ and
// DAZ), on by default: arithmetic on them takes the CPU's slow microcode path, and trained
// attention weights produce them — a Non-local block's steps ran 1.7x slower from trained
// weights than from fresh ones until flushed (docs/backends.md). GAZE_FLUSH_DENORMALS=0 keeps
// IEEE gradual underflow. Threads made later by the calling thread inherit its mode.
void set_flush_denormals(bool on);
bool flush_denormals();
// What `gaze info` and run manifests print about it.
const char* denormals_description();

}  // namespace gaze
