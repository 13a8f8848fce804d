// TensorBoard's event files, written without TensorFlow or a protobuf library: each record of a
// TFRecord file (tfrecord_writer.h) is an Event message (tensorflow/core/util/event.proto) encoded
// by hand (protobuf_writer.h). The first event names the format ("brain.Event:2"); the others hold
// a Summary (tensorflow/core/framework/summary.proto) of one value: a scalar (simple_value), an
// image (the encoded PNG with its height, width and colour space) or a text (a DT_STRING tensor
// under the "text" plugin), or a SessionLog START.
#pragma once
#include <cstdint>
#include <string>

#include "trainers/lib/io/tfrecord_writer.h"

namespace gaze {

class TensorBoardWriter {
 public:
  // Starts a new file `dir`/events.out.tfevents.<unix seconds>.<host> (with ".2", ".3", ... when
  // that name is taken: TensorBoard reads a directory's event files in name order) and writes the
  // file_version event. `dir` must exist.
  explicit TensorBoardWriter(const std::string& dir);

  void scalar(const std::string& tag, int64_t step, double value);
  // `png` is a whole PNG file; its size and colour space are read from its header (a file that
  // is not a PNG is a gaze::Error naming `tag`).
  void image(const std::string& tag, int64_t step, const std::string& png);
  // Shown by TensorBoard's text plugin as Markdown.
  void text(const std::string& tag, int64_t step, const std::string& markdown);
  // A run that starts again at `step` (a resume): TensorBoard drops the events of earlier files
  // at this step and after, which a killed run wrote past its last checkpoint.
  void session_start(int64_t step);

  const std::string& path() const { return file_.path(); }

 private:
  TfRecordWriter file_;
};

}  // namespace gaze
