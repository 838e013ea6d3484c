"""Ctrl-C deferred to where a long loop can stop cleanly and save (training, adaptation)."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def deferred_sigint() -> Iterator[Callable[[], bool]]:
    """Within the block the first Ctrl-C (SIGINT) only sets a flag that the loop reads
    where it can stop (between steps: a step's donated state is never lost half-way); the
    returned callable says whether it was pressed. A second Ctrl-C interrupts at once.
    Outside the main thread nothing changes."""
    pressed = []
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return

    def handler(signum, frame):
        if pressed:
            raise KeyboardInterrupt
        pressed.append(True)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield lambda: bool(pressed)
    finally:
        signal.signal(signal.SIGINT, previous)
