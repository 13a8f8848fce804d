// The number of threads every CPU backend uses. OpenBLAS (Debian's openmp flavour), oneDNN and
// gaze's own loops all run on the one libgomp pool, so one setting governs them all and no two
// pools spin against each other.
#pragma once

namespace gaze {

// n >= 1. The initial value is GAZE_NUM_THREADS when set, else the hardware's thread count.
void set_num_threads(int n);
int num_threads();

}  // namespace gaze
