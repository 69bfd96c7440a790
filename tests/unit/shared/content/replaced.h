#pragma once
// Mutating a known-good data file for one test: replace one unique snippet.
#include <gtest/gtest.h>

#include <string>

namespace qbot::test {

/// `text` with its only occurrence of `from` replaced by `to` (a test
/// failure if `from` is missing or not unique: the mutation must be exact).
inline std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "not in the text: " << from;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << "not unique: " << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

}  // namespace qbot::test
