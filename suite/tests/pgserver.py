"""A throw-away PostgreSQL server for the tests: initdb + pg_ctl in a temporary directory.

The server listens on a Unix socket inside that directory only (listen_addresses = ''), on a
port number no other server on this machine uses, so it can neither collide with nor be reached
from anything else. initdb refuses to run as root: as root, the data directory belongs to
`nobody` and the server runs as that user (runuser); the tests connect over the socket with
trust authentication as the server's superuser. Never a mock: this is Debian's real server.
"""
from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

BIN_DIRS = (Path("/usr/lib/postgresql/15/bin"), *sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                                                         reverse=True))


def binaries() -> Path | None:
    """binaries() is the directory holding initdb and pg_ctl, or None when not installed."""
    for directory in BIN_DIRS:
        if (directory / "initdb").is_file() and (directory / "pg_ctl").is_file():
            return directory
    return None


def _free_port() -> int:
    """_free_port() is a TCP port nothing listens on (the socket file is named after it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """Server is a running throw-away PostgreSQL; stop() removes everything it made."""

    def __init__(self) -> None:
        bin_dir = binaries()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL server binaries are not installed")
        self.root = Path(tempfile.mkdtemp(prefix="goro-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.user = "nobody" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        if os.geteuid() == 0:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self._as_user([str(bin_dir / "initdb"), "-D", str(self.data), "--auth=trust",
                       "--username", self.user, "--encoding=UTF8", "--no-sync"], timeout=120)
        self._as_user([str(bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"),
                       "-w", "-t", "60", "-o",
                       f"-c listen_addresses='' -c unix_socket_directories={self.root} "
                       f"-p {self.port} -c fsync=off", "start"], timeout=90)
        self._pg_ctl = bin_dir / "pg_ctl"
        self._counter = 0

    def _as_user(self, argv: list[str], timeout: float) -> None:
        if os.geteuid() == 0:
            argv = ["runuser", "-u", self.user, "--", *argv]
        completed = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                                   cwd=self.root)
        if completed.returncode != 0:
            log = (self.root / "log").read_text() if (self.root / "log").exists() else ""
            raise RuntimeError(f"{' '.join(argv)} failed: {completed.stderr.strip()} {log[-800:]}")

    def url(self, database: str = "postgres") -> str:
        """url() is a postgresql:// URL for a database on this server (socket in the temp dir)."""
        return f"postgresql:///{database}?host={self.root}&port={self.port}&user={self.user}"

    def new_database(self) -> str:
        """new_database() creates an empty database and returns its URL."""
        import psycopg2
        self._counter += 1
        name = f"goro_test_{self._counter}_{int(time.monotonic() * 1000) % 100000}"
        connection = psycopg2.connect(self.url())
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()
        return self.url(name)

    def stop(self) -> None:
        """stop() shuts the server down fast and deletes its directory."""
        try:
            self._as_user([str(self._pg_ctl), "-D", str(self.data), "-m", "fast", "-w", "stop"],
                          timeout=60)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
