// Videos stored as files (Kinetics / UCF101 style), listed by "<path> <label>" lines
// (video_lists.h) and decoded with FFmpeg (trainers/lib/io/video_file.h).
#pragma once
#include <string>
#include <vector>

#include "trainers/datasets/video_clip_set.h"
#include "trainers/datasets/video_lists.h"

namespace gaze {

// Opens every listed file (relative to `root` unless absolute) and sets its total_frames; a file
// that is missing or does not decode is one error naming it and its list line, and a build without
// FFmpeg is one error naming the packages to install.
void count_video_file_frames(const std::string& root, std::vector<VideoListEntry>& videos, const std::string& list_path);

// Decodes the frames a clip needs from the video's file.
VideoFrameReader video_file_reader(std::string root);

}  // namespace gaze
