"""Bad files and streams through every CLI command that reads input: outcome and peak memory per case.

    /work/main/.venv/bin/python bench/bad_input_report.py [--markdown]

Each case of tests/hardening/cli_bad_inputs.py runs as `python -m app.cli.main ...` in its own
process; its peak resident memory is that process's ru_maxrss from wait4 (per child), next to
the same commands on good input for comparison. The goal: every case exit 2 with one `error:` line,
no traceback, and peak memory bounded by the input limit (20 MB read at most), not by the input.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
for _name in [n for n in os.environ if n.startswith("ESCALATE_") and not n.startswith("ESCALATE_TEST_")]:
    del os.environ[_name]  # the figures are for the default limits, whatever this shell has

from tests.hardening.cli_bad_inputs import CASES, Case, Run, problems, run_in_subprocess  # noqa: E402


def _good_runs(scratch: Path) -> dict[str, Run]:
    """The same commands on good input: what a run costs anyway (Python, pydantic, Presidio)."""
    good: dict[str, Run] = {}
    ticket = REPO / "tests" / "fixtures" / "tickets" / "checkout_outage.txt"
    for command, role in (("triage", "ticket"), ("check", "brief"), ("render", "brief"), ("redact", "log")):
        workdir = scratch / f"good-{command}"
        workdir.mkdir()
        # A Case whose input is a good file: "{IN}" becomes the ticket, or the good brief written by _prepare.
        target = str(ticket) if role != "brief" else "{BRIEF}"
        case = Case("good", role, (command, target), "none")  # type: ignore[arg-type]
        good[command] = run_in_subprocess(case, workdir)
    return good


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--markdown", action="store_true", help="print the per-case table as Markdown")
    parser.add_argument("--timeout", type=float, default=120, help="seconds before a hung case is killed")
    args = parser.parse_args()
    rows: list[tuple[Case, Run, list[str]]] = []
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        good = _good_runs(scratch)
        for number, case in enumerate(CASES):
            workdir = scratch / f"case-{number}"
            workdir.mkdir()
            run = run_in_subprocess(case, workdir, args.timeout)
            rows.append((case, run, problems(case, run)))
    ok = sum(1 for *_, found in rows if not found)
    print(f"CLI bad input: {ok}/{len(rows)} cases exit 2 with one 'error:' line, no traceback, input unchanged")
    print(
        "good input, same commands (peak RSS): "
        + ", ".join(f"{c} {r.max_rss_kb / 1024:.0f} MB" for c, r in good.items())
    )
    rss = [run.max_rss_kb / 1024 for _, run, _ in rows if run.max_rss_kb]
    worst = max(rows, key=lambda row: row[1].max_rss_kb or 0)
    print(
        f"bad input peak RSS: median {sorted(rss)[len(rss) // 2]:.0f} MB, max {max(rss):.0f} MB ({worst[0].id}); "
        f"slowest {max(r.wall_s or 0 for _, r, _ in rows):.1f} s"
    )
    if args.markdown:
        print("\n| case | exit | peak RSS MB | wall s | message |\n|---|---|---|---|---|")
    for case, run, found in rows:
        message = run.stderr.strip().replace("|", "/")[:110]
        rss_mb = f"{run.max_rss_kb / 1024:.0f}" if run.max_rss_kb else "?"
        if args.markdown:
            print(f"| {case.id} | {run.exit_code} | {rss_mb} | {run.wall_s:.1f} | {message} |")
        else:
            status = "ok  " if not found else "FAIL"
            print(f"{status} {case.id:42} exit {run.exit_code}  {rss_mb:>4} MB  {run.wall_s:5.1f} s  {message}")
        for problem in found:
            print(f"       - {problem}")
    return 0 if ok == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
