"""Rebuild public_open.jsonl: the rows of ../shared/datasets/public-dev.jsonl we may commit.

Only sources whose licence allows redistribution (GitBugs, CC BY 4.0; FARSEC, EPL-1.0) are copied,
each row carrying its source, repo, path, commit and licence. Every other row stays in ../shared
and is read there at run time (`--dataset public-restricted`).

    python -m evals.datasets.build_public [--source PATH] [--out PATH]
"""

import argparse
import json
from pathlib import Path

from evals.cases import DATASETS_DIR, OPEN_LICENCES, SHARED_PUBLIC_DEV, load_shared_public

OUT = DATASETS_DIR / "public_open.jsonl"


def build(source: Path = SHARED_PUBLIC_DEV, out: Path = OUT) -> int:
    cases = load_shared_public(source, committable=True)
    lines = [json.dumps(c.model_dump(mode="json", exclude_defaults=True), ensure_ascii=False) for c in cases]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(cases)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SHARED_PUBLIC_DEV)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    count = build(args.source, args.out)
    print(f"wrote {count} rows ({', '.join(sorted(OPEN_LICENCES))}) to {args.out}")


if __name__ == "__main__":
    main()
