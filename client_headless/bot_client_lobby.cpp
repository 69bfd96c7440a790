// BotClient's --queue leg: the front door (lobby: garage, matchmaking
// queue), the match server it is sent to, and back to the front door. The
// rest of the bot (connect, Welcome, snapshots, inputs) is bot_client.cpp.
#include "client_headless/bot_client.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace qbot::client {

namespace {
// GarageRequest ids: which of our requests a GarageReply answers.
constexpr std::uint32_t kCreateBotRequest = 1;
constexpr std::uint32_t kCheckGarageRequest = 2;
}  // namespace

// ---------------------------------------------------------------------------
// --queue: front door (lobby) -> match server -> front door ...
// ---------------------------------------------------------------------------
void BotClient::enter_lobby(ShardContext& ctx, const proto::Welcome& m, Nanos now) {
  state_ = BotState::InLobby;
  doors_tried_ = 0;
  account_token_ = m.account_token;
  if (bot_id_ == 0) {
    // First visit: put our bot in the garage (its stats follow it across matches).
    create_bot(ctx);
  } else {
    send_queue_request(ctx, now);
  }
}

void BotClient::send_queue_request(ShardContext& ctx, Nanos now) {
  proto::QueueRequest q{queue_.mode, queue_.region, bot_id_, "", 1};
  ctx.host.send(peer_, net::kControlChannel, ctx.encoder.encode(q), net::Delivery::Reliable);
  queued_at_ = now;
  estimate_seen_ = false;
  requeue_at_ = Nanos{0};
}

void BotClient::create_bot(ShardContext& ctx) {
  proto::GarageRequest create{kCreateBotRequest, proto::GarageOp::Create, 0, wire_loadout()};
  ctx.host.send(peer_, net::kControlChannel, ctx.encoder.encode(create), net::Delivery::Reliable);
}

void BotClient::check_garage(ShardContext& ctx) {
  proto::GarageRequest list{kCheckGarageRequest, proto::GarageOp::List, 0, std::nullopt};
  ctx.host.send(peer_, net::kControlChannel, ctx.encoder.encode(list), net::Delivery::Reliable);
  requeue_at_ = Nanos{0};
}

/// The answer to check_garage(): a garage that no longer holds our bot (the
/// store lost it, e.g. Redis came back empty) means building it again and
/// queueing with the new id; a bot still there means the refusal had another
/// cause, so we queue again. A garage that cannot be read is asked again in
/// a second (the store is down: queueing would be refused anyway).
void BotClient::on_garage_check(ShardContext& ctx, const proto::GarageReply& g, Nanos now) {
  if (g.status != proto::GarageStatus::Ok) {
    spdlog::debug("bot {}: garage check: {} {}", index_, proto::garage_status_name(g.status), g.text);
    requeue_at_ = now + std::chrono::seconds(1);
    return;
  }
  check_garage_ = false;
  const bool still_there =
      std::any_of(g.bots.begin(), g.bots.end(), [&](const proto::GarageBot& b) { return b.bot_id == bot_id_; });
  if (still_there) return send_queue_request(ctx, now);
  spdlog::debug("bot {}: bot {} is gone from the garage: building it again", index_, bot_id_);
  bot_id_ = 0;
  ctx.stats.bots_recreated += 1;
  create_bot(ctx);
}

void BotClient::on_lobby_message(ShardContext& ctx, const proto::Message& msg, Nanos now) {
  if (const auto* g = std::get_if<proto::GarageReply>(&msg)) {
    if (g->request_id == kCheckGarageRequest) return on_garage_check(ctx, *g, now);
    if (g->status == proto::GarageStatus::Ok && g->bot != 0) bot_id_ = g->bot;
    else spdlog::debug("bot {}: garage: {} {}", index_, proto::garage_status_name(g->status), g->text);
    send_queue_request(ctx, now);  // without a garage bot we play the server's default loadout
  } else if (const auto* q = std::get_if<proto::QueueStatus>(&msg)) {
    if (q->state == proto::QueueState::Waiting && !estimate_seen_) {
      // What the server expected at the start, to compare with the wait we get.
      estimate_seen_ = true;
      std::lock_guard lock(ctx.stats.mu);
      ctx.stats.estimated_wait_ms.record(q->estimated_wait_ms);
    }
    if (q->state == proto::QueueState::Refused || q->state == proto::QueueState::Expired) {
      ctx.stats.queue_refusals += 1;
      spdlog::debug("bot {}: queue {}: {}", index_, proto::queue_state_name(q->state), q->text);
      // A refusal may mean our garage bot is gone (the lobby answers "no bot
      // N in your garage"): look before queueing the same id again, rather
      // than parse the refusal's text.
      check_garage_ = q->state == proto::QueueState::Refused && bot_id_ != 0;
      requeue_at_ = now + std::chrono::seconds(1);
    }
  } else if (const auto* a = std::get_if<proto::MatchAssigned>(&msg)) {
    go_to_match(ctx, *a, now);
  }
}

void BotClient::go_to_match(ShardContext& ctx, const proto::MatchAssigned& a, Nanos now) {
  {
    std::lock_guard lock(ctx.stats.mu);
    ctx.stats.time_to_match_ms.record(
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now - queued_at_).count()));
  }
  ctx.host.disconnect_later(peer_, proto::kDisconnectQuit);
  match_server_ = net::Endpoint{a.host, a.port};
  join_token_ = a.join_token;
  match_leg_ = true;
  start(ctx, now);
}

void BotClient::back_to_front_door(ShardContext& ctx, Nanos now) {
  ctx.host.disconnect_later(peer_, proto::kDisconnectQuit);
  if (state_ == BotState::Playing) ctx.stats.playing -= 1;
  match_leg_ = false;
  join_token_.clear();
  if (matches_played_ >= queue_.matches) {
    state_ = BotState::Done;
    ctx.stats.done += 1;
    return;
  }
  start(ctx, now);
}

}  // namespace qbot::client
