#include <iterator>

#include "proto/codec_wire.h"

// Names of the protocol's enums and messages (logs, metric labels), and the
// checks that our enums mirror the wire's value for value.
namespace qbot::proto {

// Our enum mirrors the wire enum value for value.
static_assert(static_cast<int>(RejectReason::MatchOver) == static_cast<int>(w::RejectReason::MatchOver));
static_assert(static_cast<int>(GarageStatus::Busy) == static_cast<int>(w::GarageStatus::MAX));
static_assert(static_cast<int>(QueueState::Expired) == static_cast<int>(w::QueueState::MAX));
static_assert(static_cast<int>(GarageOp::Delete) == static_cast<int>(w::GarageOp::MAX));
static_assert(static_cast<int>(w::RejectReason::MAX) + 1 == kRejectReasonCount);
static_assert(sizeof(w::InputCmd) == 16);

std::string_view reject_reason_name(RejectReason r) {
  switch (r) {
    case RejectReason::Unknown: return "unknown";
    case RejectReason::ProtocolMismatch: return "protocol_mismatch";
    case RejectReason::ServerFull: return "server_full";
    case RejectReason::BadMessage: return "bad_message";
    case RejectReason::HelloTimeout: return "hello_timeout";
    case RejectReason::NotWelcomed: return "not_welcomed";
    case RejectReason::InvalidName: return "invalid_name";
    case RejectReason::InvalidToken: return "invalid_token";
    case RejectReason::TokenExpired: return "token_expired";
    case RejectReason::TokenReplayed: return "token_replayed";
    case RejectReason::WrongMatch: return "wrong_match";
    case RejectReason::InvalidLoadout: return "invalid_loadout";
    case RejectReason::RateLimited: return "rate_limited";
    case RejectReason::ShuttingDown: return "shutting_down";
    case RejectReason::Kicked: return "kicked";
    case RejectReason::DuplicateHello: return "duplicate_hello";
    case RejectReason::WrongServer: return "wrong_server";
    case RejectReason::MatchOver: return "match_over";
  }
  return "unknown";
}

std::string_view garage_status_name(GarageStatus s) {
  switch (s) {
    case GarageStatus::Ok: return "ok";
    case GarageStatus::NotFound: return "not_found";
    case GarageStatus::GarageFull: return "garage_full";
    case GarageStatus::InvalidLoadout: return "invalid_loadout";
    case GarageStatus::Unavailable: return "unavailable";
    case GarageStatus::Busy: return "busy";
  }
  return "unavailable";
}

std::string_view queue_state_name(QueueState s) {
  switch (s) {
    case QueueState::Waiting: return "waiting";
    case QueueState::Assigned: return "assigned";
    case QueueState::Cancelled: return "cancelled";
    case QueueState::Refused: return "refused";
    case QueueState::Expired: return "expired";
  }
  return "expired";
}

std::string_view game_mode_name(GameMode m) {
  return m == GameMode::TeamDeathmatch ? "team_deathmatch" : "free_for_all";
}

std::string_view game_mode_code(GameMode m) { return m == GameMode::TeamDeathmatch ? "tdm" : "ffa"; }

std::optional<GameMode> parse_game_mode(std::string_view code) {
  if (code == "ffa") return GameMode::FreeForAll;
  if (code == "tdm") return GameMode::TeamDeathmatch;
  return std::nullopt;
}

std::string_view match_phase_name(MatchPhase p) {
  switch (p) {
    case MatchPhase::Waiting: return "waiting";
    case MatchPhase::Countdown: return "countdown";
    case MatchPhase::Battle: return "battle";
    case MatchPhase::Results: return "results";
  }
  return "waiting";
}

std::string_view message_name(const Message& m) {
  static constexpr std::string_view kNames[] = {"hello",         "welcome",      "reject",         "input",
                                                "snapshot",      "match_event",  "garage_request", "garage_reply",
                                                "queue_request", "cancel_queue", "queue_status",   "match_assigned"};
  static_assert(std::size(kNames) == std::variant_size_v<Message>);
  return kNames[m.index()];
}

std::string_view decode_error_name(DecodeErrorKind k) {
  switch (k) {
    case DecodeErrorKind::Empty: return "empty";
    case DecodeErrorKind::TooLarge: return "too_large";
    case DecodeErrorKind::Malformed: return "malformed";
    case DecodeErrorKind::UnknownMessage: return "unknown_message";
    case DecodeErrorKind::BadField: return "bad_field";
  }
  return "malformed";
}

std::string DecodeError::describe() const {
  std::string s(decode_error_name(kind));
  if (!field.empty()) s += " (" + field + ")";
  return s;
}

}  // namespace qbot::proto
