"""A private PostgreSQL server for tests: Debian's binaries, a cluster in a temporary folder.

``start_cluster()`` runs initdb and pg_ctl from /usr/lib/postgresql/*/bin on a
free loopback port (and a unix socket in the same folder), with password
authentication over TCP, and returns a :class:`Cluster` that creates
databases and roles and stops the server. As root (CI containers), the
server runs as the ``postgres`` user through ``runuser``: PostgreSQL refuses
to run as root. Nothing outside the temporary folder is touched.
"""

from __future__ import annotations

import getpass
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"


def binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    return Path(found[-1]).parent if found else None


def _version(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    bin: Path
    root: Path
    port: int
    run_as: list[str]

    @property
    def socket_dir(self) -> str:
        return str(self.root)

    def admin(self, dbname: str = "postgres") -> object:
        import psycopg

        return psycopg.connect(
            host=self.socket_dir, port=self.port, user=SUPERUSER, dbname=dbname, autocommit=True
        )

    def url(self, user: str, password: str, dbname: str) -> str:
        return f"postgresql+psycopg://{user}:{password}@127.0.0.1:{self.port}/{dbname}"

    def stop(self) -> None:
        subprocess.run(
            [
                *self.run_as,
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.root / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def _run_as() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(SUPERUSER)
    except KeyError as error:
        raise RuntimeError(
            "running as root needs the postgres user (apt-get install postgresql)"
        ) from error
    return ["runuser", "-u", SUPERUSER, "--"]


@contextmanager
def cluster() -> Iterator[Cluster]:
    """A running server for the duration of the block."""
    bin_dir = binaries()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL is not installed (apt-get install postgresql)")
    run_as = _run_as()
    root = Path(tempfile.mkdtemp(prefix="planc-pg-"))
    if run_as:
        shutil.chown(root, user=SUPERUSER)
    port = free_port()
    started = Cluster(bin_dir, root, port, run_as)
    owner = SUPERUSER if run_as else getpass.getuser()
    try:
        subprocess.run(
            [
                *run_as,
                str(bin_dir / "initdb"),
                "-D",
                str(root / "data"),
                "-U",
                SUPERUSER,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C",
            ],
            check=True,
            capture_output=True,
        )
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off"
        subprocess.run(
            [
                *run_as,
                str(bin_dir / "pg_ctl"),
                "-D",
                str(root / "data"),
                "-o",
                options,
                "-l",
                str(root / "server.log"),
                "-w",
                "-t",
                "60",
                "start",
            ],
            check=True,
            capture_output=True,
        )
        del owner
        yield started
    finally:
        started.stop()
