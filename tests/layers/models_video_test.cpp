// The action-recognition models (layers/models/video_nets.h): output shapes of every kind and
// Non-local mode, where the Non-local blocks go, that zero-initialised blocks leave the
// baseline's output as it was, that C2D sees time only at its final pool, TSN's snippet
// sampling, gradients to every parameter, and one clear error per bad option.
#include "layers/models/video_nets.h"

#include "models_test_support.h"
#include "support/scoped_backend.h"

using namespace gaze;
using namespace gaze::test;

namespace {

const std::vector<std::string> kModes{"gaussian", "embedded_gaussian", "dot_product", "concatenation"};

// Small enough for the reference backend's absence: widths 4/8/8 on 8x16x16 clips.
VideoNetOptions tiny_video(const std::string& kind, const std::string& mode = "", int64_t blocks = 1) {
  return VideoNetOptions{.kind = parse_choice<VideoNetKind>(kind), .num_classes = 5, .widths = {4, 8, 8}, .nonlocal_mode = mode, .nonlocal_blocks = blocks,
                         .iapa_channels = 6};
}

Tensor clip(uint64_t seed, int64_t frames = 8) { return f32_input({2, 1, frames, 16, 16}, seed); }

// The clip with frames reordered: out[:, :, i] = x[:, :, order[i]].
Tensor reorder_frames(const Tensor& x, const std::vector<int64_t>& order) {
  std::vector<Tensor> frames;
  for (int64_t t : order) frames.push_back(narrow(x, 2, t, 1));
  return contiguous(cat(frames, 2));
}

}  // namespace

TEST_CASE("VideoNet: logits [N, classes] for c2d, i3d and tsn, and for c2d and i3d with each Non-local mode") {
  ScopedBackend backend(fastest_backend());
  for (std::string kind : {"c2d", "i3d", "tsn"}) {
    CAPTURE(kind);
    VideoNet net(tiny_video(kind));
    CHECK(net.forward(clip(1)).shape() == Shape{2, 5});
  }
  for (std::string kind : {"c2d", "i3d"})
    for (const std::string& mode : kModes) {
      CAPTURE(kind);
      CAPTURE(mode);
      VideoNet net(tiny_video(kind, mode, 2));
      CHECK(net.forward(clip(2)).shape() == Shape{2, 5});
    }
}

TEST_CASE("VideoNet: one Non-local block follows the second-to-last stage; k blocks split between it and the stage before") {
  CHECK(nonlocal_blocks(VideoNet(tiny_video("c2d"))).empty());
  CHECK(nonlocal_blocks(VideoNet(tiny_video("c2d", "embedded_gaussian"))) == std::vector<std::string>{"stage1_nonlocal.0"});
  CHECK(nonlocal_blocks(VideoNet(tiny_video("i3d", "gaussian", 2))) == std::vector<std::string>{"stage0_nonlocal.0", "stage1_nonlocal.0"});
  // The paper's 5-block variant: 2 in res3, 3 in res4.
  CHECK(nonlocal_blocks(VideoNet(tiny_video("c2d", "dot_product", 5))) ==
        std::vector<std::string>{"stage0_nonlocal.0", "stage0_nonlocal.1", "stage1_nonlocal.0", "stage1_nonlocal.1", "stage1_nonlocal.2"});
  // Each block works on its stage's width, in 3D (space-time): θ is a 1x1x1 conv 8 → 4.
  VideoNet net(tiny_video("c2d", "embedded_gaussian"));
  bool found = false;
  for (const auto& [name, p] : net.named_parameters())
    if (name == "stage1_nonlocal.0.theta.weight") {
      found = true;
      CHECK(p.shape() == Shape{4, 8, 1, 1, 1});
    }
  CHECK(found);
}

TEST_CASE("VideoNet: its attention layers are found as gaze visualize finds them, and record their maps") {
  ScopedBackend backend(fastest_backend());
  VideoNet c2d(tiny_video("c2d", "embedded_gaussian", 2));
  CHECK(recorder_names(c2d) == std::vector<std::string>{"stage0_nonlocal.0", "stage1_nonlocal.0"});
  for (auto& [name, r] : attention_recorders(c2d)) r->record_attention(true);
  c2d.forward(clip(1));
  // Space-time maps: queries T·h·w × keys T·(h/2)·(w/2) (φ and g max-pooled by (1, 2, 2)).
  CHECK(attention_recorders(c2d)[0].second->last_attention().shape() == Shape{2, 8 * 8 * 8, 8 * 4 * 4});
  CHECK(attention_recorders(c2d)[1].second->last_attention().shape() == Shape{2, 8 * 4 * 4, 8 * 2 * 2});
  VideoNet tsn(tiny_video("tsn"));
  REQUIRE(recorder_names(tsn) == std::vector<std::string>{"iapa"});
  attention_recorders(tsn)[0].second->record_attention(true);
  tsn.forward(clip(1));
  // One map per snippet and level, on the grid of the earlier of the last two stages.
  CHECK(attention_recorders(tsn)[0].second->last_attention().shape() == Shape{2 * 4, 2, 4, 4});
}

TEST_CASE("VideoNet: with the same seed, zero-initialised Non-local blocks leave the C2D and I3D logits unchanged") {
  ScopedBackend backend(fastest_backend());
  for (std::string kind : {"c2d", "i3d"})
    for (const std::string& mode : kModes) {
      CAPTURE(kind);
      CAPTURE(mode);
      manual_seed(11);
      VideoNet base(tiny_video(kind));
      manual_seed(11);
      VideoNet with_blocks(tiny_video(kind, mode, 2));
      Tensor x = clip(3);
      Tensor want = base.forward(x);
      check_close(with_blocks.forward(x), want, 1e-6);
      open_attention_gates(with_blocks);  // the property is the zero init's, not the placement's
      CHECK(max(abs(with_blocks.forward(x) - want)).item() > 1e-4);
    }
}

TEST_CASE("VideoNet: C2D mixes time only in its final pool (frame order does not matter), I3D's convs do") {
  ScopedBackend backend(fastest_backend());
  const std::vector<int64_t> order{3, 0, 7, 1, 6, 2, 5, 4};
  Tensor x = clip(4), shuffled = reorder_frames(x, order);
  for (const std::string& mode : {std::string(), std::string("embedded_gaussian")}) {
    CAPTURE(mode);
    VideoNet c2d(tiny_video("c2d", mode));
    open_attention_gates(c2d);
    check_close(c2d.forward(shuffled), c2d.forward(x), 1e-4);
  }
  VideoNet i3d(tiny_video("i3d"));
  CHECK(max(abs(i3d.forward(shuffled) - i3d.forward(x))).item() > 1e-4);
}

TEST_CASE("VideoNet: tsn reads snippet_frames frames at the centre of each of its equal segments") {
  ScopedBackend backend(fastest_backend());
  VideoNetOptions o = tiny_video("tsn");
  o.segments = 2;
  o.snippet_frames = 2;  // 8 frames: segments 0-3 and 4-7, snippets 1-2 and 5-6
  VideoNet net(o);
  net.eval();  // BN on running statistics: each clip on its own
  Tensor x = clip(5);
  Tensor want = net.forward(x);
  std::vector<int64_t> outside{7, 1, 2, 0, 7, 5, 6, 3};  // frames 0, 3, 4, 7 replaced, 1-2 and 5-6 kept
  std::vector<int64_t> inside{0, 3, 2, 3, 4, 5, 6, 7};   // frame 1 replaced
  check_close(net.forward(reorder_frames(x, outside)), want, 1e-5);
  CHECK(max(abs(net.forward(reorder_frames(x, inside)) - want)).item() > 1e-5);
}

TEST_CASE("VideoNet: one backward reaches every parameter (c2d and i3d with Non-local blocks, tsn with its IAPA losses)") {
  ScopedBackend backend(fastest_backend());
  // Zero in exact arithmetic: φ's bias adds θ_iᵀb to every logit of row i (the softmax cancels
  // it), W_z's conv bias is removed by the BN after it.
  const std::vector<std::string> nonlocal_exempt{"phi.bias", "w_z.0.bias"};
  for (std::string kind : {"c2d", "i3d"}) {
    CAPTURE(kind);
    VideoNet net(tiny_video(kind, "embedded_gaussian", 2));
    open_attention_gates(net);
    weighted_sum(net.forward(clip(6)), 7).backward();
    check_every_parameter_gets_gradient(net, nonlocal_exempt);
  }
  VideoNet tsn(tiny_video("tsn"));
  Tensor task = weighted_sum(tsn.forward(clip(8)), 9);  // first: the losses read this forward's pyramid
  (task + 0.1 * tsn.interaction_loss() + 0.1 * tsn.diversity_loss()).backward();
  check_every_parameter_gets_gradient(tsn, {"iapa.score_bias"});  // b: the softmax over positions cancels it
}

TEST_CASE("VideoNet: bad options and clips give one error naming the option") {
  auto with = [](auto change) {
    VideoNetOptions o = tiny_video("c2d");
    change(o);
    return o;
  };
  CHECK_THROWS_WITH_AS(VideoNet(with([](auto& o) { o.widths.clear(); o.strides.clear(); })),
                       doctest::Contains("VideoNet: widths (0 entries) and strides (0 entries) must be non-empty"), Error);
  CHECK_THROWS_WITH_AS(VideoNet(with([](auto& o) { o.strides = {1, 2}; })), doctest::Contains("widths (3 entries) and strides (2 entries)"),
                       Error);
  CHECK_THROWS_WITH_AS(VideoNet(with([](auto& o) { o.kind = parse_choice<VideoNetKind>("slowfast"); })),
                       doctest::Contains("VideoNet: unknown kind 'slowfast'; kinds: c2d, i3d, tsn"), Error);
  CHECK_THROWS_WITH_AS(VideoNet(with([](auto& o) { o.nonlocal_mode = "cosine"; })),
                       doctest::Contains("VideoNet: unknown nonlocal_mode 'cosine'"), Error);
  CHECK_THROWS_WITH_AS(VideoNet(with([](auto& o) { o.nonlocal_mode = "gaussian"; o.nonlocal_blocks = 0; })),
                       doctest::Contains("nonlocal_blocks must be at least 1"), Error);
  CHECK_THROWS_WITH_AS(VideoNet(with([](auto& o) { o.kind = VideoNetKind::tsn; o.nonlocal_mode = "gaussian"; })),
                       doctest::Contains("nonlocal_mode 'gaussian' is for kinds c2d and i3d"), Error);
  CHECK_THROWS_WITH_AS(VideoNet(with([](auto& o) { o.kind = VideoNetKind::tsn; o.iapa_levels = 1; })), doctest::Contains("iapa_levels = 1"), Error);
  VideoNet tsn(tiny_video("tsn"));  // 4 segments x 2 frames
  CHECK_THROWS_WITH_AS(tsn.forward(clip(1, 3)), doctest::Contains("the clip has 3 frames, fewer than segments (4) × snippet_frames (2)"),
                       Error);
  VideoNet c2d(tiny_video("c2d"));
  CHECK_THROWS_WITH_AS(c2d.forward(f32_input({2, 3, 8, 16, 16}, 1)), doctest::Contains("expected a clip [N, 1, T, H, W], got [2,3,8,16,16]"),
                       Error);
  CHECK_THROWS_WITH_AS(c2d.interaction_loss(), doctest::Contains("only kind tsn has the interaction-aware pyramid attention"), Error);
}
