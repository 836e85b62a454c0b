// Google Benchmark over every operation in ops.hpp: time per operation, and
// heap allocations per operation as counters ("allocs": operator new calls;
// "mallocs": every heap allocation, where counted).
#include "alloc_count.hpp"
#include "ops.hpp"

#include <benchmark/benchmark.h>

namespace {

void run(benchmark::State& state, std::size_t (*fn)(bench::capture*)) {
  benchmark::DoNotOptimize(fn(nullptr));  // warm up: lazy statics, first-use buffers
  const std::uint64_t news = bench::new_calls;
  const std::uint64_t mallocs = bench::malloc_calls;
  for (auto _ : state) benchmark::DoNotOptimize(fn(nullptr));
  state.counters["allocs"] =
      benchmark::Counter(static_cast<double>(bench::new_calls - news), benchmark::Counter::kAvgIterations);
  if (bench::counts_malloc)
    state.counters["mallocs"] = benchmark::Counter(static_cast<double>(bench::malloc_calls - mallocs),
                                                   benchmark::Counter::kAvgIterations);
}

}  // namespace

int main(int argc, char** argv) {
  for (const auto& o : bench::all_ops()) benchmark::RegisterBenchmark(o.name.c_str(), run, o.fn);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
