// save_safetensors / load_safetensors: round trips, the bytes against the format's spec, a file
// built by another writer, and every kind of corruption giving its own message.
#include "trainers/lib/io/safetensors.h"

#include <cstring>
#include <nlohmann/json.hpp>
#include <random>

#include "support/temp_dir.h"
#include "support/test_support.h"
#include "trainers/lib/io/atomic_file.h"

using namespace gaze;
using gaze::test::TempDir;

namespace {

std::string load_error(const std::string& path) {
  try {
    load_safetensors(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// A file from its parts, for the cases a correct writer never produces.
std::string raw_file(const std::string& header, const std::string& data) {
  std::string bytes(8, '\0');
  uint64_t length = header.size();
  std::memcpy(bytes.data(), &length, 8);
  return bytes + header + data;
}

void check_corrupt(const std::string& path, const std::string& what) {
  std::string message = load_error(path);
  INFO("message: " << message);
  CHECK(message.rfind("checkpoint " + path + " is corrupt: ", 0) == 0);
  CHECK(message.find(what) != std::string::npos);
  CHECK(message.find("(re-save it, or resume from an earlier checkpoint)") != std::string::npos);
}

void check_same(const Tensor& actual, const Tensor& expected) {
  REQUIRE(actual.dtype() == expected.dtype());
  REQUIRE(actual.shape() == expected.shape());
  if (expected.dtype() == DType::i64) CHECK(actual.to_vector<int64_t>() == expected.to_vector<int64_t>());
  else CHECK(actual.to_vector<double>() == expected.to_vector<double>());  // bit-exact, not close
}

NamedTensors sample_tensors() {
  Generator g(7);
  Tensor base = randn({3, 4}, DType::f32, &g);
  return {{"layer.weight", randn({2, 3, 4}, DType::f32, &g)},
          {"layer.bias", from_vector(std::vector<double>{1e-300, -0.0, 3.141592653589793}, {3})},
          {"labels", from_vector(std::vector<int64_t>{-1, 0, (int64_t{1} << 62) + 5}, {3})},
          {"step", from_vector(std::vector<int64_t>{42}, {})},                 // 0-d
          {"lr", scalar_tensor(0.125, DType::f64)},                            // 0-d
          {"nothing", zeros({0, 5}, DType::f32)},                              // empty
          {"transposed", base.alias({4, 3}, {1, 4}, 0)}};                      // non-contiguous
}

}  // namespace

TEST_CASE("safetensors: f32, f64 and i64 tensors (0-d, empty, non-contiguous) and metadata round-trip exactly, in order") {
  TempDir dir("safetensors");
  std::string path = dir.file("weights.safetensors");
  NamedTensors tensors = sample_tensors();
  REQUIRE_FALSE(tensors.back().second.is_contiguous());
  save_safetensors(path, tensors, {{"epoch", "3"}, {"note", "ünïcode ok"}});

  SafetensorsFile file = load_safetensors(path);
  REQUIRE(file.tensors.size() == tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    INFO("tensor " << tensors[i].first);
    CHECK(file.tensors[i].first == tensors[i].first);
    check_same(file.tensors[i].second, tensors[i].second);
  }
  CHECK(file.metadata.at("epoch") == "3");
  CHECK(file.metadata.at("note") == "ünïcode ok");
  CHECK(file.metadata.at(kChecksumKey).size() == 16);
  CHECK(dir.names() == std::vector<std::string>{"weights.safetensors"});
}

TEST_CASE("safetensors: metadata loaded from a file can be saved again (the old checksum is replaced, not kept)") {
  TempDir dir("safetensors");
  std::string path = dir.file("a.safetensors");
  save_safetensors(path, {{"w", from_vector(std::vector<float>{1, 2}, {2})}});
  SafetensorsFile file = load_safetensors(path);
  file.tensors[0].second.fill_(9.0);
  save_safetensors(path, file.tensors, file.metadata);
  CHECK(load_safetensors(path).tensors[0].second.to_vector<float>() == std::vector<float>{9, 9});
}

TEST_CASE("safetensors: the bytes of a tiny file follow the spec (length, JSON entry, alignment, little-endian data)") {
  TempDir dir("safetensors");
  std::string path = dir.file("tiny.safetensors");
  save_safetensors(path, {{"a", from_vector(std::vector<float>{1.0f, -2.0f}, {2})},
                          {"b", from_vector(std::vector<int64_t>{258}, {1})}});
  std::string bytes = read_file(path);

  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);  // little-endian by hand
  REQUIRE(bytes.size() == 8 + n + 16);
  CHECK((8 + n) % 8 == 0);  // the data starts 8-byte aligned, as the reference writer does it
  nlohmann::json header = nlohmann::json::parse(bytes.substr(8, n));
  CHECK(header["a"] == nlohmann::json::parse(R"({"dtype": "F32", "shape": [2], "data_offsets": [0, 8]})"));
  CHECK(header["b"] == nlohmann::json::parse(R"({"dtype": "I64", "shape": [1], "data_offsets": [8, 16]})"));
  CHECK(header.size() == 3);
  std::string data = bytes.substr(8 + n);
  const unsigned char expected[16] = {0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0,   // 1.0f, -2.0f
                                      0x02, 0x01, 0, 0, 0, 0, 0, 0};                   // 258
  CHECK(std::memcmp(data.data(), expected, 16) == 0);
  CHECK(header["__metadata__"] == nlohmann::json{{kChecksumKey, fnv1a64_hex(data.data(), data.size())}});
}

TEST_CASE("fnv1a64_hex: the published FNV-1a 64 test vectors") {
  CHECK(fnv1a64_hex("", 0) == "cbf29ce484222325");
  CHECK(fnv1a64_hex("a", 1) == "af63dc4c8601ec8c");
  CHECK(fnv1a64_hex("foobar", 6) == "85944171f73967e8");
}

TEST_CASE("safetensors: a file built by another writer loads, tensors in data order although the header lists them otherwise") {
  // tests/golden/make_safetensors_fixture.py writes it from the spec with python3's struct and json.
  SafetensorsFile file = load_safetensors(GAZE_TESTS_DIR "/golden/safetensors_fixture.safetensors");
  std::vector<std::string> names;
  for (const auto& [name, tensor] : file.tensors) names.push_back(name);
  CHECK(names == std::vector<std::string>{"conv.weight", "bn.running_var", "labels", "scale", "empty"});
  check_same(file.tensors[0].second, from_vector(std::vector<float>{1.5f, -2.0f, 0.25f, 3.0f, -0.125f, 1024.0f}, {2, 3}));
  check_same(file.tensors[1].second, from_vector(std::vector<double>{0.1, 2.5, -1e-300}, {3}));
  check_same(file.tensors[2].second, from_vector(std::vector<int64_t>{-7, (int64_t{1} << 40) + 3}, {2}));
  check_same(file.tensors[3].second, from_vector(std::vector<float>{0.5f}, {}));
  check_same(file.tensors[4].second, zeros({0, 4}, DType::i64));
  CHECK(file.metadata == std::map<std::string, std::string>{{"format", "pt"}, {"source", "hand-built per the safetensors spec"}});
}

TEST_CASE("safetensors: each kind of corruption is one error saying what is wrong") {
  TempDir dir("safetensors");
  std::string good_path = dir.file("good.safetensors"), path = dir.file("bad.safetensors");
  save_safetensors(good_path, {{"w", from_vector(std::vector<float>{1, 2, 3, 4}, {2, 2})}});
  const std::string good = read_file(good_path);
  const std::string f32x2 = std::string("\x00\x00\x80\x3f\x00\x00\x00\x40", 8);

  SUBCASE("fewer than 8 bytes") {
    write_file_atomically(path, std::string("\x10\x00", 2));
    check_corrupt(path, "it has 2 bytes, fewer than the 8 of the header length");
  }
  SUBCASE("truncated data") {
    write_file_atomically(path, good.substr(0, good.size() - 3));
    check_corrupt(path, "the tensors cover 16 bytes of data but the file holds 13 (truncated)");
  }
  SUBCASE("trailing bytes") {
    write_file_atomically(path, good + "xy");
    check_corrupt(path, "(trailing bytes)");
  }
  SUBCASE("header length past the end of the file") {
    std::string bytes = good;
    uint64_t huge = uint64_t{1} << 40;
    std::memcpy(bytes.data(), &huge, 8);
    write_file_atomically(path, bytes);
    check_corrupt(path, "the header length is 1099511627776 bytes but only");
  }
  SUBCASE("truncated inside the header") {
    write_file_atomically(path, good.substr(0, 20));
    check_corrupt(path, "bytes but only 12 bytes follow it (truncated?)");
  }
  SUBCASE("garbage JSON") {
    write_file_atomically(path, raw_file("{\"w\": {\"dtype\": \"F32\",, ", f32x2));
    check_corrupt(path, "the header is not valid JSON");
  }
  SUBCASE("JSON that is not an object") {
    write_file_atomically(path, raw_file("[1, 2]", ""));
    check_corrupt(path, "the header is not a JSON object");
  }
  SUBCASE("unknown dtype") {
    write_file_atomically(path, raw_file(R"({"w": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}})", "abcd"));
    check_corrupt(path, "tensor 'w' has dtype 'BF16'; gaze reads F32, F64 and I64");
  }
  SUBCASE("missing dtype") {
    write_file_atomically(path, raw_file(R"({"w": {"shape": [2], "data_offsets": [0, 8]}})", f32x2));
    check_corrupt(path, "tensor 'w' has no \"dtype\" string");
  }
  SUBCASE("negative size in the shape") {
    write_file_atomically(path, raw_file(R"({"w": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}})", f32x2));
    check_corrupt(path, "sizes must be integers >= 0");
  }
  SUBCASE("a shape whose element count overflows") {
    write_file_atomically(path, raw_file(R"({"w": {"dtype": "F32", "shape": [4294967296, 4294967296, 0], "data_offsets": [0, 0]}})", ""));
    check_corrupt(path, "far too large");
  }
  SUBCASE("offsets that do not match dtype size x numel") {
    write_file_atomically(path, raw_file(R"({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})", f32x2));
    check_corrupt(path, "tensor 'w' (F32 of shape [3]) needs 12 bytes but its data_offsets [0, 8] hold 8");
  }
  SUBCASE("offsets ending before they begin") {
    write_file_atomically(path, raw_file(R"({"w": {"dtype": "F32", "shape": [0], "data_offsets": [8, 0]}})", f32x2));
    check_corrupt(path, "end before they begin");
  }
  SUBCASE("overlapping tensors") {
    write_file_atomically(path, raw_file(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                             "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
                                         f32x2 + "1234"));
    check_corrupt(path, "tensor 'b' starts at byte 4 of the data, but the previous one ends at 8 (they overlap)");
  }
  SUBCASE("a gap between tensors") {
    write_file_atomically(path, raw_file(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                             "b": {"dtype": "F32", "shape": [2], "data_offsets": [12, 20]}})",
                                         f32x2 + "1234" + f32x2));
    check_corrupt(path, "tensor 'b' starts at byte 12 of the data, but the previous one ends at 8 (a gap)");
  }
  SUBCASE("metadata that is not a string") {
    write_file_atomically(path, raw_file(R"({"__metadata__": {"epoch": 3}})", ""));
    check_corrupt(path, "metadata 'epoch' is 3, not a string");
  }
  SUBCASE("one flipped data byte, same size: the checksum catches it") {
    std::string bytes = good;
    bytes[bytes.size() - 5] ^= 0x01;
    write_file_atomically(path, bytes);
    check_corrupt(path, "the data's checksum is");
    check_corrupt(path, "(bytes changed after saving)");
  }
}

TEST_CASE("safetensors: a missing file is read_file's error, naming the path") {
  TempDir dir("safetensors");
  std::string path = dir.file("missing.safetensors");
  std::string message = load_error(path);
  CHECK(message.find(path) != std::string::npos);
  CHECK(message.find("No such file or directory") != std::string::npos);
}

TEST_CASE("safetensors: random byte flips anywhere give a tensor set or a gaze::Error, never a crash") {
  // Run under the asan preset this also proves no out-of-bounds read and no huge allocation.
  TempDir dir("safetensors");
  std::string good_path = dir.file("good.safetensors"), path = dir.file("fuzzed.safetensors");
  save_safetensors(good_path, sample_tensors(), {{"epoch", "3"}});
  const std::string good = read_file(good_path);
  std::mt19937_64 rng(2024);
  int errors = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::string bytes = good;
    int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) {
      // Mostly the header, where a flip changes structure rather than just values.
      size_t at = rng() % 4 == 0 ? rng() % bytes.size() : rng() % std::min<size_t>(bytes.size(), 8 + 600);
      bytes[at] = static_cast<char>(rng());
    }
    if (rng() % 5 == 0) bytes.resize(rng() % bytes.size());
    write_file_atomically(path, bytes);
    try {
      load_safetensors(path);
    } catch (const Error& e) {
      ++errors;
      CHECK(std::string(e.what()).find("is corrupt: ") != std::string::npos);
    }
  }
  CHECK(errors > 250);  // nearly every change is caught: the checksum covers the data, the checks the header
}

TEST_CASE("save_safetensors: a duplicate, empty or reserved name, or an undefined tensor, is an error naming it") {
  TempDir dir("safetensors");
  std::string path = dir.file("x.safetensors");
  Tensor t = zeros({2});
  CHECK_THROWS_WITH_AS(save_safetensors(path, {{"w", t}, {"w", t}}), doctest::Contains("two tensors are named 'w'"), Error);
  CHECK_THROWS_WITH_AS(save_safetensors(path, {{"", t}}), doctest::Contains("a tensor has an empty name"), Error);
  CHECK_THROWS_WITH_AS(save_safetensors(path, {{"__metadata__", t}}), doctest::Contains("reserved for the metadata"), Error);
  CHECK_THROWS_WITH_AS(save_safetensors(path, {{"w", Tensor()}}), doctest::Contains("tensor 'w' is undefined"), Error);
  CHECK(dir.names().empty());
}

TEST_CASE("safetensors: a header number too large for JSON's reader is a corrupt file, not an escaped exception") {
  // Found by tests/fuzz/input_fuzz_test.cpp: nlohmann's out_of_range (406) got past the parse_error handler.
  TempDir dir("safetensors_overflow");
  const std::string path = dir.file("overflow.safetensors");
  write_file_atomically(path, raw_file("{\"a\": {\"dtype\": \"F32\", \"shape\": [61e3084], \"data_offsets\": [0, 4]}}", "abcd"));
  check_corrupt(path, "the header is not valid JSON ([json.exception.out_of_range.406] number overflow parsing '61e3084')");
}
