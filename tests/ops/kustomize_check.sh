#!/usr/bin/env bash
# Builds ops/k8s with `kubectl kustomize` (offline) and checks every object
# against tests/ops/check_k8s.py's strict schema.
#   tests/ops/kustomize_check.sh REPO_ROOT
set -euo pipefail
root="${1:?usage: kustomize_check.sh REPO_ROOT}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
kubectl kustomize "$root/ops/k8s" >"$out"
python3 "$root/tests/ops/check_k8s.py" "$out"
