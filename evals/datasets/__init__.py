"""Eval datasets (JSONL). A package only so the files ship with the wheel; see README.md here."""
