// Heap allocation counters for the benchmark binary (alloc_count.cpp replaces
// the global operator new/delete and, on glibc, interposes malloc).
#ifndef BUFFER_OAUTH_BENCH_ALLOC_COUNT_HPP
#define BUFFER_OAUTH_BENCH_ALLOC_COUNT_HPP

#include <cstdint>

namespace bench {
/// Calls of any global operator new. Plain (not atomic) counters: the
/// benchmarks are single-threaded and an atomic would slow the allocating
/// competitors down.
extern std::uint64_t new_calls;
/// Every heap allocation, including those that bypass operator new
/// (RapidJSON's CrtAllocator, aligned buffers). Stays 0 where the C
/// library's malloc cannot be interposed.
extern std::uint64_t malloc_calls;
/// True when malloc_calls is counted.
extern const bool counts_malloc;
}  // namespace bench

#endif
