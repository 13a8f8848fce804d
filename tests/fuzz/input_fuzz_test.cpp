// A seeded random-mutation fuzzer for the three readers of untrusted files: the config loader,
// the safetensors reader and the IDX reader. Each starts from valid files (the shipped configs, a
// checkpoint-like safetensors file with and without its checksum, plain and gzipped IDX files),
// applies a few random edits per try (byte flips, insertions and deletions, copied ranges, and
// tokens of the format: YAML's `[`, `&a`, `.nan`, JSON's `"shape"`, huge numbers, ...), and
// demands that the reader either succeeds or throws a gaze::Error: any other exception fails the
// test, and a crash, an out-of-bounds access or a leak fails the asan build. The budget is a fixed
// number of tries from a fixed seed, so a run is reproducible and takes a few seconds;
// GAZE_FUZZ_TRIES=N runs N tries of each (a longer hunt), GAZE_FUZZ_SEED=S another sequence.
//
// Why not libFuzzer: it needs clang, and CI builds with Debian's gcc in two presets; this runs in
// both, under ctest, with nothing to install. Coverage guidance is what it gives up, the formats'
// tokens in the mutations make up some of it.
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/idx_files.h"
#include "support/temp_dir.h"
#include "support/test_support.h"
#include "trainers/lib/io/atomic_file.h"
#include "trainers/lib/io/safetensors.h"
#include "trainers/lib/config/config.h"
#include "trainers/lib/data/idx.h"

using namespace gaze;
namespace fs = std::filesystem;

namespace {

int64_t env_or(const char* name, int64_t fallback) {
  const char* text = std::getenv(name);
  return text ? std::stoll(text) : fallback;
}

struct Mutator {
  std::mt19937_64 rng;
  std::vector<std::string> tokens;

  size_t below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng() % n); }

  std::string mutate(std::string bytes, const std::vector<std::string>& seeds) {
    const int edits = 1 + static_cast<int>(below(4));
    for (int e = 0; e < edits; ++e) {
      const size_t at = below(bytes.size() + 1);
      switch (below(8)) {
        case 0:  // flip a byte
          if (!bytes.empty()) bytes[below(bytes.size())] = static_cast<char>(rng());
          break;
        case 1:  // insert a random byte
          bytes.insert(at, 1, static_cast<char>(rng()));
          break;
        case 2:  // delete a range
          bytes.erase(at, 1 + below(16));
          break;
        case 3: {  // copy a range elsewhere
          if (bytes.empty()) break;
          const size_t from = below(bytes.size());
          const std::string piece = bytes.substr(from, 1 + below(32));
          bytes.insert(below(bytes.size() + 1), piece);
          break;
        }
        case 4:
        case 5:  // a token of the format
          bytes.insert(at, tokens[below(tokens.size())]);
          break;
        case 6: {  // splice with another seed
          const std::string& other = seeds[below(seeds.size())];
          bytes = bytes.substr(0, at) + other.substr(std::min(other.size(), below(other.size() + 1)));
          break;
        }
        case 7:  // cut short
          bytes.resize(below(bytes.size() + 1));
          break;
      }
    }
    return bytes;
  }
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs `read` on `tries` mutants of `seeds` written to `path`; returns how many were read without
// an error. Anything thrown but a gaze::Error fails the test with the input that caused it.
int64_t fuzz(const std::string& name, const std::vector<std::string>& seeds, std::vector<std::string> tokens, const std::string& path,
             int64_t tries, const std::function<void(const std::string&)>& read) {
  Mutator m{std::mt19937_64(static_cast<uint64_t>(env_or("GAZE_FUZZ_SEED", 20)) ^ std::hash<std::string>{}(name)), std::move(tokens)};
  int64_t accepted = 0;
  for (int64_t t = 0; t < tries; ++t) {
    const std::string bytes = m.mutate(seeds[m.below(seeds.size())], seeds);
    {
      // A new file each time rather than the last one truncated: ext4 writes a truncated file's
      // old data to disk first (auto_da_alloc), which made each try wait ~4 ms on the disk.
      fs::remove(path);
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    try {
      read(path);
      ++accepted;
    } catch (const Error&) {
    } catch (const std::exception& e) {
      // Kept outside the test's directory (removed when the test ends) to reproduce it.
      const std::string kept = (fs::temp_directory_path() / ("gaze_fuzz_" + name + "_escaped")).string();
      fs::copy_file(path, kept, fs::copy_options::overwrite_existing);
      FAIL_CHECK(name << " try " << t << ": " << std::string(typeid(e).name()) << " escaped: " << std::string(e.what())
                      << " (input kept in " << kept << ")");
    }
  }
  return accepted;
}

}  // namespace

TEST_CASE("fuzz: the config loader gives a Config or a gaze::Error for any mutation of the shipped configs") {
  test::TempDir dir("fuzz_config");
  std::vector<std::string> seeds;
  for (const auto& entry : fs::recursive_directory_iterator(GAZE_SOURCE_DIR "/configs"))
    if (entry.path().extension() == ".yaml") seeds.push_back(slurp(entry.path()));
  REQUIRE(seeds.size() >= 10);
  const std::vector<std::string> tokens{
      ":",     ": ",   "- ",     "\n",   "\n  ",  "  ",    "[",        "]",    "{",       "}",      ",",    "\"",    "'",
      "#",     "&a ",  "*a",     "&b [", "*b, *b, *b, *b]", "!!str ", "!!map ", "? ",  "|\n  ",  ">\n  ", "~",     "null",
      ".nan",  ".inf", "-.inf",  "1e999", "-1",   "0x7fffffffffffffff", "99999999999999999999", "1.5", "true", "type: ",
      "attention: ", "{type: cbam}", "[type]", "type: [se]", "optim:\n  lr: 0.1\n", "\t", "\r\n", "\xef\xbb\xbf", "\\u0000",
      "<<: *a", "---\n", "...\n", "%YAML 1.2\n"};
  const std::string path = dir / "fuzzed.yaml";
  const int64_t tries = env_or("GAZE_FUZZ_TRIES", 2000);
  const int64_t accepted = fuzz("config", seeds, tokens, path, tries, [&](const std::string& file) {
    const Config config = load_config(file);
    // What loads must print and load again to the same config (gaze config, and a run's config.yaml).
    const std::string yaml = config.to_yaml();
    const std::string again = dir.write("again.yaml", yaml);
    if (load_config(again).to_yaml() != yaml) FAIL_CHECK("the resolved config does not read back: " << yaml);
  });
  MESSAGE("config: " << accepted << " of " << tries << " mutants loaded");
  CHECK(accepted > 0);          // the mutations are not all fatal ...
  CHECK(accepted < tries / 2);  // ... nor all harmless
}

TEST_CASE("fuzz: the safetensors reader gives tensors or a gaze::Error for any mutation of a checkpoint") {
  test::TempDir dir("fuzz_safetensors");
  Generator g(3);
  Tensor weight = randn({4, 3}, DType::f32, &g);
  Tensor step = from_vector(std::vector<int64_t>{7}, {1});
  Tensor scalar = from_vector(std::vector<double>{2.5}, {});
  save_safetensors(dir / "seed.safetensors", {{"conv.weight", weight}, {"step", step}, {"scale", scalar}}, {{"epoch", "3"}});
  const std::string with_checksum = read_file(dir / "seed.safetensors");
  // The same file without the checksum (as other writers produce it), so changed data gets past it.
  const uint64_t header_size = [&] {
    uint64_t n = 0;
    std::memcpy(&n, with_checksum.data(), 8);
    return n;
  }();
  nlohmann::json header = nlohmann::json::parse(with_checksum.substr(8, header_size));
  header["__metadata__"].erase(kChecksumKey);
  const std::string header_text = header.dump();
  std::string plain(8, '\0');
  const uint64_t plain_size = header_text.size();
  std::memcpy(plain.data(), &plain_size, 8);
  plain += header_text + with_checksum.substr(8 + header_size);
  const std::vector<std::string> seeds{with_checksum, plain};
  const std::vector<std::string> tokens{"\"", "{", "}", "[", "]", ",", ":", "\"dtype\"", "\"shape\"", "\"data_offsets\"",
                                        "\"F32\"", "\"F64\"", "\"I64\"", "\"BF16\"", "\"__metadata__\"", "0", "-1", "4294967296",
                                        "18446744073709551615", "1e308", "null", "true", std::string(8, '\xff'), std::string(8, '\0')};
  const int64_t tries = env_or("GAZE_FUZZ_TRIES", 3000);
  const int64_t accepted =
      fuzz("safetensors", seeds, tokens, dir / "fuzzed.safetensors", tries, [](const std::string& file) { load_safetensors(file); });
  MESSAGE("safetensors: " << accepted << " of " << tries << " mutants loaded");
  CHECK(accepted < tries / 2);
}

TEST_CASE("fuzz: the IDX reader gives an array or a gaze::Error for any mutation of IDX files, plain or gzipped") {
  test::TempDir dir("fuzz_idx");
  std::vector<uint8_t> pixels(3 * 5 * 4), labels{9, 0, 3};
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 13);
  const std::string images = test::idx_bytes({3, 5, 4}, pixels);
  const std::string label_bytes = test::idx_bytes({3}, labels);
  test::write_gzip(dir / "images.gz", images);
  const std::vector<std::string> seeds{images, label_bytes, slurp(dir.path / "images.gz")};
  const std::vector<std::string> tokens{std::string("\0\0\x08\x03", 4), std::string("\0\0\x08\x01", 4), std::string("\xff\xff\xff\xff", 4),
                                        std::string("\0\0\0\0", 4), std::string("\x1f\x8b", 2), std::string("\x08\xff", 2)};
  const int64_t tries = env_or("GAZE_FUZZ_TRIES", 3000);
  int64_t rank = 0;
  const int64_t accepted = fuzz("idx", seeds, tokens, dir / "fuzzed", tries, [&](const std::string& file) {
    const IdxArray array = read_idx(file, static_cast<int>(rank++ % 4));  // 0: any rank; else the rank expected
    uint64_t numel = 1;
    for (const int64_t d : array.dims) numel *= static_cast<uint64_t>(d);
    if (numel != array.data.size()) FAIL_CHECK("read_idx returned " << array.data.size() << " bytes for dims of " << numel);
  });
  MESSAGE("idx: " << accepted << " of " << tries << " mutants read");
  CHECK(accepted < tries / 2);
}
