"""Run the real engine as a child process, as a user would."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Self

import httpx

from tests.environments import engine_python

REPO = Path(__file__).resolve().parents[2]
START_DEADLINE_S = 30.0


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class EngineProcess:
    """`python -m engine` in a data directory, with its output captured to files.

    The engine's own environment runs it (tests/environments.py), also when the test runs in
    Home Assistant's.
    """

    def __init__(
        self, data_dir: Path, env: dict[str, str] | None = None, command: list[str] | None = None
    ) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("HOMEIQ_", "HA_"))},
            "HOMEIQ_DATA_DIR": str(data_dir),
            "HOMEIQ_PORT": str(self.port),
            **(env or {}),
        }
        self.command = command or [str(engine_python()), "-m", "engine"]
        self.process: subprocess.Popen[bytes] | None = None
        self._stdout: IO[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self.runs = 0

    def start(self) -> Self:
        """Start the process and wait until /health answers."""
        self.runs += 1
        self._stdout = (self.data_dir.parent / f"engine-{self.runs}.out").open("wb")
        self._stderr = (self.data_dir.parent / f"engine-{self.runs}.err").open("wb")
        self.process = subprocess.Popen(
            self.command, cwd=REPO, env=self.env, stdout=self._stdout, stderr=self._stderr
        )
        deadline = time.monotonic() + START_DEADLINE_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"engine exited with {self.process.returncode}: {self.stderr}")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise TimeoutError(f"engine did not answer /health in {START_DEADLINE_S} s: {self.stderr}")

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 30.0) -> int:
        """Send a signal and wait for the process to end; return its exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(timeout=timeout)
        for handle in (self._stdout, self._stderr):
            if handle is not None:
                handle.close()
        return code

    def _output(self, suffix: str) -> str:
        return "".join(
            (self.data_dir.parent / f"engine-{run}.{suffix}").read_text(errors="replace")
            for run in range(1, self.runs + 1)
        )

    @property
    def stdout(self) -> str:
        """Everything every run printed on stdout."""
        return self._output("out")

    @property
    def stderr(self) -> str:
        """Everything every run logged on stderr."""
        return self._output("err")

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.process is not None and self.process.poll() is None:
            self.stop(signal.SIGKILL)
