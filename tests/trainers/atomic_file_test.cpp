// write_file_atomically and read_file: the old file survives every failed write, and no
// temporary file is left behind.
#include "trainers/lib/io/atomic_file.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"
#include "support/test_support.h"

using namespace gaze;
using gaze::test::TempDir;

namespace {

void write_plain(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// Limits the size of files this process may write, as a full disk would, for one scope.
struct FileSizeLimit {
  rlimit old{};
  void (*old_handler)(int);
  explicit FileSizeLimit(rlim_t bytes) {
    old_handler = std::signal(SIGXFSZ, SIG_IGN);  // write() then fails with EFBIG instead of killing us
    getrlimit(RLIMIT_FSIZE, &old);
    rlimit limit = old;
    limit.rlim_cur = bytes;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &limit) == 0);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, old_handler);
  }
};

}  // namespace

TEST_CASE("write_file_atomically: creates, then replaces the whole file, leaving only it in the directory") {
  TempDir dir("atomic");
  std::string path = dir.file("state.bin");
  std::string first("first\0version", 13);  // bytes, not text: the NUL must survive
  write_file_atomically(path, first);
  CHECK(read_file(path) == first);
  write_file_atomically(path, "second");
  CHECK(read_file(path) == "second");
  write_file_atomically(path, "");
  CHECK(read_file(path).empty());
  CHECK(dir.names() == std::vector<std::string>{"state.bin"});
}

TEST_CASE("write_file_atomically: a missing directory is an error naming the path and the reason") {
  TempDir dir("atomic");
  std::string path = dir.file("no_such_dir/ckpt.safetensors");
  std::string message = error_of([&] { write_file_atomically(path, "bytes"); });
  CHECK(message.find(path) != std::string::npos);
  CHECK(message.find("No such file or directory") != std::string::npos);
  CHECK(dir.names().empty());
}

TEST_CASE("write_file_atomically: when the write runs out of space the old file survives and no tmp file is left") {
  TempDir dir("atomic");
  std::string path = dir.file("ckpt.safetensors");
  write_plain(path, "the good old checkpoint");
  std::string message;
  {
    FileSizeLimit limit(1000);  // the new file is 4000 bytes: the write fails part way
    message = error_of([&] { write_file_atomically(path, std::string(4000, 'x')); });
  }
  CHECK(message.find(path) != std::string::npos);
  CHECK(message.find("write of the temporary file") != std::string::npos);
  CHECK(message.find("File too large") != std::string::npos);
  CHECK(read_file(path) == "the good old checkpoint");
  CHECK(dir.names() == std::vector<std::string>{"ckpt.safetensors"});
}

TEST_CASE("write_file_atomically: when the rename fails (a directory is in the way) it and its files are untouched") {
  TempDir dir("atomic");
  std::string path = dir.file("ckpt");
  std::filesystem::create_directories(path);
  write_plain(path + "/inside", "kept");
  std::string message = error_of([&] { write_file_atomically(path, "new bytes"); });
  CHECK(message.find(path) != std::string::npos);
  CHECK(message.find("renaming") != std::string::npos);
  CHECK(read_file(path + "/inside") == "kept");
  CHECK(dir.names() == std::vector<std::string>{"ckpt"});
}

TEST_CASE("write_file_atomically: in a read-only directory the old file survives (skipped as root, who may write anyway)") {
  if (::geteuid() == 0) {
    MESSAGE("skipped: running as root, which ignores directory permissions; the two cases above cover failures");
    return;
  }
  TempDir dir("atomic");
  std::string path = dir.file("ckpt");
  write_plain(path, "old");
  std::filesystem::permissions(dir.path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  std::string message = error_of([&] { write_file_atomically(path, "new"); });
  std::filesystem::permissions(dir.path, std::filesystem::perms::owner_all);
  CHECK(message.find("Permission denied") != std::string::npos);
  CHECK(read_file(path) == "old");
  CHECK(dir.names() == std::vector<std::string>{"ckpt"});
}

TEST_CASE("read_file: a missing file or a directory is an error naming the path") {
  TempDir dir("atomic");
  std::string missing = dir.file("missing.safetensors");
  std::string message = error_of([&] { read_file(missing); });
  CHECK(message.find(missing) != std::string::npos);
  CHECK(message.find("No such file or directory") != std::string::npos);
  CHECK(error_of([&] { read_file(dir.path.string()); }).find("is a directory") != std::string::npos);
}
