#include "trainers/datasets/duke_video_layout.h"

#include <algorithm>
#include <charconv>
#include <filesystem>

#include "framework/error.h"

namespace gaze {

namespace {

namespace fs = std::filesystem;

// The digits of `text` from `at`, as a number; -1 when there are none.
int64_t duke_digits_at(const std::string& text, size_t at) {
  int64_t value = -1;
  if (at >= text.size()) return -1;
  const auto [end, error] = std::from_chars(text.data() + at, text.data() + text.size(), value);
  return error == std::errc() ? value : -1;
}

std::vector<fs::path> duke_sorted_entries(const fs::path& folder, bool directories) {
  std::vector<fs::path> entries;
  for (const auto& entry : fs::directory_iterator(folder))
    if (directories ? entry.is_directory() : entry.is_regular_file()) entries.push_back(entry.path());
  std::sort(entries.begin(), entries.end());
  return entries;
}

std::vector<Tracklet> duke_split(const fs::path& folder) {
  if (!fs::is_directory(folder)) fail("{}: missing; DukeMTMC-VideoReID's root holds train/, query/ and gallery/ (check data.root)", folder.string());
  std::vector<Tracklet> tracklets;
  for (const fs::path& pid_dir : duke_sorted_entries(folder, true)) {
    const std::string pid_text = pid_dir.filename().string();
    int64_t pid = -1;
    const auto [end, error] = std::from_chars(pid_text.data(), pid_text.data() + pid_text.size(), pid);
    if (error != std::errc() || end != pid_text.data() + pid_text.size())
      fail("{}: not an identity folder (its name must be the integer pid, e.g. 0001)", pid_dir.string());
    for (const fs::path& tracklet_dir : duke_sorted_entries(pid_dir, true)) {
      std::vector<std::pair<int64_t, std::string>> frames;
      int64_t camera = -1;
      for (const fs::path& file : duke_sorted_entries(tracklet_dir, false)) {
        const std::string ext = file.extension().string();
        if (ext != ".jpg" && ext != ".jpeg" && ext != ".png") continue;
        const DukeFrameName parsed = parse_duke_frame_name(file.filename().string(), file.string());
        if (camera >= 0 && parsed.camera != camera)
          fail("{}: camera {} in a tracklet of camera {}; a tracklet is one camera's", file.string(), parsed.camera, camera);
        camera = parsed.camera;
        frames.emplace_back(parsed.frame, file.string());
      }
      if (frames.empty()) fail("{}: a tracklet folder without frames (.jpg)", tracklet_dir.string());
      std::sort(frames.begin(), frames.end());
      Tracklet t;
      t.identity = pid;
      t.camera = camera - 1;
      for (auto& [number, path] : frames) t.frames.push_back(std::move(path));
      tracklets.push_back(std::move(t));
    }
  }
  if (tracklets.empty()) fail("{}: no tracklets (expected <pid>/<tracklet>/<frames>.jpg)", folder.string());
  return tracklets;
}

}  // namespace

DukeFrameName parse_duke_frame_name(const std::string& name, const std::string& path) {
  // New names 0001_C6_F0099_X30823.jpg, old ones 0001C6F0099X30823.jpg: the C and F fields after the pid.
  const size_t c = name.find('C', 4), f = name.find('F', 4);
  DukeFrameName parsed;
  if (c != std::string::npos && f != std::string::npos && c < f) parsed = {duke_digits_at(name, c + 1), duke_digits_at(name, f + 1)};
  if (parsed.camera < 1 || parsed.camera > 8 || parsed.frame < 0)
    fail("{}: not a DukeMTMC-VideoReID frame name (<pid>_C<camera 1..8>_F<frame>_X<n>.jpg, e.g. 0001_C6_F0099_X30823.jpg)", path);
  return parsed;
}

VideoReidSplits read_duke_video(const std::string& root) {
  VideoReidSplits s;
  s.train = duke_split(fs::path(root) / "train");
  s.query = duke_split(fs::path(root) / "query");
  s.gallery = duke_split(fs::path(root) / "gallery");
  s.train_names = relabel_identities(s.train);
  return s;
}

}  // namespace gaze
