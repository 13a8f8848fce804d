#include "trainers/lib/io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "autograd/ops.h"
#include "framework/error.h"
#include "trainers/lib/io/atomic_file.h"

namespace gaze {

// The format is little-endian and tensors are copied byte for byte.
static_assert(std::endian::native == std::endian::little, "safetensors I/O assumes a little-endian host");

namespace {

using ordered_json = nlohmann::ordered_json;

constexpr const char* kMetadataKey = "__metadata__";

const char* format_dtype(DType dtype) {
  switch (dtype) {
    case DType::f32: return "F32";
    case DType::f64: return "F64";
    case DType::i64: return "I64";
  }
  return "?";
}

bool parse_format_dtype(const std::string& name, DType& dtype) {
  if (name == "F32") dtype = DType::f32;
  else if (name == "F64") dtype = DType::f64;
  else if (name == "I64") dtype = DType::i64;
  else return false;
  return true;
}

[[noreturn]] void corrupt(const std::string& path, const std::string& what) {
  fail("checkpoint {} is corrupt: {} (re-save it, or resume from an earlier checkpoint)", path, what);
}

// The tensor's elements, row-major, as raw bytes.
std::string tensor_bytes(const std::string& path, const std::string& name, const Tensor& tensor) {
  if (!tensor.defined()) fail("save_safetensors({}): tensor '{}' is undefined", path, name);
  if (tensor.numel() == 0) return {};
  NoGradGuard no_grad;
  Tensor host = contiguous(tensor.detach().to(Device::cpu()));  // a GPU tensor is read back, as safetensors' torch API does
  return std::string(static_cast<const char*>(host.raw_data()), static_cast<size_t>(host.numel()) * dtype_size(host.dtype()));
}

// One header entry, checked against the data section of `data_size` bytes.
struct Entry {
  std::string name;
  DType dtype = DType::f32;
  Shape shape;
  uint64_t begin = 0, end = 0;
};

// The largest number of elements a shape may describe (counting zero dims as 1): far beyond any
// real file, and small enough that strides and byte counts cannot overflow int64.
constexpr uint64_t kMaxElements = uint64_t{1} << 56;

Entry parse_entry(const std::string& path, const std::string& name, const ordered_json& value) {
  Entry entry;
  entry.name = name;
  std::string where = "tensor '" + name + "'";
  if (!value.is_object()) corrupt(path, where + " is not a JSON object");

  auto dtype = value.find("dtype");
  if (dtype == value.end() || !dtype->is_string()) corrupt(path, where + " has no \"dtype\" string");
  if (!parse_format_dtype(dtype->get<std::string>(), entry.dtype))
    corrupt(path, fmt::format("{} has dtype '{}'; gaze reads F32, F64 and I64", where, dtype->get<std::string>()));

  auto shape = value.find("shape");
  if (shape == value.end() || !shape->is_array()) corrupt(path, where + " has no \"shape\" array");
  uint64_t elements = 1, nonzero_product = 1;
  for (const ordered_json& dim : *shape) {
    if (!dim.is_number_unsigned()) corrupt(path, fmt::format("{} has shape {}: sizes must be integers >= 0", where, shape->dump()));
    uint64_t size = dim.get<uint64_t>();
    if (size > kMaxElements || __builtin_mul_overflow(nonzero_product, std::max<uint64_t>(size, 1), &nonzero_product) ||
        nonzero_product > kMaxElements)
      corrupt(path, fmt::format("{} has shape {}, far too large", where, shape->dump()));
    elements *= size;
    entry.shape.push_back(static_cast<int64_t>(size));
  }

  auto offsets = value.find("data_offsets");
  if (offsets == value.end() || !offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
      !(*offsets)[1].is_number_unsigned())
    corrupt(path, where + " has no \"data_offsets\" [begin, end] of integers >= 0");
  entry.begin = (*offsets)[0].get<uint64_t>();
  entry.end = (*offsets)[1].get<uint64_t>();
  if (entry.end < entry.begin)
    corrupt(path, fmt::format("{} has data_offsets [{}, {}] that end before they begin", where, entry.begin, entry.end));
  uint64_t expected = elements * dtype_size(entry.dtype);
  if (entry.end - entry.begin != expected)
    corrupt(path, fmt::format("{} ({} of shape {}) needs {} bytes but its data_offsets [{}, {}] hold {}", where,
                              dtype->get<std::string>(), shape->dump(), expected, entry.begin, entry.end,
                              entry.end - entry.begin));
  return entry;
}

std::map<std::string, std::string> parse_metadata(const std::string& path, const ordered_json& value) {
  if (!value.is_object()) corrupt(path, "\"__metadata__\" is not a JSON object");
  std::map<std::string, std::string> metadata;
  for (const auto& [key, item] : value.items()) {
    if (!item.is_string()) corrupt(path, fmt::format("metadata '{}' is {}, not a string", key, item.dump()));
    metadata[key] = item.get<std::string>();
  }
  return metadata;
}

}  // namespace

std::string fnv1a64_hex(const char* bytes, size_t size) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < size; ++i) {
    hash ^= static_cast<unsigned char>(bytes[i]);
    hash *= 0x100000001b3ull;
  }
  return fmt::format("{:016x}", hash);
}

void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata) {
  std::set<std::string> seen;
  std::string data;
  ordered_json header = ordered_json::object();
  for (const auto& [name, tensor] : tensors) {
    if (name.empty()) fail("save_safetensors({}): a tensor has an empty name", path);
    if (name == kMetadataKey) fail("save_safetensors({}): '{}' is reserved for the metadata; rename the tensor", path, name);
    if (!seen.insert(name).second) fail("save_safetensors({}): two tensors are named '{}'; names must be unique", path, name);
    std::string bytes = tensor_bytes(path, name, tensor);
    header[name] = {{"dtype", format_dtype(tensor.dtype())},
                    {"shape", tensor.shape()},
                    {"data_offsets", {data.size(), data.size() + bytes.size()}}};
    data += bytes;
  }
  std::map<std::string, std::string> all_metadata = metadata;
  all_metadata[kChecksumKey] = fnv1a64_hex(data.data(), data.size());
  header[kMetadataKey] = all_metadata;

  std::string json = header.dump();
  json.append((8 - json.size() % 8) % 8, ' ');  // 8-byte aligned data, as safetensors' own writer does
  std::string file(8, '\0');
  uint64_t length = json.size();
  std::memcpy(file.data(), &length, 8);
  file += json;
  file += data;
  write_file_atomically(path, file);
}

SafetensorsFile load_safetensors(const std::string& path) {
  const std::string bytes = read_file(path);
  if (bytes.size() < 8)
    corrupt(path, fmt::format("it has {} bytes, fewer than the 8 of the header length", bytes.size()));
  uint64_t header_length = 0;
  std::memcpy(&header_length, bytes.data(), 8);
  if (header_length > bytes.size() - 8)
    corrupt(path, fmt::format("the header length is {} bytes but only {} bytes follow it (truncated?)", header_length,
                              bytes.size() - 8));

  ordered_json header;
  try {
    header = ordered_json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(header_length));
  } catch (const nlohmann::json::parse_error& e) {
    corrupt(path, fmt::format("the header is not valid JSON (at byte {} of {})", e.byte, header_length));
  } catch (const nlohmann::json::exception& e) {  // found by tests/fuzz: a number too large (out_of_range 406)
    corrupt(path, fmt::format("the header is not valid JSON ({})", e.what()));
  }
  if (!header.is_object()) corrupt(path, "the header is not a JSON object");

  SafetensorsFile file;
  std::vector<Entry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == kMetadataKey) file.metadata = parse_metadata(path, value);
    else entries.push_back(parse_entry(path, name, value));
  }

  // Writers may list the entries in any order; the data must still be one gap-free run.
  const char* data = bytes.data() + 8 + header_length;
  const uint64_t data_size = bytes.size() - 8 - header_length;
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t position = 0;
  for (const Entry& entry : entries) {
    if (entry.begin != position)
      corrupt(path, fmt::format("tensor '{}' starts at byte {} of the data, but the previous one ends at {} ({})",
                                entry.name, entry.begin, position, entry.begin < position ? "they overlap" : "a gap"));
    position = entry.end;
  }
  if (position != data_size)
    corrupt(path, fmt::format("the tensors cover {} bytes of data but the file holds {} ({})", position, data_size,
                              position > data_size ? "truncated" : "trailing bytes"));

  auto checksum = file.metadata.find(kChecksumKey);
  if (checksum != file.metadata.end()) {
    std::string actual = fnv1a64_hex(data, data_size);
    if (actual != checksum->second)
      corrupt(path, fmt::format("the data's checksum is {} but the header records {} (bytes changed after saving)",
                                actual, checksum->second));
  }

  for (const Entry& entry : entries) {
    Tensor tensor = empty(entry.shape, entry.dtype);
    if (entry.end > entry.begin) std::memcpy(tensor.raw_data(), data + entry.begin, entry.end - entry.begin);
    file.tensors.emplace_back(entry.name, std::move(tensor));
  }
  return file;
}

}  // namespace gaze
