// log.tensorboard's events files, read back by a decoder written here and independent of the
// writer (a bit-at-a-time CRC-32C checked against the standard check value, a generic
// protobuf wire-format parser): every record's framing and both CRCs, the Event and Summary
// fields TensorBoard reads, the scalars against metrics.jsonl, an image that decodes as the PNG
// its header says, the config as text, and a resumed run's second file.
#include <stb_image.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>

#include "support/scoped_backend.h"
#include "support/temp_dir.h"
#include "support/test_support.h"
#include "trainers/app/hooks/hook.h"
#include "trainers/app/run_directory.h"
#include "trainers/app/trainer.h"
#include "trainers/lib/io/atomic_file.h"
#include "trainers/lib/io/crc32c.h"
#include "trainers/lib/io/protobuf_writer.h"
#include "trainers/lib/io/tfrecord_writer.h"

using namespace gaze;
using namespace gaze::test;
namespace fs = std::filesystem;

namespace {

// CRC-32C one bit at a time, straight from the definition (reflected polynomial 0x82F63B78).
uint32_t crc32c_by_bits(std::string_view data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (const char c : data) {
    crc ^= static_cast<uint8_t>(c);
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
  return ~crc;
}

uint32_t masked(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xA282EAD8u; }

template <typename T>
T little_endian(std::string_view bytes, size_t at) {
  T value;
  std::memcpy(&value, bytes.data() + at, sizeof(T));
  return value;
}

// The records of a TFRecord file, each one's length and both CRCs checked.
std::vector<std::string> read_records(const std::string& path) {
  const std::string file = read_file(path);
  std::vector<std::string> records;
  size_t at = 0;
  while (at < file.size()) {
    REQUIRE_MESSAGE(file.size() - at >= 12, path, ": a torn header at byte ", at);
    const auto length = little_endian<uint64_t>(file, at);
    CHECK(little_endian<uint32_t>(file, at + 8) == masked(crc32c_by_bits(std::string_view(file).substr(at, 8))));
    REQUIRE_MESSAGE(file.size() - at - 12 >= length + 4, path, ": record at byte ", at, " runs past the end");
    const std::string data = file.substr(at + 12, length);
    CHECK(little_endian<uint32_t>(file, at + 12 + length) == masked(crc32c_by_bits(data)));
    records.push_back(data);
    at += 12 + length + 4;
  }
  return records;
}

// One field of a protobuf message as it is on the wire.
struct Field {
  int number = 0, wire = 0;
  uint64_t integer = 0;  // varint, fixed64 or fixed32
  std::string bytes;     // length-delimited
};

uint64_t read_varint(std::string_view data, size_t& at) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    REQUIRE(at < data.size());
    const auto byte = static_cast<uint8_t>(data[at++]);
    value |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if (!(byte & 0x80)) return value;
  }
  FAIL("a varint longer than ten bytes");
  return 0;
}

std::multimap<int, Field> parse(std::string_view data) {
  std::multimap<int, Field> fields;
  size_t at = 0;
  while (at < data.size()) {
    const uint64_t key = read_varint(data, at);
    Field f{static_cast<int>(key >> 3), static_cast<int>(key & 7), 0, {}};
    if (f.wire == 0) {
      f.integer = read_varint(data, at);
    } else if (f.wire == 1 || f.wire == 5) {
      const size_t size = f.wire == 1 ? 8 : 4;
      REQUIRE(at + size <= data.size());
      std::memcpy(&f.integer, data.data() + at, size);
      at += size;
    } else {
      REQUIRE(f.wire == 2);
      const uint64_t size = read_varint(data, at);
      REQUIRE(at + size <= data.size());
      f.bytes = std::string(data.substr(at, size));
      at += size;
    }
    fields.emplace(f.number, f);
  }
  return fields;
}

const Field* field(const std::multimap<int, Field>& fields, int number) {
  const auto it = fields.find(number);
  return it == fields.end() ? nullptr : &it->second;
}

// An Event as TensorBoard reads it (event.proto, summary.proto).
struct Event {
  double wall_time = 0;
  int64_t step = 0;
  std::string file_version;
  int64_t session_status = -1;  // SessionLog.status; -1: no session_log
  std::string tag;
  std::optional<float> simple_value;
  int64_t height = 0, width = 0, colorspace = 0;
  std::string png;
  std::string plugin, text;
};

Event decode(const std::string& record) {
  const auto e = parse(record);
  Event event;
  REQUIRE(field(e, 1));  // every event has its wall time
  REQUIRE(field(e, 1)->wire == 1);
  std::memcpy(&event.wall_time, &field(e, 1)->integer, 8);
  if (const Field* f = field(e, 2)) event.step = static_cast<int64_t>(f->integer);
  if (const Field* f = field(e, 3)) event.file_version = f->bytes;
  if (const Field* f = field(e, 7)) event.session_status = field(parse(f->bytes), 1) ? static_cast<int64_t>(field(parse(f->bytes), 1)->integer) : 0;
  if (const Field* f = field(e, 5)) {
    const auto summary = parse(f->bytes);
    REQUIRE(summary.count(1) == 1);  // one value per event
    const auto value = parse(field(summary, 1)->bytes);
    REQUIRE(field(value, 1));
    event.tag = field(value, 1)->bytes;
    if (const Field* v = field(value, 2)) {
      REQUIRE(v->wire == 5);
      float simple;
      std::memcpy(&simple, &v->integer, 4);
      event.simple_value = simple;
    }
    if (const Field* v = field(value, 4)) {
      const auto image = parse(v->bytes);
      event.height = static_cast<int64_t>(field(image, 1)->integer);
      event.width = static_cast<int64_t>(field(image, 2)->integer);
      event.colorspace = static_cast<int64_t>(field(image, 3)->integer);
      event.png = field(image, 4)->bytes;
    }
    if (const Field* m = field(value, 9)) event.plugin = field(parse(field(parse(m->bytes), 1)->bytes), 1)->bytes;
    if (const Field* t = field(value, 8)) {
      const auto tensor = parse(t->bytes);
      CHECK(field(tensor, 1)->integer == 7);  // DT_STRING
      event.text = field(tensor, 8)->bytes;
    }
  }
  return event;
}

std::vector<Event> read_events(const std::string& path) {
  std::vector<Event> events;
  for (const std::string& record : read_records(path)) events.push_back(decode(record));
  return events;
}

std::vector<std::string> events_files(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename().string().rfind("events.out.tfevents.", 0) == 0) files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

// The scalars metrics.jsonl's records stand for, as (tag, step) -> value: each number but the
// epoch and step counters, tagged by the record's type (an evaluation's: its split).
std::map<std::pair<std::string, int64_t>, double> expected_scalars(const std::vector<nlohmann::json>& records, int64_t min_step = 0) {
  std::map<std::pair<std::string, int64_t>, double> scalars;
  for (const auto& r : records) {
    const std::string group = r.at("type") == "eval" ? r.at("split").get<std::string>() : r.at("type").get<std::string>();
    const int64_t step = r.at("global_step");
    if (step < min_step) continue;
    for (const auto& [key, value] : r.items())
      if (value.is_number() && key != "epoch" && key != "step" && key != "global_step") scalars[{group + "/" + key, step}] = value.get<double>();
  }
  return scalars;
}

std::map<std::pair<std::string, int64_t>, double> scalars_of(const std::vector<Event>& events, int64_t below_step = INT64_MAX) {
  std::map<std::pair<std::string, int64_t>, double> scalars;
  for (const Event& e : events)
    if (e.simple_value && e.step < below_step) CHECK_MESSAGE(scalars.emplace(std::pair{e.tag, e.step}, *e.simple_value).second, e.tag, " twice at step ", e.step);
  return scalars;
}

void check_same_scalars(const std::map<std::pair<std::string, int64_t>, double>& logged,
                        const std::map<std::pair<std::string, int64_t>, double>& written) {
  CHECK(logged.size() == written.size());
  for (const auto& [key, value] : logged) {
    INFO(key.first, " at step ", key.second);
    const auto it = written.find(key);
    REQUIRE(it != written.end());
    CHECK(it->second == static_cast<float>(value));  // simple_value is a float
  }
}

std::string tiny_config(const std::string& log_dir, int64_t every_steps) {
  return fmt::format(R"(model:
  widths: [8, 16]
  strides: [1, 2]
  attention: {{type: cbam, reduction: 4}}
data:
  batch_size: 32
  train_limit: 128
  test_limit: 64
train:
  epochs: 2
  log_interval: 2
eval:
  metrics: [top1, confusion]
checkpoint:
  every_steps: {}
log:
  dir: {}
  tensorboard: true
)",
                     every_steps, log_dir);
}

// Stands in for a crash: throws after the given step (after the standard hooks have run).
struct CrashAfterStep : Hook {
  int64_t step;
  explicit CrashAfterStep(int64_t s) : step(s) {}
  void after_step(TrainingRun& run, const StepReport&) override {
    if (run.state.global_step == step) throw std::runtime_error("crash");
  }
};

}  // namespace

TEST_CASE("crc32c: the check value of \"123456789\" is 0xE3069283 and every length agrees with a bit-at-a-time CRC") {
  CHECK(crc32c("123456789") == 0xE3069283u);
  CHECK(crc32c_by_bits("123456789") == 0xE3069283u);
  CHECK(crc32c("") == 0u);
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    CHECK(crc32c(bytes) == crc32c_by_bits(bytes));
    CHECK(masked_crc32c(bytes) == masked(crc32c_by_bits(bytes)));
    bytes.push_back(static_cast<char>((i * 131 + 7) & 0xFF));
  }
}

TEST_CASE("ProtobufWriter: the wire format's own examples (150 in field 1, \"testing\" in field 2, a negative int)") {
  std::string v;
  append_varint(v, 300);
  CHECK(v == "\xAC\x02");
  CHECK(ProtobufWriter().varint(1, 150).encoded() == "\x08\x96\x01");
  CHECK(ProtobufWriter().bytes(2, "testing").encoded() == "\x12\x07testing");
  CHECK(ProtobufWriter().varint(1, -1).encoded() == std::string("\x08\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x01", 11));
  ProtobufWriter inner;
  inner.varint(1, 150);
  CHECK(ProtobufWriter().message(3, inner).encoded() == "\x1A\x03\x08\x96\x01");
  const auto fields = parse(ProtobufWriter().float32(2, 1.5f).float64(1, -2.25).encoded());
  float f;
  double d;
  std::memcpy(&f, &field(fields, 2)->integer, 4);
  std::memcpy(&d, &field(fields, 1)->integer, 8);
  CHECK(f == 1.5f);
  CHECK(d == -2.25);
  CHECK_THROWS_WITH_AS(ProtobufWriter().varint(0, 1), doctest::Contains("field number 0"), Error);
}

TEST_CASE("tfrecord_frame: length, masked CRCs, data, as TFRecord readers expect") {
  const std::string framed = tfrecord_frame("hello");
  REQUIRE(framed.size() == 8 + 4 + 5 + 4);
  CHECK(little_endian<uint64_t>(framed, 0) == 5);
  CHECK(framed.substr(12, 5) == "hello");
  CHECK(little_endian<uint32_t>(framed, 17) == masked(crc32c_by_bits("hello")));
}

TEST_CASE("log.tensorboard: an events file with the config, every metrics.jsonl number as a scalar and the pictures as images") {
  ScopedBackend backend(fastest_backend());
  TempDir dir("tensorboard");
  const std::string path = dir.write("tiny.yaml", tiny_config(dir.path.string(), 0));
  const TrainResult result = train(load_config(path), {.config_path = path, .progress = false});

  const std::vector<std::string> files = events_files(result.run_dir);
  REQUIRE(files.size() == 1);
  CHECK(fs::path(files[0]).filename().string().find("events.out.tfevents.") == 0);
  const std::vector<Event> events = read_events(files[0]);
  REQUIRE(events.size() > 3);
  CHECK(events[0].file_version == "brain.Event:2");
  for (const Event& e : events) CHECK(e.wall_time > 1.5e9);  // seconds since 1970, as TensorBoard expects

  // The scalars are metrics.jsonl's numbers, each at its record's global step.
  const auto records = read_metrics(result.run_dir + "/metrics.jsonl");
  const auto logged = expected_scalars(records);
  check_same_scalars(logged, scalars_of(events));
  CHECK(logged.count({"train/loss", 2}) == 1);  // 4 steps an epoch, a record every 2
  CHECK(logged.count({"train/lr", 8}) == 1);
  CHECK(logged.count({"val/top1", 4}) == 1);
  CHECK(logged.count({"test/top1", 8}) == 1);

  // The config as text for the text plugin, as a Markdown code block.
  int texts = 0;
  for (const Event& e : events)
    if (!e.text.empty()) {
      ++texts;
      CHECK(e.tag == "config");
      CHECK(e.plugin == "text");
      CHECK(e.text.find("    log_interval: 2\n") != std::string::npos);
      CHECK(e.text.find("    tensorboard: true\n") != std::string::npos);
    }
  CHECK(texts == 1);

  // The pictures when they change: curves.png, confusion.png; the last of each is
  // the file in the run directory, and decodes to the size its event states.
  std::map<std::string, const Event*> last_image;
  std::map<std::string, int> images;
  for (const Event& e : events)
    if (!e.png.empty()) last_image[e.tag] = &e, ++images[e.tag];
  CHECK(images["curves"] == 2);  // after each epoch (at the end it is drawn again, the same)
  REQUIRE(last_image.count("confusion") == 1);
  for (const auto& [tag, e] : last_image) {
    INFO(tag);
    CHECK(e->png == read_file(result.run_dir + "/" + tag + ".png"));
    CHECK(e->step == 8);
    int width = 0, height = 0, channels = 0;
    unsigned char* pixels = stbi_load_from_memory(reinterpret_cast<const unsigned char*>(e->png.data()), static_cast<int>(e->png.size()),
                                                  &width, &height, &channels, 0);
    REQUIRE(pixels != nullptr);
    stbi_image_free(pixels);
    CHECK(width == e->width);
    CHECK(height == e->height);
    CHECK(e->colorspace == 3);  // RGB
    CHECK(channels == 3);
  }

  // Off by default: no events file.
  const std::string plain = dir.write("plain.yaml", tiny_config((dir.path / "plain").string(), 0));
  const TrainResult off = train(load_config(plain, {"log.tensorboard=false", "train.epochs=1"}), {.config_path = plain, .progress = false});
  CHECK(events_files(off.run_dir).empty());
}

TEST_CASE("log.tensorboard: a resumed run starts a second events file with a SessionLog START; the first is left as it was") {
  ScopedBackend backend(fastest_backend());
  TempDir dir("tensorboard_resume");
  // 4 steps an epoch and a checkpoint every 5 steps; the run "crashes" after step 6, so it resumes
  // after step 5, and the train record of step 6 is in the first file but not in the log any more.
  const std::string path = dir.write("tiny.yaml", tiny_config(dir.path.string(), 5));
  CHECK_THROWS_AS(train(load_config(path), {.config_path = path, .progress = false, .hooks = {std::make_shared<CrashAfterStep>(6)}}),
                  std::runtime_error);
  const std::string run_dir = (dir.path / "tiny").string();
  REQUIRE(events_files(run_dir).size() == 1);
  const std::string first = events_files(run_dir)[0];
  const std::string first_bytes = read_file(first);
  const std::vector<Event> crashed = read_events(first);
  CHECK(crashed.back().step == 6);  // flushed as written: the crash lost nothing

  train(load_config(path), {.config_path = path, .resume = "auto", .progress = false});
  const std::vector<std::string> files = events_files(run_dir);
  REQUIRE(files.size() == 2);
  CHECK(files[0] == first);
  CHECK(read_file(first) == first_bytes);
  const std::vector<Event> resumed = read_events(files[1]);
  REQUIRE(resumed.size() > 2);
  CHECK(resumed[0].file_version == "brain.Event:2");
  CHECK(resumed[1].session_status == 1);  // START
  CHECK(resumed[1].step == 6);            // the first step the resumed run trains

  // What TensorBoard shows: the first file's events before the START, then the second file's;
  // together they are the resumed run's metrics.jsonl.
  auto shown = scalars_of(crashed, 6);
  for (const auto& [key, value] : scalars_of(resumed)) CHECK_MESSAGE(shown.emplace(key, value).second, key.first, " at ", key.second);
  check_same_scalars(expected_scalars(read_metrics(run_dir + "/metrics.jsonl")), shown);
}
