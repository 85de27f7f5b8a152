"""The eval suite: cases are data, scorers are pure functions, the runner drives the drafting service.

cases.py    Case model and dataset loaders (committed JSONL + the shared public rows read in place)
runner.py   runs a drafter over cases: thread pool, progress bar, response cache, resumable results
adapters.py turns a DraftResult or a prose completion into the normalised Outcome the scorers read
metrics.py  pure scorers over (case, outcome) pairs
compare.py  paired bootstrap deltas between two reports, and the cases that flipped
report.py   JSON + Markdown reports
gate.py     CI gate: metrics of a report against evals/thresholds.toml
reviewed.py approved briefs -> dataset rows
"""
