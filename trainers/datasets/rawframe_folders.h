// mmaction2's rawframes: one folder of JPEGs per video under the data root, frames named by
// filename_tmpl from start_index (img_00001.jpg, img_00002.jpg, ... by default), listed by
// "<frame_dir> <total_frames> <label>" lines (video_lists.h).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "trainers/datasets/video_clip_set.h"
#include "trainers/datasets/video_lists.h"

namespace gaze {

struct RawframeLayout {
  std::string root;                             // frame_dir is relative to it (unless absolute)
  std::string filename_tmpl = "img_{:05}.jpg";  // a {fmt} / Python format of the frame number
  int64_t start_index = 1;                      // the number of a video's first frame
};

// The file of frame `frame` (0-based) of `video`. A template that does not format one integer is
// an error naming data.filename_tmpl.
std::string rawframe_path(const RawframeLayout& layout, const VideoListEntry& video, int64_t frame);

// Checks that each listed video's folder exists and holds its first and last frame (a cheap check
// that catches a wrong root, template or count before training starts); one error naming the
// missing folder or file and the list line.
void check_rawframe_folders(const RawframeLayout& layout, const std::vector<VideoListEntry>& videos, const std::string& list_path);

// Reads the frames of a video from its folder (image_file.h's decoder, RGB).
VideoFrameReader rawframe_reader(RawframeLayout layout);

}  // namespace gaze
