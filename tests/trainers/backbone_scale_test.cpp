// The scale keys (trainers/tasks/backbone_scale.h): model.depth's table and strides, the explicit
// keys without it, a depth that contradicts explicit widths refused with both places, a depth
// config read back from its resolved form, and the ResNet-50 they build.
#include "trainers/tasks/backbone_scale.h"

#include <fstream>

#include "support/temp_dir.h"
#include "support/test_support.h"
#include "trainers/tasks/from_config.h"
#include "trainers/tasks/registry.h"

using namespace gaze;

TEST_CASE("backbone_scale: model.depth sets widths, blocks, block and strides [1, 2, 2, 2] unless strides are given") {
  register_builtin_components();
  BackboneScale r50 = backbone_scale(load_config("", {"model.depth=50"}));
  CHECK(r50.widths == std::vector<int64_t>{64, 128, 256, 512});
  CHECK(r50.blocks == std::vector<int64_t>{3, 4, 6, 3});
  CHECK(r50.block == BlockKind::bottleneck);
  CHECK(r50.strides == std::vector<int64_t>{1, 2, 2, 2});
  BackboneScale last_stride_1 = backbone_scale(load_config("", {"model.depth=18", "model.strides=[1,2,2,1]", "model.stem=imagenet"}));
  CHECK(last_stride_1.block == BlockKind::basic);
  CHECK(last_stride_1.strides == std::vector<int64_t>{1, 2, 2, 1});
  CHECK(last_stride_1.stem == StemKind::imagenet);
  // Without a depth the keys are read as given; the defaults are the small model's.
  BackboneScale small = backbone_scale(load_config("", {}));
  CHECK(small.widths == std::vector<int64_t>{32, 64, 128});
  CHECK(small.blocks.empty());
  CHECK(small.block == BlockKind::basic);
  CHECK(small.stem == StemKind::small);
  BackboneScale given = backbone_scale(load_config("", {"model.widths=[8,16]", "model.strides=[1,2]", "model.blocks=[2,3]", "model.block=bottleneck"}));
  CHECK(given.blocks == std::vector<int64_t>{2, 3});
  CHECK(given.block == BlockKind::bottleneck);
}

TEST_CASE("backbone_scale: a depth beside different explicit widths is refused naming both; the depth's own widths are accepted") {
  register_builtin_components();
  CHECK_THROWS_WITH_AS(backbone_scale(load_config("", {"model.depth=50", "model.widths=[16,32,64,128]"})),
                       doctest::Contains("model.widths is set, and so is model.depth (--set model.depth=50: 50)"), Error);
  CHECK(backbone_scale(load_config("", {"model.depth=50", "model.widths=[64,128,256,512]"})).blocks == std::vector<int64_t>{3, 4, 6, 3});
  CHECK_THROWS_WITH_AS(load_config("", {"model.depth=50", "model.inflate=[all]"}), doctest::Contains("model.inflate"), Error);
}

TEST_CASE("a model.depth config reads back from its resolved form (a run directory's config.yaml) to the same ResNet-50") {
  register_builtin_components();
  const Config config = load_config("", {"model.depth=50", "model.stem=imagenet", "model.in_channels=3", "model.num_classes=1000"});
  const std::string yaml = config.to_yaml();
  CHECK(yaml.find("  depth: 50\n") != std::string::npos);
  test::TempDir dir("depth");
  const std::string path = (dir.path / "config.yaml").string();
  std::ofstream(path) << yaml;
  const Config again = load_config(path);
  BackboneScale a = backbone_scale(config), b = backbone_scale(again);
  CHECK(a.widths == b.widths);
  CHECK(a.blocks == b.blocks);
  CHECK(a.strides == b.strides);
  CHECK(build_resnet(again, 10)->num_parameters() == 25557032);
}
