#include "trainers/datasets/mars_layout.h"

#include <cmath>
#include <filesystem>
#include <fstream>

#include "framework/error.h"
#include "trainers/lib/io/mat_file.h"

namespace gaze {

namespace {

namespace fs = std::filesystem;

std::vector<std::string> read_mars_names(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail("{}: missing; MARS's info/ folder (from the MARS-evaluation repository) holds train_name.txt and test_name.txt", path);
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) names.push_back(line);
  }
  if (names.empty()) fail("{}: lists no frame names", path);
  return names;
}

MatMatrix read_mars_matrix(const std::string& path, const std::string& name) {
  if (!fs::is_regular_file(path)) fail("{}: missing; MARS's info/ folder holds tracks_train_info.mat, tracks_test_info.mat and query_IDX.mat", path);
  return read_mat_matrix(path, name);
}

int64_t mars_integer(const MatMatrix& m, int64_t row, int64_t col, const std::string& path) {
  const double v = m.at(row, col);
  if (v != std::floor(v)) fail("{}: {} row {} column {} is {}, not an integer", path, m.name, row + 1, col + 1, v);
  return static_cast<int64_t>(v);
}

// The tracklets of rows `rows` (0-based) of a tracks_*_info matrix.
std::vector<Tracklet> mars_tracklets(const MatMatrix& info, const std::vector<int64_t>& rows, const std::vector<std::string>& names,
                                     const std::string& root, const std::string& home, const std::string& info_path,
                                     const std::string& names_path) {
  if (info.cols != 4) fail("{}: {} has {} columns; MARS's has 4 (start, end, pid, camera)", info_path, info.name, info.cols);
  std::vector<Tracklet> tracklets;
  for (int64_t row : rows) {
    const int64_t start = mars_integer(info, row, 0, info_path), end = mars_integer(info, row, 1, info_path);
    const int64_t pid = mars_integer(info, row, 2, info_path), camera = mars_integer(info, row, 3, info_path);
    if (pid == -1) continue;  // junk
    if (camera < 1 || camera > 6) fail("{}: row {}: camera {} is not one of MARS's 1..6", info_path, row + 1, camera);
    if (start < 1 || end < start || end > static_cast<int64_t>(names.size()))
      fail("{}: row {}: frames {}..{} are not rows of {} ({} names)", info_path, row + 1, start, end, names_path, names.size());
    Tracklet t;
    t.identity = pid;
    t.camera = camera - 1;
    const MarsFrameName first = parse_mars_frame_name(names[static_cast<size_t>(start - 1)], names_path);
    for (int64_t i = start; i <= end; ++i) {
      const std::string& name = names[static_cast<size_t>(i - 1)];
      const MarsFrameName parsed = parse_mars_frame_name(name, names_path);
      if (parsed.pid != first.pid || parsed.camera != first.camera)
        fail("{}: row {}: its frames {} and {} show different identities or cameras; the info files do not match {}", info_path, row + 1,
             names[static_cast<size_t>(start - 1)], name, names_path);
      t.frames.push_back((fs::path(root) / home / parsed.pid / name).string());
    }
    for (const std::string* file : {&t.frames.front(), &t.frames.back()})
      if (!fs::is_regular_file(*file)) fail("{}: missing; {} row {} lists it (check data.root)", *file, info_path, row + 1);
    tracklets.push_back(std::move(t));
  }
  return tracklets;
}

}  // namespace

MarsFrameName parse_mars_frame_name(const std::string& name, const std::string& origin) {
  // 0001C1T0001F001.jpg
  const bool shaped = name.size() >= 15 && name[4] == 'C' && name[6] == 'T' && name[11] == 'F' && name[5] >= '0' && name[5] <= '9';
  if (!shaped) fail("{}: frame name '{}' is not MARS's <pid>C<cam>T<tracklet>F<frame>.jpg (e.g. 0001C1T0001F001.jpg)", origin, name);
  return {name.substr(0, 4), name[5] - '0'};
}

VideoReidSplits read_mars(const std::string& root) {
  const fs::path info = fs::path(root) / "info";
  const std::string train_names_path = (info / "train_name.txt").string(), test_names_path = (info / "test_name.txt").string();
  const std::string train_info_path = (info / "tracks_train_info.mat").string(), test_info_path = (info / "tracks_test_info.mat").string();
  const std::string query_path = (info / "query_IDX.mat").string();
  const std::vector<std::string> train_names = read_mars_names(train_names_path), test_names = read_mars_names(test_names_path);
  const MatMatrix train_info = read_mars_matrix(train_info_path, "track_train_info");
  const MatMatrix test_info = read_mars_matrix(test_info_path, "track_test_info");
  const MatMatrix query_idx = read_mars_matrix(query_path, "query_IDX");

  std::vector<int64_t> train_rows(static_cast<size_t>(train_info.rows));
  for (int64_t i = 0; i < train_info.rows; ++i) train_rows[static_cast<size_t>(i)] = i;
  std::vector<bool> is_query(static_cast<size_t>(test_info.rows), false);
  std::vector<int64_t> query_rows, gallery_rows;
  for (size_t i = 0; i < query_idx.values.size(); ++i) {
    const double v = query_idx.values[i];
    if (v != std::floor(v) || v < 1 || v > static_cast<double>(test_info.rows))
      fail("{}: query_IDX entry {} is {}, not a row of tracks_test_info.mat (1..{})", query_path, i + 1, v, test_info.rows);
    query_rows.push_back(static_cast<int64_t>(v) - 1);
    is_query[static_cast<size_t>(v) - 1] = true;
  }
  for (int64_t i = 0; i < test_info.rows; ++i)
    if (!is_query[static_cast<size_t>(i)]) gallery_rows.push_back(i);

  VideoReidSplits s;
  s.train = mars_tracklets(train_info, train_rows, train_names, root, "bbox_train", train_info_path, train_names_path);
  s.query = mars_tracklets(test_info, query_rows, test_names, root, "bbox_test", test_info_path, test_names_path);
  s.gallery = mars_tracklets(test_info, gallery_rows, test_names, root, "bbox_test", test_info_path, test_names_path);
  if (s.train.empty()) fail("{}: no training tracklet", train_info_path);
  s.train_names = relabel_identities(s.train);
  return s;
}

}  // namespace gaze
