#pragma once
// Each fuzz target also provides valid inputs to start mutating from; the
// deterministic driver uses them, and `--write-corpus DIR` exports them as
// a libFuzzer seed corpus.
#include <cstdint>
#include <vector>

std::vector<std::vector<std::uint8_t>> qbot_fuzz_seeds();
