"""Benchmark the rulebook: triage + check_brief on a realistic brief and a ~3 KB ticket.

    python bench/bench_rules.py [--n 500]

Three figures, each next to the 1 ms goal:
- warm: the same ticket and brief again (a reviewer's re-check after an edit: the triage scan,
  the timestamps and the PII scan come from their caches);
- new ticket: a ticket never seen before, same brief (triage scan, timestamps, grounding index cold);
- all new: ticket and brief never seen before (adds the PII scanner on the brief's text).
One-time start-up (compiling the policy, loading the PII scanner) is reported separately. CPU time
is printed next to wall time: on a shared machine it is the steadier of the two.
"""

import argparse
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.policy import cached_policy
from app.core.rules import check_brief
from app.core.triage import triage
from schemas.brief import EscalationBrief

GOAL_MS = 1.0
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)

TICKET = """\
From: IT Director, Acme Retail <EMAIL_1>
Sent: 2026-11-20 09:42 UTC
Subject: URGENT - card payments failing in every store

Hi support,
Since about 09:10 UTC today none of our 40 stores can take card payments. The POS shows
"Payment declined: gateway error GW-502" on every card transaction. Cash still works but most
customers pay by card. Our account ID is ACME-4821 and we are on the Enterprise plan, POS app
version 7.4.2 on Windows 10 terminals.

Steps: ring up any item, choose Card, tap or insert a card. Expected: payment approved.
Actual: after ~30 seconds the terminal shows GW-502 and the sale is voided.

We already restarted the terminals and the store router - no change. Request IDs from two failed
sales: req_8f3a2c91 and req_8f3a2d07. Call me on <PHONE_1> if you need anything.

We lose roughly $12,000 per hour while this lasts and our renewal is due next week - if this is
not fixed today I will have to escalate to your CEO.

---
Agent (Priya, L1) 2026-11-20 09:55 UTC: Thanks, I can reproduce GW-502 on the test terminal
for ACME-4821. Two other customers (Northwind Foods and Contoso Outfitters) opened tickets with the
same error this morning. No workaround found besides cash. Told the customer we are escalating
and will update within the hour.

Customer 2026-11-20 10:05 UTC: Still failing in all stores. Our CFO is asking for an ETA.

Agent (Priya, L1) 2026-11-20 10:09 UTC: Checked with the Northwind Foods admin: their terminals
run POS app 7.4.1 and show the same GW-502 after about 30 seconds, so it is not the new version.
Contoso Outfitters confirmed the same pattern on their web checkout as well, which uses the
same gateway region. Our own sandbox terminal in the EU region fails the same way; the US region
works. Status page shows all systems operational. Attached: pos-terminal.har and two screenshots
(gw502-terminal.png, gw502-web.png). Customer asked for an update every 30 minutes.

Pasted from the POS log:
2026-11-20T09:10:03Z ERROR payment.gateway request_id=req_8f3a2c91 status=502 upstream=pay-gw-eu-2 latency_ms=30012
2026-11-20T09:10:41Z ERROR payment.gateway request_id=req_8f3a2d07 status=502 upstream=pay-gw-eu-2 latency_ms=30004
2026-11-20T09:11:15Z WARN  payment.gateway retry budget exhausted upstream=pay-gw-eu-2 attempts=3
2026-11-20T09:12:02Z ERROR payment.gateway request_id=req_8f3a2e55 status=502 upstream=pay-gw-eu-2 latency_ms=30008
2026-11-20T09:14:47Z INFO  health.check pay-gw-eu-1 ok pay-gw-eu-2 degraded pay-gw-us-1 ok
2026-11-20T09:20:19Z ERROR payment.gateway request_id=req_8f3a3101 status=502 upstream=pay-gw-eu-2 latency_ms=30011
2026-11-20T09:31:55Z ERROR payment.gateway request_id=req_8f3a3377 status=502 upstream=pay-gw-eu-2 latency_ms=30002
2026-11-20T09:45:08Z ERROR payment.gateway request_id=req_8f3a36c0 status=502 upstream=pay-gw-eu-2 latency_ms=30009
"""

BRIEF = {
    "summary": "Card payments fail in all 40 Acme Retail stores since 09:10 UTC (GW-502); ~$12,000/hour lost",
    "severity": "sev1",
    "target": "engineering",
    "impact": {
        "customers_affected": 3,
        "customer_names": ["Acme Retail", "Northwind Foods", "Contoso Outfitters"],
        "workflow_impact": "No store can take card payments; only cash sales work.",
        "revenue_at_risk": "roughly $12,000 per hour; renewal due next week",
    },
    "description": (
        "Since about 09:10 UTC every card transaction in the customer's 40 stores fails with GW-502 after ~30 "
        "seconds. The POS log shows 502s from upstream pay-gw-eu-2. Two other customers report the same error."
    ),
    "reproduction": {
        "steps": ["ring up any item", "choose Card", "tap or insert a card"],
        "expected": "payment approved",
        "actual": "GW-502 after ~30 seconds, sale voided",
        "environment": "POS app version 7.4.2 on Windows 10 terminals, Enterprise plan",
    },
    "tried": [{"action": "restarted the terminals and the store router", "result": "no change"}],
    "communication": {
        "last_update": "2026-11-20 09:55 UTC: escalating, update within the hour",
        "expectation": "fixed today",
        "escalation_risk": "will escalate to the CEO; renewal due next week",
    },
    "needed": {"asks": ["investigate the 502s from pay-gw-eu-2 and restore card payments"], "deadline": "today"},
    "diagnostics": {
        "account_ids": ["ACME-4821"],
        "timestamps": ["2026-11-20T09:10:03Z", "2026-11-20T09:10:41Z"],
        "error_messages": ["GW-502", "req_8f3a2c91", "req_8f3a2d07"],
        "logs_attached": True,
        "customer_contact": "IT Director, by phone",
    },
    "evidence": [
        {"field": "impact.workflow_impact", "quote": "none of our 40 stores can take card payments."},
        {"field": "severity", "quote": "No workaround found besides cash."},
        {"field": "diagnostics.account_ids", "quote": "Our account ID is ACME-4821"},
    ],
}


def measure(label: str, n: int, make: Callable[[int], tuple[EscalationBrief, str]]) -> None:
    policy = cached_policy()
    cases = [make(i) for i in range(n)]  # built outside the timed loop
    wall, cpu = time.perf_counter(), time.process_time()
    for brief, source in cases:
        triage(source, policy, NOW)
        check_brief(brief, source, policy, NOW)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    ms = wall / n * 1000
    print(
        f"{label:<10} {n / wall:>9,.0f} checks/s {ms:>8.3f} ms/brief   {ms / GOAL_MS:>5.2f}x the {GOAL_MS:g} ms goal"
        f"   (CPU time {cpu / n * 1000:.3f} ms/brief)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=500, help="briefs per measurement (default 500)")
    n = parser.parse_args().n
    brief = EscalationBrief.model_validate(BRIEF)
    policy = cached_policy()

    start = time.perf_counter()
    findings = check_brief(brief, TICKET, policy, NOW)
    print(f"start-up (first check: policy compile, PII scanner load): {(time.perf_counter() - start) * 1000:.0f} ms")
    print(f"ticket {len(TICKET)} chars; {len(findings)} findings: {sorted({f.rule for f in findings})}")
    if any(f.message.startswith("rule ") and "could not run" in f.message for f in findings):
        print("warning: a rule crashed; figures below do not include its work")

    measure("warm", n, lambda i: (brief, TICKET))
    measure("new ticket", n, lambda i: (brief, f"{TICKET}\nInternal ref {i}\n"))

    def all_new(i: int) -> tuple[EscalationBrief, str]:
        changed = brief.model_copy(update={"description": f"{brief.description} Internal ref {i}."})
        return changed, f"{TICKET}\nInternal ref {i}\n"

    measure("all new", max(1, n // 5), all_new)


if __name__ == "__main__":
    main()
