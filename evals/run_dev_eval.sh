#!/usr/bin/env bash
# The dev-set eval behind evals/reports/public-dev__*: the plain prose baseline and the typed,
# grounded, rule-checked brief, on the 160 rows of ../shared/datasets/public-dev.jsonl and the same
# embedded model. Model traffic is recorded to evals/.recordings/ (not committed: most dev rows'
# licences forbid copying their text) so bench/bench_eval_replay.py can replay the run.
#
#   ESCALATE_EMBEDDED_MODEL=qwen2.5-coder-0.5b ESCALATE_PARALLEL=2 CONCURRENCY=2 bash evals/run_dev_eval.sh
#
# SAMPLE=40 drafts a stratified 40-row sample instead (every source in turn). CONCURRENCY drafts that
# many cases at once; give the embedded server as many slots (ESCALATE_PARALLEL) or they queue.
# Run again, it replays what the recordings hold (seconds) and drafts only what is missing; the
# response cache is bypassed so every figure is recomputed by the current code. Replayed cases
# carry no latency (the report counts the cases it timed).
set -euo pipefail
cd "$(dirname "$0")/.."
ESCALATE="${ESCALATE:-escalate}"
command -v "$ESCALATE" >/dev/null || ESCALATE=.venv/bin/escalate
SAMPLE="${SAMPLE:-160}"
CONCURRENCY="${CONCURRENCY:-1}"
mkdir -p evals/.recordings
for prompt in baseline@v1 brief@v1; do
  "$ESCALATE" eval --dataset public-dev --sample "$SAMPLE" --prompt "$prompt" --concurrency "$CONCURRENCY" \
    --cassette "evals/.recordings/public-dev-sample${SAMPLE}_${prompt/@/_}.yaml" --record --no-cache --fresh
done
