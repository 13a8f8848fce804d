#include "trainers/app/visualize.h"

#include <cmath>
#include <filesystem>

#include "autograd/ops.h"
#include "framework/error.h"
#include "layers/attention/attention_map.h"
#include "layers/attention/heatmap.h"
#include "trainers/lib/io/atomic_file.h"

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

Tensor spatial_attention_map(const Tensor& map, int64_t image, int64_t frames) {
  NoGradGuard no_grad;
  if (map.dim() == 4 && map.size(2) * map.size(3) > 1) return mean(select(map, 0, image), {0});
  if (map.dim() == 5 && map.size(3) * map.size(4) > 1) return mean(select(map, 0, image), {0, 1});
  if (map.dim() == 3) {
    // [N, queries, keys]: the attention each key position receives, averaged over the queries.
    // keys = t·side² for the largest t <= frames (halving: time may be pooled) with a whole side;
    // non-local sub-sampling makes keys fewer than queries.
    const int64_t keys = map.size(2);
    for (int64_t t = std::max<int64_t>(frames, 1); t >= 1; t /= 2) {
      if (keys % t != 0) continue;
      const auto side = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(keys / t))));
      if (side * side * t != keys || side < 2) continue;
      const Tensor received = mean(select(map, 0, image), {0});  // [keys]
      return mean(reshape(received, {t, side, side}), {0});
    }
  }
  return Tensor();
}

AttentionPictures write_attention_pictures(Module& model, const ExampleSource& source, int64_t images, const std::string& out_dir) {
  if (images < 1) fail("visualize: --images must be at least 1 (got {})", images);
  images = std::min(images, source.size());
  std::vector<std::pair<std::string, AttentionMapRecorder*>> recorders;
  collect_recorders(model, "", recorders);
  if (recorders.empty()) fail("visualize: the model has no attention layer (model.attention is empty): nothing to draw");

  // The inputs, as the evaluation sees them: [N, C, H, W] or [N, C, T, H, W].
  Shape shape = source.input_shape();
  const int64_t per_example = numel(shape);
  shape.insert(shape.begin(), images);
  Tensor batch = empty(shape, DType::f32);
  std::vector<int64_t> labels(static_cast<size_t>(images * std::max<int64_t>(1, numel(source.target_shape()))));
  for (int64_t k = 0; k < images; ++k)
    source.example(k, nullptr, batch.data<float>() + k * per_example, labels.data() + k * std::max<int64_t>(1, numel(source.target_shape())));
  for (auto& [_, r] : recorders) r->record_attention(true);
  {
    NoGradGuard no_grad;
    model.eval();
    const auto parameters = model.parameters();
    model.forward(parameters.empty() ? batch : batch.to(parameters.front().device()));
  }
  const bool clip = batch.dim() == 5;
  const int64_t frames = clip ? batch.size(2) : 1;
  // A clip is drawn by its middle frame.
  const Tensor frames_shown = clip ? select(batch, 2, frames / 2) : batch;
  const int64_t label_stride = std::max<int64_t>(1, numel(source.target_shape()));

  AttentionPictures out;
  for (int64_t k = 0; k < images; ++k) {
    const int64_t label = numel(source.target_shape()) == 1 ? labels[static_cast<size_t>(k * label_stride)] : -1;
    const auto& names = source.class_names();
    const std::string name = label < 0 ? "scene" : label < static_cast<int64_t>(names.size()) ? names[label] : std::to_string(label);
    const fs::path dir = fs::path(out_dir) / file_safe(fmt::format("img{}_{}", k, name));
    create_directories_or_fail(dir.string());
    // Drawn at least 224 pixels wide (nearest-neighbour, so the pixels stay honest): a 28×28
    // picture is too small to see where a map points.
    const int64_t height = frames_shown.size(2), width = frames_shown.size(3);
    const int64_t scale = std::max<int64_t>(1, (224 + width - 1) / width);
    const Tensor image = select(interpolate(narrow(frames_shown, 0, k, 1), {height * scale, width * scale}), 0, 0);
    const std::string input = (dir / "input.png").string();
    write_attention_png(input, image, zeros({1, 1}), 0.0);
    out.written.push_back(input);
    for (auto& [layer, recorder] : recorders) {
      const Tensor& map = recorder->last_attention();
      if (!recorder->map_is_spatial()) {
        if (k == 0) out.skipped.push_back(fmt::format("{}: a map over channels, not positions", layer));
        continue;
      }
      // A segment network's map has a row per snippet (N·segments rows): draw the clip's middle one.
      const int64_t rows = map.defined() ? map.size(0) : 0;
      const int64_t row = rows == images ? k : (rows % images == 0 && rows > 0 ? k * (rows / images) + rows / images / 2 : -1);
      const Tensor spatial = row >= 0 ? spatial_attention_map(map.to(Device::cpu()), row, frames) : Tensor();
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
