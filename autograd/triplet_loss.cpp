#include "autograd/triplet_loss.h"

#include <limits>
#include <vector>

#include "autograd/ops.h"
#include "framework/error.h"

namespace gaze {

namespace {

// Pairwise Euclidean distances [N, N] through |a|² + |b|² - 2a·b: one matmul and N² memory,
// where the direct differences would hold N²·D. Rounding can make a squared distance slightly
// negative or a zero one slightly positive, hence the clamp; below 1e-12 the clamp also passes no
// gradient, so sqrt's infinite slope at 0 is never reached.
Tensor pairwise_distances(const Tensor& x) {
  Tensor squared_norms = sum(square(x), {1}, /*keepdim=*/true);  // [N, 1]
  Tensor squared = squared_norms + transpose(squared_norms, 0, 1) - 2.0 * matmul(x, transpose(x, 0, 1));
  return sqrt(clamp(squared, 1e-12, std::numeric_limits<double>::infinity()));
}

}  // namespace

Tensor batch_hard_triplet_loss(const Tensor& features, const Tensor& ids, double margin) {
  if (!features.defined() || features.dim() != 2 || !is_floating(features.dtype()))
    fail("batch_hard_triplet_loss: features must be a float [N, D] tensor (got {})",
         features.defined() ? shape_str(features.shape()) + " " + dtype_name(features.dtype()) : "undefined");
  if (!ids.defined() || ids.dim() != 1 || ids.size(0) != features.size(0) || ids.dtype() != DType::i64)
    fail("batch_hard_triplet_loss: ids must be i64 [{}], one per feature row (got {})", features.size(0),
         ids.defined() ? shape_str(ids.shape()) + " " + dtype_name(ids.dtype()) : "undefined");
  const int64_t n = features.size(0);
  const std::vector<int64_t> labels = ids.to_vector<int64_t>();

  // Masks on the host (they are N², and ids are small): positives share the id and are not the
  // anchor; negatives have another id. An anchor counts when it has at least one of each.
  std::vector<double> positive(n * n, 0.0), negative(n * n, 0.0), valid(n, 0.0);
  int64_t anchors = 0;
  for (int64_t i = 0; i < n; ++i) {
    bool has_positive = false, has_negative = false;
    for (int64_t j = 0; j < n; ++j) {
      const bool same = labels[i] == labels[j];
      positive[i * n + j] = same && i != j;
      negative[i * n + j] = !same;
      has_positive |= same && i != j;
      has_negative |= !same;
    }
    valid[i] = has_positive && has_negative;
    anchors += has_positive && has_negative;
  }
  if (anchors == 0)
    fail("batch_hard_triplet_loss: none of the {} examples has both another example of its id and one of another id; build "
         "batches of P identities with K >= 2 examples each (pk_epoch_order)",
         n);

  const DType dtype = features.dtype();
  const Device device = features.device();
  auto host_tensor = [&](const std::vector<double>& values, const Shape& shape) {
    return to_dtype(from_vector(values, shape), dtype).to(device);
  };
  Tensor positive_mask = host_tensor(positive, {n, n}), negative_mask = host_tensor(negative, {n, n});
  Tensor valid_mask = host_tensor(valid, {n});

  Tensor distances = pairwise_distances(features);
  // Distances are >= 0, so a non-positive entry set to 0 never wins the max; a non-negative one set
  // beyond every distance never wins the min (a finite stand-in: 0·inf would be NaN in where).
  Tensor farthest_positive = max(where(positive_mask, distances, zeros({n, n}, dtype, device)), {1});
  Tensor beyond = full({n, n}, 1e30, dtype, device);
  Tensor nearest_negative = min(where(negative_mask, distances, beyond), {1});
  Tensor per_anchor = relu(farthest_positive - nearest_negative + margin) * valid_mask;
  return sum(per_anchor) / static_cast<double>(anchors);
}

}  // namespace gaze
