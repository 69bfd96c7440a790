#include "content/catalog_loader.h"

#include <flatbuffers/flatbuffers.h>

#include <algorithm>
#include <set>

#include "content/field_check.h"
#include "core/hash.h"
#include "qbot/schemas/catalog_generated.h"
#include "qbot/schemas/schema_text.h"

namespace qbot::content {
namespace fbc = qbot::data;  // generated from schemas/catalog.fbs

namespace {

constexpr std::size_t kMaxIdBytes = 24;
constexpr std::size_t kMaxNameBytes = 32;
constexpr std::size_t kMaxParts = 255;
constexpr float kPi = 3.14159265f;

std::string str(const flatbuffers::String* s) { return s != nullptr ? s->str() : std::string(); }

template <class Vec>
bool count_ok(FieldCheck& check, const std::string& field, const Vec* v) {
  const std::size_t n = v != nullptr ? v->size() : 0;
  if (n == 0 || n > kMaxParts) {
    check.fail(field, "must have 1.." + std::to_string(kMaxParts) + " entries, got " + std::to_string(n));
    return false;
  }
  return true;
}

void check_common(FieldCheck& check, const std::string& at, const std::string& id, const std::string& name,
                  std::int32_t cost, std::set<std::string>& ids) {
  check.identifier(at + ".id", id, kMaxIdBytes);
  check.display_name(at + ".name", name, kMaxNameBytes);
  check.range(at + ".cost", cost, 0, 1000);
  if (!ids.insert(id).second) check.fail(at + ".id", "duplicate " + FieldCheck::quoted(id));
}

/// Checks and copies every chassis into `out` (failures go to `check`).
void read_chassis(FieldCheck& check, const fbc::Catalog& in, sim::Catalog& out) {
  if (!count_ok(check, "chassis", in.chassis())) return;
  std::set<std::string> ids;
  for (flatbuffers::uoffset_t i = 0; i < in.chassis()->size(); ++i) {
    const fbc::Chassis& c = *in.chassis()->Get(i);
    const std::string at = "chassis[" + std::to_string(i) + "]";
    sim::ChassisSpec s{str(c.id()),      str(c.name()), c.hp(),     c.armor(), c.max_speed(),
                       c.acceleration(), c.turn_rate(), c.radius(), c.mass(),  c.cost()};
    check_common(check, at, s.id, s.name, s.cost, ids);
    check.range(at + ".hp", s.hp, 1, 1000);
    check.range(at + ".armor", s.armor, 0, 80);
    check.range(at + ".max_speed", s.max_speed, 0.5f, 40.0f);
    check.range(at + ".acceleration", s.acceleration, 1.0f, 400.0f);
    check.range(at + ".turn_rate", s.turn_rate, 0.5f, 50.0f);
    check.range(at + ".radius", s.radius, 0.3f, 2.0f);
    check.range(at + ".mass", s.mass, 0.1f, 100.0f);
    out.chassis.push_back(std::move(s));
  }
}

/// Checks and copies every weapon into `out` (failures go to `check`).
void read_weapons(FieldCheck& check, const fbc::Catalog& in, sim::Catalog& out) {
  if (!count_ok(check, "weapons", in.weapons())) return;
  std::set<std::string> ids;
  for (flatbuffers::uoffset_t i = 0; i < in.weapons()->size(); ++i) {
    const fbc::Weapon& w = *in.weapons()->Get(i);
    const std::string at = "weapons[" + std::to_string(i) + "]";
    const auto kind = static_cast<std::uint8_t>(w.kind());
    if (kind > static_cast<std::uint8_t>(fbc::WeaponKind::MAX)) {
      check.fail(at + ".kind", "must be Projectile, Hitscan, Homing or Shotgun, got " + std::to_string(kind));
    }
    sim::WeaponSpec s{str(w.id()), str(w.name()),        static_cast<sim::WeaponKind>(kind),
                      w.damage(),  w.fire_interval(),    w.spread(),
                      w.range(),   w.projectile_speed(), w.turn_rate(),
                      w.pellets(), w.heat_per_shot(),    w.cooling(),
                      w.cost()};
    check_common(check, at, s.id, s.name, s.cost, ids);
    check.range(at + ".damage", s.damage, 1, 1000);
    check.range(at + ".fire_interval", s.fire_interval, 0.016f, 10.0f);
    check.range(at + ".spread", s.spread, 0.0f, kPi);
    check.range(at + ".range", s.range, 1.0f, 200.0f);
    const bool travels = s.kind == sim::WeaponKind::Projectile || s.kind == sim::WeaponKind::Homing;
    if (travels) check.range(at + ".projectile_speed", s.projectile_speed, 1.0f, 200.0f);
    else check.neutral_unless(at + ".projectile_speed", s.projectile_speed, 0.0f, "Projectile or Homing");
    if (s.kind == sim::WeaponKind::Homing) check.range(at + ".turn_rate", s.turn_rate, 0.1f, 50.0f);
    else check.neutral_unless(at + ".turn_rate", s.turn_rate, 0.0f, "Homing");
    if (s.kind == sim::WeaponKind::Shotgun) check.range<int>(at + ".pellets", s.pellets, 1, 16);
    else check.neutral_unless<int>(at + ".pellets", s.pellets, 1, "Shotgun");
    check.range(at + ".heat_per_shot", s.heat_per_shot, 0.0f, 1.0f);
    check.range(at + ".cooling", s.cooling, 0.01f, 10.0f);
    out.weapons.push_back(std::move(s));
  }
}

/// Checks and copies every module into `out` (failures go to `check`).
void read_modules(FieldCheck& check, const fbc::Catalog& in, sim::Catalog& out) {
  if (!count_ok(check, "modules", in.modules())) return;
  std::set<std::string> ids;
  for (flatbuffers::uoffset_t i = 0; i < in.modules()->size(); ++i) {
    const fbc::Module& m = *in.modules()->Get(i);
    const std::string at = "modules[" + std::to_string(i) + "]";
    const auto kind = static_cast<std::uint8_t>(m.kind());
    if (kind > static_cast<std::uint8_t>(fbc::ModuleKind::MAX)) {
      check.fail(at + ".kind", "must be Shield, Dash, Repair or Emp, got " + std::to_string(kind));
    }
    sim::ModuleSpec s{str(m.id()),  str(m.name()), static_cast<sim::ModuleKind>(kind),
                      m.cooldown(), m.duration(),  m.magnitude(),
                      m.radius(),   m.cost()};
    check_common(check, at, s.id, s.name, s.cost, ids);
    check.range(at + ".cooldown", s.cooldown, 0.1f, 120.0f);
    check.range(at + ".duration", s.duration, 0.016f, 30.0f);
    check.range(at + ".magnitude", s.magnitude, 0.0f, 1000.0f);
    if (s.kind == sim::ModuleKind::Emp) check.range(at + ".radius", s.radius, 0.5f, 50.0f);
    else check.neutral_unless(at + ".radius", s.radius, 0.0f, "Emp");
    if (s.kind == sim::ModuleKind::Dash) check.range(at + ".magnitude", s.magnitude, 1.0f, 100.0f);
    out.modules.push_back(std::move(s));
  }
}

/// A catalog in which no bot fits the budget would refuse every player.
/// Expects at least one part of each kind (read_* checked it).
void check_cheapest_loadout_fits(FieldCheck& check, const sim::Catalog& c) {
  const auto cheapest = [](const auto& parts) {
    std::int32_t cost = parts.front().cost;
    for (const auto& p : parts) cost = std::min(cost, p.cost);
    return cost;
  };
  const std::int32_t min_cost = cheapest(c.chassis) + 2 * cheapest(c.weapons) + cheapest(c.modules);
  if (min_cost > c.point_budget) {
    check.fail("point_budget", "the cheapest loadout costs " + std::to_string(min_cost) + ", more than the budget " +
                                   std::to_string(c.point_budget));
  }
}

/// The verified root table, or nullptr when `bytes` are not a binary catalog
/// of a sane size.
const fbc::Catalog* verified_catalog(std::span<const std::uint8_t> bytes) {
  // The Verifier asserts (compiled out in release) rather than fails on
  // buffers near 2 GiB; ours are a few KiB, so refuse anything huge first.
  if (bytes.empty() || bytes.size() > kMaxContentFileBytes) return nullptr;
  flatbuffers::Verifier::Options opts;
  opts.max_depth = 8;
  opts.max_tables = 4096;
  flatbuffers::Verifier verifier(bytes.data(), bytes.size(), opts);
  if (!fbc::VerifyCatalogBuffer(verifier)) return nullptr;
  return fbc::GetCatalog(bytes.data());
}

}  // namespace

core::Result<sim::Catalog, ContentError> catalog_from_binary(std::span<const std::uint8_t> bytes,
                                                             std::string_view source_name) {
  const auto fail = [&](const std::string& what) {
    return core::Err{ContentError{std::string(source_name) + ": " + what}};
  };
  if (bytes.size() > kMaxContentFileBytes) {
    return fail("binary catalog larger than " + std::to_string(kMaxContentFileBytes) + " bytes");
  }
  const fbc::Catalog* in = verified_catalog(bytes);
  if (in == nullptr) return fail("not a valid binary catalog");

  sim::Catalog out;
  FieldCheck check;
  out.version = in->version();
  out.point_budget = in->point_budget();
  check.range<std::uint32_t>("version", out.version, 1, 1'000'000);
  check.range("point_budget", out.point_budget, 1, 100000);
  read_chassis(check, *in, out);
  read_weapons(check, *in, out);
  read_modules(check, *in, out);
  if (!check.failed()) check_cheapest_loadout_fits(check, out);
  if (check.failed()) return fail(check.error());

  // Hash the canonical bytes, not the ones given: the same content must get
  // the same identity whatever order the JSON listed its fields in.
  const std::vector<std::uint8_t> canonical = catalog_to_binary(out);
  core::Fnv1a h;
  h.bytes(canonical.data(), canonical.size());
  out.identity = h.value();
  return out;
}

std::vector<std::uint8_t> catalog_to_binary(const sim::Catalog& catalog) {
  flatbuffers::FlatBufferBuilder fbb(1024);
  // Children first, in list order: every call sequence is fixed, so equal
  // catalogs serialize to equal bytes (no shared strings, no hash order).
  std::vector<flatbuffers::Offset<fbc::Chassis>> chassis;
  for (const sim::ChassisSpec& c : catalog.chassis) {
    const auto id = fbb.CreateString(c.id);
    const auto name = fbb.CreateString(c.name);
    chassis.push_back(fbc::CreateChassis(fbb, id, name, c.hp, c.armor, c.max_speed, c.acceleration, c.turn_rate,
                                         c.radius, c.mass, c.cost));
  }
  std::vector<flatbuffers::Offset<fbc::Weapon>> weapons;
  for (const sim::WeaponSpec& w : catalog.weapons) {
    const auto id = fbb.CreateString(w.id);
    const auto name = fbb.CreateString(w.name);
    weapons.push_back(fbc::CreateWeapon(fbb, id, name, static_cast<fbc::WeaponKind>(w.kind), w.damage, w.fire_interval,
                                        w.spread, w.range, w.projectile_speed, w.turn_rate, w.pellets, w.heat_per_shot,
                                        w.cooling, w.cost));
  }
  std::vector<flatbuffers::Offset<fbc::Module>> modules;
  for (const sim::ModuleSpec& m : catalog.modules) {
    const auto id = fbb.CreateString(m.id);
    const auto name = fbb.CreateString(m.name);
    modules.push_back(fbc::CreateModule(fbb, id, name, static_cast<fbc::ModuleKind>(m.kind), m.cooldown, m.duration,
                                        m.magnitude, m.radius, m.cost));
  }
  fbc::FinishCatalogBuffer(fbb, fbc::CreateCatalogDirect(fbb, catalog.version, catalog.point_budget, &chassis, &weapons,
                                                         &modules));
  return {fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize()};
}

core::Result<CatalogFile, ContentError> parse_catalog_json(std::string_view json, std::string_view source_name) {
  auto binary = json_to_binary(schemas::kCatalogFbs, json, source_name);
  if (!binary) return core::Err{binary.error()};
  auto catalog = catalog_from_binary(binary.value(), source_name);
  if (!catalog) return core::Err{catalog.error()};
  // Keep the canonical form (the one the identity hashes), not the parser's.
  std::vector<std::uint8_t> canonical = catalog_to_binary(catalog.value());
  return CatalogFile{std::move(catalog.value()), std::move(canonical)};
}

core::Result<CatalogFile, ContentError> load_catalog_file(const std::filesystem::path& path) {
  auto text = read_text_file(path);
  if (!text) return core::Err{text.error()};
  return parse_catalog_json(text.value(), path.string());
}

}  // namespace qbot::content
