#include "attack_common.h"

#include <algorithm>
#include <cmath>

#include "cookie_exchange.h"
#include "http/http_client.h"
#include "server_process.h"

namespace qbot::attack {

Clock::time_point deadline_after(const Common& c, double seconds) {
  const double s = std::clamp(seconds, 0.0, c.max_seconds);
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

Millis until(Clock::time_point t) { return std::max(Millis(0), std::chrono::duration_cast<Millis>(t - Clock::now())); }

std::uint64_t due_by(Clock::time_point start, Clock::time_point now, std::uint64_t count, double seconds) {
  if (seconds <= 0) return count;
  const double fraction = std::chrono::duration<double>(now - start).count() / seconds;
  if (fraction >= 1.0) return count;
  if (fraction <= 0.0) return 0;
  return std::min(count, static_cast<std::uint64_t>(std::floor(fraction * static_cast<double>(count))) + 1);
}

core::Result<std::uint32_t, std::string> connect_data(const Common& c, UdpSocket& socket) {
  if (!c.cookie_exchange) return std::uint32_t{0};
  return exchange_cookie(socket, c.target, Millis(2000));
}

Json report(const Common& c, const char* attack) {
  Json j = Json::object();
  j["attack"] = attack;
  j["target"] = c.target.text();
  j["cookie_exchange"] = c.cookie_exchange;
  return j;
}

void add_traffic(Json& j, const Traffic& t) {
  j["sent_datagrams"] = t.sent_datagrams;
  j["sent_bytes"] = t.sent_bytes;
  j["received_datagrams"] = t.received_datagrams;
  j["received_bytes"] = t.received_bytes;
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::optional<double> server_metric(const Common& c, const std::string& sample) {
  if (c.metrics_url.empty()) return std::nullopt;
  http::Options o;
  o.total_timeout = Millis(1000);
  auto response = http::Client(o).get(c.metrics_url);
  if (!response || !response->ok()) return std::nullopt;
  return test::sample_value(response->body, sample);
}

}  // namespace qbot::attack
