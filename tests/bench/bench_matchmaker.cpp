// TEMPORARY STUB (being implemented)
#include <benchmark/benchmark.h>
BENCHMARK_MAIN();
