"""A throwaway PostgreSQL server (Debian's, installed by scripts/setup) for the store's tests.

`initdb` makes a cluster in a temp directory and `postgres` serves it on a free loopback port
(and a unix socket in that directory), with password authentication over TCP, as the engine
reaches a real server. Durability is off: the cluster lives for one test session.
Run `scripts/postgres` for one to try the engine against by hand.
"""

from __future__ import annotations

import itertools
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.engine.process import free_port

START_DEADLINE_S = 30.0
STOP_DEADLINE_S = 15.0
USER = "homeiq"
# Quoted in URLs: characters that need percent-encoding must survive the round trip.
PASSWORD = "pg:pä55@word/do-not-leak"
# Debian installs the server's programs here, outside PATH (pg_wrapper covers only clients).
DEBIAN_BINARIES = Path("/usr/lib/postgresql")
# For speed: nothing survives a crash of a cluster that lives for one test session anyway.
SERVER_OPTIONS = (
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "max_connections=300",
    "log_min_messages=warning",
)
_names = itertools.count(1)


class PostgresMissingError(RuntimeError):
    """PostgreSQL's server programs are not installed."""


@dataclass(frozen=True, slots=True)
class PostgresServer:
    """A running cluster: where it listens and its superuser's credentials."""

    port: int
    socket_dir: Path
    bindir: Path
    user: str = USER
    password: str = PASSWORD
    host: str = "127.0.0.1"

    def url(self, database: str, *, driver: str = "asyncpg", password: str | None = None) -> str:
        """Return a SQLAlchemy URL of a database on this server, the password quoted."""
        from urllib.parse import quote  # noqa: PLC0415 - only the URL needs it

        secret = quote(self.password if password is None else password, safe="")
        return f"postgresql+{driver}://{self.user}:{secret}@{self.host}:{self.port}/{database}"

    def admin(self, statement: str) -> None:
        """Run one SQL statement as the superuser, over the unix socket with psql."""
        command = [
            str(self.bindir / "psql"),
            "--no-psqlrc",
            "--quiet",
            "--set=ON_ERROR_STOP=1",
            f"--host={self.socket_dir}",
            f"--port={self.port}",
            f"--username={self.user}",
            "--dbname=postgres",
            f"--command={statement}",
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"psql failed on {statement!r}: {result.stderr}")

    def create_database(self) -> str:
        """Create an empty database with a name unique in this process and return the name."""
        name = f"homeiq_{os.getpid()}_{next(_names)}"
        self.admin(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database, closing whatever connections a test left open on it."""
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    @contextmanager
    def database(self) -> Iterator[str]:
        """Yield the asyncpg URL of a fresh database, dropped afterwards."""
        name = self.create_database()
        try:
            yield self.url(name)
        finally:
            self.drop_database(name)


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name))


def binaries() -> Path:
    """Return the folder of initdb and postgres: Debian's newest, else the one on PATH."""
    installed = sorted(DEBIAN_BINARIES.glob("*/bin/initdb"), key=_version_key)
    if installed:
        return installed[-1].parent
    found = shutil.which("initdb")
    if found is not None:
        return Path(found).resolve().parent
    raise PostgresMissingError(
        "PostgreSQL is missing: run ./scripts/setup (it installs Debian's postgresql)"
    )


def require_binaries() -> Path:
    """Return the server's programs; without them fail in CI, skip elsewhere."""
    try:
        return binaries()
    except PostgresMissingError as error:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(str(error))
        pytest.skip(str(error))


def _server_account() -> pwd.struct_passwd | None:
    """Return the account to run the server as when running as root (initdb refuses root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresMissingError("running as root, and neither a postgres nor a nobody user exists")


def _run(command: list[str], account: pwd.struct_passwd | None, cwd: Path) -> None:
    result = subprocess.run(
        command,
        cwd=cwd,
        user=account.pw_uid if account else None,
        group=account.pw_gid if account else None,
        extra_groups=[] if account else None,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({result.returncode}): {result.stderr}")


def _wait_until_ready(
    process: subprocess.Popen[bytes], bindir: Path, port: int, socket_dir: Path, log: Path
) -> None:
    """Poll pg_isready until the server accepts connections, or fail with its log."""
    deadline = time.monotonic() + START_DEADLINE_S
    probe = [str(bindir / "pg_isready"), "-q", "-h", str(socket_dir), "-p", str(port), "-t", "1"]
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"postgres exited with {process.returncode}: {log.read_text()}")
        if subprocess.run(probe, check=False).returncode == 0:
            return
        time.sleep(0.02)  # poll interval, bounded by the deadline
    raise TimeoutError(f"postgres was not ready in {START_DEADLINE_S} s: {log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    # SIGINT is PostgreSQL's fast shutdown: open sessions are ended, not waited for.
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=STOP_DEADLINE_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_DEADLINE_S)


@contextmanager
def running_server(bindir: Path | None = None) -> Iterator[PostgresServer]:
    """Start a fresh cluster in a temp directory; stop it and remove the directory after."""
    bindir = bindir or binaries()
    account = _server_account()
    # Not pytest's tmp_path: as root that sits in a 0700 folder the server's user cannot enter.
    root = Path(tempfile.mkdtemp(prefix="homeiq-postgres-"))
    try:
        if account is not None:
            os.chown(root, account.pw_uid, account.pw_gid)
        password_file = root / "password"
        password_file.write_text(PASSWORD)
        if account is not None:
            os.chown(password_file, account.pw_uid, account.pw_gid)
        data = root / "data"
        _run(
            [
                str(bindir / "initdb"),
                "--pgdata",
                str(data),
                "--username",
                USER,
                "--pwfile",
                str(password_file),
                "--auth-host=scram-sha-256",
                "--auth-local=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
            account,
            root,
        )
        password_file.unlink()
        port = free_port()
        options = [f"--{option}" for option in SERVER_OPTIONS]
        log = root / "postgres.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [
                    str(bindir / "postgres"),
                    "-D",
                    str(data),
                    "-p",
                    str(port),
                    "-k",
                    str(root),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    *options,
                ],
                cwd=root,
                stdout=output,
                stderr=subprocess.STDOUT,
                user=account.pw_uid if account else None,
                group=account.pw_gid if account else None,
                extra_groups=[] if account else None,
            )
            try:
                _wait_until_ready(process, bindir, port, root, log)
                yield PostgresServer(port=port, socket_dir=root, bindir=bindir)
            finally:
                _stop(process)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    """Run a throwaway server until interrupted, printing its URL (scripts/postgres)."""
    stop_signals = {signal.SIGINT, signal.SIGTERM}
    # Blocked before the server starts: a Ctrl-C then ends the wait below, not the cleanup.
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    with running_server() as server:
        name = server.create_database()
        print(f"DATABASE_URL={server.url(name)}", flush=True)
        signal.sigwait(stop_signals)


if __name__ == "__main__":
    main()
