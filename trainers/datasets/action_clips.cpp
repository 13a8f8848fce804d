#include "trainers/datasets/action_clips.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "framework/error.h"
#include "trainers/datasets/item_sprites.h"
#include "trainers/lib/data/sampling.h"

namespace gaze {

namespace {

// Speeds and radii are fractions of the frame so that a clip looks alike at every size: an item
// covers 4-6% of the frame per frame, about a third to a half of it over 8 frames, and never close
// to half the frame in one step (the torus would make the direction ambiguous).
constexpr double kMinSpeed = 0.04, kMaxSpeed = 0.06;
constexpr double kMinRadius = 0.12, kMaxRadius = 0.20;
constexpr double kJitter = 0.01;  // the distractor's random-walk step (standard deviation)

double wrap(double v, double size) {
  v = std::fmod(v, size);
  return v < 0 ? v + size : v;
}

int64_t sprite_side(int64_t size) { return std::max<int64_t>(4, (size * 7 + 8) / 16); }

// Adds the sprite at centre (cx, cy) into `frame` by maximum (items are bright on black, so an
// overlap shows both silhouettes), wrapping around the edges.
void draw_wrapped(float* frame, int64_t size, const std::vector<float>& sprite, int64_t side, double cx, double cy) {
  const auto left = static_cast<int64_t>(std::lround(cx - side / 2.0));
  const auto top = static_cast<int64_t>(std::lround(cy - side / 2.0));
  for (int64_t sy = 0; sy < side; ++sy) {
    float* row = frame + ((top + sy) % size + size) % size * size;
    const float* source = sprite.data() + sy * side;
    for (int64_t sx = 0; sx < side; ++sx) {
      float& p = row[((left + sx) % size + size) % size];
      p = std::max(p, source[sx]);
    }
  }
}

}  // namespace

const std::vector<std::string>& action_class_names() {
  static const std::vector<std::string> names{"right",         "left",     "down",    "up", "clockwise",
                                              "anticlockwise", "together", "opposite"};
  return names;
}

ActionClips::ActionClips(const ImageSet& items, ActionClipsOptions options) : items_(items), options_(options) {
  const ActionClipsOptions& o = options_;
  if (o.videos < 1) fail("action_clips: videos = {}; ask for at least 1 video (the default is 1000)", o.videos);
  if (o.clips_per_video < 1)
    fail("action_clips: clips_per_video = {}; each video needs at least 1 clip (the default is 2)", o.clips_per_video);
  if (o.frames < 2 || o.frames > 256)
    fail("action_clips: frames = {}; a clip needs 2 to 256 frames to show motion (8 to 16 is typical)", o.frames);
  if (o.size < 24 || o.size > 256)
    fail("action_clips: size = {}; frames must be 24 to 256 pixels wide so that the items (7/16 of the frame) stay "
         "recognisable and have room to move (32 to 48 is typical)",
         o.size);
  if (o.clip_stride < 0) fail("action_clips: clip_stride = {}; use 0 (frames / 2) or a positive stride", o.clip_stride);
  check_item_set("action_clips", items);
}

int64_t ActionClips::video_frames() const {
  const int64_t stride = options_.clip_stride > 0 ? options_.clip_stride : std::max<int64_t>(1, options_.frames / 2);
  return options_.frames + (options_.clips_per_video - 1) * stride;
}

int64_t ActionClips::label(int64_t index) const { return group(index) % kActionClasses; }

ClipMotion ActionClips::motion(int64_t index) const {
  if (index < 0 || index >= size()) fail("action_clips: example {} is outside the set of {} clips", index, size());
  const int64_t video = group(index), clip = index % options_.clips_per_video;
  const int64_t stride = options_.clip_stride > 0 ? options_.clip_stride : std::max<int64_t>(1, options_.frames / 2);
  const auto size = static_cast<double>(options_.size);
  const auto cls = static_cast<ActionClass>(label(index));

  // Every draw is made for every class, in the same order, so that a video's items and start
  // positions do not depend on its class.
  Generator rng(derive_seed(SeedPurpose::action_video, {options_.seed, static_cast<uint64_t>(video)}));
  const auto n = static_cast<uint64_t>(items_.size());
  ClipMotion m;
  m.label = static_cast<int64_t>(cls);
  m.actor_item = static_cast<int64_t>(uniform_below(rng, n));
  m.partner_item = static_cast<int64_t>(uniform_below(rng, n));
  m.sprite = sprite_side(options_.size);
  const double ax = rng.uniform() * size, ay = rng.uniform() * size;  // actor start (or circle centre)
  const double px = rng.uniform() * size, py = rng.uniform() * size;  // partner start
  const double speed = (kMinSpeed + (kMaxSpeed - kMinSpeed) * rng.uniform()) * size;
  const double heading = 2.0 * std::numbers::pi * rng.uniform();  // "together" and "opposite"
  const double radius = (kMinRadius + (kMaxRadius - kMinRadius) * rng.uniform()) * size;
  const double phase = 2.0 * std::numbers::pi * rng.uniform();

  const int64_t first = clip * stride, frames = options_.frames;
  double jx = 0.0, jy = 0.0;  // the distractor's random walk so far
  for (int64_t tau = 0; tau < first + frames; ++tau) {
    if (tau > 0) {
      jx += rng.normal() * kJitter * size;
      jy += rng.normal() * kJitter * size;
    }
    if (tau < first) continue;
    const auto t = static_cast<double>(tau);
    double x = ax, y = ay, qx = px + jx, qy = py + jy;
    switch (cls) {
      case ActionClass::right: x += speed * t; break;
      case ActionClass::left: x -= speed * t; break;
      case ActionClass::down: y += speed * t; break;
      case ActionClass::up: y -= speed * t; break;
      case ActionClass::clockwise:  // y points down, so a growing angle turns clockwise on screen
      case ActionClass::anticlockwise: {
        const double angle = phase + (cls == ActionClass::clockwise ? 1.0 : -1.0) * speed / radius * t;
        x += radius * std::cos(angle);
        y += radius * std::sin(angle);
        break;
      }
      case ActionClass::together:
      case ActionClass::opposite: {
        const double dx = speed * t * std::cos(heading), dy = speed * t * std::sin(heading);
        x += dx;
        y += dy;
        const double sign = cls == ActionClass::together ? 1.0 : -1.0;
        qx = px + sign * dx;
        qy = py + sign * dy;
        break;
      }
    }
    m.actor_x.push_back(wrap(x, size));
    m.actor_y.push_back(wrap(y, size));
    m.partner_x.push_back(wrap(qx, size));
    m.partner_y.push_back(wrap(qy, size));
  }
  return m;
}

void ActionClips::example(int64_t index, Generator* augment, float* input, int64_t* target) const {
  const ClipMotion m = motion(index);
  const std::vector<float> actor = resize_item(items_, m.actor_item, m.sprite, m.sprite);
  const std::vector<float> partner = resize_item(items_, m.partner_item, m.sprite, m.sprite);
  const int64_t size = options_.size, plane = size * size;
  std::fill_n(input, options_.frames * plane, 0.0f);
  for (int64_t t = 0; t < options_.frames; ++t) {
    float* frame = input + t * plane;
    const auto k = static_cast<size_t>(t);
    draw_wrapped(frame, size, partner, m.sprite, m.partner_x[k], m.partner_y[k]);
    draw_wrapped(frame, size, actor, m.sprite, m.actor_x[k], m.actor_y[k]);
  }
  const float gain = augment ? static_cast<float>(0.8 + 0.4 * augment->uniform()) : 1.0f;
  for (int64_t j = 0; j < options_.frames * plane; ++j) input[j] = (input[j] * gain - kActionClipsMean) / kActionClipsStd;
  *target = m.label;
}

}  // namespace gaze
