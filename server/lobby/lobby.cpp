#include "server/lobby/lobby.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/text.h"
#include "sim/loadout.h"

namespace qbot::server {
namespace {

using proto::GarageStatus;
using proto::QueueState;

/// The loadout a player without a garage bot plays: the catalog's cheapest.
sim::LoadoutRequest default_bot(const sim::Catalog& c, AccountId account) {
  const sim::Loadout l = sim::default_loadout(c, "Guest-" + std::to_string(account % 10000));
  return {l.name, c.chassis[l.chassis].id, c.weapons[l.primary].id, c.weapons[l.secondary].id, c.modules[l.module].id,
          l.paint};
}

struct GarageOutcome {
  GarageStatus status = GarageStatus::Ok;
  std::string text;
  std::vector<BotRecord> bots;
  Rating rating;
  std::uint32_t bot = 0;
};

/// The garage operation, then the account's bots and rating. Runs on the
/// IoWorker (it blocks on the store); a store error becomes the status the
/// client can act on, with the store's message.
GarageOutcome run_garage_request(Store& store, AccountId account, const proto::GarageRequest& req,
                                 std::uint32_t max_bots) {
  GarageOutcome out;
  const auto fail = [&](const StoreError& e) {
    out.status = garage_status(e);
    out.text = e.message;
    return out;
  };
  BotRecord bot;
  bot.id = req.bot_id;
  if (req.loadout) bot.loadout = *req.loadout;
  switch (req.op) {
    case proto::GarageOp::Create: {
      auto r = store.create_bot(account, bot, max_bots);
      if (!r) return fail(r.error());
      out.bot = r->id;
      break;
    }
    case proto::GarageOp::Update: {
      auto r = store.update_bot(account, bot);
      if (!r) return fail(r.error());
      out.bot = r->id;
      break;
    }
    case proto::GarageOp::Delete: {
      auto r = store.delete_bot(account, req.bot_id);
      if (!r) return fail(r.error());
      break;
    }
    case proto::GarageOp::List: break;
  }
  auto bots = store.list_bots(account);
  if (!bots) return fail(bots.error());
  out.bots = std::move(*bots);
  auto rating = store.rating(account);
  if (!rating) return fail(rating.error());
  out.rating = *rating;
  return out;
}

proto::GarageReply garage_reply(std::uint32_t request_id, const GarageOutcome& out) {
  proto::GarageReply r;
  r.request_id = request_id;
  r.status = out.status;
  r.text = out.text.substr(0, proto::kMaxRejectTextBytes);
  for (const BotRecord& b : out.bots) {
    r.bots.push_back({b.id, b.loadout, b.stats.matches, b.stats.wins, b.stats.kills, b.stats.deaths});
  }
  r.rating = out.rating.rating;
  r.rating_deviation = out.rating.deviation;
  r.rated_matches = out.rating.matches;
  r.bot = out.bot;
  return r;
}

struct QueueOutcome {
  bool ok = false;
  std::string text;
  std::uint32_t position = 0;  // of the new ticket, when a poll right after the enqueue could tell
  std::uint32_t queue_length = 0;
};

/// The store's side of a QueueRequest (runs on the IO worker): the bot from
/// the garage (or `fallback` for bot 0), the rating, the ticket, then one poll
/// for the new ticket's place. Fails with the reason in words.
auto enqueue_job(Ticket t, std::uint32_t bot_id, std::uint32_t ttl, sim::LoadoutRequest fallback,
                 const sim::Catalog& catalog_ref) {
  const sim::Catalog* catalog = &catalog_ref;  // immutable after start: safe to read on the worker
  return [t, bot_id, ttl, fallback, catalog](Store& store) mutable {
    QueueOutcome out;
    if (bot_id == 0) {
      t.bot.loadout = fallback;
    } else {
      auto bots = store.list_bots(t.account);
      if (!bots) return QueueOutcome{false, "garage unavailable: " + bots.error().message};
      auto it = std::find_if(bots->begin(), bots->end(), [&](const BotRecord& b) { return b.id == bot_id; });
      if (it == bots->end()) return QueueOutcome{false, "no bot " + std::to_string(bot_id) + " in your garage"};
      // The catalog may have changed since the bot was built.
      if (auto ok = sim::resolve_loadout(*catalog, it->loadout); !ok)
        return QueueOutcome{false, "bot cannot play: " + ok.error()};
      t.bot = *it;
    }
    auto rating = store.rating(t.account);
    if (!rating) return QueueOutcome{false, "ratings unavailable: " + rating.error().message};
    t.rating = rating->rating;
    auto queued = store.enqueue(t, ttl);
    if (!queued) {
      const bool held = queued.error().kind == StoreError::Kind::Conflict;
      return QueueOutcome{false, held ? "this account already holds a ticket"
                                      : "queue unavailable: " + queued.error().message};
    }
    out.ok = true;
    // The first status says where the ticket stands (a failed poll leaves 0 of 0; the next poll tells).
    const AccountId accounts[] = {t.account};
    if (auto polled = store.poll_tickets(accounts, ttl); polled && polled->size() == 1 && (*polled)[0]) {
      out.position = (*polled)[0]->position;
      out.queue_length = (*polled)[0]->queue_length;
    }
    return out;
  };
}

}  // namespace

proto::GarageStatus garage_status(const StoreError& e) {
  switch (e.kind) {
    case StoreError::Kind::NotFound: return GarageStatus::NotFound;
    case StoreError::Kind::Limit: return GarageStatus::GarageFull;
    case StoreError::Kind::Invalid: return GarageStatus::InvalidLoadout;
    case StoreError::Kind::Conflict:
    case StoreError::Kind::Io: break;
  }
  return GarageStatus::Unavailable;
}

Lobby::Lobby(LobbyConfig cfg, IoWorker& worker, const sim::Catalog& catalog, Metrics& metrics, Send send)
    : cfg_(std::move(cfg)),
      worker_(worker),
      catalog_(catalog),
      metrics_(metrics),
      send_(std::move(send)),
      waits_(cfg_.fill_timeout_ms) {}

bool Lobby::admit_request(SessionId session) {
  std::size_t& n = in_flight_[session];
  if (n >= cfg_.max_requests_in_flight) return false;
  n += 1;
  return true;
}

void Lobby::finish_request(SessionId session) {
  auto it = in_flight_.find(session);
  if (it != in_flight_.end() && --it->second == 0) in_flight_.erase(it);
}

// ---------------------------------------------------------------------------
// Garage
// ---------------------------------------------------------------------------
void Lobby::on_garage(SessionId session, AccountId account, const proto::GarageRequest& req) {
  const auto reply = [this, session, id = req.request_id](GarageStatus status, std::string text) {
    proto::GarageReply r;
    r.request_id = id;
    r.status = status;
    r.text = std::move(text);
    send_(session, r);
  };
  if (req.loadout) {
    // The catalog decides; the store never sees a bot that cannot play.
    if (auto resolved = sim::resolve_loadout(catalog_, *req.loadout); !resolved) {
      reply(GarageStatus::InvalidLoadout, resolved.error());
      return;
    }
  }
  if (!admit_request(session)) {
    reply(GarageStatus::Busy, "too many garage requests in flight");
    return;
  }
  const std::uint32_t max_bots = cfg_.max_bots;
  auto job = [req, account, max_bots](Store& store) { return run_garage_request(store, account, req, max_bots); };
  auto done = [this, session, id = req.request_id](GarageOutcome& out) {
    finish_request(session);
    metrics_.garage_requests.Increment();
    if (out.status == GarageStatus::Unavailable) {
      spdlog::warn("garage request failed: {}", out.text);
    }
    send_(session, garage_reply(id, out));
  };
  if (!worker_.call<GarageOutcome>(std::move(job), std::move(done))) {
    finish_request(session);
    metrics_.store_jobs_dropped.Increment();
    reply(GarageStatus::Busy, "server busy; try again");
  }
}

// ---------------------------------------------------------------------------
// Queue
// ---------------------------------------------------------------------------
void Lobby::refuse_queue(SessionId session, std::string text) {
  proto::QueueStatus s;
  s.state = QueueState::Refused;
  s.text = std::move(text);
  send_(session, s);
}

void Lobby::on_queue(SessionId session, AccountId account, const proto::QueueRequest& req) {
  if (queue_.contains(account)) return refuse_queue(session, "already queued");
  Ticket t;
  t.account = account;
  t.mode = proto::game_mode_code(req.mode);
  t.region = req.region.empty() ? cfg_.region : req.region;
  t.party = req.party;
  t.party_size = req.party_size;
  t.front_door = cfg_.server_id;
  if (!core::is_code(t.region, 1, proto::kMaxRegionBytes))
    return refuse_queue(session, "region must be 1..32 of [A-Za-z0-9._-]");
  if (!core::is_code(t.party, 0, proto::kMaxRegionBytes))
    return refuse_queue(session, "party must be 0..32 of [A-Za-z0-9._-]");
  if (t.party.empty() && t.party_size != 1) return refuse_queue(session, "a party of more than one needs a party code");
  if (!admit_request(session)) return refuse_queue(session, "too many requests in flight");

  auto job = enqueue_job(t, req.bot_id, cfg_.ticket_ttl_ms, default_bot(catalog_, account), catalog_);
  queue_[account] = Queued{session, Phase::Enqueuing, false, t.mode + "/" + t.region, req.mode};
  metrics_.queued_players.Set(static_cast<double>(queue_.size()));
  auto done = [this, session, account](QueueOutcome& out) {
    finish_request(session);
    auto it = queue_.find(account);
    const bool still_here = it != queue_.end() && it->second.session == session;
    if (!out.ok) {
      if (still_here) queue_.erase(it);
      metrics_.queued_players.Set(static_cast<double>(queue_.size()));
      return refuse_queue(session, out.text.substr(0, proto::kMaxRejectTextBytes));
    }
    metrics_.tickets_created.Increment();
    if (!still_here || it->second.cancel_requested) {
      // Cancelled (or the client left) while the ticket was being created.
      if (still_here) queue_.erase(it);
      metrics_.queued_players.Set(static_cast<double>(queue_.size()));
      cancel_in_store(account, session, true);
      return;
    }
    it->second.phase = Phase::Waiting;
    proto::QueueStatus s;
    s.state = QueueState::Waiting;
    s.position = out.position;
    s.queue_length = out.queue_length;
    s.estimated_wait_ms = waits_.remaining_ms(it->second.queue, 0);
    send_(session, s);
  };
  if (!worker_.call<QueueOutcome>(std::move(job), std::move(done))) {
    finish_request(session);
    queue_.erase(account);
    metrics_.store_jobs_dropped.Increment();
    refuse_queue(session, "server busy; try again");
  }
}

void Lobby::cancel_in_store(AccountId account, SessionId session, bool tell_client) {
  auto job = [account](Store& store) { return store.cancel_ticket(account); };
  auto done = [this, session, tell_client, account](StoreResult<bool>& r) {
    if (!r) {
      spdlog::warn("cancel of account {}'s ticket failed: {}", account, r.error().message);
    }
    if (tell_client) {
      proto::QueueStatus s;
      s.state = QueueState::Cancelled;
      send_(session, s);
    }
  };
  if (!worker_.call<StoreResult<bool>>(std::move(job), std::move(done))) metrics_.store_jobs_dropped.Increment();
}

void Lobby::on_cancel(SessionId session, AccountId account) {
  auto it = queue_.find(account);
  if (it == queue_.end() || it->second.session != session) {
    proto::QueueStatus s;
    s.state = QueueState::Cancelled;
    return send_(session, s);
  }
  if (it->second.phase == Phase::Enqueuing) {
    it->second.cancel_requested = true;
    return;
  }
  // An assigned ticket cannot be cancelled (the match goes ahead); the
  // next poll tells the client either way, so forget it only on success.
  auto job = [account](Store& store) { return store.cancel_ticket(account); };
  auto done = [this, session, account](StoreResult<bool>& r) {
    if (!r || !*r) return;  // assigned meanwhile, or the store is down: the poll decides
    auto q = queue_.find(account);
    if (q != queue_.end() && q->second.session == session) queue_.erase(q);
    metrics_.queued_players.Set(static_cast<double>(queue_.size()));
    proto::QueueStatus s;
    s.state = QueueState::Cancelled;
    send_(session, s);
  };
  if (!worker_.call<StoreResult<bool>>(std::move(job), std::move(done))) metrics_.store_jobs_dropped.Increment();
}

void Lobby::on_leave(SessionId session, AccountId account) {
  in_flight_.erase(session);
  auto it = queue_.find(account);
  if (it == queue_.end() || it->second.session != session) return;
  if (it->second.phase == Phase::Enqueuing) {
    it->second.cancel_requested = true;  // the enqueue's completion cancels it
    return;
  }
  queue_.erase(it);
  metrics_.queued_players.Set(static_cast<double>(queue_.size()));
  cancel_in_store(account, session, false);
}

void Lobby::tick(std::uint64_t now_ms) {
  if (now_ms < next_poll_ms_ || poll_in_flight_) return;
  next_poll_ms_ = now_ms + cfg_.poll_ms;
  post_poll(now_ms);
}

void Lobby::post_poll(std::uint64_t now_ms) {
  std::vector<AccountId> accounts;
  for (const auto& [account, q] : queue_) {
    if (q.phase == Phase::Waiting) accounts.push_back(account);
  }
  if (accounts.empty()) return;
  const std::uint32_t ttl = cfg_.ticket_ttl_ms;
  auto job = [accounts, ttl](Store& store) { return store.poll_tickets(accounts, ttl); };
  auto done = [this, accounts, now_ms](StoreResult<std::vector<std::optional<TicketStatus>>>& polled) {
    poll_in_flight_ = false;
    on_polled(accounts, polled, now_ms);
  };
  poll_in_flight_ =
      worker_.call<StoreResult<std::vector<std::optional<TicketStatus>>>>(std::move(job), std::move(done));
  if (!poll_in_flight_) metrics_.store_jobs_dropped.Increment();
}

void Lobby::on_polled(const std::vector<AccountId>& accounts,
                      StoreResult<std::vector<std::optional<TicketStatus>>>& polled, std::uint64_t now_ms) {
  if (!polled || polled->size() != accounts.size()) {
    // Tickets live on for their TTL; the next poll tries again.
    spdlog::warn("queue poll failed: {}", polled ? "reply size mismatch" : polled.error().message);
    return;
  }
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    const AccountId account = accounts[i];
    auto it = queue_.find(account);
    if (it == queue_.end() || it->second.phase != Phase::Waiting) continue;
    const SessionId session = it->second.session;
    const std::optional<TicketStatus>& status = (*polled)[i];
    proto::QueueStatus s;
    if (!status) {
      s.state = QueueState::Expired;
      s.text = "ticket expired; queue again";
      queue_.erase(it);
      send_(session, s);
      continue;
    }
    const std::uint64_t waited = now_ms > status->created_ms ? now_ms - status->created_ms : 0;
    s.waited_ms = static_cast<std::uint32_t>(std::min<std::uint64_t>(waited, UINT32_MAX));
    if (status->state == TicketState::Waiting) {
      s.state = QueueState::Waiting;
      s.position = status->position;
      s.queue_length = status->queue_length;
      s.estimated_wait_ms = waits_.remaining_ms(it->second.queue, waited);
      send_(session, s);
      continue;
    }
    // Assigned: hand the client its seat, then drop the ticket.
    waits_.record(it->second.queue, waited);
    s.state = QueueState::Assigned;
    send_(session, s);
    proto::MatchAssigned a;
    a.host = status->host;
    a.port = status->port;
    a.match_id = status->match_id;
    a.join_token.assign(status->token.begin(), status->token.end());
    a.mode = it->second.mode;
    send_(session, a);
    metrics_.tickets_assigned.Increment();
    queue_.erase(it);
    if (!worker_.post([account](Store& store) {
          if (auto r = store.remove_ticket(account); !r) spdlog::warn("ticket removal failed: {}", r.error().message);
        })) {
      metrics_.store_jobs_dropped.Increment();  // the ticket then just expires
    }
  }
  metrics_.queued_players.Set(static_cast<double>(queue_.size()));
}

}  // namespace qbot::server
