// Starting a run in a run directory: whether it already holds one, which checkpoint --resume
// stands for, and the check that a resumed run is the same run.
#pragma once
#include <string>

#include "trainers/app/run_directory.h"
#include "trainers/lib/config/config.h"

namespace gaze {

// Whether the run directory holds (part of) a run: a metrics log or a checkpoint.
bool holds_run(const RunPaths& paths);
// Fails saying how to continue the run in `paths` or start another one.
[[noreturn]] void refuse_existing_run(const RunPaths& paths);
// Where a resumed run starts: the checkpoint directory `resume` stands for, or "" for `auto` on a
// run that has none yet (never started, or stopped before its first checkpoint): it starts from
// the beginning, since nothing of it could be kept.
std::string checkpoint_to_resume(const std::string& resume, const RunPaths& paths);
// A resumed run must be the same run: the keys that shape the results may not change.
void check_same_run(const Config& config, const RunPaths& paths);

}  // namespace gaze
