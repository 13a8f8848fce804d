// MARS (Zheng et al. 2016, http://zheng-lab.cecs.anu.edu.au/Project/project_mars.html) as torchreid
// reads it:
//   <root>/bbox_train/<pid>/<pid>C<cam>T<tracklet>F<frame>.jpg   e.g. 0001/0001C1T0001F001.jpg
//   <root>/bbox_test/<pid>/...                                    (pid 00-1: junk, 0000: distractors)
//   <root>/info/train_name.txt, test_name.txt                     every frame's file name, in order
//   <root>/info/tracks_train_info.mat, tracks_test_info.mat       one row per tracklet: start, end
//                                                                 (1-based rows of the name list), pid, camera
//   <root>/info/query_IDX.mat                                     the query tracklets (1-based rows of
//                                                                 tracks_test_info); the gallery is the rest
// The .mat files are read as they are published (MATLAB Level 5, trainers/lib/io/mat_file.h).
// Tracklets of pid -1 are junk and dropped; pid 0 (distractors) stays in the gallery.
#pragma once
#include <string>
#include <vector>

#include "trainers/datasets/tracklet_frames.h"

namespace gaze {

struct VideoReidSplits {
  std::vector<Tracklet> train, query, gallery;  // train relabelled 0..N-1 (train_names)
  std::vector<std::string> train_names;         // "id <pid>" per training label
};

// Reads the info files and checks them against the tree (every tracklet's names share one pid and
// camera, camera 1..6, rows inside the name list, its first and last frame files exist); each
// problem is one error naming the file (and row).
VideoReidSplits read_mars(const std::string& root);

// <pid>C<cam>T<tracklet>F<frame>.jpg: the pid text (4 characters, "00-1" for junk) and the camera
// digit; an error naming `name` and `origin` when it does not follow the pattern.
struct MarsFrameName {
  std::string pid;
  int64_t camera = 0;
};
MarsFrameName parse_mars_frame_name(const std::string& name, const std::string& origin);

}  // namespace gaze
