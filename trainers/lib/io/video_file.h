// Video files (MP4, AVI, MKV, WebM, ... whatever the installed FFmpeg demuxes and decodes) read as
// RGB frames, through FFmpeg's libavformat, libavcodec and libswscale when the build found them
// (cmake/GazeBackendLibraries.cmake: GAZE_HAVE_FFMPEG). Without them every call but
// video_decoding_available() is an error naming the Debian packages to install.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "trainers/lib/io/image_file.h"

namespace gaze {

// Whether this build decodes video files.
bool video_decoding_available();

// Frames of the first video stream, counted by decoding the whole file once (a container's frame
// count is often missing or approximate), and the frame size.
struct VideoFileInfo {
  int64_t frames = 0, height = 0, width = 0;
};
VideoFileInfo probe_video_file(const std::string& path);

// Frames `frames` (0-based decoding order, any order, repeats allowed) as RGB, in that order. The
// file is decoded from the start (or the nearest key frame before the first frame wanted) up to the
// last frame wanted; an index past the end is an error naming the file and its frame count.
std::vector<DecodedImage> read_video_frames(const std::string& path, const std::vector<int64_t>& frames);

}  // namespace gaze
