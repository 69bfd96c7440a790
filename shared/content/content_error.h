#pragma once
#include <string>

namespace qbot::content {

/// What is wrong with a data file: "<source>: <field path>: <problem>".
struct ContentError {
  std::string message;
};

}  // namespace qbot::content
