// mmaction2's annotation lists, one video per line:
//   rawframes: "<frame_dir> <total_frames> <label>"  (frame_dir relative to the data root)
//   videos:    "<path> <label>"                       (Kinetics / UCF101 style, path relative to the root)
// Blank lines and lines starting with '#' are skipped. A path may not hold spaces (mmaction2 splits
// on whitespace too).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace gaze {

struct VideoListEntry {
  std::string path;          // as written in the list
  int64_t total_frames = 0;  // rawframes lists; 0 for video lists (the decoder counts them)
  int64_t label = 0;
  int64_t line = 0;          // 1-based, for errors
};

// Each is one gaze::Error naming the list file and line for a malformed line (wrong field count, a
// count or label that is not a non-negative integer, total_frames 0) or an empty or missing file.
std::vector<VideoListEntry> read_rawframe_list(const std::string& list_path);
std::vector<VideoListEntry> read_video_list(const std::string& list_path);

}  // namespace gaze
