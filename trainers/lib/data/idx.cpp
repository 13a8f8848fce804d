#include "trainers/lib/data/idx.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "framework/error.h"

namespace gaze {

namespace {

// A file read through zlib, which decompresses gzip and passes plain files through unchanged.
class ZlibFile {
 public:
  explicit ZlibFile(const std::string& path) : path_(path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) fail("{}: no such file", path);
    file_ = gzopen(path.c_str(), "rb");
    if (file_ == nullptr) fail("{}: cannot open: {}", path, std::strerror(errno));
    gzbuffer(file_, 1 << 18);  // larger reads than the 8 KiB default: decompression runs faster
  }
  ~ZlibFile() { gzclose(file_); }
  ZlibFile(const ZlibFile&) = delete;
  ZlibFile& operator=(const ZlibFile&) = delete;

  // Up to `n` bytes; fewer only at the end of the file.
  size_t read(void* out, size_t n) {
    const int got = gzread(file_, out, static_cast<unsigned>(n));
    if (got < 0) check_intact();
    return static_cast<size_t>(got);
  }

  // A gzip stream cut short reads as a plain end of file; zlib reports it only in gzerror.
  void check_intact() const {
    int code = Z_OK;
    const char* message = gzerror(file_, &code);
    if (code != Z_OK) fail("{}: corrupt gzip data ({}); the file is damaged: download or reinstall it", path_, message);
  }

 private:
  std::string path_;
  gzFile file_ = nullptr;
};

uint32_t big_endian_u32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

}  // namespace

// Reads the header first, then exactly the bytes it announces into one buffer (no over-allocation,
// no copy: page faults on fresh memory are most of the cost of reading 47 MB), then counts
// whatever follows.
IdxArray read_idx(const std::string& path, int expected_rank) {
  ZlibFile file(path);
  std::array<uint8_t, 4> magic{};
  const size_t magic_bytes = file.read(magic.data(), magic.size());
  if (magic_bytes < magic.size()) {
    file.check_intact();
    fail("{}: not an IDX file: it holds {} bytes, fewer than the 4-byte magic number", path, magic_bytes);
  }
  const uint8_t type = magic[2];
  const uint8_t rank = magic[3];
  if (magic[0] != 0 || magic[1] != 0 || rank == 0) {
    fail("{}: not an IDX file: magic number is 0x{:02x}{:02x}{:02x}{:02x}, expected 0x0000 then a type and a rank "
         "(0x00000803 for images, 0x00000801 for labels)",
         path, magic[0], magic[1], magic[2], magic[3]);
  }
  if (type != 0x08) {
    fail("{}: IDX element type 0x{:02x} is not supported: only unsigned bytes (0x08) are, as in MNIST and Fashion-MNIST",
         path, type);
  }
  if (expected_rank > 0 && rank != expected_rank) {
    const char* what = expected_rank == 3 ? "images (N×H×W)" : expected_rank == 1 ? "labels (N)" : "arrays";
    fail("{}: not an IDX file of {}: magic number is 0x{:02x}{:02x}{:02x}{:02x} (rank {}), expected 0x000008{:02x} (rank {}); "
         "the file is damaged or another file: download or reinstall it",
         path, what, magic[0], magic[1], magic[2], magic[3], rank, expected_rank, expected_rank);
  }
  std::vector<uint8_t> dim_bytes(4 * size_t{rank});
  const size_t dims_read = file.read(dim_bytes.data(), dim_bytes.size());
  if (dims_read < dim_bytes.size()) {
    file.check_intact();
    fail("{}: truncated: the header of a rank-{} IDX file is {} bytes, file holds {}", path, rank, 4 + dim_bytes.size(),
         4 + dims_read);
  }

  IdxArray array;
  uint64_t expected = 1;
  bool overflow = false;
  for (size_t d = 0; d < rank; ++d) {
    const uint32_t dim = big_endian_u32(dim_bytes.data() + 4 * d);
    array.dims.push_back(dim);
    overflow = overflow || __builtin_mul_overflow(expected, uint64_t{dim}, &expected);
  }
  const std::string dims_text = fmt::format("{}", fmt::join(array.dims, "×"));
  if (overflow) fail("{}: not a valid IDX file: dimensions {} overflow 64 bits", path, dims_text);

  // Grow in chunks rather than trusting the header with one allocation: a corrupt header can
  // claim terabytes. The chunks start small and double, so a short file with such a header costs
  // little (zero-filling a large first chunk would be most of its time).
  uint64_t chunk = uint64_t{1} << 16;
  array.data.reserve(std::min(expected, uint64_t{1} << 26));
  while (array.data.size() < expected) {
    const size_t old_size = array.data.size();
    const size_t want = std::min(expected - old_size, chunk);
    chunk = std::min(chunk * 2, uint64_t{1} << 24);
    array.data.resize(old_size + want);
    const size_t got = file.read(array.data.data() + old_size, want);
    array.data.resize(old_size + got);
    if (got < want) break;
  }
  uint64_t extra = 0;
  std::array<uint8_t, 1 << 16> rest{};
  for (size_t got; (got = file.read(rest.data(), rest.size())) > 0;) extra += got;
  file.check_intact();

  const uint64_t held = array.data.size() + extra;
  if (held < expected) fail("{}: truncated: header says {} = {} bytes, file holds {}", path, dims_text, expected, held);
  if (extra > 0) {
    fail("{}: oversized: header says {} = {} bytes, file holds {} ({} extra)", path, dims_text, expected, held, extra);
  }
  return array;
}

}  // namespace gaze
