// Fuzz target: every byte string through proto::decode in both directions
// on both channels, and any Snapshot it yields through the snapshot decoder.
#include <cstddef>
#include <cstdint>

#include "fuzz_seeds.h"
#include "proto/codec.h"
#include "proto/snapshot_codec.h"
#include "proto/version.h"

using namespace qbot::proto;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  for (Sender s : {Sender::Client, Sender::Server}) {
    for (const std::uint8_t channel : {std::uint8_t{0}, std::uint8_t{1}}) {
      auto m = decode(bytes, s, channel);
      if (!m.ok()) continue;
      if (const auto* snap = std::get_if<Snapshot>(&*m)) {
        auto baseline = snapshot_baseline(snap->data, snap->server_tick);
        if (!baseline.ok()) continue;
        Frame base;
        base.tick = baseline.value();
        base.entities.push_back(EntityState{3, {}});
        (void)decode_snapshot(base.tick != 0 ? &base : nullptr, snap->data, snap->server_tick, 60);
      }
    }
  }
  return 0;
}

std::vector<std::vector<std::uint8_t>> qbot_fuzz_seeds() {
  Encoder enc;
  std::vector<std::vector<std::uint8_t>> seeds;
  auto add = [&](std::span<const std::uint8_t> s) { seeds.emplace_back(s.begin(), s.end()); };
  Hello h;
  h.protocol_version = kProtocolVersion;
  h.guest_name = "seed";
  h.client_build = "fuzz";
  h.join_token = {1, 2, 3, 4};
  add(enc.encode(h));
  Welcome w{kProtocolVersion,         1, 1, 1,  60,    1, 10, "foundry", "srv",
            GameMode::TeamDeathmatch, 1, 1, {}, false, 0, {}, false,     0};
  w.reconnect_token.assign(kReconnectTokenBytes, 7);
  add(enc.encode(w));
  add(enc.encode(Reject{RejectReason::BadMessage, "why"}));
  Input in;
  in.count = 3;
  for (std::uint32_t i = 0; i < 3; ++i) in.commands[i] = {i + 1, 5, 100, 10, -10, 1};
  add(enc.encode(in));
  Frame f;
  f.tick = 5;
  f.entities.push_back(EntityState{3, {10, 20, 30, 40, 50, 60, 20, 1, 0, 0, 1}});
  f.entities.push_back(EntityState{300, {1, 2, 3, 4, 0, 0, 0, 1, 2, 3, 0}});
  std::vector<std::uint8_t> ents;
  Frame view;
  encode_snapshot(nullptr, f, 60, {}, ents, view);
  add(enc.encode(Snapshot{5, ents}));
  add(enc.encode(MatchEvent{7, PlayerJoined{1, 2, "n", 1, Loadout{"b", "tank", "laser", "blaster", "emp", 7}}}));
  add(enc.encode(MatchEvent{7, PlayerLeft{1, 2}}));
  add(enc.encode(MatchEvent{8, PhaseChanged{MatchPhase::Battle, 900, 42, "foundry"}}));
  add(enc.encode(MatchEvent{9, Kill{1, 2, "laser"}}));
  add(enc.encode(MatchEvent{10, MatchEnded{42, EndReason::TimeLimit, 1, {{1, 2, "n", 1, 3, 4, 500, 3, 1, 77}}}}));
  Hello with_loadout;
  with_loadout.protocol_version = kProtocolVersion;
  with_loadout.guest_name = "ada";
  with_loadout.loadout = Loadout{"Rusty", "scout", "shotgun", "missiles", "dash", 0xabcdef};
  add(enc.encode(with_loadout));
  // Lobby messages.
  add(enc.encode(GarageRequest{3, GarageOp::Create, 0, Loadout{"Rusty", "scout", "shotgun", "missiles", "dash", 1}}));
  add(enc.encode(GarageReply{3,
                             GarageStatus::Ok,
                             "",
                             {GarageBot{1, Loadout{"b", "tank", "laser", "blaster", "emp", 7}, 1, 1, 2, 3}},
                             1500.0,
                             350.0,
                             0,
                             1}));
  add(enc.encode(QueueRequest{GameMode::TeamDeathmatch, "eu", 1, "party", 2}));
  add(enc.encode(CancelQueue{4}));
  add(enc.encode(QueueStatus{QueueState::Waiting, 1, 9, 100, 2000, ""}));
  add(enc.encode(MatchAssigned{"127.0.0.1", 7777, 5, {1, 2, 3, 4}, GameMode::FreeForAll, 0}));
  return seeds;
}
