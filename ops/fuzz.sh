#!/usr/bin/env bash
# Builds the libFuzzer targets with coverage in their libraries (clang 14,
# -fsanitize=fuzzer-no-link,address,undefined; tests/fuzz/README.md) and
# runs each for SECONDS (default 60) from its seed corpus, then prints
# executions, coverage (edges) and crashes per target.
#   ops/fuzz.sh [SECONDS]
# Seeds come from the deterministic drivers of the normal build
# (`fuzz_x --write-corpus DIR`); crash inputs are kept in build-fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
targets=(decode entities datagram gate cookie redis_replies store_records replay content redis_url config)
jobs="${QBOT_JOBS:-2}"

command -v clang++-14 >/dev/null || { echo "fuzz.sh: needs clang-14 and libclang-rt-14-dev (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 2; }

# Seeds: the gcc build's drivers know them.
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs" --target "${targets[@]/#/fuzz_}" >/dev/null

CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQBOT_FUZZ=ON \
  -DQBOT_BUILD_BENCH=OFF >/dev/null
cmake --build build-fuzz -j"$jobs" --target "${targets[@]/#/fuzz_}" >/dev/null

mkdir -p build-fuzz/artifacts
printf '%-16s %14s %10s %10s %8s\n' target executions exec/s edges crashes
status=0
for t in "${targets[@]}"; do
  corpus="build-fuzz/corpus/$t"
  rm -rf "$corpus" && mkdir -p "$corpus"
  build/tests/fuzz_"$t" --write-corpus "$corpus"
  log="build-fuzz/fuzz_$t.log"
  set +e
  build-fuzz/tests/fuzz_"$t" "$corpus" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="build-fuzz/artifacts/$t-" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  edges=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  crashes=$(find build-fuzz/artifacts -name "$t-*" -type f | wc -l)
  printf '%-16s %14s %10s %10s %8s\n' "$t" "${execs:-0}" "${rate:-0}" "${edges:-0}" "$crashes"
  if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then status=1; fi
done
exit "$status"
