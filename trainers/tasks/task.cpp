#include "trainers/tasks/task.h"

#include "trainers/tasks/registry.h"

namespace gaze {

const char* split_name(Split split) { return split == Split::test ? "test" : "val"; }

std::unique_ptr<Task> make_task(const Config& config) { return task_factory(config.component("task"))(config); }

}  // namespace gaze
