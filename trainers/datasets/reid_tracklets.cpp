#include "trainers/datasets/reid_tracklets.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "framework/error.h"
#include "trainers/datasets/item_sprites.h"
#include "trainers/lib/data/sampling.h"

namespace gaze {

namespace {

// An identity's own look, derived from its pixels: one colour and a faint stripe pattern that
// moves with the item (so two shirts of one shape still differ).
struct Signature {
  std::array<double, 3> colour{1, 1, 1};
  double stripe_period = 0.25, stripe_angle = 0.0, stripe_depth = 0.3;  // period in item sides
};

Signature signature_of(uint64_t seed, uint64_t fingerprint) {
  Generator rng(derive_seed(SeedPurpose::reid_signature, {seed, fingerprint}));
  Signature s;
  double top = 0.0;
  for (double& c : s.colour) {
    c = 0.2 + 0.8 * rng.uniform();
    top = std::max(top, c);
  }
  for (double& c : s.colour) c /= top;  // the brightest channel at full scale
  s.stripe_period = 0.15 + 0.2 * rng.uniform();
  s.stripe_angle = std::numbers::pi * rng.uniform();
  s.stripe_depth = 0.15 + 0.35 * rng.uniform();
  return s;
}

ReidCamera camera_of(uint64_t seed, int64_t camera, int64_t size) {
  Generator rng(derive_seed(SeedPurpose::reid_camera, {seed, static_cast<uint64_t>(camera)}));
  const auto frame = static_cast<double>(size);
  ReidCamera c;
  c.scale = 0.6 + 0.35 * rng.uniform();
  c.shift_x = (rng.uniform() - 0.5) * 0.16 * frame;
  c.shift_y = (rng.uniform() - 0.5) * 0.16 * frame;
  c.mirror = rng.uniform() < 0.5;
  c.blur = rng.uniform() < 0.4;
  c.gain = 0.6 + 0.7 * rng.uniform();
  for (double& v : c.cast) v = 0.7 + 0.6 * rng.uniform();
  for (double& v : c.background) v = 0.35 * rng.uniform();
  c.haze = 0.15 * rng.uniform();
  c.noise = 0.01 + 0.05 * rng.uniform();
  return c;
}

// Two values of zero mean and unit variance from one 64-bit draw: each the sum of two 16-bit
// uniforms (a triangular distribution), much cheaper than Box-Muller for every pixel's sensor noise.
std::array<float, 2> cheap_noise(Generator& rng) {
  const uint64_t bits = rng.next_u64();
  auto unit = [&](int k) { return static_cast<float>((bits >> (16 * k)) & 0xFFFF) * (1.0f / 65536.0f); };
  const float scale = std::sqrt(6.0f);  // the sum of two U(0, 1) has variance 1/6
  return {(unit(0) + unit(1) - 1.0f) * scale, (unit(2) + unit(3) - 1.0f) * scale};
}

// A 3×3 box blur, separably; at the border it averages the pixels inside the frame.
void box_blur(float* plane, int64_t size, std::vector<float>& scratch) {
  scratch.resize(static_cast<size_t>(size * size));
  for (int64_t y = 0; y < size; ++y)
    for (int64_t x = 0; x < size; ++x) {
      const float* row = plane + y * size;
      const int64_t lo = std::max<int64_t>(0, x - 1), hi = std::min<int64_t>(size - 1, x + 1);
      float sum = 0.0f;
      for (int64_t k = lo; k <= hi; ++k) sum += row[k];
      scratch[static_cast<size_t>(y * size + x)] = sum / static_cast<float>(hi - lo + 1);
    }
  for (int64_t y = 0; y < size; ++y)
    for (int64_t x = 0; x < size; ++x) {
      const int64_t lo = std::max<int64_t>(0, y - 1), hi = std::min<int64_t>(size - 1, y + 1);
      float sum = 0.0f;
      for (int64_t k = lo; k <= hi; ++k) sum += scratch[static_cast<size_t>(k * size + x)];
      plane[y * size + x] = sum / static_cast<float>(hi - lo + 1);
    }
}

enum class Damage { none, occluder, noise, missing };

}  // namespace

ReidTracklets::ReidTracklets(const ImageSet& items, ReidTrackletsOptions options, ReidRole role)
    : items_(items), options_(options), role_(role) {
  const ReidTrackletsOptions& o = options_;
  if (o.identities < 1) fail("reid_tracklets: identities = {}; ask for at least 1 identity (the default is 100)", o.identities);
  if (o.cameras < 2 || o.cameras > 16)
    fail("reid_tracklets: cameras = {}; re-identification needs 2 to 16 cameras (the default is 3)", o.cameras);
  if (o.tracklets_per_camera < 1)
    fail("reid_tracklets: tracklets_per_camera = {}; each identity needs at least 1 tracklet per camera (the default is 2)",
         o.tracklets_per_camera);
  if (o.frames < 1 || o.frames > 64)
    fail("reid_tracklets: frames = {}; a tracklet needs 1 to 64 frames (the default is 4)", o.frames);
  if (o.size < 24 || o.size > 256)
    fail("reid_tracklets: size = {}; frames must be 24 to 256 pixels wide so that the items stay recognisable (32 is "
         "the default)",
         o.size);
  if (!(o.occlusion >= 0.0 && o.occlusion <= 1.0))
    fail("reid_tracklets: occlusion = {} is a probability; give a value in [0, 1] (the default is 0.2)", o.occlusion);
  if (!(o.motion >= 0.0 && o.motion <= 0.25 * static_cast<double>(o.size)))
    fail("reid_tracklets: motion = {} pixels per frame; give 0 to a quarter of the frame ({}) (the default is 0.5)", o.motion,
         0.25 * static_cast<double>(o.size));
  if (o.distractors < 0) fail("reid_tracklets: distractors = {}; give 0 or more (the default is 20)", o.distractors);
  check_item_set("reid_tracklets", items);
  const int64_t distractors = role == ReidRole::train ? 0 : o.distractors;
  if (o.identities + distractors > items.size())
    fail("reid_tracklets: {} identities{} need as many item images, the ImageSet has {}; lower identities{}", o.identities,
         distractors > 0 ? fmt::format(" and {} distractors", distractors) : "", items.size(),
         distractors > 0 ? " or distractors" : "");

  Generator rng(derive_seed(SeedPurpose::reid_identities, {o.seed}));
  std::vector<int64_t> order = random_permutation(items.size(), rng);
  identity_items_.assign(order.begin(), order.begin() + o.identities + distractors);
  for (int64_t c = 0; c < o.cameras; ++c) cameras_.push_back(camera_of(o.seed, c, o.size));
  for (int64_t id = 0; id < o.identities + distractors; ++id)
    names_.push_back(id < o.identities ? fmt::format("id {}", id) : fmt::format("distractor {}", id - o.identities));

  for (int64_t id = 0; id < o.identities + distractors; ++id) {
    const bool is_query_identity = id < o.identities;
    const int64_t asked = is_query_identity ? query_camera(id) : -1;
    for (int64_t c = 0; c < o.cameras; ++c) {
      const bool keep = role == ReidRole::train || (role == ReidRole::query && c == asked) ||
                        (role == ReidRole::gallery && c != asked);
      if (!keep) continue;
      for (int64_t k = 0; k < o.tracklets_per_camera; ++k)
        tracklets_.push_back({id, identity_items_[static_cast<size_t>(id)], c, k});
    }
  }
}

const ReidTracklet& ReidTracklets::tracklet(int64_t index) const {
  if (index < 0 || index >= size()) fail("reid_tracklets: example {} is outside the set of {} tracklets", index, size());
  return tracklets_[static_cast<size_t>(index)];
}

ReidCamera ReidTracklets::camera_model(int64_t camera) const {
  if (camera < 0 || camera >= options_.cameras)
    fail("reid_tracklets: camera {} does not exist; there are {}", camera, options_.cameras);
  return cameras_[static_cast<size_t>(camera)];
}

int64_t ReidTracklets::query_camera(int64_t identity) const {
  if (identity < 0 || identity >= static_cast<int64_t>(identity_items_.size()))
    fail("reid_tracklets: identity {} does not exist; there are {}", identity, identity_items_.size());
  const uint64_t fingerprint = item_fingerprint(items_, identity_items_[static_cast<size_t>(identity)]);
  Generator rng(derive_seed(SeedPurpose::reid_identities, {options_.seed, fingerprint}));
  return static_cast<int64_t>(uniform_below(rng, static_cast<uint64_t>(options_.cameras)));
}

void ReidTracklets::example(int64_t index, Generator* augment, float* input, int64_t* target) const {
  const ReidTracklet& tr = tracklet(index);
  const ReidCamera& cam = cameras_[static_cast<size_t>(tr.camera)];
  const int64_t size = options_.size, plane = size * size, frames = options_.frames;
  const auto frame = static_cast<double>(size);
  const uint64_t fingerprint = item_fingerprint(items_, tr.item);
  const Signature sig = signature_of(options_.seed, fingerprint);

  int64_t aug_dx = 0, aug_dy = 0;
  bool aug_flip = false;
  if (augment) {
    aug_dx = static_cast<int64_t>(uniform_below(*augment, 5)) - 2;
    aug_dy = static_cast<int64_t>(uniform_below(*augment, 5)) - 2;
    aug_flip = augment->uniform() < 0.5;
  }

  // The tracklet's own draws: where this detection sits, how it moves, what damages it.
  Generator rng(derive_seed(SeedPurpose::reid_tracklet, {options_.seed, fingerprint, static_cast<uint64_t>(tr.camera),
                                                         static_cast<uint64_t>(tr.index)}));
  double cx = frame / 2 + cam.shift_x + (rng.uniform() - 0.5) * 0.12 * frame + static_cast<double>(aug_dx);
  double cy = frame / 2 + cam.shift_y + (rng.uniform() - 0.5) * 0.12 * frame + static_cast<double>(aug_dy);
  const bool damaged = rng.uniform() < options_.occlusion;
  const int64_t forced = static_cast<int64_t>(uniform_below(rng, static_cast<uint64_t>(frames)));  // at least one
  std::array<double, 3> occluder_colour{};
  for (double& v : occluder_colour) v = rng.uniform();
  const bool mirror = cam.mirror != aug_flip;

  std::vector<float> scratch;
  for (int64_t t = 0; t < frames; ++t) {
    cx += rng.normal() * options_.motion;
    cy += rng.normal() * options_.motion;
    const double jitter = 1.0 + 0.04 * rng.normal();
    Damage damage = Damage::none;
    const double roll = rng.uniform(), kind = rng.uniform();
    if (damaged && (t == forced || roll < 0.4))
      damage = kind < 0.6 ? Damage::occluder : kind < 0.8 ? Damage::noise : Damage::missing;
    const double ow = (0.35 + 0.25 * rng.uniform()) * frame, oh = (0.35 + 0.25 * rng.uniform()) * frame;
    const double ox = cx - ow / 2 + (rng.uniform() - 0.5) * 0.4 * frame;
    const double oy = cy - oh / 2 + (rng.uniform() - 0.5) * 0.4 * frame;

    const int64_t side = std::clamp<int64_t>(std::lround(cam.scale * jitter * frame), 8, size);
    const std::vector<float> sprite = resize_item(items_, tr.item, side, side);
    const auto left = static_cast<int64_t>(std::lround(cx - side / 2.0));
    const auto top = static_cast<int64_t>(std::lround(cy - side / 2.0));
    // The item's coverage and striped intensity, once per frame for the three channels.
    std::vector<float> coverage(sprite.size()), look(sprite.size());
    const double along_x = std::cos(sig.stripe_angle) / (sig.stripe_period * side);
    const double along_y = std::sin(sig.stripe_angle) / (sig.stripe_period * side);
    for (int64_t sy = 0; sy < side; ++sy)
      for (int64_t sx = 0; sx < side; ++sx) {
        const int64_t ux = mirror ? side - 1 - sx : sx;  // the pattern is the item's, so it mirrors too
        const float value = sprite[static_cast<size_t>(sy * side + ux)];
        const double u = static_cast<double>(ux) * along_x + static_cast<double>(sy) * along_y;
        const double stripe = u - std::floor(u) < 0.5 ? 1.0 - sig.stripe_depth : 1.0;
        coverage[static_cast<size_t>(sy * side + sx)] = std::min(1.0f, value / kItemSolid);
        look[static_cast<size_t>(sy * side + sx)] = static_cast<float>(value * stripe);
      }
    const int64_t y0 = std::max<int64_t>(0, top), y1 = std::min<int64_t>(size, top + side);
    const int64_t x0 = std::max<int64_t>(0, left), x1 = std::min<int64_t>(size, left + side);
    for (int64_t c = 0; c < 3; ++c) {
      float* p = input + (c * frames + t) * plane;
      const auto background = static_cast<float>(cam.background[static_cast<size_t>(c)]);
      std::fill_n(p, plane, background);
      if (damage != Damage::missing) {
        const auto colour = static_cast<float>(sig.colour[static_cast<size_t>(c)]);
        for (int64_t y = y0; y < y1; ++y)
          for (int64_t x = x0; x < x1; ++x) {
            const auto k = static_cast<size_t>((y - top) * side + (x - left));
            p[y * size + x] = coverage[k] * look[k] * colour + (1.0f - coverage[k]) * background;
          }
      }
      if (damage == Damage::occluder) {
        const auto left_o = std::max<int64_t>(0, std::lround(ox)), right_o = std::min<int64_t>(size, std::lround(ox + ow));
        const auto top_o = std::max<int64_t>(0, std::lround(oy)), bottom_o = std::min<int64_t>(size, std::lround(oy + oh));
        for (int64_t y = top_o; y < bottom_o; ++y)
          for (int64_t x = left_o; x < right_o; ++x) p[y * size + x] = static_cast<float>(occluder_colour[static_cast<size_t>(c)]);
      }
      if (cam.blur) box_blur(p, size, scratch);
      const auto scale = static_cast<float>(cam.gain * cam.cast[static_cast<size_t>(c)]);
      const auto haze = static_cast<float>(cam.haze);
      const auto noise = static_cast<float>(damage == Damage::noise ? 0.35 : cam.noise);
      for (int64_t j = 0; j < plane; j += 2) {
        const std::array<float, 2> n = cheap_noise(rng);
        p[j] = (p[j] * scale + haze + noise * n[0] - kReidMean) / kReidStd;
        if (j + 1 < plane) p[j + 1] = (p[j + 1] * scale + haze + noise * n[1] - kReidMean) / kReidStd;
      }
    }
  }
  *target = tr.identity;
}

ReidEvaluationSplit make_reid_evaluation(const ImageSet& test_items, const ReidTrackletsOptions& options) {
  return {ReidTracklets(test_items, options, ReidRole::query), ReidTracklets(test_items, options, ReidRole::gallery)};
}

}  // namespace gaze
