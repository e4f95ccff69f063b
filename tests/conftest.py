"""Suite-wide guard: a leaked worker thread fails the run instead of hanging it."""

from __future__ import annotations

import os
import sys
import threading

import pytest

_exit_status = 0


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remember how the session ended, for the guard below."""
    global _exit_status  # noqa: PLW0603 - pytest hooks share state through the module
    _exit_status = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Exit at once, failing, when a non-daemon thread (e.g. aiosqlite's) was left running.

    The interpreter would otherwise wait for it forever, and CI would time out with no
    word of which test leaked it.
    """
    leaked = [
        thread.name
        for thread in threading.enumerate()
        if thread is not threading.main_thread() and not thread.daemon and thread.is_alive()
    ]
    if leaked:
        sys.stderr.write(f"\nLeaked non-daemon threads (a connection not closed?): {leaked}\n")
        sys.stderr.flush()
        os._exit(_exit_status or 1)
