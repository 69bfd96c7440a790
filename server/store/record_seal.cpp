#include "server/store/record_seal.h"

#include <span>

namespace qbot::server {

std::string RecordSeal::seal(std::string_view kind, std::string_view where, std::string_view bytes) const {
  const token::RecordMac tag = token::record_mac(key_, {kind, where, bytes});
  std::string out(bytes);
  out.append(reinterpret_cast<const char*>(tag.data()), tag.size());
  return out;
}

std::optional<std::string_view> RecordSeal::open(std::string_view kind, std::string_view where,
                                                 std::string_view sealed) const {
  if (sealed.size() < token::kRecordMacBytes) return std::nullopt;
  const std::string_view bytes = sealed.substr(0, sealed.size() - token::kRecordMacBytes);
  const auto* tag = reinterpret_cast<const std::uint8_t*>(sealed.data() + bytes.size());
  if (!token::record_mac_verifies(key_, {kind, where, bytes}, std::span(tag, token::kRecordMacBytes))) {
    return std::nullopt;
  }
  return bytes;
}

std::string RecordSeal::tag_hex(std::initializer_list<std::string_view> parts) const {
  return token::to_hex(token::record_mac(key_, parts));
}

bool RecordSeal::verifies_hex(std::initializer_list<std::string_view> parts, std::string_view hex) const {
  const auto tag = token::from_hex32(hex);
  return tag.has_value() && token::record_mac_verifies(key_, parts, *tag);
}

}  // namespace qbot::server
