// An ImageSet (Fashion-MNIST) seen as an ExampleSource: input [C, H, W] after data.transforms,
// target the class index. The classification task's data, batched by the same DataLoader as the
// synthetic tasks'.
#pragma once
#include "trainers/lib/data/example_source.h"
#include "trainers/lib/data/image_set.h"
#include "trainers/lib/data/transforms.h"

namespace gaze {

class ImageSetSource : public ExampleSource {
 public:
  // Keeps a reference to `set`: it must outlive the source. The transforms are checked here.
  ImageSetSource(const ImageSet& set, TransformOptions transforms);

  int64_t size() const override { return set_.size(); }
  Shape input_shape() const override { return {set_.channels, set_.height, set_.width}; }
  Shape target_shape() const override { return {}; }
  void example(int64_t index, Generator* augment, float* input, int64_t* target) const override;
  const std::vector<std::string>& class_names() const override { return set_.class_names; }

  const ImageSet& set() const { return set_; }
  const TransformOptions& transforms() const { return transforms_; }

 private:
  const ImageSet& set_;
  TransformOptions transforms_;
};

}  // namespace gaze
