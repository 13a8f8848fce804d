// `gaze export`: a model as an ONNX file (docs/export.md). The model's modules emit their own
// nodes (Module::export_onnx); this runs that on a sample input, checks the graph's result, as
// gaze computes it, against the model's forward, and writes the file.
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "layers/module.h"

namespace gaze {

struct OnnxExportOptions {
  std::string output;            // the .onnx file
  std::string graph_name = "gaze";
  bool fold_batch_norm = false;  // fold each BatchNormalization into the Conv before it
  std::string sample_dir;        // when set: input.npy (the sample) and output.npy (gaze's output for it)
  std::string producer_version;
};

struct OnnxExportReport {
  int64_t nodes = 0, initializers = 0, folded_batch_norms = 0;
  std::map<std::string, int64_t> op_counts;
  Shape input_shape, output_shape;
  double max_difference = 0;  // max |graph − forward| over the output, as gaze computes both
  double max_output = 0;      // max |forward|
};

// Exports `model` (put in evaluation mode) for inputs shaped like `sample` (its batch size is the
// graph's). Fails, before writing, when a module has no export or the graph's result differs
// from the forward by more than 1e-3 of the output's largest magnitude.
OnnxExportReport export_onnx(Module& model, const Tensor& sample, const OnnxExportOptions& options);

// Every floating parameter and buffer drawn from a generator seeded with `seed`: weights uniform
// with variance 1/fan_in, biases small, BatchNorm scales and running variances in [0.5, 1.5],
// running means small, and the scales that start at 0 (DANet's γ, Non-local's W_z BatchNorm)
// nonzero, so every attention path reaches the output. For checking a runtime against gaze
// without training a model first.
void draw_random_state(Module& model, uint64_t seed);

}  // namespace gaze
