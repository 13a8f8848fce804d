// Training configs: defaults, --set overrides, the example config, and one clear message (with
// its place) per kind of bad input.
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "support/temp_dir.h"
#include "support/test_support.h"
#include "trainers/config/config.h"
#include "trainers/config/schema.h"

using namespace gaze;

namespace {

// A YAML file in this process's temporary directory; its path.
std::string write_yaml(const std::string& name, const std::string& text) {
  static const test::TempDir dir("config_test");
  return dir.write(name, text);
}

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
  CHECK(c.values.size() == config_schema().size());
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
