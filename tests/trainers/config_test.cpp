// Training configs: defaults, --set overrides, the example config, and one clear message (with
// its place) per kind of bad input.
#include <filesystem>
#include <fstream>
#include <map>

#include <unistd.h>

#include "layers/yaml_values.h"
#include "support/temp_dir.h"
#include "support/test_support.h"
#include "trainers/lib/config/config.h"
#include "trainers/lib/config/schema.h"
#include "trainers/tasks/backbone_scale.h"

using namespace gaze;

namespace {

// A YAML file in this process's temporary directory; its path.
std::string write_yaml(const std::string& name, const std::string& text) {
  static const test::TempDir dir("config_test");
  return dir.write(name, text);
}

// doctest::Contains of a std::string (it takes doctest's own String).
using gaze::test::has;

}  // namespace

TEST_CASE("defaults fill in every key the file leaves out") {
  const std::string path = write_yaml("partial.yaml", "optim:\n  lr: 0.05\ntrain:\n  epochs: 3\n");
  Config c = load_config(path);
  CHECK(c.number("optim.lr") == 0.05);
  CHECK(c.integer("train.epochs") == 3);
  CHECK(c.text("optim.name") == "sgd");
  CHECK(c.integers("model.widths") == std::vector<int64_t>{32, 64, 128});
  CHECK(c.texts("eval.metrics").empty());  // the task's defaults (classification: top1, top5)
  CHECK(c.node("model.attention").IsMap());
  // The common keys, backbone resnet's (the scale keys, trainers/tasks/backbone_scale.h) and the
  // classification task's own (eval.flip).
  CHECK(c.values.size() == config_schema().size() + backbone_scale_keys({}).size() + 1);
  CHECK_FALSE(c.boolean("eval.flip"));
  CHECK(c.where("optim.lr") == path + ":2:7");
  CHECK(c.where("optim.name") == "default");
  // to_yaml prints every section with defaults filled in, and reads back to the same config.
  const std::string yaml = c.to_yaml();
  for (const auto& section : config_sections()) CHECK(yaml.find(section + ":\n") != std::string::npos);
  CHECK(yaml.find("optim:\n  name: sgd\n  lr: 0.05\n") != std::string::npos);
  CHECK(yaml.find("  widths: [32, 64, 128]\n") != std::string::npos);
  Config again = load_config(write_yaml("resolved.yaml", yaml));
  CHECK(again.to_yaml() == yaml);
  CHECK(again.number("optim.lr") == 0.05);
}

TEST_CASE("--set overrides the file, including lists and nested maps") {
  const std::string path = write_yaml("base.yaml", "optim:\n  lr: 0.05\n");
  Config c = load_config(path, {"optim.lr=0.2", "model.widths=[16, 32]", "model.strides=[1, 2]",
                                "model.attention={type: se, reduction: 8}", "data.transforms=[normalize, hflip]",
                                "optim.nesterov=false"});
  CHECK(c.number("optim.lr") == 0.2);
  CHECK(c.integers("model.widths") == std::vector<int64_t>{16, 32});
  CHECK(c.node("model.attention")["type"].as<std::string>() == "se");
  CHECK(c.node("model.attention")["reduction"].as<int>() == 8);
  CHECK(c.texts("data.transforms") == std::vector<std::string>{"normalize", "hflip"});
  CHECK_FALSE(c.boolean("optim.nesterov"));
  CHECK(c.where("optim.lr") == "--set optim.lr=0.2");
  CHECK(load_config("", {"train.epochs=7"}).integer("train.epochs") == 7);
}

TEST_CASE("the example CBAM ResNet config validates") {
  Config c = load_config(GAZE_TESTS_DIR "/../configs/classification/cbam_resnet.yaml");
  CHECK(c.node("model.attention")["type"].as<std::string>() == "cbam");
  CHECK(c.integers("model.widths") == std::vector<int64_t>{32, 64, 128});
  CHECK(c.text("schedule.name") == "cosine");
}

TEST_CASE("bad configs: each gives one message with its place") {
  CHECK_THROWS_WITH_AS(load_config("/nonexistent/gaze.yaml"), "config file '/nonexistent/gaze.yaml' not found", Error);

  const std::string syntax = write_yaml("syntax.yaml", "optim:\n  lr: [0.1\n");
  CHECK_THROWS_WITH_AS(load_config(syntax), doctest::Contains((syntax + ":3:1: YAML syntax error:").c_str()), Error);

  const std::string key = write_yaml("key.yaml", "optim:\n  lr: 0.1\n  lr_decay: 0.5\n");
  CHECK_THROWS_WITH_AS(load_config(key), (key + ":3:3: unknown key 'optim.lr_decay' (did you mean 'optim.weight_decay'?)").c_str(),
                       Error);

  const std::string section = write_yaml("section.yaml", "optimizer:\n  lr: 0.1\n");
  CHECK_THROWS_WITH_AS(load_config(section),
                       doctest::Contains((section + ":1:1: unknown section 'optimizer' (did you mean 'optim'?); sections: model, data,").c_str()),
                       Error);

  const std::string type = write_yaml("type.yaml", "train:\n  epochs: ten\n");
  CHECK_THROWS_WITH_AS(load_config(type), (type + ":2:11: 'train.epochs' must be an integer, got 'ten'").c_str(), Error);
  const std::string list = write_yaml("list.yaml", "model:\n  widths: 32\n");
  CHECK_THROWS_WITH_AS(load_config(list), (list + ":2:11: 'model.widths' must be a list of integers, got '32'").c_str(), Error);

  const std::string range = write_yaml("range.yaml", "data:\n  val_fraction: 1.5\n");
  CHECK_THROWS_WITH_AS(load_config(range), (range + ":2:17: 'data.val_fraction' must be between 0 and 0.9, got 1.5").c_str(), Error);
  const std::string item = write_yaml("item.yaml", "model:\n  widths: [32, 0]\n");
  CHECK_THROWS_WITH_AS(load_config(item), (item + ":2:16: each item of 'model.widths' must be between 1 and 4096, got 0").c_str(),
                       Error);

  const std::string allowed = write_yaml("allowed.yaml", "optim:\n  name: adamm\n");
  CHECK_THROWS_WITH_AS(load_config(allowed),
                       (allowed + ":2:9: 'optim.name' must be one of sgd, adam, adamw, got 'adamm' (did you mean 'adam'?)").c_str(),
                       Error);

  const std::string mismatch = write_yaml("mismatch.yaml", "model:\n  widths: [16, 32]\n");
  CHECK_THROWS_WITH_AS(load_config(mismatch), (mismatch + ":2:11: 'model.widths' has 2 entries and 'model.strides' 3: one stride per stage").c_str(), Error);
}

TEST_CASE("the attention spec is checked by the layer registry when the config loads") {
  const std::string unknown = write_yaml("attention_type.yaml", "model:\n  attention: {type: cbma, reduction: 8}\n");
  CHECK_THROWS_WITH_AS(load_config(unknown), doctest::Contains("attention_type.yaml:2:21: unknown layer type 'cbma' (did you mean 'cbam'?); types:"),
                       Error);
  const std::string option = write_yaml("attention_option.yaml", "model:\n  attention:\n    type: se\n    ratio: 4\n");
  CHECK_THROWS_WITH_AS(load_config(option), doctest::Contains("attention_option.yaml:4:5: unknown option 'ratio' for layer 'se'"), Error);
  CHECK_THROWS_WITH_AS(load_config(option, {"model.attention={type: nonlocal, mode: dot}"}),
                       doctest::Contains("attention_option.yaml:4:5"), Error);  // the file is read first
  Config fine = load_config(write_yaml("attention_ok.yaml", "model:\n  attention: {type: nonlocal, mode: dot_product}\n"));
  CHECK(fine.node("model.attention")["mode"].as<std::string>() == "dot_product");
}

TEST_CASE("bad --set values name the flag") {
  CHECK_THROWS_WITH_AS(load_config("", {"optim.lr"}),
                       "--set 'optim.lr': expected section.key=value, e.g. --set optim.lr=0.05", Error);
  CHECK_THROWS_WITH_AS(load_config("", {"lr=0.1"}), doctest::Contains("--set 'lr=0.1': 'lr' is not a dotted key"), Error);
  CHECK_THROWS_WITH_AS(load_config("", {"optim.lr_decay=0.1"}),
                       "--set 'optim.lr_decay=0.1': unknown key 'optim.lr_decay' (did you mean 'optim.weight_decay'?)", Error);
  CHECK_THROWS_WITH_AS(load_config("", {"optim.lr=fast"}), "--set 'optim.lr=fast': 'optim.lr' must be a number, got 'fast'", Error);
  CHECK_THROWS_WITH_AS(load_config("", {"model.widths=[16,"}), doctest::Contains("--set 'model.widths=[16,': the value is not valid YAML"),
                       Error);
}

TEST_CASE("the schema text lists every section and key") {
  const std::string all = explain_config();
  for (const auto& k : config_schema()) {
    CHECK(all.find(k.section + ":\n") != std::string::npos);
    CHECK(all.find("  " + k.name + " ") != std::string::npos);
  }
  CHECK(all.find("one of: sgd, adam, adamw") != std::string::npos);
  const std::string optim = explain_config("optim");
  CHECK(optim.find("weight_decay") != std::string::npos);
  CHECK(optim.find("epochs") == std::string::npos);
  CHECK_THROWS_WITH_AS(explain_config("optimizer"), doctest::Contains("unknown config section 'optimizer' (did you mean 'optim'?)"), Error);
}

TEST_CASE("a layer spec of the wrong YAML shape is one message with its place, never a yaml-cpp exception") {
  // A list where the type or an option's name should be a scalar: yaml-cpp's conversions throw.
  const std::string type_list = write_yaml("shape_type.yaml", "model:\n  attention: {type: [cbam, se], reduction: 4}\n");
  CHECK_THROWS_WITH_AS(load_config(type_list),
                       has(type_list + ":2:21: a layer's 'type' is one name, e.g. cbam, got '[cbam, se]'"), InputError);
  const std::string type_map = write_yaml("shape_type_map.yaml", "model:\n  attention:\n    type: {name: cbam}\n");
  CHECK_THROWS_WITH_AS(load_config(type_map), has(type_map + ":3:11: a layer's 'type' is one name"), InputError);
  const std::string key_list = write_yaml("shape_key.yaml", "model:\n  attention: {type: se, [reduction]: 4}\n");
  CHECK_THROWS_WITH_AS(load_config(key_list),
                       has(key_list + ":2:25: an option of layer 'se' is named by a plain word, got '[reduction]'"),
                       InputError);
  const std::string value_map = write_yaml("shape_value.yaml", "model:\n  attention: {type: se, reduction: {a: 1}}\n");
  CHECK_THROWS_WITH_AS(load_config(value_map),
                       has(value_map + ":2:36: option 'reduction' of layer 'se' must be an integer, got '{a: 1}'"), InputError);
  const std::string bn = write_yaml("shape_nan.yaml", "model:\n  attention: {type: nonlocal, bn_init: .nan}\n");
  CHECK_THROWS_WITH_AS(load_config(bn), has("option 'bn_init' of layer 'nonlocal' must be a number (a finite one), got '.nan'"),
                       InputError);
  const std::string section_key = write_yaml("shape_section_key.yaml", "[optim]:\n  lr: 0.1\n");
  CHECK_THROWS_WITH_AS(load_config(section_key), has(section_key + ":1:1: a section name must be a string, got '[optim]'"),
                       InputError);
  const std::string key = write_yaml("shape_config_key.yaml", "optim:\n  {lr: 1}: 0.1\n");
  CHECK_THROWS_WITH_AS(load_config(key), has(key + ":2:3: a key must be a string, got '{lr: 1}'"), InputError);
  // The same through --set.
  CHECK_THROWS_WITH_AS(load_config("", {"model.attention={type: [se]}"}),
                       has("a layer's 'type' is one name, e.g. cbam, got '[se]'"), InputError);
}

TEST_CASE("an empty config, a key or a section given twice, and NaN or infinite numbers are refused") {
  const std::string empty = write_yaml("empty.yaml", "");
  CHECK_THROWS_WITH_AS(load_config(empty), has(empty + ": the config is empty (no sections)"), InputError);
  const std::string comments = write_yaml("comments.yaml", "# a config\n\n   # with nothing in it\n");
  CHECK_THROWS_WITH_AS(load_config(comments), has(comments + ": the config is empty"), InputError);

  const std::string key = write_yaml("twice_key.yaml", "optim:\n  lr: 0.1\n  momentum: 0.8\n  lr: 0.5\n");
  CHECK_THROWS_WITH_AS(load_config(key),
                       (key + ":4:3: 'optim.lr' is given twice (first at line 2); keys of a YAML mapping are unique: keep one").c_str(),
                       InputError);
  const std::string section = write_yaml("twice_section.yaml", "optim:\n  lr: 0.1\ntrain:\n  epochs: 2\noptim:\n  momentum: 0.5\n");
  CHECK_THROWS_WITH_AS(load_config(section), has(section + ":5:1: 'optim' is given twice (first at line 1)"), InputError);
  const std::string nested = write_yaml("twice_nested.yaml", "model:\n  attention: {type: se, reduction: 4, reduction: 8}\n");
  CHECK_THROWS_WITH_AS(load_config(nested), has(nested + ":2:39: 'model.attention.reduction' is given twice"), InputError);
  CHECK_THROWS_WITH_AS(load_config("", {"model.attention={type: se, type: cbam}"}), has("'type' is given twice"), InputError);

  for (const std::string value : {".nan", ".NaN", ".inf", "-.inf", "+.Inf"}) {
    INFO(value);
    const std::string path = write_yaml("nonfinite.yaml", "optim:\n  lr: " + value + "\n");
    CHECK_THROWS_WITH_AS(load_config(path), (path + ":2:7: 'optim.lr' must be a finite number, got '" + value + "'").c_str(), InputError);
  }
  for (const std::string key : {"optim.momentum", "schedule.warmup_epochs", "optim.grad_clip", "schedule.min_lr", "data.occlusion",
                                "train.label_smoothing"})
    CHECK_THROWS_WITH_AS(load_config("", {key + "=.nan"}), has("'" + key + "' must be a finite number, got '.nan'"),
                         InputError);
  // Infinity is also not in any range, and not an integer.
  CHECK_THROWS_WITH_AS(load_config("", {"train.epochs=.inf"}), has("'train.epochs' must be an integer, got '.inf'"),
                       InputError);
}

TEST_CASE("an unclosed quote is reported where it opens, in one line") {
  const std::string path = write_yaml("quote.yaml", "optim:\n  name: \"sgd\n  lr: 0.1\nlog:\n  name: x\ntrain:\n  epochs: 2\n");
  CHECK_THROWS_WITH_AS(load_config(path),
                       (path + ":2:9: the quote opened here is not closed on this line (YAML would read on to the next \" quote or the "
                               "end of the file); close it")
                           .c_str(),
                       InputError);
  const std::string single = write_yaml("quote_single.yaml", "log:\n  name: 'it''s\ntrain:\n  epochs: 2\n");
  CHECK_THROWS_WITH_AS(load_config(single), has(single + ":2:9: the quote opened here is not closed"), InputError);
  // Quotes closed on their line, with escaped and doubled quotes inside, are fine.
  const Config fine = load_config(write_yaml("quote_ok.yaml", "log:\n  name: \"a\\\"b\"\n  dir: 'it''s'\n"));
  CHECK(fine.text("log.name") == "a\"b");
  CHECK(fine.text("log.dir") == "it's");
  // A long value is shown cut, on one line.
  const std::string long_value = write_yaml("long_value.yaml", "optim:\n  name: " + std::string(200, 'x') + "\n");
  CHECK_THROWS_WITH_AS(load_config(long_value), has("got '" + std::string(60, 'x') + "...'"), InputError);
}

TEST_CASE("a file above the size limit is refused with its size; a run name the file system refuses is refused at load") {
  const std::string big = write_yaml("big.yaml", "model:\n  widths: [" + std::string(kMaxYamlFileBytes, '1') + "]\n");
  CHECK_THROWS_WITH_AS(load_config(big),
                       has(fmt::format("config file '{}' holds {} bytes; a config is at most 256 KiB", big,
                                                     std::filesystem::file_size(big))),
                       InputError);
  // Just under the limit: read and checked whole (the value is out of range).
  std::string list = "model:\n  widths: [";
  while (list.size() < kMaxYamlFileBytes - 16) list += "4097, ";
  const std::string under = write_yaml("under.yaml", list + "1]\n");
  CHECK_THROWS_WITH_AS(load_config(under), has("each item of 'model.widths' must be between 1 and 4096, got 4097"),
                       InputError);

  CHECK_THROWS_WITH_AS(load_config("", {"log.name=" + std::string(256, 'n')}),
                       has("'log.name' is 256 bytes long; a directory name is at most 255 bytes"), InputError);
  CHECK_THROWS_WITH_AS(load_config("", {"log.name=a/b"}), has("'log.name' 'a/b' must be a plain directory name"),
                       InputError);
  CHECK_THROWS_WITH_AS(load_config("", {"log.dir=\"runs\\0x\""}), has("'log.dir' must be one line of text without NUL"),
                       InputError);
}

TEST_CASE("the model section's schema lists the layer types model.attention takes, from their declarations") {
  const std::string model = explain_config("model");
  CHECK(model.find("  model.attention layer types (the model fills in channels):\n") != std::string::npos);
  CHECK(model.find("    nonlocal: Non-local block (Wang et al. 2018)\n") != std::string::npos);
  CHECK(model.find("        one of: gaussian, embedded_gaussian, dot_product, concatenation\n") != std::string::npos);
  CHECK(explain_config("optim").find("layer types") == std::string::npos);
}

TEST_CASE("a resolved config holds the common keys and its own components' keys only") {
  const Config classification = load_config(GAZE_TESTS_DIR "/../configs/classification/cbam_resnet.yaml");
  CHECK(classification.components == std::map<std::string, std::string>{{"dataset", "fashion_mnist"}, {"task", "classification"},
                                                                        {"backbone", "resnet"}});
  const std::string plain = classification.to_yaml();
  for (const std::string key : {"data.cameras", "data.occlusion", "data.frames", "data.clips_per_video", "model.head", "model.segments",
                                "model.attention_blocks", "train.aux_weight", "train.triplet_weight", "train.interaction_weight"}) {
    INFO(key);
    CHECK(classification.values.count(key) == 0);
    CHECK(plain.find("  " + key.substr(key.find('.') + 1) + ":") == std::string::npos);
  }
  CHECK_THROWS_WITH_AS(classification.integer("data.cameras"), has("data.cameras is read by dataset reid_tracklets"), Error);

  const Config reid = load_config(GAZE_TESTS_DIR "/../configs/reid/c3d.yaml");
  CHECK(reid.component("task") == "reid");
  CHECK(reid.integer("data.cameras") == 3);
  CHECK(reid.number("train.triplet_margin") == 0.3);
  const std::string tracklets = reid.to_yaml();
  CHECK(tracklets.find("  cameras: 3\n") != std::string::npos);
  CHECK(tracklets.find("  triplet_weight: 1\n") != std::string::npos);
  CHECK(tracklets.find("head:") == std::string::npos);
  CHECK(load_config(write_yaml("reid_resolved.yaml", tracklets)).to_yaml() == tracklets);

  // model.head is a key of backbone dilated_fcn; the head it names is a component too.
  const Config fcn = load_config(GAZE_TESTS_DIR "/../configs/segmentation/fcn.yaml", {"model.head=danet_pam"});
  CHECK(fcn.component("head") == "danet_pam");
  CHECK(fcn.number("train.aux_weight") == 0.4);
  // A backbone's keys come with it, its defaults filled in.
  const Config tsn = load_config(write_yaml("tsn.yaml", "model:\n  backbone: tsn\ndata:\n  dataset: action_clips\n"));
  CHECK(tsn.integer("model.segments") == 4);
  CHECK(tsn.values.count("model.attention_blocks") == 0);
}

TEST_CASE("every shipped config validates and reads back from its resolved form") {
  int checked = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(GAZE_TESTS_DIR "/../configs")) {
    if (entry.path().extension() != ".yaml") continue;
    INFO(entry.path().string());
    const std::string yaml = load_config(entry.path().string()).to_yaml();
    CHECK(load_config(write_yaml("shipped_resolved.yaml", yaml)).to_yaml() == yaml);
    ++checked;
  }
  CHECK(checked >= 10);
}

TEST_CASE("a key of a component the config does not use names the component that reads it") {
  const std::string cameras = write_yaml("misplaced.yaml", "data:\n  dataset: fashion_mnist\n  cameras: 4\n");
  CHECK_THROWS_WITH_AS(
      load_config(cameras),
      (cameras + ":3:3: data.cameras is read by dataset reid_tracklets; this config's data.dataset is fashion_mnist").c_str(), InputError);
  CHECK_THROWS_WITH_AS(load_config("", {"model.head=danet"}),
                       "--set 'model.head=danet': model.head is read by backbone dilated_fcn; this config's model.backbone is resnet",
                       InputError);
  CHECK_THROWS_WITH_AS(load_config("", {"data.frames=4"}),
                       has("data.frames is read by datasets action_clips, action_relations, rawframes, videos, reid_tracklets, mars, duke_video; this "
                           "config's data.dataset is fashion_mnist"),
                       InputError);
  CHECK_THROWS_WITH_AS(load_config("", {"train.triplet_margin=0.5"}),
                       has("train.triplet_margin is read by task reid (data.dataset reid_tracklets, mars, duke_video)"), InputError);
  CHECK_THROWS_WITH_AS(load_config(GAZE_TESTS_DIR "/../configs/action/c2d.yaml", {"model.backbone=tsn", "model.attention_blocks=2"}),
                       has("model.attention_blocks is read by backbones c2d, i3d, reid3d; this config's model.backbone is tsn"), InputError);
  // An unknown key is still unknown (with a suggestion among every component's keys); a bad value
  // of a known key is still reported as such.
  CHECK_THROWS_WITH_AS(load_config("", {"data.camera=4"}), has("unknown key 'data.camera' (did you mean 'data.cameras'?)"), InputError);
  CHECK_THROWS_WITH_AS(load_config("", {"data.cameras=many"}), has("'data.cameras' must be an integer, got 'many'"), InputError);
  // The choosing keys' values are the registered components' names.
  CHECK_THROWS_WITH_AS(load_config("", {"model.backbone=resnt"}),
                       has("'model.backbone' must be one of resnet, c2d, i3d, tsn, dilated_fcn, reid3d, got 'resnt'"), InputError);
  CHECK_THROWS_WITH_AS(load_config(GAZE_TESTS_DIR "/../configs/segmentation/fcn.yaml", {"model.head=danet_pma"}),
                       has("'model.head' must be one of fcn, danet, danet_pam, danet_cam, got 'danet_pma' (did you mean 'danet_pam'?)"),
                       InputError);
}

TEST_CASE("the schema text lists every component with its keys, grouped by component") {
  const std::string all = explain_config();
  REQUIRE(config_components().size() >= 12);
  for (const auto& c : config_components()) {
    INFO(c.name);
    CHECK(all.find("\n" + c.kind + " " + c.name) != std::string::npos);
    for (const auto& k : c.keys) CHECK(all.find("  " + k.dotted() + " ") != std::string::npos);
  }
  for (const std::string kind : {"dataset", "task", "backbone", "head"}) CHECK(all.find("\n" + kind + " ") != std::string::npos);
  const std::string reid = explain_config("reid_tracklets");
  CHECK(reid.find("data.cameras") != std::string::npos);
  CHECK(reid.find("model.segments") == std::string::npos);
  const std::string data = explain_config("data");
  CHECK(data.find("data.cameras") != std::string::npos);
  CHECK(data.find("train.triplet_weight") == std::string::npos);
}

TEST_CASE("a run directory's config.yaml from before the components (every key of every component) still loads for a resume") {
  test::TempDir dir("config_saved_run");
  const std::string saved = dir.write("config.yaml", "data: {dataset: fashion_mnist, cameras: 3, frames: 8}\nmodel: {head: fcn}\n");
  CHECK_THROWS_WITH_AS(load_config(saved), has("data.cameras is read by dataset reid_tracklets"), InputError);
  const Config config = load_config(saved, {}, UnreadKeys::drop);
  CHECK(config.values.count("data.cameras") == 0);
  CHECK(config.values.count("model.head") == 0);
  CHECK(config.text("data.dataset") == "fashion_mnist");
}
