#include "server/agones/agones_calls.h"

#include <nlohmann/json.hpp>

#include "core/text.h"

namespace qbot::server {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxLabelValue = 63;  // Kubernetes label values
constexpr std::size_t kMaxStateBytes = 32;
constexpr std::size_t kMaxAddressBytes = 253;  // a DNS name
constexpr std::size_t kMaxPortNameBytes = 63;
constexpr std::size_t kMaxPorts = 16;

bool alnum(char c) { return core::is_code_char(c) && c != '.' && c != '_' && c != '-'; }

/// The string at `key` of `object`, or an error naming `field` if it is
/// there but not a string of at most `max` printable bytes; "" if absent.
core::Result<std::string, std::string> text_field(const Json& object, const char* key, const std::string& field,
                                                  std::size_t max) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::string();
  if (!it->is_string()) return core::Err{field + " is not a string"};
  const auto& s = it->get_ref<const std::string&>();
  if (!core::is_display_text(s, max, 0))
    return core::Err{field + " is not 0.." + std::to_string(max) + " printable characters"};
  return s;
}

core::Result<std::vector<GameServerStatus::Port>, std::string> parse_ports(const Json& status) {
  std::vector<GameServerStatus::Port> out;
  auto it = status.find("ports");
  if (it == status.end() || it->is_null()) return out;
  if (!it->is_array() || it->size() > kMaxPorts)
    return core::Err{std::string("status.ports is not an array of at most 16")};
  for (const Json& p : *it) {
    if (!p.is_object()) return core::Err{std::string("status.ports[] is not an object")};
    auto name = text_field(p, "name", "status.ports[].name", kMaxPortNameBytes);
    if (!name) return core::Err{name.error()};
    auto port = p.find("port");
    // int32 in the API: a JSON number (grpc-gateway may also write it as a string).
    std::int64_t value = 0;
    if (port != p.end() && port->is_number_integer()) value = port->get<std::int64_t>();
    else if (port != p.end() && port->is_string())
      value = std::strtoll(port->get_ref<const std::string&>().c_str(), nullptr, 10);
    if (value < 1 || value > 65535) return core::Err{std::string("status.ports[].port is not 1..65535")};
    out.push_back({std::move(*name), static_cast<std::uint16_t>(value)});
  }
  return out;
}

}  // namespace

std::string_view agones_call_name(AgonesCall::Kind k) {
  switch (k) {
    case AgonesCall::Kind::Ready: return "ready";
    case AgonesCall::Kind::Allocate: return "allocate";
    case AgonesCall::Kind::Health: return "health";
    case AgonesCall::Kind::Shutdown: return "shutdown";
    case AgonesCall::Kind::Label: return "label";
    case AgonesCall::Kind::Counter: return "counter";
  }
  return "unknown";
}

AgonesRequest agones_request(const AgonesCall& call) {
  switch (call.kind) {
    case AgonesCall::Kind::Ready: return {http::Method::Post, "/ready", "{}"};
    case AgonesCall::Kind::Allocate: return {http::Method::Post, "/allocate", "{}"};
    case AgonesCall::Kind::Health: return {http::Method::Post, "/health", "{}"};
    case AgonesCall::Kind::Shutdown: return {http::Method::Post, "/shutdown", "{}"};
    case AgonesCall::Kind::Label:
      return {http::Method::Put, "/metadata/label", Json{{"key", call.name}, {"value", call.value}}.dump()};
    case AgonesCall::Kind::Counter: {
      Json body = Json::object();
      // int64 fields (Int64Value) travel as JSON strings.
      if (call.count >= 0) body["count"] = std::to_string(call.count);
      if (call.capacity >= 0) body["capacity"] = std::to_string(call.capacity);
      return {http::Method::Patch, "/v1beta1/counters/" + call.name, body.dump()};
    }
  }
  return {http::Method::Post, "/health", "{}"};
}

std::string label_value(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, kMaxLabelValue)) out += core::is_code_char(c) ? c : '-';
  while (!out.empty() && !alnum(out.front())) out.erase(out.begin());
  while (!out.empty() && !alnum(out.back())) out.pop_back();
  return out;
}

std::uint16_t GameServerStatus::port_named(std::string_view name) const {
  for (const Port& p : ports) {
    if (p.name == name) return p.port;
  }
  return ports.size() == 1 ? ports.front().port : 0;
}

core::Result<GameServerStatus, std::string> parse_game_server(std::string_view json) {
  const Json doc = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return core::Err{std::string("the GameServer is not a JSON object")};
  GameServerStatus out;
  auto status = doc.find("status");
  if (status == doc.end() || status->is_null()) return out;  // not scheduled yet
  if (!status->is_object()) return core::Err{std::string("status is not an object")};
  auto state = text_field(*status, "state", "status.state", kMaxStateBytes);
  if (!state) return core::Err{state.error()};
  auto address = text_field(*status, "address", "status.address", kMaxAddressBytes);
  if (!address) return core::Err{address.error()};
  auto ports = parse_ports(*status);
  if (!ports) return core::Err{ports.error()};
  out.state = std::move(*state);
  out.address = std::move(*address);
  out.ports = std::move(*ports);
  return out;
}

}  // namespace qbot::server
