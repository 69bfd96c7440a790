#pragma once
// A minimal HTTP/1.0 GET over a plain TCP socket: enough to scrape a
// Prometheus /metrics page at the end of a load test. Bounded in time and
// size; anything unexpected is an error, never a crash.
#include <chrono>
#include <cstdint>
#include <string>

#include "core/result.h"

namespace qbot::net {

struct HttpUrl {
  std::string host;  // IPv4 address or name
  std::uint16_t port = 80;
  std::string path = "/";
};

/// Parses "http://host[:port][/path]".
core::Result<HttpUrl, std::string> parse_http_url(const std::string& url);

/// The body of a 200 response, or why not.
core::Result<std::string, std::string> http_get(const HttpUrl& url,
                                                std::chrono::milliseconds timeout = std::chrono::seconds(5),
                                                std::size_t max_bytes = 16u << 20);

}  // namespace qbot::net
