#!/usr/bin/env bash
# Builds the qbot-server container image (ops/Containerfile) with podman.
#   ops/image.sh                       -> localhost/qbot-arena:latest
#   QBOT_IMAGE=name:tag                   the tag to build
#   QBOT_IMAGE_BASE=debian:bookworm-slim  the base image; when it is not given,
#                                         or cannot be found or pulled, a local
#                                         base is made: mmdebstrap minbase of
#                                         bookworm, imported as
#                                         localhost/qbot-bookworm-base (once)
#   QBOT_IMAGE_JOBS=2                     compile jobs inside the build stage
# Installs podman, runc and mmdebstrap if missing. Uses ops/containers.conf
# (runc, cgroupfs) unless CONTAINERS_CONF is set. Prints the image's size.
# Fails (non-zero) if a tool cannot be installed or the build fails.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
IMAGE="${QBOT_IMAGE:-localhost/qbot-arena:latest}"
BASE="${QBOT_IMAGE_BASE:-}"
JOBS="${QBOT_IMAGE_JOBS:-2}"
LOCAL_BASE="localhost/qbot-bookworm-base:latest"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$ROOT/ops/containers.conf}"

say() { echo "ops/image.sh: $*" >&2; }

install_tools() {
  local missing=()
  for tool in podman runc mmdebstrap; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  say "installing ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# No registry may be reachable: a Debian bookworm minbase made here and
# imported, reused by later builds.
make_local_base() {
  if podman image exists "$LOCAL_BASE"; then return 0; fi
  local dir
  dir="$(mktemp -d)"
  say "making $LOCAL_BASE with mmdebstrap (a few minutes)"
  # Like debian:bookworm-slim: /usr merged without the usrmerge package (and
  # the perl it pulls in), no manuals, docs or translations (kept in the
  # image's dpkg configuration, so later installs leave them out too).
  if ! mmdebstrap --variant=minbase --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
    bookworm "$dir/base.tar"; then
    rm -rf "$dir"
    say "mmdebstrap failed"
    return 1
  fi
  podman import "$dir/base.tar" "$LOCAL_BASE" >/dev/null
  rm -rf "$dir"
}

# The base to build FROM: QBOT_IMAGE_BASE if it is here or can be pulled, else the local one.
choose_base() {
  if [ -n "$BASE" ]; then
    if podman image exists "$BASE" || timeout 120 podman pull -q "$BASE" >/dev/null 2>&1; then
      echo "$BASE"
      return 0
    fi
    say "cannot find or pull $BASE; using a local base instead"
  fi
  make_local_base
  echo "$LOCAL_BASE"
}

install_tools
base="$(choose_base)"
say "building $IMAGE FROM $base"
started=$SECONDS
podman build --network host --pull=never -f "$ROOT/ops/Containerfile" --build-arg "BASE=$base" \
  --build-arg "JOBS=$JOBS" -t "$IMAGE" "$ROOT"
size="$(podman image inspect --format '{{.Size}}' "$IMAGE")"
say "built $IMAGE in $((SECONDS - started)) s, $((size / 1000000)) MB"
