// Layers by YAML name: building, defaults, one clear error per kind of bad spec, every option of
// every layer reaching the layer, and the schema and docs made from the declarations.
#include <fstream>
#include <set>
#include <sstream>

#include "layers/attention/bam.h"
#include "layers/attention/cbam.h"
#include "layers/attention/interaction_aware_pyramid.h"
#include "layers/attention/non_local.h"
#include "layers/registry.h"
#include "layers/yaml_values.h"
#include "support/layer_checks.h"

using namespace gaze;
using namespace gaze::test;

TEST_CASE("a YAML spec builds the layer with its defaults filled in") {
  auto layer = build_layer(YAML::Load("{type: cbam, channels: 32}"));
  REQUIRE(layer->type_name() == "CBAM");
  CHECK(layer->num_parameters() == CBAM(CBAMOptions{.channels = 32}).num_parameters());
  auto nl = build_layer(YAML::Load("{type: nonlocal, channels: 8, mode: dot_product, dims: 3, sub_sample: true}"));
  CHECK(nl->forward(randn({1, 8, 2, 4, 4})).shape() == Shape{1, 8, 2, 4, 4});
  auto conv = build_layer(YAML::Load("{type: conv, in_channels: 3, out_channels: 4, kernel: [1, 3], padding: [0, 1]}"));
  CHECK(conv->forward(randn({1, 3, 5, 5})).shape() == Shape{1, 4, 5, 5});
  auto filled = build_layer(YAML::Load("{type: se}"), {{"channels", "16"}});
  CHECK(filled->forward(randn({1, 16, 2, 2})).shape() == Shape{1, 16, 2, 2});
}

TEST_CASE("bad specs: unknown type, unknown option, wrong type, missing option — each with its place") {
  const std::string file = "configs/x.yaml";
  CHECK_THROWS_WITH_AS(build_layer(YAML::Load("type: cbma\nchannels: 8\n"), file),
                       doctest::Contains("configs/x.yaml:1:7: unknown layer type 'cbma' (did you mean 'cbam'?); types:"), Error);
  CHECK_THROWS_WITH_AS(build_layer(YAML::Load("type: cbam\nchannels: 8\nreduce: 4\n"), file),
                       doctest::Contains("configs/x.yaml:3:1: unknown option 'reduce' for layer 'cbam' (did you mean 'reduction'?); "
                                         "options: channels, reduction, spatial_kernel, dims"),
                       Error);
  CHECK_THROWS_WITH_AS(build_layer(YAML::Load("type: cbam\nchannels: many\n"), file),
                       doctest::Contains("configs/x.yaml:2:11: option 'channels' of layer 'cbam' must be an integer, got 'many'"), Error);
  CHECK_THROWS_WITH_AS(build_layer(YAML::Load("{type: cbam}"), "model.attention"),
                       doctest::Contains("layer 'cbam' needs option 'channels'"), Error);
  CHECK_THROWS_WITH_AS(build_layer(YAML::Load("{type: nonlocal, channels: 8, mode: dot}"), file),
                       doctest::Contains("unknown mode 'dot'"), Error);
  CHECK_THROWS_WITH_AS(build_layer(YAML::Load("[1, 2]"), file), doctest::Contains("a layer is a mapping with a 'type' key"), Error);
}

TEST_CASE("the layer schema lists every type with its options and defaults") {
  std::string schema = describe_layers();
  CHECK(schema.find("nonlocal: Non-local block") != std::string::npos);
  CHECK(schema.find("reduction") != std::string::npos);
  CHECK(schema.find("(required)") != std::string::npos);
}

TEST_CASE("list-of-text options (CBAM's pool_types): a list, a single string, and a clear error for anything else") {
  auto all = build_layer(YAML::Load("{type: cbam, channels: 8, reduction: 2, pool_types: [avg, max, lp, lse]}"));
  CHECK(all->summary().find("pool_types=[avg,max,lp,lse]") != std::string::npos);
  auto one = build_layer(YAML::Load("{type: cbam, channels: 8, reduction: 2, pool_types: lse}"));
  CHECK(one->summary().find("pool_types=[lse]") != std::string::npos);
  CHECK(build_layer(YAML::Load("{type: cbam, channels: 8}"))->summary().find("pool_types") == std::string::npos);  // the default
  CHECK_THROWS_WITH_AS(build_layer(YAML::Load("{type: cbam, channels: 8, pool_types: {avg: 1}}")),
                       doctest::Contains("option 'pool_types' of layer 'cbam' must be a string or a list of strings"), Error);
  CHECK_THROWS_WITH_AS(build_layer(YAML::Load("{type: cbam, channels: 8, pool_types: [avg, mean]}")),
                       doctest::Contains("ChannelGate: unknown pool type 'mean'; pool types: avg, max, lp, lse"), Error);
  CHECK_THROWS_WITH_AS(build_layer(YAML::Load("{type: cbam, channels: 8, spatial_pool_order: max_avg}")),
                       doctest::Contains("SpatialGate: unknown pool order 'max_avg'"), Error);
  CHECK_THROWS_WITH_AS(build_layer(YAML::Load("{type: nonlocal, channels: 8, bn_layer: false, bn_init: 1}")),
                       doctest::Contains("bn_layer is false"), Error);
}

namespace {

// Every option of every layer set away from its default (a layer with a test file of its own adds
// its spec there). Options that cannot all change at once (CBAM's two gates, Non-local's bn_init
// without its BatchNorm) are spread over several specs of one type.
[[maybe_unused]] const bool kBuiltinSpecs = [] {
  for (const char* spec : {
           "{type: se, channels: 8, reduction: 4, bias: false}",
           "{type: cbam, channels: 8, reduction: 4, spatial_kernel: 3, dims: 3, channel_gate: false, pool_types: [lse, lp], "
           "spatial_bn: true, spatial_pool_order: max_mean}",
           "{type: cbam, channels: 8, spatial_gate: false}",
           "{type: bam, channels: 16, reduction: 4, dilation: 2, combine: sum, num_layers: 2, dilation_conv_num: 1}",
           "{type: pyramid_attention, in_channels: [6, 8], channels: 5, fusion: concat}",
           "{type: nonlocal, channels: 8, mode: concatenation, dims: 3, inter_channels: 2, sub_sample: true, scale_logits: true, "
           "bn_init: 0.5, variant: time}",
           "{type: nonlocal, channels: 8, mode: dot_product, bn_layer: false, variant: space, dims: 3, attention_impl: fused}",
           "{type: position_attention, channels: 16, reduction: 4, gamma_init: 0.5, attention_impl: materialized}",
           "{type: channel_attention, channels: 8, form: paper, gamma_init: 0.5}",
           "{type: danet_head, in_channels: 16, num_classes: 3, inter_channels: 4, dropout: 0.25, cam_form: paper, position: false}",
           "{type: danet_head, in_channels: 16, num_classes: 3, channel: false, attention_impl: fused}",
           "{type: conv, in_channels: 4, out_channels: 6, kernel: 5, stride: 2, padding: 1, dilation: 2, groups: 2, bias: false, dims: 1}",
           "{type: conv, in_channels: 3, out_channels: 4, kernel: [1, 3], stride: [1, 2], padding: [0, 1], dilation: [2, 1]}",
           "{type: batch_norm, channels: 4, eps: 0.001, momentum: 0.25}",
           "{type: linear, in_features: 3, out_features: 5, bias: false}",
           "{type: relu}",
           "{type: identity}",
           "{type: dropout, p: 0.25}",
       })
    add_full_layer_spec(spec);
  return true;
}();

// A value as one line of flow YAML, so "0.5" and 0.5, [6, 8] and [6,8] compare equal.
std::string normal(const std::string& yaml_text) { return yaml_shown(YAML::Load(yaml_text)); }

}  // namespace

TEST_CASE("every option of every layer's YAML spec reaches the layer it builds") {
  std::map<std::string, std::set<std::string>> changed;  // type -> options some spec sets away from the default
  for (const std::string& text : full_layer_specs()) {
    CAPTURE(text);
    const YAML::Node spec = YAML::Load(text);
    const std::string type = spec["type"].Scalar();
    const LayerEntry& entry = layer_entry(type);
    std::shared_ptr<Module> layer = build_layer(spec);
    std::map<std::string, std::string> built;
    for (const OptionSpec& o : entry.options_of(*layer)) built[o.name] = o.default_value;
    REQUIRE(built.size() == entry.options.size());
    changed[type];
    for (const OptionSpec& declared : entry.options) {
      CAPTURE(declared.name);
      if (!spec[declared.name]) continue;
      const std::string given = yaml_shown(spec[declared.name]);
      CHECK(normal(built.at(declared.name)) == given);  // the value reached the layer's options
      if (declared.required || normal(declared.default_value) != given) changed[type].insert(declared.name);
    }
  }
  for (const std::string& type : layer_types()) {
    CAPTURE(type);
    REQUIRE_MESSAGE(changed.count(type), "no full spec of layer '" << type << "': add one with add_full_layer_spec");
    for (const OptionSpec& o : layer_entry(type).options) {
      CAPTURE(o.name);
      CHECK_MESSAGE(changed[type].count(o.name), "no full spec sets option '" << o.name << "' away from its default");
    }
  }
}

TEST_CASE("the layer schema lists every option of every layer with its type, its default and its choices") {
  const std::string schema = describe_layers();
  for (const std::string& type : layer_types()) {
    const LayerEntry& entry = layer_entry(type);
    CHECK(schema.find(type + ": " + entry.doc + "\n") != std::string::npos);
    for (const OptionSpec& o : entry.options) {
      CAPTURE(o.name);
      const std::string line = fmt::format("  {:<18} {:<32} default {:<18} {}\n", o.name, option_type_name(o.type),
                                           o.required ? "(required)" : o.default_value, o.doc);
      CHECK(schema.find(line) != std::string::npos);
    }
  }
  CHECK(schema.find("      one of: gaussian, embedded_gaussian, dot_product, concatenation\n") != std::string::npos);
  // Defaults come from the options structs themselves.
  const auto cbam = describe_options(CBAMOptions{});
  CHECK(cbam.at(1).name == "reduction");
  CHECK(cbam.at(1).default_value == "16");
  CHECK(cbam.at(6).default_value == "[avg, max]");
  CHECK(describe_options(NonLocalOptions{}).at(1).default_value == "embedded_gaussian");
}

TEST_CASE("a choice given a name it does not have is one error listing the names, before anything is built") {
  const std::string file = "configs/x.yaml";
  CHECK_THROWS_WITH_AS(build_layer(YAML::Load("type: nonlocal\nchannels: 8\nmode: dot\n"), file),
                       "configs/x.yaml:3:7: NonLocal: unknown mode 'dot'; modes: gaussian, embedded_gaussian, dot_product, concatenation",
                       Error);
  CHECK_THROWS_WITH_AS(check_layer_spec(YAML::Load("{type: nonlocal, variant: spaced}"), {"channels"}, "model.attention"),
                       doctest::Contains("NonLocal: unknown variant 'spaced'; variants: spacetime, space, time"), Error);
  CHECK_THROWS_WITH_AS(build_layer(YAML::Load("type: cbam\nchannels: 8\npool_types: [avg, mean]\n"), file),
                       doctest::Contains("configs/x.yaml:3:19: ChannelGate: unknown pool type 'mean'; pool types: avg, max, lp, lse"),
                       Error);
  CHECK_THROWS_WITH_AS(build_layer(YAML::Load("{type: danet_head, in_channels: 8, num_classes: 2, cam_form: papers}")),
                       doctest::Contains("ChannelAttention: unknown form 'papers'; forms: official (softmax(rowmax(E) - E)), paper (softmax(E))"),
                       Error);
  // The same names from C++.
  CHECK(parse_choice<BAMCombine>("sum") == BAMCombine::sum);
  CHECK(name_of(PyramidFusion::concat) == "concat");
  for (const std::string& name : choice_names(SpatialPoolOrder{}).names()) CHECK(name_of(parse_choice<SpatialPoolOrder>(name)) == name);
  CHECK_THROWS_WITH_AS(parse_choice<PyramidFusion>("sum"),
                       "InteractionAwarePyramidAttention: unknown fusion 'sum'; choices: mean ([N, C]), concat ([N, K*C])", Error);
}

TEST_CASE("docs/layers.md's option tables are the layers' declarations") {
  std::ifstream in(GAZE_SOURCE_DIR "/docs/layers.md");
  REQUIRE(in.good());
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto types = layer_types();
  int documented = 0;
  std::istringstream lines(doc);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("#")) continue;
    // A heading naming a layer type in backticks: its section holds that type's table.
    size_t open = line.find('`');
    while (open != std::string::npos) {
      const size_t close = line.find('`', open + 1);
      if (close == std::string::npos) break;
      const std::string type = line.substr(open + 1, close - open - 1);
      open = line.find('`', close + 1);
      if (std::find(types.begin(), types.end(), type) == types.end()) continue;
      ++documented;
      const std::string table = layer_options_table(type);
      CHECK_MESSAGE(doc.find(table) != std::string::npos, "docs/layers.md lacks the table of '" << type << "'; it is:\n" << table);
    }
  }
  CHECK(documented >= 9);
}
