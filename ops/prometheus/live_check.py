#!/usr/bin/env python3
"""Polls a live prometheus until every dashboard expression and recording rule
returns data and every alert expression evaluates (and the metrics it reads
have data), or the deadline passes. Prints what never did. Used by live-test.sh.
   live_check.py PROM_URL DASHBOARD.json RECORDING.yml ALERTS.yml DEADLINE_S"""
import json
import re
import sys
import time
import urllib.parse
import urllib.request

import yaml


def query(base, expr):
    """(ok, n_series, error) of an instant query."""
    url = base + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            body = json.load(r)
    except urllib.error.HTTPError as e:  # 400: the expression does not parse
        return False, 0, e.read().decode(errors="replace")[:300]
    except OSError as e:
        return False, 0, str(e)
    if body.get("status") != "success":
        return False, 0, body.get("error", "?")
    return True, len(body["data"]["result"]), ""


# Raw metric names (not recording rules like instance:qbot_x:rate5m, not functions).
METRIC = re.compile(r"(?<![\w:])(qbot_[a-z0-9_]+|up)(?![\w:])(?!\s*\()")


def main():
    base, dashboard, recording, alerts, deadline_s = sys.argv[1:6]
    dash = json.load(open(dashboard))
    want_data = {t["expr"] for p in dash["panels"] for t in p["targets"]}
    for g in yaml.safe_load(open(recording))["groups"]:
        want_data |= {r["record"] for r in g["rules"]}
    alert_exprs = [r["expr"] for g in yaml.safe_load(open(alerts))["groups"] for r in g["rules"]]
    for e in alert_exprs:  # the raw metrics each alert reads
        want_data |= {m for m in METRIC.findall(e)}
    deadline = time.monotonic() + float(deadline_s)
    missing = set(want_data)
    errors = {}
    while time.monotonic() < deadline:
        ok_up, n_up, _ = query(base, 'up{job="qbot-server"} == 1')
        if ok_up and n_up == 1:
            errors = {}
            for e in alert_exprs:
                ok, _, err = query(base, e)
                if not ok:
                    errors[e] = err
            for e in sorted(missing):
                ok, n, err = query(base, e)
                if not ok:
                    errors[e] = err
                elif n > 0:
                    missing.discard(e)
            if not missing and not errors:
                print(f"live_check: {len(want_data)} expressions return data, {len(alert_exprs)} alerts evaluate")
                return 0
        time.sleep(2)  # the next scrape and rule evaluation
    for e, err in errors.items():
        print(f"live_check: does not evaluate: {e}\n    {err}")
    for e in sorted(missing):
        print(f"live_check: no data: {e}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
