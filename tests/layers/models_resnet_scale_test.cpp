// The paper-scale ResNets (layers/models/resnet_depth.h, bottleneck.h): parameter counts equal to
// torchvision's and the SE paper's, a Bottleneck equal to its hand-built composition, the depth
// table, where Non-local blocks go inside a stage, and each task model at ResNet-50 scale running
// one small input.
#include "layers/attention/cbam.h"
#include "layers/attention/squeeze_excitation.h"
#include "layers/models/bottleneck.h"
#include "layers/models/nonlocal_insertion.h"
#include "layers/models/reid_net.h"
#include "layers/models/resnet.h"
#include "layers/models/segmentation_nets.h"
#include "layers/models/video_nets.h"
#include "models_test_support.h"
#include "support/layer_checks.h"
#include "support/scoped_backend.h"

using namespace gaze;
using namespace gaze::test;

namespace {

ResNetOptions imagenet_resnet(int64_t depth) {
  ResNetDepth table = resnet_depth(depth);
  return ResNetOptions{.in_channels = 3, .num_classes = 1000, .widths = table.widths, .strides = {1, 2, 2, 2}, .blocks = table.blocks,
                       .block = table.block, .stem = StemKind::imagenet};
}

Tensor named_parameter(const Module& m, const std::string& name) {
  for (const auto& [n, p] : m.named_parameters())
    if (n == name) return p;
  FAIL("no parameter " << name);
  return Tensor();
}

// BN in evaluation mode with the initial running statistics (mean 0, variance 1).
Tensor eval_mode_bn(const Module& m, const std::string& prefix, const Tensor& x) {
  Tensor w = named_parameter(m, prefix + ".weight"), b = named_parameter(m, prefix + ".bias");
  Tensor mean = zeros({w.numel()}, DType::f32), var = ones({w.numel()}, DType::f32);
  return batch_norm(x, w, b, mean, var, /*training=*/false);
}

// The dilation of the k-th Bottleneck of a net's `stages`.
int64_t stage_block_dilation(const Module& net, size_t k) {
  for (const auto& [name, child] : net.named_children())
    if (name == "stages") return std::dynamic_pointer_cast<Bottleneck>(child->named_children().at(k).second)->options().dilation;
  FAIL("no stages");
  return 0;
}

}  // namespace

TEST_CASE("resnet_depth: torchvision's blocks and block kind for 18 to 152; other depths are refused") {
  CHECK(resnet_depth(18).blocks == std::vector<int64_t>{2, 2, 2, 2});
  CHECK(resnet_depth(34).blocks == std::vector<int64_t>{3, 4, 6, 3});
  CHECK(resnet_depth(50).block == BlockKind::bottleneck);
  CHECK(resnet_depth(101).blocks == std::vector<int64_t>{3, 4, 23, 3});
  CHECK(resnet_depth(152).blocks == std::vector<int64_t>{3, 8, 36, 3});
  CHECK(resnet_depth(50).widths == std::vector<int64_t>{64, 128, 256, 512});
  CHECK_THROWS_WITH_AS(resnet_depth(42), doctest::Contains("depths: 18, 34, 50, 101, 152"), Error);
}

TEST_CASE("ResNet at ImageNet scale: parameter counts of torchvision's resnet18 and resnet50, and the SE paper's SE-ResNet-50") {
  CHECK(ResNet(imagenet_resnet(18)).num_parameters() == 11689512);
  CHECK(ResNet(imagenet_resnet(50)).num_parameters() == 25557032);
  // SE on every bottleneck's output C (reduction 16, both FCs with biases): 2·C·C/16 + C/16 + C
  // more per block, C = 256 ×3, 512 ×4, 1024 ×6, 2048 ×3: 2,530,992 more.
  ResNetOptions se = imagenet_resnet(50);
  se.attention = [](int64_t c) { return std::make_shared<SqueezeExcitation>(SqueezeExcitationOptions{.channels = c}); };
  se.placement = AttentionPlacement::residual;
  CHECK(ResNet(se).num_parameters() == 28088024);
  // CBAM: the same shared MLP, plus the spatial gate's 7x7 conv (2 → 1) and its BN in each block.
  ResNetOptions cbam = imagenet_resnet(50);
  cbam.attention = [](int64_t c) { return std::make_shared<CBAM>(CBAMOptions{.channels = c}); };
  const int64_t cbam_count = ResNet(cbam).num_parameters();
  CHECK(cbam_count - 28088024 == 16 * (CBAM(CBAMOptions{.channels = 64}).num_parameters() - SqueezeExcitation({.channels = 64}).num_parameters()));
  CHECK(cbam_count == 28088024 + 16 * 98);  // the spatial gate's bias-free 7x7 conv, 2 → 1
}

TEST_CASE("ResNet-50: logits [N, 1000] from 64x64 images; BAM-style after_stage puts one module between stages") {
  ScopedBackend backend(fastest_backend());
  ResNet net(imagenet_resnet(50));
  net.eval();
  CHECK(net.forward(f32_input({1, 3, 64, 64}, 1)).shape() == Shape{1, 1000});
  ResNetOptions bam = imagenet_resnet(18);
  int built = 0;
  bam.attention = [&built](int64_t c) {
    ++built;
    return std::make_shared<SqueezeExcitation>(SqueezeExcitationOptions{.channels = c});
  };
  bam.placement = AttentionPlacement::after_stage;
  ResNet between(bam);
  CHECK(built == 3);
}

TEST_CASE("Bottleneck: equals conv1x1-BN-ReLU, conv3x3 (stride, dilation)-BN-ReLU, conv1x1-BN, plus the projected shortcut, ReLU") {
  Bottleneck block(BottleneckOptions{.in = 8, .width = 4, .stride = {2}, .dilation = 2});
  block.eval();
  Tensor x = f32_input({2, 8, 9, 9}, 3);
  Tensor h = relu(eval_mode_bn(block, "bn1", conv2d(x, named_parameter(block, "conv1.weight"))));
  h = relu(eval_mode_bn(block, "bn2", conv2d(h, named_parameter(block, "conv2.weight"), Tensor(), {.stride = {2}, .padding = {2}, .dilation = {2}})));
  h = eval_mode_bn(block, "bn3", conv2d(h, named_parameter(block, "conv3.weight")));
  Tensor shortcut = eval_mode_bn(block, "shortcut.1", conv2d(x, named_parameter(block, "shortcut.0.weight"), Tensor(), {.stride = {2}}));
  Tensor expected = relu(h + shortcut);
  Tensor out = block.forward(x);
  CHECK(out.shape() == Shape{2, 16, 5, 5});
  check_close(out, expected, 1e-5);
  CHECK(named_parameter(block, "conv2.weight").shape() == Shape{4, 4, 3, 3});
}

TEST_CASE("Bottleneck: zero_init_last_bn makes the block ReLU(x) on an identity shortcut; 3D kernel1 {3,1,1} inflates conv1 in time") {
  Bottleneck identity(BottleneckOptions{.in = 16, .width = 4, .zero_init_last_bn = true});
  identity.eval();
  Tensor x = f32_input({1, 16, 5, 5}, 4);
  check_close(identity.forward(x), relu(x), 1e-6);
  Bottleneck inflated(BottleneckOptions{.dims = 3, .in = 8, .width = 4, .stride = {1, 2, 2}, .kernel1 = {3, 1, 1}});
  CHECK(named_parameter(inflated, "conv1.weight").shape() == Shape{4, 8, 3, 1, 1});
  CHECK(named_parameter(inflated, "conv2.weight").shape() == Shape{4, 4, 1, 3, 3});
  CHECK(inflated.forward(f32_input({1, 8, 4, 6, 6}, 5)).shape() == Shape{1, 16, 4, 3, 3});
}

TEST_CASE("gradcheck: Bottleneck with a strided projection and SE on its residual branch; 3D with conv1 inflated to 3x1x1") {
  check_layer_gradients(std::make_shared<Bottleneck>(BottleneckOptions{.in = 4, .width = 2, .stride = {2},
                                                                       .attention = std::make_shared<SqueezeExcitation>(
                                                                           SqueezeExcitationOptions{.channels = 8, .reduction = 4})}),
                        {2, 4, 4, 4});
  check_layer_gradients(std::make_shared<Bottleneck>(BottleneckOptions{.dims = 3, .in = 8, .width = 2, .kernel1 = {3, 1, 1}}), {2, 8, 3, 2, 2});
}

TEST_CASE("nonlocal_positions: one block before a stage's last, several after every other block (the Non-local paper's Table 2)") {
  CHECK(nonlocal_positions(1, 6) == std::vector<int64_t>{4});
  CHECK(nonlocal_positions(3, 6) == std::vector<int64_t>{1, 3, 5});
  CHECK(nonlocal_positions(2, 4) == std::vector<int64_t>{1, 3});
  CHECK(nonlocal_positions(2, 1) == std::vector<int64_t>{0, 0});  // a one-block stage: all after it
  CHECK(nonlocal_positions(1, 1) == std::vector<int64_t>{0});
}

TEST_CASE("inflate rules: all, none, even, odd per stage; a bad rule or count is refused") {
  const std::vector<std::string> i3d{"all", "even", "even", "odd"};
  CHECK(inflated(i3d, 0, 2));
  CHECK(inflated(i3d, 1, 0));
  CHECK_FALSE(inflated(i3d, 1, 1));
  CHECK(inflated(i3d, 3, 1));
  CHECK_FALSE(inflated(i3d, 3, 0));
  CHECK(inflated({}, 2, 5));
  CHECK_THROWS_WITH_AS(check_inflate_rules("VideoNet", {"all", "some", "all", "all"}, 4), doctest::Contains("inflate[1] is 'some'"), Error);
  CHECK_THROWS_WITH_AS(check_inflate_rules("VideoNet", {"all"}, 4), doctest::Contains("one rule per stage"), Error);
}

TEST_CASE("VideoNet: C2D and I3D ResNet-50 with 5 Non-local blocks (2 in res3, 3 in res4) run a small clip; C2D has ResNet-50's weights") {
  ScopedBackend backend(fastest_backend());
  VideoNetOptions c2d{.kind = VideoNetKind::c2d, .in_channels = 3, .num_classes = 400, .widths = {64, 128, 256, 512}, .strides = {1, 2, 2, 2},
                      .blocks = {3, 4, 6, 3}, .block = BlockKind::bottleneck, .stem = StemKind::imagenet, .temporal_pool = true};
  VideoNet plain(c2d);
  // 1x7x7 and 1x1x1 / 1x3x3 kernels hold what ResNet-50's 2D kernels hold; only fc differs (400 classes).
  CHECK(plain.num_parameters() == 25557032 - 2048 * 600 - 600);
  c2d.nonlocal_mode = "embedded_gaussian";
  c2d.nonlocal_blocks = 5;
  VideoNet with_nonlocal(c2d);
  // Each embedded-Gaussian block on C channels: θ, φ, g (C → C/2, biases), W (C/2 → C), BN: 2·C² + 4.5·C.
  CHECK(with_nonlocal.num_parameters() == 24327632 + 2 * (2 * 512 * 512 + 2304) + 3 * (2 * 1024 * 1024 + 4608));
  CHECK(with_nonlocal.num_parameters() == 31686096);
  CHECK(nonlocal_blocks(with_nonlocal) == std::vector<std::string>{"stage1_nonlocal.0", "stage1_nonlocal.1", "stage2_nonlocal.0",
                                                                  "stage2_nonlocal.1", "stage2_nonlocal.2"});
  VideoNetOptions i3d = c2d;
  i3d.kind = VideoNetKind::i3d;
  i3d.inflate = {"all", "even", "even", "odd"};
  VideoNet inflated(i3d);
  // 5x7x7 stem (4 more taps of 3·64·49) and conv1 3x1x1 in 3 + 2 + 3 + 1 blocks (2 more taps of in·width each).
  const int64_t more = 4 * 3 * 64 * 49 + 2 * (64 * 64 + 2 * 256 * 64 + 256 * 128 + 512 * 128 + 512 * 256 + 2 * 1024 * 256 + 2048 * 512);
  CHECK(inflated.num_parameters() == with_nonlocal.num_parameters() + more);
  CHECK(inflated.num_parameters() == 35401936);
  inflated.eval();
  CHECK(inflated.forward(f32_input({1, 3, 4, 32, 32}, 6)).shape() == Shape{1, 400});
}

TEST_CASE("SegmentationNet: dilated ResNet-50 keeps output stride 8, contracts the first dilation of res4 and res5, heads at in/4") {
  ScopedBackend backend(fastest_backend());
  SegmentationNetOptions o{.in_channels = 3, .num_classes = 19, .widths = {64, 128, 256, 512}, .blocks = {3, 4, 6, 3},
                           .block = BlockKind::bottleneck, .stem = StemKind::deep, .head = "danet"};
  SegmentationNet net(o);
  CHECK(net.num_parameters() == 49846574);
  SegmentationNetOptions fcn = o;
  fcn.head = "fcn";
  CHECK(SegmentationNet(fcn).num_parameters() == 35339910);
  CHECK(net.output_stride() == 8);
  CHECK(net.stage_dilations() == std::vector<int64_t>{1, 1, 2, 4});
  CHECK(stage_block_dilation(net, 6) == 1);   // res3's last block
  CHECK(stage_block_dilation(net, 7) == 1);   // res4's first block: 2 contracted
  CHECK(stage_block_dilation(net, 8) == 2);
  CHECK(stage_block_dilation(net, 13) == 2);  // res5's first block: 4 contracted
  CHECK(stage_block_dilation(net, 15) == 4);
  CHECK(named_parameter(net, "head.pam_in.0.weight").shape()[0] == 512);  // DANet's inter channels: 2048 / 4
  CHECK(named_parameter(net, "aux_head.0.weight").shape() == Shape{256, 1024, 3, 3});
  net.eval();
  TensorDict out = net.forward_all({f32_input({1, 3, 32, 32}, 7)});
  CHECK(out.at("out").shape() == Shape{1, 19, 32, 32});
}

TEST_CASE("VideoReidNet: ResNet-50 with Non-local blocks, last stride 1: a 2048-d feature per tracklet") {
  ScopedBackend backend(fastest_backend());
  ReidNetOptions o{.in_channels = 3, .num_identities = 625, .widths = {64, 128, 256, 512}, .strides = {1, 2, 2, 1}, .blocks = {3, 4, 6, 3},
                   .block = BlockKind::bottleneck, .stem = StemKind::imagenet, .inflate = {"all", "even", "even", "odd"},
                   .nonlocal_mode = "embedded_gaussian", .nonlocal_blocks = 5};
  VideoReidNet net(o);
  CHECK(net.feature_dim() == 2048);
  CHECK(net.num_parameters() == 35866432);
  net.eval();
  TensorDict out = net.forward_all({f32_input({2, 3, 4, 64, 32}, 8)});
  CHECK(out.at("out").shape() == Shape{2, 2048});
  CHECK(out.at("logits").shape() == Shape{2, 625});
}
