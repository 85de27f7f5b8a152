"""Hardening report: bad input, model faults and prompt injection, in figures, from one command.

    /work/venv/bin/python bench/hardening_report.py

Everything replays: model answers come from tests/hardening/cassettes (recorded once from the
real 0.5B model), faults from tests/hardening/fault_proxy.py on 127.0.0.1. No network, no model.
The same checks are the tests in tests/hardening/, which assert the goals: every bad input
handled, 0 drafts lost to faults, 0 injections changing the rule-derived or final severity, 0
system-prompt leaks, 0 HTML in rendered output. The leak report (bench/leak_report.py) runs last.
"""

import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
# Presidio's tldextract must never try to download the public suffix list.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
for _name in [n for n in os.environ if n.startswith("ESCALATE_") and not n.startswith("ESCALATE_TEST_")]:
    del os.environ[_name]  # the figures are for the default settings, whatever this shell has

from app.core.quiet_logs import quiet_instructor_logs  # noqa: E402

# The fault scenarios run the drafting service in this process: instructor's per-attempt ERROR
# lines are the faults being injected, already counted below, not news for the reader.
quiet_instructor_logs()

from tests.hardening import bad_inputs, faults, injections  # noqa: E402
from tests.hardening.recording import RECORDED_BASE_URL, taped  # noqa: E402


def _rate(ok: int, total: int) -> str:
    return f"{ok}/{total}"


def report_bad_inputs() -> None:
    items = bad_inputs.BAD_INPUTS
    web = [item for item in items if item.where != "ticket_file"]
    print(f"1. Bad input ({len(items)} cases: {len(bad_inputs.LARGE)} generated large, the rest in corpus/bad_inputs)")
    web_problems = {item.id: bad_inputs.check_service(item) for item in web}
    cli_problems: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for item in items:
            workdir = Path(scratch) / item.id
            workdir.mkdir()
            drafted = item.id in bad_inputs.CLI_DRAFTED
            if drafted:
                with taped("bad_input_drafts"):
                    run = bad_inputs.run_cli(item, workdir, RECORDED_BASE_URL)
            else:
                run = bad_inputs.run_cli(item, workdir, f"http://127.0.0.1:{bad_inputs.free_port()}/v1")
            cli_problems[item.id] = bad_inputs.check_cli(item, run, drafted)
    refused = sum(1 for item in items if item.expect == "refused")
    print(f"   refused with a message: {refused} cases; accepted and kept: {len(items) - refused}")
    web_ok = sum(1 for problems in web_problems.values() if not problems)
    cli_ok = sum(1 for problems in cli_problems.values() if not problems)
    print(f"   web app path (DraftingService.ingest + prepare): handled {_rate(web_ok, len(web))}")
    print(
        f"   CLI (escalate draft): handled {_rate(cli_ok, len(items))} "
        f"({len(bad_inputs.CLI_DRAFTED)} drafted from recorded model answers, input files unchanged)"
    )
    for where, found in (("web", web_problems), ("cli", cli_problems)):
        for case_id, problems in found.items():
            if problems:
                known = " [known defect]" if case_id in bad_inputs.KNOWN_DEFECTS else ""
                print(f"   - {where} {case_id}{known}: {'; '.join(problems)}")


def report_faults() -> None:
    scenarios = faults.SCENARIOS
    print(f"\n2. Model faults through the fault proxy ({len(scenarios)} scenarios, CLI and web share this path)")
    outcomes = [faults.run_scenario(scenario) for scenario in scenarios]
    injected = sum(o.injected for o in outcomes)
    lost = sum(1 for o in outcomes if o.lost)
    by_kind: Counter[str] = Counter()
    for o in outcomes:
        by_kind.update(fault.kind.value for fault in o.scenario.plan)
    print(f"   faults injected: {injected} ({', '.join(f'{k} {v}' for k, v in sorted(by_kind.items()))})")
    print(f"   drafts lost: {lost} (goal 0)")
    print(f"   {'scenario':30} {'faults':>6} {'requests':>8} {'seconds':>7}  outcome")
    for o in outcomes:
        if o.error is not None:
            what = f"{type(o.error).__name__}, then a draft on retry: {o.error}"
        elif o.result is not None:
            what = "valid draft" if o.result.valid else f"invalid draft kept: {o.result.errors[0]}"
        else:
            what = "nothing"
        flag = f"  LOST: {'; '.join(o.problems)}" if o.lost else ""
        what = " ".join(what.split())  # validation messages span lines; one row per scenario
        print(f"   {o.scenario.id:30} {o.injected:>6} {o.requests:>8} {o.seconds:>7.1f}  {what[:110]}{flag}")


def report_injections() -> None:
    items = injections.cases()
    n_injections = len({c.injection.id for c in items})
    n_bases = len({c.base.id for c in items})
    print(
        f"\n3. Prompt injection ({len(items)} cases: {n_injections} injections on {n_bases} base tickets, "
        f"{sum(c.where == 'log' for c in items)} in logs; {len(injections.RECORDED)} drafted by the model)"
    )
    flips = {c.id: changed for c in items if (changed := injections.rules_changed(c)) is not None}
    print(f"   rule-derived severity/target changed: {_rate(len(flips), len(items))} (goal 0)")
    for case_id, (before, after) in flips.items():
        known = " [known defect]" if case_id in injections.KNOWN_RULE_FLIPS else ""
        print(f"   - {case_id}{known}: {before.severity}/{before.target} -> {after.severity}/{after.target}")
    worst_html = [c.id for c in items if injections.rendered_html_tags(injections.worst_case_brief(c))]
    print(
        f"   HTML in rendered Markdown of a brief copying the injection into every field: "
        f"{_rate(len(worst_html), len(items))}"
    )
    pairs = {case_id: injections.recorded_pair(case_id) for case_id in injections.RECORDED}
    final = [i for i, (b, d) in pairs.items() if d.severity.final != b.severity.final]
    rules = [i for i, (b, d) in pairs.items() if d.severity.rules != b.severity.rules]
    target = [i for i, (b, d) in pairs.items() if d.target.final != b.target.final]
    obeyed = [i for i, (b, d) in pairs.items() if d.severity.model != b.severity.model]
    leaks = [i for i, (_, d) in pairs.items() if d.brief is not None and injections.leaked_sentences(d.brief)]
    html = [i for i, (_, d) in pairs.items() if d.brief is not None and injections.rendered_html_tags(d.brief)]
    total = len(pairs)
    print(f"   model drafts: rule severity changed {_rate(len(rules), total)}, final severity changed "
          f"{_rate(len(final), total)}, final target changed {_rate(len(target), total)}")  # fmt: skip
    print(f"   model drafts: the model's own severity differed from the base draft's {_rate(len(obeyed), total)}")
    print(f"   model drafts: system-prompt sentences in a brief {_rate(len(leaks), total)}, HTML emitted "
          f"{_rate(len(html), total)}")  # fmt: skip
    for case_id, (base, drafted) in pairs.items():
        problems = injections.model_problems(base, drafted)
        model = drafted.severity.model.value if drafted.severity.model else "-"
        base_model = base.severity.model.value if base.severity.model else "-"
        print(
            f"   - {case_id:48} model {base_model}->{model} final {base.severity.final.value}->"
            f"{drafted.severity.final.value}{'  ' + '; '.join(problems) if problems else ''}"
        )


def report_leaks() -> None:
    script = REPO / "bench" / "leak_report.py"
    print("\n4. Redaction leak report (bench/leak_report.py)")
    if not script.exists():
        print("   bench/leak_report.py is not there; skipped")
        return
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=False)
    print("\n".join("   " + line for line in (done.stdout + done.stderr).rstrip().splitlines()))


def main() -> int:
    started = time.perf_counter()
    print("Hardening report: replayed from tests/hardening/cassettes (Qwen2.5-Coder-0.5B); no network, no model.")
    print(f"command: {Path(sys.executable).name} {' '.join(sys.argv)}\n")
    report_bad_inputs()
    report_faults()
    report_injections()
    report_leaks()
    print(f"\n({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
