// Config inheritance (`_base_`): the order files apply in, how sections merge, chains of bases, the
// errors of a bad chain, and every value's place still named in the file that set it.
#include <filesystem>
#include <sstream>

#include "support/temp_dir.h"
#include "support/test_support.h"
#include "trainers/lib/config/config.h"
#include "trainers/lib/config/schema.h"

using namespace gaze;

namespace {

using gaze::test::has;

// The resolved config's lines without the comments --sources adds.
std::string without_sources(const std::string& text) {
  std::istringstream in(text);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("#", 0) == 0) continue;
    const auto comment = line.find("  # ");
    if (comment != std::string::npos) line = line.substr(0, comment);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("bases apply in the order listed, then the file's own keys, then --set") {
  test::TempDir dir("config_bases_order");
  const std::string a = dir.write("a.yaml", "optim:\n  lr: 0.01\n  momentum: 0.5\ntrain:\n  epochs: 2\n");
  const std::string b = dir.write("b.yaml", "optim:\n  lr: 0.02\n  weight_decay: 0.001\n");
  // _base_ may come after the sections: bases still apply first.
  const std::string top = dir.write("top.yaml", "optim:\n  weight_decay: 0.003\n_base_: [a.yaml, b.yaml]\n");
  const Config c = load_config(top, {"train.epochs=5"});
  CHECK(c.number("optim.lr") == 0.02);             // b after a
  CHECK(c.number("optim.momentum") == 0.5);        // only a gives it
  CHECK(c.number("optim.weight_decay") == 0.003);  // the file after its bases
  CHECK(c.integer("train.epochs") == 5);           // --set last
  CHECK(c.where("optim.lr") == b + ":2:7");
  CHECK(c.where("optim.momentum") == a + ":3:13");
  CHECK(c.where("optim.weight_decay") == top + ":2:17");
  CHECK(c.where("train.epochs") == "--set train.epochs=5");
  CHECK(c.where("optim.name") == "default");
  // The other order: a's lr wins.
  const std::string swapped = dir.write("swapped.yaml", "_base_: [b.yaml, a.yaml]\n");
  CHECK(load_config(swapped).number("optim.lr") == 0.01);
}

TEST_CASE("sections merge key by key; lists, scalars and the attention spec replace the base's value whole") {
  test::TempDir dir("config_bases_merge");
  dir.write("base.yaml",
            "model:\n  widths: [16, 32, 64]\n  strides: [1, 2, 2]\n  attention: {type: cbam, reduction: 8, pool_types: [avg]}\n"
            "data:\n  transforms: [normalize, random_crop, hflip]\n  batch_size: 64\n");
  const std::string child = dir.write("child.yaml",
                                      "_base_: base.yaml\nmodel:\n  widths: [8, 16]\n  strides: [1, 2]\n  attention: {type: se}\n"
                                      "data:\n  transforms: [normalize]\n");
  const Config c = load_config(child);
  CHECK(c.integers("model.widths") == std::vector<int64_t>{8, 16});
  CHECK(c.integers("model.strides") == std::vector<int64_t>{1, 2});
  CHECK(c.texts("data.transforms") == std::vector<std::string>{"normalize"});
  CHECK(c.integer("data.batch_size") == 64);  // the base's, merged into the child's data section
  const YAML::Node attention = c.node("model.attention");
  CHECK(attention.size() == 1);  // {type: se}: no reduction or pool_types left over from cbam
  CHECK(attention["type"].as<std::string>() == "se");
  // An empty spec replaces too: no attention.
  const std::string none = dir.write("none.yaml", "_base_: base.yaml\nmodel:\n  attention: {}\n");
  CHECK(load_config(none).node("model.attention").size() == 0);
}

TEST_CASE("_delete_: true in a section replaces the bases' section whole") {
  test::TempDir dir("config_bases_delete");
  dir.write("base.yaml", "model:\n  widths: [16, 32]\n  strides: [1, 2]\n  attention: {type: se}\noptim:\n  lr: 0.5\n");
  const std::string child = dir.write("child.yaml", "_base_: base.yaml\nmodel:\n  _delete_: true\n  in_channels: 3\n");
  const Config c = load_config(child);
  CHECK(c.integer("model.in_channels") == 3);
  CHECK(c.integers("model.widths") == std::vector<int64_t>{32, 64, 128});  // the default again
  CHECK(c.where("model.widths") == "default");
  CHECK(c.node("model.attention").size() == 0);
  CHECK(c.number("optim.lr") == 0.5);  // other sections still merge
  // A component's key a base gave goes too: the tsn config need not inherit c2d's attention_blocks.
  dir.write("c2d.yaml", "model:\n  backbone: c2d\n  attention_blocks: 2\ndata:\n  dataset: action_clips\n");
  const std::string tsn = dir.write("tsn.yaml", "_base_: c2d.yaml\nmodel:\n  _delete_: true\n  backbone: tsn\n");
  CHECK(load_config(tsn).values.count("model.attention_blocks") == 0);
  const std::string bad = dir.write("bad_delete.yaml", "_base_: base.yaml\nmodel:\n  _delete_: yes please\n");
  CHECK_THROWS_WITH_AS(load_config(bad), has(bad + ":3:13: '_delete_' in section 'model' is true"), InputError);
  const std::string spec = dir.write("spec_delete.yaml", "_base_: base.yaml\nmodel:\n  attention: {_delete_: true, type: cbam}\n");
  CHECK_THROWS_WITH_AS(load_config(spec), has(spec + ":3:14: model.attention replaces a base's spec whole"), InputError);
}

TEST_CASE("a chain of bases, each path relative to the file that names it") {
  test::TempDir dir("config_bases_chain");
  dir.write("common/optim.yaml", "optim:\n  name: adam\n  lr: 0.001\n");
  dir.write("task/base.yaml", "_base_: ../common/optim.yaml\ntrain:\n  epochs: 4\n");
  const std::string leaf = dir.write("task/variants/leaf.yaml", "_base_: ../base.yaml\noptim:\n  lr: 0.002\n");
  const Config c = load_config(leaf);
  CHECK(c.text("optim.name") == "adam");
  CHECK(c.number("optim.lr") == 0.002);
  CHECK(c.integer("train.epochs") == 4);
  // A base is named by its path joined to its includer's folder, without "..".
  CHECK(c.where("optim.name") == (dir.path / "common/optim.yaml").string() + ":2:9");
  CHECK(c.where("train.epochs") == (dir.path / "task/base.yaml").string() + ":3:11");
}

TEST_CASE("a cycle of bases is one error naming the chain") {
  test::TempDir dir("config_bases_cycle");
  const std::string a = dir.write("a.yaml", "_base_: b.yaml\ntrain:\n  epochs: 2\n");
  const std::string b = dir.write("b.yaml", "train:\n  seed: 1\n_base_: [a.yaml]\n");
  CHECK_THROWS_WITH_AS(load_config(a), (b + ":3:10: _base_ 'a.yaml' makes a cycle: " + a + " -> " + b + " -> " + a +
                                        "; a config cannot build on itself").c_str(),
                       InputError);
  const std::string self = dir.write("self.yaml", "_base_: ./self.yaml\n");
  CHECK_THROWS_WITH_AS(load_config(self), has(self + ":1:9: _base_ './self.yaml' makes a cycle: " + self + " -> " + self), InputError);
  // Two bases sharing a base is no cycle.
  dir.write("shared.yaml", "optim:\n  lr: 0.3\n");
  dir.write("left.yaml", "_base_: shared.yaml\n");
  dir.write("right.yaml", "_base_: shared.yaml\n");
  CHECK(load_config(dir.write("diamond.yaml", "_base_: [left.yaml, right.yaml]\n")).number("optim.lr") == 0.3);
}

TEST_CASE("a missing base, or a _base_ that is not a path, is one error at the _base_ entry") {
  test::TempDir dir("config_bases_missing");
  dir.write("a.yaml", "train:\n  epochs: 2\n");
  const std::string missing = dir.write("missing.yaml", "_base_:\n  - a.yaml\n  - resnett.yaml\n");
  CHECK_THROWS_WITH_AS(load_config(missing),
                       (missing + ":3:5: _base_ file 'resnett.yaml' not found (looked for " + dir.file("resnett.yaml") +
                        "; a base's path is relative to the file naming it)").c_str(),
                       InputError);
  const std::string folder = dir.write("folder.yaml", "_base_: .\n");
  CHECK_THROWS_WITH_AS(load_config(folder), has(folder + ":1:9: _base_ '.' is not a file"), InputError);
  const std::string mapping = dir.write("mapping.yaml", "_base_: {file: a.yaml}\n");
  CHECK_THROWS_WITH_AS(load_config(mapping), has(mapping + ":1:9: _base_ names the configs this one builds on: a path or a list of paths"),
                       InputError);
  const std::string empty = dir.write("empty.yaml", "_base_:\ntrain:\n  epochs: 2\n");
  CHECK_THROWS_WITH_AS(load_config(empty), has(empty + ":1:1: _base_ names the configs"), InputError);
  // A file of only a _base_ is a config: its base's.
  CHECK(load_config(dir.write("alias.yaml", "_base_: a.yaml\n")).integer("train.epochs") == 2);
}

TEST_CASE("an error in a value a base sets names the base's file, line and column") {
  test::TempDir dir("config_bases_errors");
  const std::string type = dir.write("type.yaml", "train:\n  epochs: ten\n");
  CHECK_THROWS_WITH_AS(load_config(dir.write("t.yaml", "_base_: type.yaml\n")), (type + ":2:11: 'train.epochs' must be an integer, got 'ten'").c_str(),
                       InputError);
  const std::string key = dir.write("key.yaml", "optim:\n  lr_decay: 0.5\n");
  CHECK_THROWS_WITH_AS(load_config(dir.write("k.yaml", "_base_: key.yaml\n")), has(key + ":2:3: unknown key 'optim.lr_decay'"), InputError);
  const std::string layer = dir.write("layer.yaml", "model:\n  attention: {type: cbam, reduction: 8, mode: gaussian}\n");
  CHECK_THROWS_WITH_AS(load_config(dir.write("l.yaml", "_base_: layer.yaml\n")), has(layer + ":2:41: unknown option 'mode' for layer 'cbam'"),
                       InputError);
  // Checks across keys name the file that set the value too.
  const std::string widths = dir.write("widths.yaml", "model:\n  widths: [16, 32]\n");
  CHECK_THROWS_WITH_AS(load_config(dir.write("w.yaml", "_base_: widths.yaml\ntrain:\n  epochs: 3\n")),
                       (widths + ":2:11: 'model.widths' has 2 entries and 'model.strides' 3: one stride per stage").c_str(), InputError);
  // A key the base gives that this config's components do not read.
  const std::string reid = dir.write("reid.yaml", "data:\n  dataset: reid_tracklets\n  cameras: 2\nmodel:\n  backbone: reid3d\n");
  CHECK_THROWS_WITH_AS(load_config(dir.write("f.yaml", "_base_: reid.yaml\ndata:\n  dataset: fashion_mnist\nmodel:\n  backbone: resnet\n")),
                       has(reid + ":3:3: data.cameras is read by dataset reid_tracklets"), InputError);
  // Each file is checked as it is read: a base's bad value is an error even where a file overrides it.
  CHECK_THROWS_WITH_AS(load_config(dir.write("over.yaml", "_base_: type.yaml\ntrain:\n  epochs: 3\n")),
                       has(type + ":2:11: 'train.epochs' must be an integer"), InputError);
}

TEST_CASE("--sources lists every key of the resolved config with the place that set it") {
  test::TempDir dir("config_bases_sources");
  const std::string base = dir.write("base.yaml", "optim:\n  lr: 0.05\nmodel:\n  attention: {type: se}\n");
  const std::string top = dir.write("top.yaml", "_base_: base.yaml\noptim:\n  momentum: 0.8\n");
  const Config c = load_config(top, {"train.epochs=3"});
  const std::string text = c.to_yaml_with_sources();
  CHECK_MESSAGE(text.find("  lr: 0.05") != std::string::npos, text);
  CHECK(text.find("# " + base + ":2:7\n") != std::string::npos);
  CHECK(text.find("# " + base + ":4:14\n") != std::string::npos);
  CHECK(text.find("# " + top + ":3:13\n") != std::string::npos);
  CHECK(text.find("# --set train.epochs=3\n") != std::string::npos);
  CHECK(text.find("  name: sgd") != std::string::npos);
  // Without its comments it is the resolved config, key for key.
  CHECK(without_sources(text) == c.to_yaml());
}

TEST_CASE("the shipped variants differ from their base config only in what they name") {
  const std::string configs = GAZE_TESTS_DIR "/../configs/";
  const auto differing = [&](const std::string& base, const std::string& variant) {
    const Config a = load_config(configs + base), b = load_config(configs + variant);
    std::vector<std::string> keys;
    for (const auto& [key, value] : b.values)
      if (!a.values.count(key) || YAML::Dump(a.values.at(key)) != YAML::Dump(value)) keys.push_back(key);
    for (const auto& [key, value] : a.values)
      if (!b.values.count(key)) keys.push_back(key);
    return keys;
  };
  using Keys = std::vector<std::string>;
  CHECK(differing("classification/resnet.yaml", "classification/se_resnet.yaml") == Keys{"model.attention"});
  CHECK(differing("classification/resnet.yaml", "classification/cbam_resnet.yaml") == Keys{"model.attention"});
  CHECK(differing("classification/resnet.yaml", "classification/bam_resnet.yaml") == Keys{"model.attention", "model.attention_placement"});
  CHECK(differing("action/c2d.yaml", "action/c2d_nonlocal_gaussian.yaml") == Keys{"model.attention"});
  CHECK(differing("segmentation/fcn.yaml", "segmentation/danet_pam_cam.yaml") == Keys{"model.head"});
  CHECK(differing("reid/c3d.yaml", "reid/c3d_nonlocal.yaml") == Keys{"model.attention"});
}
