// The segmentation models (layers/models/segmentation_nets.h): output and auxiliary shapes for
// the FCN baseline and each DANet row, output stride 8 and the dilations of the backbone,
// gradients to every parameter, one clear error per bad option, and the stem's Non-local block.
#include "layers/models/segmentation_nets.h"

#include "layers/attention/danet.h"
#include "layers/attention/non_local.h"
#include "models_test_support.h"
#include "support/scoped_backend.h"

using namespace gaze;
using namespace gaze::test;

namespace {

SegmentationNetOptions tiny_segmentation(const std::string& head, bool position = true, bool channel = true, bool aux = true) {
  return SegmentationNetOptions{.num_classes = 11, .widths = {4, 8, 8, 8}, .head = head, .position = position, .channel = channel,
                                .aux_head = aux};
}

std::shared_ptr<Module> child(const Module& m, const std::string& name) {
  for (const auto& [n, c] : m.named_children())
    if (n == name) return c;
  FAIL("no child " << name);
  return nullptr;
}

}  // namespace

TEST_CASE("SegmentationNet: logits and aux outputs [N, classes, H, W] for FCN and DANet with PAM, CAM and both") {
  ScopedBackend backend(fastest_backend());
  Tensor x = f32_input({2, 1, 40, 32}, 1);
  const Shape full{2, 11, 40, 32};
  struct Row {
    SegmentationNetOptions options;
    std::vector<std::string> aux;
  };
  std::vector<Row> rows{{tiny_segmentation("fcn"), {"aux_head"}},
                        {tiny_segmentation("fcn", true, true, false), {}},
                        {tiny_segmentation("danet", true, false), {"aux_head", "position"}},
                        {tiny_segmentation("danet", false, true), {"aux_head", "channel"}},
                        {tiny_segmentation("danet", true, true), {"aux_head", "position", "channel"}},
                        {tiny_segmentation("danet", true, true, false), {"position", "channel"}}};
  for (const Row& row : rows) {
    SegmentationNet net(row.options);
    CAPTURE(net.extra_repr());
    TensorDict out = net.forward_all({x});
    std::vector<std::string> names;
    for (const auto& [name, t] : out.items()) {
      CHECK(t.shape() == full);
      if (name != "out") names.push_back(name);
    }
    CHECK(out.items().front().first == "out");
    CHECK(names == row.aux);
    CHECK(net.forward(x).shape() == full);
  }
}

TEST_CASE("SegmentationNet: the backbone has output stride 8, its last two stages dilated by 2 and 4") {
  ScopedBackend backend(fastest_backend());
  SegmentationNet net(tiny_segmentation("danet", true, false));
  CHECK(net.output_stride() == 8);
  CHECK(net.stage_dilations() == std::vector<int64_t>{1, 1, 2, 4});
  // The convs as built: stage 3's are 3x3 with dilation 4 and padding 4, stride 1.
  auto conv1 = std::dynamic_pointer_cast<Conv>(child(*child(*child(net, "stages"), "3"), "conv1"));
  REQUIRE(conv1);
  CHECK(conv1->options().dilation == std::vector<int64_t>{4});
  CHECK(conv1->options().padding == std::vector<int64_t>{4, 4});
  // What the head sees: PAM's map is positions × positions of the head's input, (64/8)·(48/8).
  auto head = std::dynamic_pointer_cast<DualAttentionHead>(child(net, "head"));
  REQUIRE(head);
  head->pam->record_attention(true);
  net.forward(f32_input({1, 1, 64, 48}, 2));
  CHECK(head->pam->last_attention().shape() == Shape{1, 8 * 6, 8 * 6});
}

TEST_CASE("SegmentationNet: DANet's attention layers are found as gaze visualize finds them; FCN has none") {
  SegmentationNet danet(tiny_segmentation("danet"));
  CHECK(recorder_names(danet) == std::vector<std::string>{"head.pam", "head.cam"});
  SegmentationNet pam_only(tiny_segmentation("danet", true, false));
  CHECK(recorder_names(pam_only) == std::vector<std::string>{"head.pam"});
  SegmentationNet fcn(tiny_segmentation("fcn"));
  CHECK(recorder_names(fcn).empty());
}

TEST_CASE("SegmentationNet: one backward of the main and aux losses reaches every parameter") {
  ScopedBackend backend(fastest_backend());
  for (std::string head : {"fcn", "danet"}) {
    CAPTURE(head);
    SegmentationNetOptions o = tiny_segmentation(head);
    o.dropout = 0.0;
    SegmentationNet net(o);
    open_attention_gates(net);
    TensorDict out = net.forward_all({f32_input({2, 1, 32, 32}, 3)});
    Tensor loss = weighted_sum(out.at("out"), 4);
    for (const auto& [name, a] : out.items())
      if (name != "out") loss = loss + 0.4 * weighted_sum(a, 5);
    loss.backward();
    check_every_parameter_gets_gradient(net, {"pam.key.bias"});  // q_iᵀb_k: the same for every key, cancelled by the softmax
  }
}

TEST_CASE("SegmentationNet: bad options give one error naming the option") {
  CHECK_THROWS_WITH_AS(SegmentationNet(SegmentationNetOptions{.widths = {}}), doctest::Contains("SegmentationNet: widths needs at least 4 stages"),
                       Error);
  CHECK_THROWS_WITH_AS(SegmentationNet(SegmentationNetOptions{.widths = {8, 8, 8}}), doctest::Contains("got 3 ([8, 8, 8])"), Error);
  CHECK_THROWS_WITH_AS(SegmentationNet(tiny_segmentation("pspnet")), doctest::Contains("SegmentationNet: unknown head 'pspnet'; heads: fcn, danet"), Error);
  CHECK_THROWS_WITH_AS(SegmentationNet(tiny_segmentation("danet", false, false)), doctest::Contains("head danet needs position or channel"), Error);
  SegmentationNet net(tiny_segmentation("fcn"));
  CHECK_THROWS_WITH_AS(net.forward(f32_input({2, 3, 16, 16}, 1)), doctest::Contains("expected images [N, 1, H, W], got [2,3,16,16]"), Error);
}

TEST_CASE("SegmentationNet: stem_nonlocal puts a Non-local block on the stride-2 map, recorded with the head's") {
  ScopedBackend backend(fastest_backend());
  SegmentationNetOptions o = tiny_segmentation("danet", true, false);
  o.stem_nonlocal = "concatenation";
  SegmentationNet net(o);
  CHECK(recorder_names(net) == std::vector<std::string>{"stem_nonlocal", "head.pam"});
  auto block = std::dynamic_pointer_cast<NonLocal>(child(net, "stem_nonlocal"));
  REQUIRE(block);
  CHECK(block->options().mode == NonLocalMode::concatenation);
  block->record_attention(true);
  TensorDict out = net.forward_all({f32_input({1, 1, 24, 16}, 6)});
  CHECK(block->last_attention().shape() == Shape{1, 12 * 8, 12 * 8});
  CHECK(out.at("out").shape() == Shape{1, 11, 24, 16});
  o.stem_nonlocal = "cross";
  CHECK_THROWS_WITH_AS(SegmentationNet{o}, doctest::Contains("cross"), Error);
}
