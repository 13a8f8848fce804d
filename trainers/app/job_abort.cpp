#include "trainers/app/job_abort.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "framework/error.h"
#include "trainers/app/interrupt.h"
#include "trainers/lib/distributed/communicator.h"

namespace gaze {

void abort_job(const std::exception& e, bool started) {
  Communicator& communicator = world();
  int status = 1;
  std::string what = fmt::format("error: {}", e.what());
  if (dynamic_cast<const InputError*>(&e) || (!started && dynamic_cast<const Error*>(&e))) status = 2;
  if (const auto* interrupted = dynamic_cast<const Interrupted*>(&e)) status = interrupted->exit_status(), what = e.what();
  fmt::print(stderr, "gaze: rank {} of {}: {}; stopping every rank (MPI_Abort)\n", communicator.rank(), communicator.size(), what);
  std::fflush(stderr);
  communicator.abort(status);
  std::abort();  // not reached: abort() is [[noreturn]], but GCC does not carry that through the virtual call
}

}  // namespace gaze
