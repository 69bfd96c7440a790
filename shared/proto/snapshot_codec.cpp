#include "proto/snapshot_codec.h"

#include "core/bit_stream.h"
#include "proto/limits.h"

namespace qbot::proto {
namespace {

const EntityState kZeroState{};

/// Index one past the last field that differs (0 = identical).
unsigned last_changed(const EntityState& base, const EntityState& cur) {
  for (unsigned i = kFieldCount; i > 0; --i) {
    if (base.f[i - 1] != cur.f[i - 1]) return i;
  }
  return 0;
}

void write_record(core::BitWriter& bw, const EntityState& base, const EntityState& cur, unsigned lc) {
  bw.flag(false);  // not removed
  bw.bits(lc, 4);
  for (unsigned i = 0; i < lc; ++i) {
    const bool changed = base.f[i] != cur.f[i];
    bw.flag(changed);
    if (!changed) continue;
    const FieldSpec& spec = kFieldSpecs[i];
    if (spec.coding == FieldCoding::Raw) {
      bw.bits(static_cast<std::uint32_t>(cur.f[i]), spec.bits);
    } else {
      bw.var_s(cur.f[i] - base.f[i]);
    }
  }
}

struct Record {
  const EntityState* base;  // nullptr: new entity
  const EntityState* cur;   // nullptr: removed entity
};

}  // namespace

void encode_entities(const Frame& baseline, const Frame& current, std::vector<std::uint8_t>& out) {
  // Merge the two id-sorted lists into the records that need sending.
  std::vector<Record> records;
  records.reserve(current.entities.size() + 4);
  std::size_t b = 0, c = 0;
  const auto& be = baseline.entities;
  const auto& ce = current.entities;
  while (b < be.size() || c < ce.size()) {
    if (c == ce.size() || (b < be.size() && be[b].id < ce[c].id)) {
      records.push_back({&be[b++], nullptr});
    } else if (b == be.size() || ce[c].id < be[b].id) {
      records.push_back({nullptr, &ce[c++]});
    } else {
      if (be[b].f != ce[c].f) records.push_back({&be[b], &ce[c]});
      ++b;
      ++c;
    }
  }

  core::BitWriter bw(out);
  bw.var_u(static_cast<std::uint32_t>(records.size()));
  int prev_id = -1;
  for (const Record& r : records) {
    const int id = r.cur ? r.cur->id : r.base->id;
    bw.var_u(static_cast<std::uint32_t>(id - prev_id - 1));
    prev_id = id;
    if (r.cur == nullptr) {
      bw.flag(true);  // removed
      continue;
    }
    const EntityState& base = r.base ? *r.base : kZeroState;
    write_record(bw, base, *r.cur, last_changed(base, *r.cur));
  }
  bw.finish();
}

core::Result<Frame, DecodeError> decode_entities(const Frame& baseline, std::span<const std::uint8_t> bytes,
                                                 core::Tick tick) {
  auto fail = [](std::string field) { return core::Err{DecodeError{DecodeErrorKind::BadField, std::move(field)}}; };
  core::BitReader br(bytes);
  Frame out;
  out.tick = tick;
  const std::uint32_t count = br.var_u();
  if (br.failed()) return fail("entities.count");
  if (count > kMaxSnapshotEntities + baseline.entities.size()) return fail("entities.count");
  out.entities.reserve(baseline.entities.size() + count);

  const auto& be = baseline.entities;
  std::size_t b = 0;
  std::int64_t prev_id = -1;
  for (std::uint32_t n = 0; n < count; ++n) {
    const std::int64_t id = prev_id + 1 + static_cast<std::int64_t>(br.var_u());
    if (br.failed() || id > 0xffff) return fail("entities.id");
    prev_id = id;
    // Baseline entities before this id are unchanged.
    while (b < be.size() && be[b].id < id) out.entities.push_back(be[b++]);
    const bool in_base = b < be.size() && be[b].id == id;
    const bool removed = br.flag();
    if (removed) {
      if (!in_base) return fail("entities.removed");
      ++b;
      continue;
    }
    EntityState st = in_base ? be[b] : EntityState{};
    st.id = static_cast<std::uint16_t>(id);
    if (in_base) ++b;
    const unsigned lc = br.bits(4);
    if (lc > kFieldCount) return fail("entities.last_changed");
    for (unsigned i = 0; i < lc; ++i) {
      if (!br.flag()) continue;
      const FieldSpec& spec = kFieldSpecs[i];
      std::int64_t v = spec.coding == FieldCoding::Raw
                           ? static_cast<std::int64_t>(br.bits(spec.bits))
                           : static_cast<std::int64_t>(st.f[i]) + br.var_s();
      if (v < spec.min || v > spec.max) return fail("entities." + std::string(spec.name));
      st.f[i] = static_cast<std::int32_t>(v);
    }
    if (br.failed()) return fail("entities.truncated");
    out.entities.push_back(st);
  }
  while (b < be.size()) out.entities.push_back(be[b++]);
  if (br.failed()) return fail("entities.truncated");
  if (out.entities.size() > kMaxSnapshotEntities) return fail("entities.count");
  return out;
}

}  // namespace qbot::proto
