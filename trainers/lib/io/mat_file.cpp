#include "trainers/lib/io/mat_file.h"

#include <fmt/format.h>
#include <zlib.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>

#include "framework/error.h"

namespace gaze {

namespace {

// Data types of the Level 5 format (MATLAB's "MAT-File Format", table 1-1).
enum MatType : uint32_t {
  kMiInt8 = 1, kMiUint8 = 2, kMiInt16 = 3, kMiUint16 = 4, kMiInt32 = 5, kMiUint32 = 6, kMiSingle = 7, kMiDouble = 9,
  kMiInt64 = 12, kMiUint64 = 13, kMiMatrix = 14, kMiCompressed = 15,
};
constexpr uint32_t kMatFirstNumericClass = 6, kMatLastNumericClass = 15;  // mxDOUBLE_CLASS .. mxUINT64_CLASS
constexpr uint32_t kMatComplexFlag = 0x800;

// A little-endian byte range read element by element; `origin` names the file in errors.
struct MatCursor {
  const uint8_t* data;
  size_t size, at = 0;
  const std::string& origin;

  bool done() const { return at >= size; }
  uint32_t u32(size_t offset) const {
    uint32_t v;
    std::memcpy(&v, data + offset, 4);
    return v;
  }
};

struct MatElement {
  uint32_t type = 0;
  const uint8_t* bytes = nullptr;
  size_t size = 0;
};

// The next element (small elements pack type and size into 4 bytes and their data into the next
// 4); moves past its padding to the next 8-byte boundary.
MatElement next_mat_element(MatCursor& c) {
  if (c.at + 8 > c.size) fail("{}: truncated MAT-file (an element's tag runs past the end)", c.origin);
  const uint32_t first = c.u32(c.at);
  MatElement e;
  if (first >> 16 != 0) {  // small data element
    e.type = first & 0xffff;
    e.size = first >> 16;
    if (e.size > 4) fail("{}: corrupt MAT-file (a small element of {} bytes)", c.origin, e.size);
    e.bytes = c.data + c.at + 4;
    c.at += 8;
    return e;
  }
  e.type = first;
  e.size = c.u32(c.at + 4);
  if (c.at + 8 + e.size > c.size) fail("{}: truncated MAT-file (an element of {} bytes runs past the end)", c.origin, e.size);
  e.bytes = c.data + c.at + 8;
  // Compressed elements are not padded; the others end on an 8-byte boundary.
  c.at += 8 + (e.type == kMiCompressed ? e.size : (e.size + 7) / 8 * 8);
  return e;
}

std::vector<uint8_t> inflate_mat_element(const MatElement& e, const std::string& origin) {
  z_stream z{};
  if (inflateInit(&z) != Z_OK) fail("{}: zlib could not start", origin);
  std::vector<uint8_t> out(e.size * 4 + 64);
  z.next_in = const_cast<Bytef*>(e.bytes);
  z.avail_in = static_cast<uInt>(e.size);
  int status = Z_OK;
  for (;;) {
    if (z.total_out == out.size()) out.resize(out.size() * 2);
    z.next_out = out.data() + z.total_out;
    z.avail_out = static_cast<uInt>(out.size() - z.total_out);
    status = inflate(&z, Z_NO_FLUSH);
    // Z_OK: progress; Z_BUF_ERROR with the output full: room is all it needs. Else done or damaged.
    if (status == Z_OK || (status == Z_BUF_ERROR && z.avail_out == 0)) continue;
    break;
  }
  const size_t produced = z.total_out;
  inflateEnd(&z);
  if (status != Z_STREAM_END) fail("{}: a compressed variable does not inflate (zlib status {}); the file is damaged", origin, status);
  out.resize(produced);
  return out;
}

double mat_number(uint32_t type, const uint8_t* p, const std::string& origin) {
  auto read = [p](auto v) {
    std::memcpy(&v, p, sizeof(v));
    return static_cast<double>(v);
  };
  switch (type) {
    case kMiInt8: return read(int8_t{});
    case kMiUint8: return read(uint8_t{});
    case kMiInt16: return read(int16_t{});
    case kMiUint16: return read(uint16_t{});
    case kMiInt32: return read(int32_t{});
    case kMiUint32: return read(uint32_t{});
    case kMiSingle: return read(float{});
    case kMiDouble: return read(double{});
    case kMiInt64: return read(int64_t{});
    case kMiUint64: return read(uint64_t{});
    default: fail("{}: unknown numeric storage type {} in a MAT-file matrix", origin, type);
  }
}

size_t mat_type_bytes(uint32_t type) {
  switch (type) {
    case kMiInt8: case kMiUint8: return 1;
    case kMiInt16: case kMiUint16: return 2;
    case kMiInt32: case kMiUint32: case kMiSingle: return 4;
    case kMiDouble: case kMiInt64: case kMiUint64: return 8;
    default: return 0;
  }
}

struct MatVariable {
  std::string name;
  std::optional<MatMatrix> matrix;  // set when it is a real numeric 2-D matrix
  std::string why_not;              // otherwise
};

// A miMATRIX element's contents: flags, dimensions, name, then the real part.
MatVariable parse_mat_matrix(const MatElement& matrix, const std::string& origin) {
  MatCursor c{matrix.bytes, matrix.size, 0, origin};
  MatVariable v;
  const MatElement flags = next_mat_element(c);
  if (flags.size < 4) fail("{}: corrupt MAT-file (array flags of {} bytes)", origin, flags.size);
  uint32_t flag_word;
  std::memcpy(&flag_word, flags.bytes, 4);
  const uint32_t array_class = flag_word & 0xff;
  const MatElement dims = next_mat_element(c);
  const MatElement name = next_mat_element(c);
  v.name.assign(reinterpret_cast<const char*>(name.bytes), name.size);
  if (array_class < kMatFirstNumericClass || array_class > kMatLastNumericClass) {
    v.why_not = fmt::format("its MATLAB class {} is not numeric", array_class);
    return v;
  }
  if (flag_word & kMatComplexFlag) {
    v.why_not = "it is complex";
    return v;
  }
  if (dims.type != kMiInt32 || dims.size != 8) {
    v.why_not = fmt::format("it has {} dimensions; a matrix has 2", dims.size / 4);
    return v;
  }
  int32_t shape[2];
  std::memcpy(shape, dims.bytes, 8);
  MatMatrix m;
  m.name = v.name;
  m.rows = shape[0], m.cols = shape[1];
  const MatElement real = next_mat_element(c);
  const size_t width = mat_type_bytes(real.type);
  const auto count = static_cast<size_t>(m.rows * m.cols);
  if (width == 0 || real.size != count * width)
    fail("{}: variable '{}' is {}x{} but holds {} bytes of type {}; the file is damaged", origin, v.name, m.rows, m.cols, real.size, real.type);
  m.values.resize(count);
  for (size_t i = 0; i < count; ++i) m.values[i] = mat_number(real.type, real.bytes + i * width, origin);
  v.matrix = std::move(m);
  return v;
}

}  // namespace

MatMatrix read_mat_matrix(const std::string& path, const std::string& name) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot open the MAT-file", path);
  const std::vector<uint8_t> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (file.size() < 128) fail("{}: not a MAT-file (shorter than its 128-byte header)", path);
  if (std::memcmp(file.data(), "MATLAB 7.3", 10) == 0 || std::memcmp(file.data(), "\x89HDF", 4) == 0)
    fail("{}: a MATLAB v7.3 (HDF5) file; save it again in the v7 format (save(..., '-v7')) or export the matrix as CSV", path);
  if (file[126] != 'I' || file[127] != 'M')
    fail("{}: not a little-endian Level 5 MAT-file (its header does not end in 'IM'); save it with MATLAB's save(..., '-v7')", path);
  MatCursor c{file.data(), file.size(), 128, path};
  std::vector<std::string> names;
  while (!c.done()) {
    const MatElement e = next_mat_element(c);
    std::vector<uint8_t> inflated;
    MatElement matrix = e;
    if (e.type == kMiCompressed) {
      inflated = inflate_mat_element(e, path);
      MatCursor inner{inflated.data(), inflated.size(), 0, path};
      matrix = next_mat_element(inner);
    }
    if (matrix.type != kMiMatrix) continue;
    MatVariable v = parse_mat_matrix(matrix, path);
    if (v.name == name) {
      if (!v.matrix) fail("{}: variable '{}' is not a real numeric matrix: {}", path, name, v.why_not);
      return std::move(*v.matrix);
    }
    names.push_back(v.name);
  }
  fail("{}: no variable '{}'; the file holds: {}", path, name, names.empty() ? "nothing" : fmt::format("{}", fmt::join(names, ", ")));
}

}  // namespace gaze
