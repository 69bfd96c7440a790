#pragma once
// A small blocking HTTP client over libcurl: GET, and POST / PUT / PATCH
// with a body. Used to scrape a Prometheus /metrics page (qbot-headless
// --metrics-url, tests) and to talk to a sidecar's REST gateway on localhost.
//
// Bounded: a connect timeout, a total timeout and a cap on the response body.
// Plain: no redirects are followed, no proxy is used (not even one named by
// http_proxy in the environment), only http:// and https:// URLs are accepted.
// Failures are values (core::Result), never exceptions; any HTTP status is a
// Response (a 404 is an answer, not a transport failure).
//
// Thread-safety: libcurl's global state is initialised once, on first use,
// from whichever thread gets there first (safe to race). A Client owns one
// curl handle and is NOT thread-safe: give each thread its own Client. A
// Client reuses its connection between requests to the same host.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

typedef void CURL;  // libcurl's handle type (curl/curl.h), kept out of our headers

namespace qbot::http {

struct Options {
  std::chrono::milliseconds connect_timeout{2000};  // TCP (and TLS) connect
  std::chrono::milliseconds total_timeout{5000};    // whole request, connect included
  std::size_t max_response_bytes = 16u << 20;       // body cap: a larger body is an error
};

enum class Method : std::uint8_t { Get, Post, Put, Patch };
std::string_view method_name(Method m);

struct Response {
  long status = 0;           // HTTP status code, e.g. 200, 404
  std::string body;          // at most Options::max_response_bytes
  std::string content_type;  // the Content-Type header, "" if none
  bool ok() const { return status >= 200 && status < 300; }
};

/// Why a request produced no response.
enum class ErrorKind : std::uint8_t {
  BadRequest,   // the URL is unparsable, has no host or is not http(s)://; or the
                // content type holds a control character
  Connect,      // cannot resolve the host, or the connection was refused
  Timeout,      // connect or total timeout passed
  TooLarge,     // the body exceeds max_response_bytes
  Transport,    // anything else on the way (reset, malformed response, TLS)
  Unavailable,  // libcurl could not be initialised (out of memory)
};
std::string_view error_kind_name(ErrorKind k);

struct Error {
  ErrorKind kind = ErrorKind::Transport;
  std::string message;  // readable: method, URL and libcurl's reason
};

/// Checks that `url` is an absolute http:// or https:// URL with a host,
/// without connecting. Errors are ErrorKind::BadRequest.
core::Result<bool, Error> check_url(std::string_view url);

class Client {
 public:
  explicit Client(Options options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  Client(Client&& other) noexcept;
  Client& operator=(Client&& other) noexcept;

  /// GET `url`. The Response for any status, or why there is none.
  core::Result<Response, Error> get(std::string_view url);
  /// POST / PUT / PATCH `body` with `content_type` (e.g. "application/json").
  /// An empty body is sent as Content-Length: 0.
  core::Result<Response, Error> post(std::string_view url, std::string_view body, std::string_view content_type);
  core::Result<Response, Error> put(std::string_view url, std::string_view body, std::string_view content_type);
  core::Result<Response, Error> patch(std::string_view url, std::string_view body, std::string_view content_type);
  /// The general form of the four above (`body` and `content_type` are
  /// ignored for Get).
  core::Result<Response, Error> send(Method method, std::string_view url, std::string_view body,
                                     std::string_view content_type);

 private:
  Options options_;
  CURL* handle_ = nullptr;  // null only if libcurl could not be initialised, or after a move
};

}  // namespace qbot::http
