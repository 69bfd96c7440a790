#!/usr/bin/env bash
# Builds ops/k8s with `kubectl kustomize` (offline) and checks every object
# against tests/ops/check_k8s.py's strict schema; then the same with the
# optional ops/k8s/fleetautoscaler-counter.yaml in place of the Buffer
# autoscaler, as a host would swap it in kustomization.yaml.
#   tests/ops/kustomize_check.sh REPO_ROOT
set -euo pipefail
root="${1:?usage: kustomize_check.sh REPO_ROOT}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
kubectl kustomize "$root/ops/k8s" >"$work/default.yaml"
python3 "$root/tests/ops/check_k8s.py" "$work/default.yaml"

cp -r "$root/ops/k8s" "$work/counter"
grep -q '^  - fleetautoscaler.yaml$' "$work/counter/kustomization.yaml" ||
  { echo "kustomize_check: kustomization.yaml does not list fleetautoscaler.yaml" >&2; exit 1; }
sed -i 's/^  - fleetautoscaler.yaml$/  - fleetautoscaler-counter.yaml/' "$work/counter/kustomization.yaml"
kubectl kustomize "$work/counter" >"$work/counter.yaml"
grep -q '^    type: Counter$' "$work/counter.yaml" ||
  { echo "kustomize_check: the swapped build has no Counter policy" >&2; exit 1; }
python3 "$root/tests/ops/check_k8s.py" "$work/counter.yaml"
