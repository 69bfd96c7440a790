#include "http/http_client.h"

#include <curl/curl.h>

#include <memory>
#include <utility>

#include "core/quoted.h"
#include "qbot/version.h"

namespace qbot::http {
namespace {

constexpr std::size_t kUrlShown = 200;  // of a URL in an error message

// libcurl's global state, set up once per process however many threads race
// here (a function-local static is initialised exactly once). Never torn
// down: other threads may still hold handles; process exit releases it.
bool curl_ready() {
  static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ok;
}

// Collects the body up to the cap. Returning less than was offered makes
// libcurl abort the transfer with CURLE_WRITE_ERROR; `overflow` says why.
struct BodySink {
  std::string* body = nullptr;
  std::size_t cap = 0;
  bool overflow = false;
};

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  const std::size_t n = size * count;
  if (n > sink->cap - sink->body->size()) {
    sink->overflow = true;
    return 0;
  }
  sink->body->append(data, n);
  return n;
}

ErrorKind kind_of(CURLcode rc) {
  switch (rc) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT: return ErrorKind::BadRequest;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT: return ErrorKind::Connect;
    case CURLE_OPERATION_TIMEDOUT: return ErrorKind::Timeout;
    case CURLE_FILESIZE_EXCEEDED: return ErrorKind::TooLarge;
    default: return ErrorKind::Transport;
  }
}

using Headers = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

/// Appends one header line; false when libcurl is out of memory.
bool add_header(Headers& headers, const std::string& line) {
  curl_slist* grown = curl_slist_append(headers.get(), line.c_str());
  if (grown == nullptr) return false;
  static_cast<void>(headers.release());  // the old head is part of `grown` (or was null)
  headers.reset(grown);
  return true;
}

/// Sets everything one request needs on a freshly reset handle. Returns the
/// first option libcurl refused (CURLE_OK when all were taken).
CURLcode configure(CURL* h, Method method, const std::string& url, std::string_view body, const Options& options,
                   curl_slist* headers, BodySink& sink, char* error_buffer) {
  CURLcode rc = CURLE_OK;
  const auto set = [&](CURLoption option, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(h, option, value);
  };
  set(CURLOPT_ERRORBUFFER, error_buffer);
  set(CURLOPT_URL, url.c_str());
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_PROXY, "");           // never a proxy, not even one from the environment
  set(CURLOPT_FOLLOWLOCATION, 0L);  // a redirect is returned as the response it is
  set(CURLOPT_NOSIGNAL, 1L);        // no SIGALRM for timeouts: required with threads
  set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout.count()));
  set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_response_bytes));
  set(CURLOPT_USERAGENT, (std::string("qbot/") + kVersion).c_str());  // libcurl copies strings
  set(CURLOPT_WRITEFUNCTION, &write_body);
  set(CURLOPT_WRITEDATA, static_cast<void*>(&sink));
  set(CURLOPT_HTTPHEADER, headers);
  if (method != Method::Get) {
    // A non-null pointer even for an empty body, or libcurl would read stdin.
    set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    set(CURLOPT_POSTFIELDS, body.empty() ? "" : body.data());
    if (method != Method::Post) set(CURLOPT_CUSTOMREQUEST, method == Method::Put ? "PUT" : "PATCH");
  }
  return rc;
}

std::string describe(Method method, std::string_view url, const std::string& reason) {
  return std::string(method_name(method)) + " " + core::quoted(url, kUrlShown) + ": " + reason;
}

}  // namespace

std::string_view method_name(Method m) {
  switch (m) {
    case Method::Get: return "GET";
    case Method::Post: return "POST";
    case Method::Put: return "PUT";
    case Method::Patch: return "PATCH";
  }
  return "?";
}

std::string_view error_kind_name(ErrorKind k) {
  switch (k) {
    case ErrorKind::BadRequest: return "bad_request";
    case ErrorKind::Connect: return "connect";
    case ErrorKind::Timeout: return "timeout";
    case ErrorKind::TooLarge: return "too_large";
    case ErrorKind::Transport: return "transport";
    case ErrorKind::Unavailable: return "unavailable";
  }
  return "?";
}

core::Result<bool, Error> check_url(std::string_view url) {
  const auto bad = [&](const std::string& why) {
    return core::Err{Error{ErrorKind::BadRequest, core::quoted(url, kUrlShown) + ": " + why}};
  };
  if (!curl_ready()) return core::Err{Error{ErrorKind::Unavailable, "libcurl could not be initialised"}};
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> parsed(curl_url(), &curl_url_cleanup);
  if (!parsed) return core::Err{Error{ErrorKind::Unavailable, "out of memory"}};
  const std::string text(url);
  if (text.find('\0') != std::string::npos) return bad("contains a NUL byte");
  if (const CURLUcode rc = curl_url_set(parsed.get(), CURLUPART_URL, text.c_str(), 0); rc != CURLUE_OK) {
    return bad(std::string("not a URL (") + curl_url_strerror(rc) + "); expected http://host[:port][/path]");
  }
  char* scheme = nullptr;
  if (curl_url_get(parsed.get(), CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) return bad("no scheme");
  const std::string s = scheme;
  curl_free(scheme);
  if (s != "http" && s != "https") return bad("scheme " + core::quoted(s) + " is not http or https");
  char* host = nullptr;
  if (curl_url_get(parsed.get(), CURLUPART_HOST, &host, 0) != CURLUE_OK) return bad("no host");
  const bool empty_host = host[0] == '\0';
  curl_free(host);
  if (empty_host) return bad("no host");
  return true;
}

Client::Client(Options options) : options_(options) {
  if (curl_ready()) handle_ = curl_easy_init();
}

Client::~Client() {
  if (handle_ != nullptr) curl_easy_cleanup(handle_);
}

Client::Client(Client&& other) noexcept : options_(other.options_), handle_(std::exchange(other.handle_, nullptr)) {}

Client& Client::operator=(Client&& other) noexcept {
  if (this != &other) {
    std::swap(options_, other.options_);
    std::swap(handle_, other.handle_);
  }
  return *this;
}

core::Result<Response, Error> Client::get(std::string_view url) { return send(Method::Get, url, {}, {}); }

core::Result<Response, Error> Client::post(std::string_view url, std::string_view body, std::string_view content_type) {
  return send(Method::Post, url, body, content_type);
}

core::Result<Response, Error> Client::put(std::string_view url, std::string_view body, std::string_view content_type) {
  return send(Method::Put, url, body, content_type);
}

core::Result<Response, Error> Client::patch(std::string_view url, std::string_view body,
                                            std::string_view content_type) {
  return send(Method::Patch, url, body, content_type);
}

core::Result<Response, Error> Client::send(Method method, std::string_view url, std::string_view body,
                                           std::string_view content_type) {
  if (handle_ == nullptr) return core::Err{Error{ErrorKind::Unavailable, describe(method, url, "no libcurl handle")}};
  if (auto valid = check_url(url); !valid) return core::Err{valid.error()};
  for (const char c : content_type) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return core::Err{Error{ErrorKind::BadRequest, describe(method, url, "content type holds a control character")}};
    }
  }

  Headers headers(nullptr, &curl_slist_free_all);
  // "Expect:" stops libcurl from waiting up to a second for "100 Continue"
  // before sending a larger body.
  bool headers_ok = add_header(headers, "Expect:");
  if (method != Method::Get && !content_type.empty()) {
    headers_ok = headers_ok && add_header(headers, "Content-Type: " + std::string(content_type));
  }
  if (!headers_ok) return core::Err{Error{ErrorKind::Unavailable, describe(method, url, "out of memory")}};

  Response response;
  BodySink sink{&response.body, options_.max_response_bytes};
  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_easy_reset(handle_);  // nothing of the previous request's options; its connection stays cached
  const std::string url_text(url);
  CURLcode rc = configure(handle_, method, url_text, body, options_, headers.get(), sink, error_buffer);
  if (rc == CURLE_OK) rc = curl_easy_perform(handle_);
  if (sink.overflow || rc == CURLE_FILESIZE_EXCEEDED) {
    return core::Err{Error{ErrorKind::TooLarge, describe(method, url,
                                                         "response body larger than " +
                                                             std::to_string(options_.max_response_bytes) + " bytes")}};
  }
  if (rc != CURLE_OK) {
    const std::string reason = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc);
    return core::Err{Error{kind_of(rc), describe(method, url, reason)}};
  }
  curl_easy_getinfo(handle_, CURLINFO_RESPONSE_CODE, &response.status);
  char* type = nullptr;
  if (curl_easy_getinfo(handle_, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type != nullptr) {
    response.content_type = type;
  }
  return response;
}

}  // namespace qbot::http
