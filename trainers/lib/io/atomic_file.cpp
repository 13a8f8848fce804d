#include "trainers/lib/io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "framework/error.h"

namespace gaze {

namespace {

std::string reason(int error) { return std::strerror(error); }

// Closes the descriptor on every path out of the function.
struct FileDescriptor {
  int fd = -1;
  explicit FileDescriptor(int fd) : fd(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
  // close() can report a deferred write error (NFS, quota): it must be checked, not dropped.
  int release_and_close() {
    int result = ::close(fd);
    fd = -1;
    return result;
  }
};

// Writes all of `bytes`, retrying short writes and EINTR. Returns 0 or the errno.
int write_all(int fd, const std::string& bytes) {
  const char* data = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t written = ::write(fd, data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += written;
    left -= static_cast<size_t>(written);
  }
  return 0;
}

std::string directory_of(const std::string& path) {
  std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

// Writes the temporary file completely and durably. Returns 0 or the errno, with `step` naming
// what failed.
int write_temporary(const std::string& tmp, const std::string& bytes, const char*& step) {
  // 0666 before the umask, like any file the user creates; O_EXCL so a stale file of a dead
  // process with the same pid is never written through (e.g. a symlink someone left there).
  ::unlink(tmp.c_str());
  step = "create";
  FileDescriptor file(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
  if (file.fd < 0) return errno;
  step = "write";
  if (int error = write_all(file.fd, bytes)) return error;
  step = "fsync";
  if (durable_writes() && ::fsync(file.fd) != 0) return errno;
  step = "close";
  if (file.release_and_close() != 0) return errno;
  return 0;
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& bytes) {
  if (path.empty()) fail("write_file_atomically: the path is empty");
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());

  const char* step = "";
  if (int error = write_temporary(tmp, bytes, step)) {
    ::unlink(tmp.c_str());
    fail("could not write '{}': {} of the temporary file '{}' failed: {} (check that the directory exists, is "
         "writable and has space)",
         path, step, tmp, reason(error));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int error = errno;
    ::unlink(tmp.c_str());
    fail("could not write '{}': renaming '{}' over it failed: {} (is '{}' a directory, or on another file "
         "system?)",
         path, tmp, reason(error), path);
  }
  // Without this the rename can be lost on power failure, leaving the old file (or none).
  if (!durable_writes()) return;
  std::string directory = directory_of(path);
  FileDescriptor dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.fd < 0 || ::fsync(dir.fd) != 0) {
    int error = errno;
    fail("wrote '{}', but could not fsync its directory '{}': {}; the new file is in place but may not survive a "
         "power failure",
         path, directory, reason(error));
  }
}

bool durable_writes() {
  static const bool durable = [] {
    const char* value = std::getenv("GAZE_DURABLE_WRITES");
    if (value == nullptr || std::strcmp(value, "1") == 0) return true;
    if (std::strcmp(value, "0") == 0) return false;
    fail("GAZE_DURABLE_WRITES is '{}': set it to 1 (flush each file to the disk, the default) or 0 (skip the flushes), or unset it",
         value);
  }();
  return durable;
}

std::string read_file(const std::string& path) {
  FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.fd < 0) fail("could not open '{}' for reading: {}", path, reason(errno));
  struct stat info {};
  if (::fstat(file.fd, &info) != 0) fail("could not read '{}': {}", path, reason(errno));
  if (S_ISDIR(info.st_mode)) fail("could not read '{}': it is a directory, not a file", path);

  std::string bytes;
  if (S_ISREG(info.st_mode)) bytes.reserve(static_cast<size_t>(info.st_size));
  char buffer[1 << 16];
  for (;;) {
    ssize_t got = ::read(file.fd, buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      fail("could not read '{}': {}", path, reason(errno));
    }
    if (got == 0) break;
    bytes.append(buffer, static_cast<size_t>(got));
  }
  return bytes;
}

void create_directories_or_fail(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) fail("cannot create directory {}: {}", dir, ec.message());
}

}  // namespace gaze
