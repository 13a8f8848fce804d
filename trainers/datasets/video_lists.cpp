#include "trainers/datasets/video_lists.h"

#include <charconv>
#include <fstream>
#include <sstream>

#include "framework/error.h"

namespace gaze {

namespace {

int64_t parse_list_integer(const std::string& text, const std::string& what, const std::string& list_path, int64_t line) {
  int64_t value = -1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0)
    fail("{}:{}: {} '{}' is not a non-negative integer", list_path, line, what, text);
  return value;
}

std::vector<VideoListEntry> read_video_list_fields(const std::string& list_path, bool with_frame_count) {
  std::ifstream in(list_path);
  if (!in) fail("{}: cannot open the annotation list; check data.root and the list key (data.train_list, data.val_list, data.test_list)", list_path);
  const size_t fields = with_frame_count ? 3 : 2;
  const char* format = with_frame_count ? "'<frame_dir> <total_frames> <label>'" : "'<path> <label>'";
  std::vector<VideoListEntry> entries;
  std::string text;
  for (int64_t line = 1; std::getline(in, text); ++line) {
    std::istringstream words(text);
    std::vector<std::string> parts;
    for (std::string word; words >> word;) parts.push_back(word);
    if (parts.empty() || parts[0][0] == '#') continue;
    if (parts.size() != fields) fail("{}:{}: {} fields where a line is {}: '{}'", list_path, line, parts.size(), format, text);
    VideoListEntry e;
    e.path = parts[0];
    e.line = line;
    if (with_frame_count) {
      e.total_frames = parse_list_integer(parts[1], "total_frames", list_path, line);
      if (e.total_frames == 0) fail("{}:{}: total_frames is 0; a video needs at least one frame", list_path, line);
    }
    e.label = parse_list_integer(parts.back(), "label", list_path, line);
    entries.push_back(std::move(e));
  }
  if (entries.empty()) fail("{}: the annotation list names no video (one per line: {})", list_path, format);
  return entries;
}

}  // namespace

std::vector<VideoListEntry> read_rawframe_list(const std::string& list_path) { return read_video_list_fields(list_path, true); }

std::vector<VideoListEntry> read_video_list(const std::string& list_path) { return read_video_list_fields(list_path, false); }

}  // namespace gaze
