#include "proto/snapshot_codec.h"

#include <algorithm>
#include <cstdlib>

#include "core/bit_stream.h"
#include "proto/limits.h"

namespace qbot::proto {
namespace {

const EntityState kZeroState{};
/// Bits an id gap costs at most (var_u 16-bit class); used for budgeting.
constexpr std::size_t kIdGapBitsBound = 20;

std::int32_t wrap_angle(std::int32_t d) {
  d %= kAimSteps;
  if (d < -kAimSteps / 2) d += kAimSteps;
  if (d >= kAimSteps / 2) d -= kAimSteps;
  return d;
}

/// Index one past the last field that differs from the reference (0 = none).
unsigned last_changed(const EntityState& ref, const EntityState& cur) {
  for (unsigned i = kFieldCount; i > 0; --i) {
    if (ref.f[i - 1] != cur.f[i - 1]) return i;
  }
  return 0;
}

void write_fields(core::BitWriter& bw, const EntityState& ref, const EntityState& cur) {
  const unsigned lc = last_changed(ref, cur);
  bw.bits(lc, 4);
  for (unsigned i = 0; i < lc; ++i) {
    const bool changed = ref.f[i] != cur.f[i];
    bw.flag(changed);
    if (!changed) continue;
    const FieldSpec& spec = kFieldSpecs[i];
    switch (spec.coding) {
      case FieldCoding::Raw: bw.bits(static_cast<std::uint32_t>(cur.f[i]), spec.bits); break;
      case FieldCoding::Delta:
      case FieldCoding::Predicted: bw.var_s(cur.f[i] - ref.f[i]); break;
      case FieldCoding::Angle: bw.var_s(wrap_angle(cur.f[i] - ref.f[i])); break;
    }
  }
}

/// Whether the client's reference state is close enough to leave `cur` out.
bool close_enough(const EntityState& ref, const EntityState& cur, const EncodeLimits& limits) {
  for (unsigned i = 0; i < kFieldCount; ++i) {
    const std::int32_t d = cur.f[i] - ref.f[i];
    if (i == kX || i == kY) {
      if (std::abs(d) > limits.position_tolerance) return false;
    } else if (i == kVelX || i == kVelY) {
      if (std::abs(d) > limits.velocity_tolerance) return false;
    } else if (i == kAim) {
      if (std::abs(wrap_angle(d)) > limits.aim_tolerance) return false;
    } else if (d != 0) {
      return false;
    }
  }
  return true;
}

struct Record {
  std::uint16_t id = 0;
  bool removed = false;
  EntityState ref;  // what the client has without this record
  const EntityState* cur = nullptr;
  bool in_baseline = false;
  std::size_t rank = 0;  // priority: lower first
  std::size_t bits = 0;  // estimated cost
  bool chosen = true;
};

}  // namespace

namespace {

/// Merges the id-sorted entity lists of baseline and current: a record for
/// every entity to send (changed, new or removed); the unchanged ones go
/// straight into `client_view` as the client will extrapolate them.
void merge_records(const Frame& base, const Frame& current, std::uint32_t dt, std::uint32_t tick_rate,
                   const EncodeLimits& limits, std::vector<Record>& records, Frame& client_view) {
  std::size_t b = 0, c = 0;
  const auto& be = base.entities;
  const auto& ce = current.entities;
  while (b < be.size() || c < ce.size()) {
    if (c == ce.size() || (b < be.size() && be[b].id < ce[c].id)) {
      records.push_back({be[b].id, true, {}, nullptr, true});
      ++b;
    } else if (b == be.size() || ce[c].id < be[b].id) {
      records.push_back({ce[c].id, false, kZeroState, &ce[c], false});
      ++c;
    } else {
      const EntityState ref = extrapolate(be[b], dt, tick_rate);
      const bool exact = ce[c].id == limits.exact_entity;
      const bool skip = exact ? ref.f == ce[c].f : close_enough(ref, ce[c], limits);
      if (!skip) records.push_back({ce[c].id, false, ref, &ce[c], true});
      else client_view.entities.push_back(ref);
      ++b;
      ++c;
    }
  }
}

/// With a byte budget: ranks the records (removals, the exact entity, the
/// priority list, then by id) and leaves out what does not fit.
void fit_budget(std::vector<Record>& records, const EncodeLimits& limits) {
  const std::size_t unlisted = limits.priority.size() + 2;
  std::vector<std::uint8_t> scratch;
  for (Record& r : records) {
    if (r.removed) {
      r.rank = 0;
      r.bits = kIdGapBitsBound + 1;
      continue;
    }
    r.rank = unlisted;
    if (r.id == limits.exact_entity) r.rank = 1;
    else if (auto it = std::find(limits.priority.begin(), limits.priority.end(), r.id); it != limits.priority.end()) {
      r.rank = 2 + static_cast<std::size_t>(it - limits.priority.begin());
    }
    scratch.clear();
    core::BitWriter probe(scratch);
    write_fields(probe, r.ref, *r.cur);
    r.bits = kIdGapBitsBound + 1 + probe.bit_count();
  }
  std::vector<Record*> order;
  order.reserve(records.size());
  for (Record& r : records) order.push_back(&r);
  std::stable_sort(order.begin(), order.end(), [](const Record* x, const Record* y) { return x->rank < y->rank; });
  std::size_t budget_bits = limits.max_bytes * 8;
  budget_bits -= std::min<std::size_t>(budget_bits, 64);  // header and count
  std::size_t used = 0;
  for (Record* r : order) {
    r->chosen = r->removed || used + r->bits <= budget_bits;
    if (r->chosen) used += r->bits;
  }
}

/// The chosen records, id gaps first; what the client ends up with goes to `client_view`.
void write_records(core::BitWriter& bw, const std::vector<Record>& records, Frame& client_view) {
  const auto chosen = static_cast<std::uint32_t>(
      std::count_if(records.begin(), records.end(), [](const Record& r) { return r.chosen; }));
  bw.var_u(chosen);
  int prev_id = -1;
  for (const Record& r : records) {
    if (!r.chosen) {
      // Left out for the budget: the client keeps extrapolating (or, for a
      // new entity, does not know it yet).
      if (r.in_baseline && !r.removed) client_view.entities.push_back(r.ref);
      continue;
    }
    bw.var_u(static_cast<std::uint32_t>(r.id - prev_id - 1));
    prev_id = r.id;
    bw.flag(r.removed);
    if (r.removed) continue;
    write_fields(bw, r.ref, *r.cur);
    client_view.entities.push_back(*r.cur);
  }
}

}  // namespace

void encode_snapshot(const Frame* baseline, const Frame& current, std::uint32_t tick_rate, const EncodeLimits& limits,
                     std::vector<std::uint8_t>& out, Frame& client_view) {
  static const Frame kEmpty{};
  const Frame& base = baseline != nullptr ? *baseline : kEmpty;
  const std::uint32_t dt = baseline != nullptr ? current.tick - base.tick : 0;

  // The record list is per-thread scratch: this runs for every client every
  // tick, and allocating it each time showed in profiles.
  static thread_local std::vector<Record> records;
  records.clear();
  client_view.tick = current.tick;
  client_view.last_input = current.last_input;
  client_view.entities.clear();
  merge_records(base, current, dt, tick_rate, limits, records, client_view);
  if (limits.max_bytes > 0) fit_budget(records, limits);

  core::BitWriter bw(out);
  // Header: baseline age, last applied input (absolute, or vs the baseline's).
  bw.var_u(baseline != nullptr ? dt : 0);
  if (baseline != nullptr) bw.var_s(static_cast<std::int32_t>(current.last_input - base.last_input));
  else bw.var_u(current.last_input);
  write_records(bw, records, client_view);
  bw.finish();
  std::sort(client_view.entities.begin(), client_view.entities.end(),
            [](const EntityState& x, const EntityState& y) { return x.id < y.id; });
}

core::Result<core::Tick, DecodeError> snapshot_baseline(std::span<const std::uint8_t> data, core::Tick server_tick) {
  core::BitReader br(data);
  const std::uint32_t age = br.var_u();
  if (br.failed() || age >= server_tick) return core::Err{DecodeError{DecodeErrorKind::BadField, "data.baseline_age"}};
  return age == 0 ? core::Tick{0} : server_tick - age;
}

core::Result<Frame, DecodeError> decode_snapshot(const Frame* baseline, std::span<const std::uint8_t> data,
                                                 core::Tick server_tick, std::uint32_t tick_rate) {
  auto fail = [](std::string field) { return core::Err{DecodeError{DecodeErrorKind::BadField, std::move(field)}}; };
  static const Frame kEmpty{};
  core::BitReader br(data);
  const std::uint32_t age = br.var_u();
  if (br.failed() || age >= server_tick) return fail("data.baseline_age");
  if ((age == 0) != (baseline == nullptr) || (baseline != nullptr && baseline->tick != server_tick - age)) {
    return fail("data.baseline_age");
  }
  const Frame& base = baseline != nullptr ? *baseline : kEmpty;
  Frame out;
  out.tick = server_tick;
  out.last_input = baseline != nullptr ? base.last_input + static_cast<std::uint32_t>(br.var_s()) : br.var_u();
  const std::uint32_t count = br.var_u();
  if (br.failed()) return fail("data.header");
  if (count > kMaxSnapshotEntities + base.entities.size()) return fail("entities.count");
  out.entities.reserve(base.entities.size() + count);

  const auto& be = base.entities;
  std::size_t b = 0;
  std::int64_t prev_id = -1;
  for (std::uint32_t n = 0; n < count; ++n) {
    const std::int64_t id = prev_id + 1 + static_cast<std::int64_t>(br.var_u());
    if (br.failed() || id > 0xffff) return fail("entities.id");
    prev_id = id;
    // Baseline entities before this id were not sent: they move on.
    while (b < be.size() && be[b].id < id) out.entities.push_back(extrapolate(be[b++], age, tick_rate));
    const bool in_base = b < be.size() && be[b].id == id;
    const bool removed = br.flag();
    if (removed) {
      if (!in_base) return fail("entities.removed");
      ++b;
      continue;
    }
    EntityState st = in_base ? extrapolate(be[b], age, tick_rate) : EntityState{};
    st.id = static_cast<std::uint16_t>(id);
    if (in_base) ++b;
    const unsigned lc = br.bits(4);
    if (lc > kFieldCount) return fail("entities.last_changed");
    for (unsigned i = 0; i < lc; ++i) {
      if (!br.flag()) continue;
      const FieldSpec& spec = kFieldSpecs[i];
      std::int64_t v = 0;
      switch (spec.coding) {
        case FieldCoding::Raw: v = br.bits(spec.bits); break;
        case FieldCoding::Delta:
        case FieldCoding::Predicted: v = std::int64_t{st.f[i]} + br.var_s(); break;
        case FieldCoding::Angle: v = ((std::int64_t{st.f[i]} + br.var_s()) % kAimSteps + kAimSteps) % kAimSteps; break;
      }
      if (v < spec.min || v > spec.max) return fail("entities." + std::string(spec.name));
      st.f[i] = static_cast<std::int32_t>(v);
    }
    if (br.failed()) return fail("entities.truncated");
    out.entities.push_back(st);
  }
  while (b < be.size()) out.entities.push_back(extrapolate(be[b++], age, tick_rate));
  if (br.failed()) return fail("entities.truncated");
  if (out.entities.size() > kMaxSnapshotEntities) return fail("entities.count");
  return out;
}

}  // namespace qbot::proto
