// MATLAB's .mat files (Level 5 / v7: the format of save without -v7.3), enough to read numeric
// matrices such as MARS's tracks_train_info.mat and query_IDX.mat: a 128-byte header, then data
// elements, each a miMATRIX or a zlib-compressed (miCOMPRESSED) one holding a miMATRIX. Numeric
// classes of any storage type are read as doubles; cells, structs, sparse, character and complex
// arrays are skipped by readers that do not ask for them, and an error when asked for.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace gaze {

struct MatMatrix {
  std::string name;
  int64_t rows = 0, cols = 0;  // a 2-D matrix (N-D arrays are rejected)
  std::vector<double> values;  // column-major, as MATLAB stores them
  double at(int64_t row, int64_t col) const { return values[static_cast<size_t>(col * rows + row)]; }
};

// The numeric matrix named `name` in the file; errors name the file and what is wrong (not a
// Level 5 MAT-file, v7.3 / HDF5, truncated, no such variable: the names it holds are listed).
MatMatrix read_mat_matrix(const std::string& path, const std::string& name);

}  // namespace gaze
