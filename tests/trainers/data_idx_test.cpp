// The IDX reader: plain and gzipped files round-trip; every kind of bad file is one error that
// names the path and what is wrong.
#include "support/idx_files.h"
#include "support/test_support.h"
#include "trainers/lib/data/idx.h"

using namespace gaze;
using gaze::test::idx_bytes;

namespace {

std::vector<uint8_t> ramp(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 37 + 11);
  return v;
}

}  // namespace

TEST_CASE("data: IDX files round-trip, plain, gzipped, and gzipped under a plain name") {
  test::TempDir dir("data_idx_roundtrip");
  const std::vector<uint8_t> pixels = ramp(3 * 2 * 5);
  const std::string bytes = idx_bytes({3, 2, 5}, pixels);
  const std::string plain = dir.write("images-idx3-ubyte", bytes);
  test::write_gzip(dir / "images-idx3-ubyte.gz", bytes);
  test::write_gzip(dir / "gzipped-without-suffix", bytes);  // recognised by content, not name
  for (const std::string& path : {plain, dir / "images-idx3-ubyte.gz", dir / "gzipped-without-suffix"}) {
    INFO(path);
    IdxArray array = read_idx(path);
    CHECK(array.dims == std::vector<int64_t>{3, 2, 5});
    CHECK(array.data == pixels);
  }
  const std::vector<uint8_t> labels{9, 0, 3, 7};
  test::write_gzip(dir / "labels-idx1-ubyte.gz", idx_bytes({4}, labels));
  IdxArray read_labels = read_idx(dir / "labels-idx1-ubyte.gz");
  CHECK(read_labels.dims == std::vector<int64_t>{4});
  CHECK(read_labels.data == labels);
}

TEST_CASE("data: a truncated IDX file names the header's sizes and the bytes the file holds") {
  test::TempDir dir("data_idx_truncated");
  const std::string bytes = idx_bytes({5, 28, 28}, ramp(1234));
  const std::string plain = dir.write("train-images-idx3-ubyte", bytes);
  CHECK_THROWS_WITH_AS(read_idx(plain), (plain + ": truncated: header says 5×28×28 = 3920 bytes, file holds 1234").c_str(),
                       Error);
  // The same inside gzip: decompression succeeds, the size check fails.
  test::write_gzip(dir / "t.gz", bytes);
  CHECK_THROWS_WITH_AS(read_idx(dir / "t.gz"), doctest::Contains("t.gz: truncated: header says 5×28×28 = 3920 bytes"), Error);
  // A header cut short.
  const std::string header = dir.write("short-header", bytes.substr(0, 10));
  CHECK_THROWS_WITH_AS(read_idx(header), (header + ": truncated: the header of a rank-3 IDX file is 16 bytes, file holds 10").c_str(),
                       Error);
}

TEST_CASE("data: an oversized IDX file says how many bytes are extra") {
  test::TempDir dir("data_idx_oversized");
  const std::string path = dir.write("labels", idx_bytes({4}, ramp(6)));
  CHECK_THROWS_WITH_AS(read_idx(path), (path + ": oversized: header says 4 = 4 bytes, file holds 6 (2 extra)").c_str(), Error);
}

TEST_CASE("data: a file that is not IDX, or not unsigned bytes, is rejected by its magic number") {
  test::TempDir dir("data_idx_magic");
  const std::string text = dir.write("readme.txt", "hello, this is not an IDX file");
  CHECK_THROWS_WITH_AS(read_idx(text), doctest::Contains((text + ": not an IDX file: magic number is 0x68656c6c").c_str()), Error);
  const std::string tiny = dir.write("tiny", "ab");
  CHECK_THROWS_WITH_AS(read_idx(tiny), doctest::Contains((tiny + ": not an IDX file: it holds 2 bytes").c_str()), Error);
  const std::string floats = dir.write("floats", idx_bytes({1}, {0, 0, 0, 0}, 0x0D));
  CHECK_THROWS_WITH_AS(read_idx(floats), doctest::Contains((floats + ": IDX element type 0x0d is not supported").c_str()), Error);
}

TEST_CASE("data: a damaged magic number is named as such, not as a truncated file") {
  // A labels file whose magic's rank byte reads 3: its first labels would be taken for two
  // dimensions ("header says 60000×150994947×132866 = ... bytes"). The expected rank catches it first.
  test::TempDir dir("data_idx_damaged_magic");
  std::string bytes = idx_bytes({6}, {9, 0, 0, 3, 0, 2});
  bytes[3] = 0x03;
  const std::string path = dir.write("train-labels-idx1-ubyte", bytes);
  CHECK_THROWS_WITH_AS(read_idx(path, 1),
                       (path + ": not an IDX file of labels (N): magic number is 0x00000803 (rank 3), expected 0x00000801 (rank 1); "
                               "the file is damaged or another file: download or reinstall it")
                           .c_str(),
                       Error);
  const std::string images = dir.write("images", idx_bytes({1, 2, 2}, {1, 2, 3, 4}));
  CHECK_THROWS_WITH_AS(read_idx(images, 1), doctest::Contains("magic number is 0x00000803 (rank 3), expected 0x00000801"), Error);
  CHECK(read_idx(images, 3).dims == std::vector<int64_t>{1, 2, 2});
  CHECK(read_idx(images).dims == std::vector<int64_t>{1, 2, 2});  // no rank expected: any
}

TEST_CASE("data: corrupt or cut-short gzip data is an error, as is a missing file") {
  test::TempDir dir("data_idx_gzip");
  test::write_gzip(dir / "whole.gz", idx_bytes({64}, ramp(64)));
  std::ifstream in(dir / "whole.gz", std::ios::binary);
  const std::string gz((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string cut = dir.write("cut.gz", gz.substr(0, gz.size() / 2));
  CHECK_THROWS_WITH_AS(read_idx(cut), doctest::Contains((cut + ": corrupt gzip data").c_str()), Error);
  std::string flipped = gz;
  flipped[gz.size() / 2] = static_cast<char>(flipped[gz.size() / 2] ^ 0x55);
  const std::string damaged = dir.write("damaged.gz", flipped);
  CHECK_THROWS_WITH_AS(read_idx(damaged), doctest::Contains((damaged + ": corrupt gzip data").c_str()), Error);
  CHECK_THROWS_WITH_AS(read_idx(dir / "absent"), (dir / "absent" + ": no such file").c_str(), Error);
}
