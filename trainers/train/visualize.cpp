#include "trainers/train/visualize.h"

#include <cmath>
#include <filesystem>

#include "autograd/ops.h"
#include "framework/error.h"
#include "layers/attention/attention_map.h"
#include "layers/attention/heatmap.h"

namespace gaze {

namespace fs = std::filesystem;

namespace {

void collect_recorders(Module& module, const std::string& prefix, std::vector<std::pair<std::string, AttentionMapRecorder*>>& out) {
  if (auto* recorder = dynamic_cast<AttentionMapRecorder*>(&module)) out.emplace_back(prefix.empty() ? "model" : prefix, recorder);
  for (auto& [name, child] : module.named_children()) collect_recorders(*child, prefix.empty() ? name : prefix + "." + name, out);
}

std::string file_safe(std::string text) {
  for (char& c : text)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  return text;
}

}  // namespace

Tensor spatial_attention_map(const Tensor& map, int64_t image) {
  NoGradGuard no_grad;
  if (map.dim() == 4 && map.size(2) * map.size(3) > 1) return mean(select(map, 0, image), {0});
  if (map.dim() == 3 && map.size(1) == map.size(2)) {
    const auto side = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(map.size(2)))));
    if (side * side == map.size(2) && side > 1) return reshape(mean(select(map, 0, image), {0}), {side, side});
  }
  return Tensor();
}

AttentionPictures write_attention_pictures(Module& model, const ImageSet& set, const TransformOptions& transforms, int64_t images,
                                           const std::string& out_dir) {
  if (images < 1) fail("visualize: --images must be at least 1 (got {})", images);
  images = std::min(images, set.size());
  std::vector<std::pair<std::string, AttentionMapRecorder*>> recorders;
  collect_recorders(model, "", recorders);
  if (recorders.empty()) fail("visualize: the model has no attention layer (model.attention is empty): nothing to draw");

  std::vector<int64_t> indices;
  for (int64_t i = 0; i < images; ++i) indices.push_back(i);
  Generator unused(0);
  const Tensor batch = make_batch_images(set, indices, transforms, /*augment=*/false, unused);
  for (auto& [_, r] : recorders) r->record_attention(true);
  {
    NoGradGuard no_grad;
    model.eval();
    const auto parameters = model.parameters();
    model.forward(parameters.empty() ? batch : batch.to(parameters.front().device()));
  }

  AttentionPictures out;
  for (int64_t k = 0; k < images; ++k) {
    const int64_t label = set.labels[k];
    const std::string name = label < static_cast<int64_t>(set.class_names.size()) ? set.class_names[label] : std::to_string(label);
    const fs::path dir = fs::path(out_dir) / file_safe(fmt::format("img{}_{}", k, name));
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) fail("visualize: cannot create {}: {}", dir.string(), ec.message());
    // Drawn at least 224 pixels wide (nearest-neighbour, so the pixels stay honest): a 28×28
    // picture is too small to see where a map points.
    const int64_t scale = std::max<int64_t>(1, (224 + batch.size(3) - 1) / batch.size(3));
    const Tensor image = select(interpolate(narrow(batch, 0, k, 1), {batch.size(2) * scale, batch.size(3) * scale}), 0, 0);
    const std::string input = (dir / "input.png").string();
    write_attention_png(input, image, zeros({1, 1}), 0.0);
    out.written.push_back(input);
    for (auto& [layer, recorder] : recorders) {
      const Tensor& map = recorder->last_attention();
      const Tensor spatial = map.defined() ? spatial_attention_map(map.to(Device::cpu()), k) : Tensor();
      if (!spatial.defined()) {
        if (k == 0) out.skipped.push_back(fmt::format("{}: map of shape {} has no spatial layout", layer, map.defined() ? shape_str(map.shape()) : "[]"));
        continue;
      }
      const std::string path = (dir / (file_safe(layer) + ".png")).string();
      write_attention_png(path, image, spatial, 0.5);
      out.written.push_back(path);
    }
  }
  for (auto& [_, r] : recorders) r->record_attention(false);
  return out;
}

}  // namespace gaze
