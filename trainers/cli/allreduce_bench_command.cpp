// `gaze allreduce-bench [CONFIG]` (under mpirun): the gradient averaging's bandwidth on the
// config's model's gradient size, against a bare MPI_Allreduce of the same bytes (docs/distributed.md).
#include <fmt/format.h>

#include "trainers/cli/commands.h"
#include "trainers/cli/help_format.h"
#include "trainers/lib/distributed/allreduce_bench.h"
#include "trainers/lib/distributed/communicator.h"
#include "trainers/tasks/task.h"

namespace gaze::cli {

namespace {
struct AllreduceBenchArgs {
  std::string config;
  std::vector<std::string> sets;
  int iterations = 20;
};
}  // namespace

void add_allreduce_bench_command(CLI::App& app, GlobalOptions& options) {
  auto* cmd = app.add_subcommand("allreduce-bench");
  describe_command(*cmd, "Under mpirun: time the gradient averaging against a bare MPI_Allreduce",
                   "Averages a buffer the size of the config's model's f32 gradients over the ranks, in the "
                   "buckets data-parallel training uses (train.bucket_mb), and a bare MPI_Allreduce of the same "
                   "bytes (the physical reference); prints the median times and the achieved bandwidth of each. "
                   "Run it under mpirun with two ranks or more; docs/distributed.md shows the results.",
                   "  mpirun -np 2 --bind-to core gaze allreduce-bench configs/classification/cbam_resnet.yaml\n"
                   "  mpirun -np 2 gaze allreduce-bench configs/quickstart.yaml --iters 50  # root: --allow-run-as-root\n");
  auto args = std::make_shared<AllreduceBenchArgs>();
  cmd->add_option("config", args->config, "The config whose model's gradients are averaged")->required();
  cmd->add_option("--set", args->sets, "Override a key (repeatable)")->allow_extra_args(false);
  cmd->add_option("--iters", args->iterations, "Timed iterations (the median is reported)")->check(CLI::Range(1, 100000));
  cmd->callback([&options, args] {
    const Config config = load_config_or_exit(options, args->config, args->sets);
    run_guarded(options, [&] {
      Communicator& communicator = world(config.text("train.distributed"));
      const std::shared_ptr<Module> model = make_task(config)->build_model();
      const int64_t bytes = model->num_parameters() * 4;
      const auto bucket_bytes = static_cast<int64_t>(config.number("train.bucket_mb") * 1024 * 1024);
      const AllreduceBenchResult r = bench_allreduce(communicator, bytes, bucket_bytes, args->iterations);
      if (communicator.rank() != 0) return;
      const double gb = static_cast<double>(r.bytes) / 1e9;
      fmt::print("allreduce of {} bytes (f32 gradients of {} parameters) over {}\n", r.bytes, model->num_parameters(),
                 communicator.description());
      fmt::print("  gaze (buckets of {} MiB: {}, mean)  {:.3f} ms  {:.3f} GB/s\n", config.number("train.bucket_mb"), r.buckets,
                 1e3 * r.gaze_seconds, gb / r.gaze_seconds);
      if (r.bare_seconds > 0)
        fmt::print("  bare MPI_Allreduce (one call, sum)    {:.3f} ms  {:.3f} GB/s\n", 1e3 * r.bare_seconds, gb / r.bare_seconds);
      else
        fmt::print("  bare MPI_Allreduce: needs MPI and several ranks (mpirun -np 2 gaze allreduce-bench ...)\n");
    });
  });
}

}  // namespace gaze::cli
