#include "trainers/app/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <utility>

#include "framework/error.h"

namespace gaze {

namespace fs = std::filesystem;

namespace {

std::string read_holder(int fd) {
  char text[1024] = {0};
  const ssize_t got = ::pread(fd, text, sizeof(text) - 1, 0);
  std::string holder = got > 0 ? std::string(text, static_cast<size_t>(got)) : "";
  while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
  return holder.empty() ? "another process" : holder;
}

std::string describe_self(const std::string& command_line) {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char time_text[64];
  std::strftime(time_text, sizeof(time_text), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return fmt::format("process {} on {} since {} ({})\n", ::getpid(), host, time_text, command_line.empty() ? "gaze" : command_line);
}

}  // namespace

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the flock
}

RunLock::RunLock(RunLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), dir_(std::move(other.dir_)), created_(other.created_) {}

RunLock& RunLock::operator=(RunLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    dir_ = std::move(other.dir_);
    created_ = other.created_;
  }
  return *this;
}

RunLock lock_run_directory(const std::string& dir, const std::string& command_line) {
  RunLock lock;
  lock.dir_ = dir;
  std::error_code ec;
  const fs::path parent = fs::path(dir).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  if (ec) fail("cannot create run directory {}: {}", dir, ec.message());
  if (::mkdir(dir.c_str(), 0777) == 0) {
    lock.created_ = true;
  } else {
    const int error = errno;
    if (error != EEXIST) fail("cannot create run directory {}: {}", dir, std::strerror(error));
    if (!fs::is_directory(dir, ec)) fail("cannot create run directory {}: a file of that name is in the way", dir);
  }
  const std::string path = dir + "/.lock";
  lock.fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock.fd_ < 0) fail("cannot create the lock file {}: {}", path, std::strerror(errno));
  if (::flock(lock.fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK)
      fail("run directory {} is in use by {}: wait for that run to end, or stop it (Ctrl-C or SIGTERM make it write a checkpoint) "
           "and continue it with --resume auto",
           dir, read_holder(lock.fd_));
    fail("cannot lock {}: {}", path, std::strerror(errno));
  }
  const std::string self = describe_self(command_line);
  if (::ftruncate(lock.fd_, 0) != 0 || ::pwrite(lock.fd_, self.data(), self.size(), 0) != static_cast<ssize_t>(self.size()))
    fail("cannot write the lock file {}: {}", path, std::strerror(errno));
  return lock;
}

}  // namespace gaze
