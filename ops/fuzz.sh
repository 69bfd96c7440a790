#!/usr/bin/env bash
# Builds the libFuzzer targets with coverage in their libraries (clang 14,
# -fsanitize=fuzzer-no-link,address,undefined; tests/fuzz/README.md) and
# runs each for SECONDS (default 60) from its seed corpus, QBOT_JOBS
# (default 2) at a time, then prints executions, coverage (edges) and
# crashes per target. 11 targets x 300 s on 2 cores: about 30 minutes.
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
started=build-fuzz/.run-started
touch "$started"  # crash inputs of this run are the artifacts newer than it

# One target: seeds, SECONDS of fuzzing, then its figures in build-fuzz/result_<t>.
fuzz_one() {
  local t=$1 corpus="build-fuzz/corpus/$1" log="build-fuzz/fuzz_$1.log" rc
  rm -rf "$corpus" && mkdir -p "$corpus"
  build/tests/fuzz_"$t" --write-corpus "$corpus"
  set +e
  build-fuzz/tests/fuzz_"$t" "$corpus" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="build-fuzz/artifacts/$t-" >"$log" 2>&1
  rc=$?
  set -e
  local execs rate edges crashes
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  edges=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  crashes=$(find build-fuzz/artifacts -name "$t-*" -type f -newer "$started" | wc -l)
  printf '%-16s %14s %10s %10s %8s %s\n' "$t" "${execs:-0}" "${rate:-0}" "${edges:-0}" "$crashes" "$rc" \
    >"build-fuzz/result_$t"
}

# QBOT_JOBS targets at a time, one per core: each gets a core of its own.
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  rm -f "build-fuzz/result_$t"
  fuzz_one "$t" &
done
wait

printf '%-16s %14s %10s %10s %8s\n' target executions exec/s edges crashes
status=0
for t in "${targets[@]}"; do
  if ! read -r name execs rate edges crashes rc <"build-fuzz/result_$t" 2>/dev/null; then
    echo "$t: no result (see build-fuzz/fuzz_$t.log)"
    status=1
    continue
  fi
  printf '%-16s %14s %10s %10s %8s\n' "$name" "$execs" "$rate" "$edges" "$crashes"
  if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then status=1; fi
done
exit "$status"
