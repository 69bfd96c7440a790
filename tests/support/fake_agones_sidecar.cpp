#include "fake_agones_sidecar.h"

#include <civetweb.h>

#include <nlohmann/json.hpp>
#include <string_view>

namespace qbot::test {
namespace {

using Json = nlohmann::json;
constexpr std::size_t kMaxBody = 64 * 1024;
constexpr std::string_view kCounters = "/v1beta1/counters/";

std::string read_body(mg_connection* conn) {
  std::string body;
  char buf[4096];
  while (body.size() < kMaxBody) {
    const int n = mg_read(conn, buf, sizeof buf);
    if (n <= 0) break;
    body.append(buf, static_cast<std::size_t>(n));
  }
  return body;
}

void reply(mg_connection* conn, int status, const std::string& body) {
  mg_response_header_start(conn, status);
  mg_response_header_add(conn, "Content-Type", "application/json", -1);
  const std::string length = std::to_string(body.size());
  mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  mg_response_header_send(conn);
  mg_write(conn, body.data(), body.size());
}

/// The gateway takes `{}` or an empty body for the lifecycle calls.
bool empty_object(const std::string& body) {
  if (body.empty()) return true;
  const Json j = Json::parse(body, nullptr, false);
  return j.is_object() && j.empty();
}

/// An int64 field of the API: a JSON string of digits (grpc-gateway's
/// encoding of Int64Value), absent, or an error.
bool int64_field(const Json& j, const char* key, std::int64_t& out, bool& present) {
  present = false;
  auto it = j.find(key);
  if (it == j.end()) return true;
  if (!it->is_string()) return false;
  const std::string& s = it->get_ref<const std::string&>();
  if (s.empty() || s.size() > 19) return false;
  std::size_t start = s[0] == '-' ? 1 : 0;
  if (start == s.size()) return false;
  for (std::size_t i = start; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  out = std::stoll(s);
  present = true;
  return true;
}

}  // namespace

FakeAgonesSidecar::FakeAgonesSidecar(std::string address, std::uint16_t game_port)
    : address_(std::move(address)), game_port_(game_port) {
  mg_init_library(0);
  const char* options[] = {"listening_ports", "127.0.0.1:0", "num_threads", "4", nullptr};
  mg_callbacks callbacks{};
  ctx_ = mg_start(&callbacks, nullptr, options);
  if (ctx_ == nullptr) return;
  mg_set_request_handler(ctx_, "/", &FakeAgonesSidecar::handle, this);
  mg_server_port ports[1] = {};
  if (mg_get_server_ports(ctx_, 1, ports) == 1) port_ = static_cast<std::uint16_t>(ports[0].port);
}

FakeAgonesSidecar::~FakeAgonesSidecar() {
  if (ctx_ != nullptr) mg_stop(ctx_);
}

void FakeAgonesSidecar::set_up(bool up) {
  std::lock_guard lock(mu_);
  up_ = up;
}

void FakeAgonesSidecar::set_state(std::string state) {
  std::lock_guard lock(mu_);
  state_ = std::move(state);
}

std::vector<FakeAgonesSidecar::Call> FakeAgonesSidecar::calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

std::vector<FakeAgonesSidecar::Call> FakeAgonesSidecar::accepted(const std::string& path) const {
  std::vector<Call> out;
  for (Call& c : calls()) {
    if (c.path == path && c.status >= 200 && c.status < 300) out.push_back(std::move(c));
  }
  return out;
}

std::pair<std::int64_t, std::int64_t> FakeAgonesSidecar::counter(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = counters_.find(name);
  return it == counters_.end() ? std::pair<std::int64_t, std::int64_t>{-1, -1} : it->second;
}

std::map<std::string, std::string> FakeAgonesSidecar::labels() const {
  std::lock_guard lock(mu_);
  return labels_;
}

int FakeAgonesSidecar::handle(mg_connection* conn, void* self) {
  return static_cast<FakeAgonesSidecar*>(self)->serve(conn);
}

int FakeAgonesSidecar::serve(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  const std::string method = info->request_method != nullptr ? info->request_method : "";
  const std::string path = info->local_uri != nullptr ? info->local_uri : "";
  const std::string body = read_body(conn);
  return answer(conn, method, path, body);
}

int FakeAgonesSidecar::answer(mg_connection* conn, const std::string& method, const std::string& path,
                              const std::string& body) {
  std::unique_lock lock(mu_);
  int status = 404;
  std::string out = R"({"error":"not found"})";
  if (!up_) {
    status = 503;
    out = R"({"error":"sdk server not ready"})";
  } else if (method == "POST" &&
             (path == "/ready" || path == "/allocate" || path == "/health" || path == "/shutdown")) {
    status = empty_object(body) ? 200 : 400;
    out = "{}";
    if (status == 200 && path == "/ready") state_ = "Ready";
    if (status == 200 && path == "/allocate") state_ = "Allocated";
    if (status == 200 && path == "/shutdown") state_ = "Shutdown";
  } else if (method == "PUT" && (path == "/metadata/label" || path == "/metadata/annotation")) {
    const Json j = Json::parse(body, nullptr, false);
    const bool good = j.is_object() && j.size() == 2 && j.contains("key") && j["key"].is_string() &&
                      j.contains("value") && j["value"].is_string();
    status = good ? 200 : 400;
    out = "{}";
    if (good && path == "/metadata/label") labels_[j["key"].get<std::string>()] = j["value"].get<std::string>();
  } else if (method == "GET" && path == "/gameserver") {
    status = 200;
    out = game_server_json();
  } else if (method == "PATCH" && path.rfind(kCounters, 0) == 0) {
    const std::string name = path.substr(kCounters.size());
    status = patch_counter(name, body);
    const auto& c = counters_[name];
    out = Json{{"name", name}, {"count", std::to_string(c.first)}, {"capacity", std::to_string(c.second)}}.dump();
  }
  calls_.push_back(Call{method, path, body, status, std::chrono::steady_clock::now()});
  lock.unlock();
  reply(conn, status, out);
  return status;
}

std::string FakeAgonesSidecar::game_server_json() const {
  Json gs;
  gs["object_meta"] = {{"name", "qbot-fleet-abcde-12345"}, {"namespace", "default"}};
  gs["status"] = {{"state", state_},
                  {"address", address_},
                  {"ports", Json::array({{{"name", "game"}, {"port", game_port_}}})}};
  return gs.dump();
}

int FakeAgonesSidecar::patch_counter(const std::string& name, const std::string& body) {
  const Json j = Json::parse(body, nullptr, false);
  if (!j.is_object() || name.empty()) return 400;
  for (const auto& [key, value] : j.items()) {
    if (key != "count" && key != "capacity" && key != "countDiff") return 400;
  }
  std::int64_t count = 0, capacity = 0, diff = 0;
  bool has_count = false, has_capacity = false, has_diff = false;
  if (!int64_field(j, "count", count, has_count) || !int64_field(j, "capacity", capacity, has_capacity) ||
      !int64_field(j, "countDiff", diff, has_diff)) {
    return 400;
  }
  auto& c = counters_.try_emplace(name, std::pair<std::int64_t, std::int64_t>{0, -1}).first->second;
  if (has_capacity) c.second = capacity;
  std::int64_t next = has_count ? count : c.first + (has_diff ? diff : 0);
  if (next < 0 || (c.second >= 0 && next > c.second)) return 400;  // OUT_OF_RANGE
  c.first = next;
  return 200;
}

}  // namespace qbot::test
