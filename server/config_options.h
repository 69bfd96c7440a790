#pragma once
// The one table of qbot-server's options. Each row names a flag, its QBOT_*
// environment variable, the Config member it fills, its unit, what values it
// accepts and what it means. parse_config builds the command line from these
// rows in a loop; `--help` and the README's configuration table
// (config_markdown, `qbot-server --print-config-markdown`, ops/config-doc.sh)
// are printed from them. Defaults are never written here: they are the
// initial values of the Config members (config.h).
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace qbot::server {

struct Config;

/// What a value may be. A range is inclusive; `words` lists the only values
/// accepted (e.g. ffa, tdm). Neither: anything the member's type can hold.
struct ConfigCheck {
  bool ranged = false;
  double min = 0;
  double max = 0;
  std::vector<std::string> words;
};

struct ConfigOption {
  std::string_view flag;   // "--tick-rate"; also the key in a --config file (without the dashes)
  std::string_view env;    // "QBOT_TICK_RATE"
  std::string_view group;  // heading in --help
  std::string_view unit;   // "ms", "s", "Hz", ...; empty when the value is a count or a name
  ConfigCheck check;
  std::string_view help;   // what it means (one line; no unit, default or range: those have columns)
  std::string_view unset;  // what an empty (string) default means, e.g. "in-memory store"
  bool is_switch = false;  // a flag without a value (--compress); otherwise the option takes one

  /// Adds the option to `app`, bound to its member of `cfg`, with its env
  /// variable and check. Returns CLI11's option (for tests and help tweaks).
  CLI::Option* (*add_to)(CLI::App& app, Config& cfg, const ConfigOption& row) = nullptr;
  /// The member's value in `cfg` as text ("60", "1.5", "qbot:", "true"; "" for an empty string).
  std::string (*value_of)(const Config& cfg) = nullptr;
};

/// Every option, in --help order. The table lives for the whole process.
std::span<const ConfigOption> config_options();

/// The text --help shows for a row: help, then [unit], then what unset means.
std::string config_description(const ConfigOption& row);

/// The allowed values of a row as text: "10..128", "ffa, tdm" or "" (any).
std::string config_allowed(const ConfigOption& row);

/// The configuration table in Markdown (header row included), with the
/// defaults of a default-constructed Config. ops/config-doc.sh puts it into
/// README.md; a test fails when README.md's copy differs.
std::string config_markdown();

}  // namespace qbot::server
