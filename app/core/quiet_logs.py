"""Library log levels, set by logger name so that setting them imports nothing heavy."""

import logging


def quiet_instructor_logs() -> None:
    """Silence instructor's per-attempt ERROR lines. With no handler configured Python prints them
    to stderr, above our own report of the same failure: the receipt names every re-ask and a
    BackendError names the cause, so the lines are noise for a CLI user or a report reader."""
    logging.getLogger("instructor").setLevel(logging.CRITICAL)
