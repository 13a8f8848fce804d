// DukeMTMC-VideoReID (Wu et al. 2018) as torchreid reads it: a folder per identity, in it a folder
// per tracklet, in it the frames:
//   <root>/{train,query,gallery}/<pid>/<tracklet>/<pid>_C<cam>_F<frame>_X<n>.jpg   e.g. 0001/0001/0001_C6_F0099_X30823.jpg
// (the older names 0001C6F0099X30823.jpg too). A tracklet's frames are ordered by their F number;
// its camera is the C digit (1..8).
#pragma once
#include <string>

#include "trainers/datasets/mars_layout.h"

namespace gaze {

// Walks the three folders; a folder that is not an integer pid, an empty tracklet or a frame name
// without camera and frame number is one error naming the path.
VideoReidSplits read_duke_video(const std::string& root);

// The camera (1-based, as written) and frame number of a frame file name; an error naming `path`.
struct DukeFrameName {
  int64_t camera = 0, frame = 0;
};
DukeFrameName parse_duke_frame_name(const std::string& name, const std::string& path);

}  // namespace gaze
