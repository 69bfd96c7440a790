#pragma once
// The Agones SDK sidecar's REST gateway, as far as qbot-server uses it:
// what each call is on the wire, and the GameServer it describes.
// (Agones, "REST Game Server Client API": base http://localhost:$AGONES_SDK_HTTP_PORT;
// lifecycle calls are POST with an empty JSON object; int64 fields are JSON
// strings; Counters live under /v1beta1/counters/{name}.)
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "http/http_client.h"

namespace qbot::server {

struct AgonesCall {
  enum class Kind : std::uint8_t {
    Ready,     // POST /ready: the GameServer may be allocated (again)
    Allocate,  // POST /allocate: busy; Agones neither scales it down nor replaces it in a rolling update
    Health,    // POST /health: one ping
    Shutdown,  // POST /shutdown: done, delete the pod
    Label,     // PUT /metadata/label {"key", "value"}
    Counter,   // PATCH /v1beta1/counters/{name} {"count": "N"} and/or {"capacity": "N"}
  };
  Kind kind = Kind::Health;
  std::string name;            // Label: key; Counter: counter name
  std::string value;           // Label: value
  std::int64_t count = -1;     // Counter: -1 = leave as is
  std::int64_t capacity = -1;  // Counter: -1 = leave as is

  static AgonesCall lifecycle(Kind kind) {
    AgonesCall c;
    c.kind = kind;
    return c;
  }
  static AgonesCall label(std::string key, std::string value) {
    AgonesCall c;
    c.kind = Kind::Label;
    c.name = std::move(key);
    c.value = std::move(value);
    return c;
  }
  /// -1 leaves the count (or capacity) as it is.
  static AgonesCall counter(std::string name, std::int64_t count, std::int64_t capacity) {
    AgonesCall c;
    c.kind = Kind::Counter;
    c.name = std::move(name);
    c.count = count;
    c.capacity = capacity;
    return c;
  }
};
std::string_view agones_call_name(AgonesCall::Kind k);

struct AgonesRequest {
  http::Method method = http::Method::Post;
  std::string path;  // "/ready", "/v1beta1/counters/players"
  std::string body;  // JSON
};
AgonesRequest agones_request(const AgonesCall& call);

/// A Kubernetes label value made of `text`: characters outside
/// [A-Za-z0-9._-] become '-', at most 63 characters, starting and ending
/// with an alphanumeric character ("" if none is left).
std::string label_value(std::string_view text);

/// What the server needs of GET /gameserver.
struct GameServerStatus {
  std::string state;    // "Scheduled", "RequestReady", "Ready", "Allocated", "Shutdown", ...
  std::string address;  // the node's address players connect to ("" until scheduled)
  struct Port {
    std::string name;
    std::uint16_t port = 0;
  };
  std::vector<Port> ports;
  /// The port named `name`, else the only port; 0 if neither exists.
  std::uint16_t port_named(std::string_view name) const;
};
/// Parses the sidecar's GameServer JSON (hostile until checked: bounded
/// strings, ports 1..65535, at most 16 ports). Fails naming the field.
core::Result<GameServerStatus, std::string> parse_game_server(std::string_view json);

}  // namespace qbot::server
