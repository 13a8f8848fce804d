#include "trainers/app/hooks/standard_hooks.h"

namespace gaze {

std::vector<std::unique_ptr<Hook>> standard_hooks(const Config& config, const TrainOptions& options) {
  std::vector<std::unique_ptr<Hook>> hooks;
  hooks.push_back(make_schedule_hook(config));
  hooks.push_back(make_logging_hook(config, options.progress));
  hooks.push_back(make_evaluation_hook(config));
  hooks.push_back(make_pictures_hook());
  if (config.boolean("log.tensorboard")) hooks.push_back(make_tensorboard_hook());
  hooks.push_back(make_checkpoint_hook(config, options));
  return hooks;
}

}  // namespace gaze
