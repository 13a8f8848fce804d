// A bad GAZE_ environment variable is refused with one line naming it and the fix, exit status 2,
// before anything runs (the backend registry reads them when the program starts).
#include <string>

#include "support/run_program.h"
#include "support/temp_dir.h"
#include "support/test_support.h"

using namespace gaze;

namespace {

std::string output_with(const test::TempDir& dir, const std::string& assignment, int* status) {
  const std::string log = dir / "env.log";
  *status = test::run_program({"/usr/bin/env", assignment, GAZE_CLI_PATH, "info"}, log);
  return test::read_text(log);
}

}  // namespace

TEST_CASE("gaze refuses a bad GAZE_NUM_THREADS or GAZE_FLUSH_DENORMALS with exit status 2 and the fix") {
  test::TempDir dir("cli_environment");
  int status = 0;
  std::string out = output_with(dir, "GAZE_FLUSH_DENORMALS=yes", &status);
  CHECK(status == 2);
  CHECK(out == "gaze: GAZE_FLUSH_DENORMALS=yes is not 0 or 1; give 0 to keep denormal floats, 1 (the default) to flush them\n");
  out = output_with(dir, "GAZE_NUM_THREADS=many", &status);
  CHECK(status == 2);
  CHECK(out.find("gaze: GAZE_NUM_THREADS=many is not a thread count") == 0);
  out = output_with(dir, "GAZE_FLUSH_DENORMALS=0", &status);
  CHECK(status == 0);
  CHECK(out.find("denormals     kept") != std::string::npos);
}
