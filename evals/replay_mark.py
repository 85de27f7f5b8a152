"""Which eval cases were answered from a recording, per worker thread.

A replayed answer arrives in milliseconds, so its latency describes the cassette, not the model:
the runner clears the mark before each case, the cassette sets it when it plays a response (on
the thread that sent the request), and the case's outcome says whether it was replayed.
"""

import threading

_local = threading.local()


def clear() -> None:
    _local.replayed = False


def mark() -> None:
    _local.replayed = True


def replayed() -> bool:
    return bool(getattr(_local, "replayed", False))
