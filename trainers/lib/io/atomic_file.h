// Whole-file reads and crash-safe whole-file writes: the checkpoint and report files of a run
// directory are replaced only by complete new versions, never left half written.
#pragma once
#include <string>

namespace gaze {

// Writes `bytes` to `path` so that a reader (or a resume after a crash or power loss) sees either
// the old file or the complete new one: the bytes go to `path + ".tmp-<pid>"` in the same
// directory (rename is atomic only within one file system), are fsync'ed, renamed over `path`,
// and the directory is fsync'ed so the rename itself is durable (both fsyncs as durable_writes()
// says).
// On any failure the temporary file is removed, an existing file at `path` is untouched, and a
// gaze::Error names the path and the system's reason (strerror).
void write_file_atomically(const std::string& path, const std::string& bytes);

// Whether writes are flushed to the disk (fsync) before they count as done: true unless the
// environment sets GAZE_DURABLE_WRITES=0. Turning it off keeps every write atomic (a reader still
// sees the old file or the new one) but a power failure may lose the newest files; the test suite
// turns it off, where the disk's flushes (~7 ms each here) were a good part of its run time.
// Any value but 0 or 1 is a gaze::Error naming the variable.
bool durable_writes();

// The whole file as bytes; a missing or unreadable file is a gaze::Error naming the path and the
// reason.
std::string read_file(const std::string& path);

// Creates `dir` and its parents (nothing when it exists); a failure is one gaze::Error naming it.
void create_directories_or_fail(const std::string& dir);

}  // namespace gaze
