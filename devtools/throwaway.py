"""Throwaway PostgreSQL and Redis servers for the tests and the load benchmark, so
that the production profile (endpoints.prod.yml) runs for real without touching
a system-wide server or its data.

Each server listens on a free 127.0.0.1 port and keeps everything (data, socket,
log, config) in its own temp directory, removed when the server is closed (or at
interpreter exit). Speed matters more than durability here: PostgreSQL runs with
fsync off and Redis without persistence.

    with throwaway.Postgres() as db, throwaway.Redis() as cache:
        env = {**db.env(), **cache.env()}   # the DB_* and REDIS_* endpoints.prod.yml reads
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from bot.servers import free_port

LOOPBACK = "127.0.0.1"
PG_HINT = "install the PostgreSQL server with `apt-get install postgresql`"
REDIS_HINT = "install the Redis server with `apt-get install redis-server`"
# Durability off, small memory: a test database that starts in about a second.
PG_SETTINGS = {
    "listen_addresses": f"'{LOOPBACK}'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "16MB",
    # Several Rasa servers under load each keep a connection pool.
    "max_connections": "200",
}
# Superuser `postgres` trusted on the private socket only; TCP needs a password.
INITDB_ARGS = (
    "-U",
    "postgres",
    "-E",
    "UTF8",
    "--locale=C",
    "--no-sync",
    "--auth-local=trust",
    "--auth-host=scram-sha-256",
)


class ServiceError(RuntimeError):
    """A throwaway server could not be found, started or stopped."""


def _run(args: Sequence[str], cwd: Path, what: str) -> str:
    result = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise ServiceError(f"{what} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result.stdout


def _tail(path: Path, lines: int = 20) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def pg_bin_dir() -> Path:
    """Debian's newest PostgreSQL server binaries (they are not on PATH), or those on PATH."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if versions:
        return versions[-1].parent
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).parent
    raise ServiceError(f"PostgreSQL server binaries (initdb, pg_ctl) not found: {PG_HINT}")


def redis_binary() -> Path:
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    if not found:
        raise ServiceError(f"redis-server not found: {REDIS_HINT}")
    return Path(found)


class _Throwaway:
    """Temp directory and exit-time cleanup shared by both servers."""

    def __init__(self, prefix: str) -> None:
        self.host = LOOPBACK
        self.port = free_port()
        self.password = secrets.token_hex(16)
        self.root = Path(tempfile.mkdtemp(prefix=prefix))
        self.running = False
        atexit.register(self.close)

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Stops the server and deletes all its data."""
        try:
            if self.running:
                self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            atexit.unregister(self.close)

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Postgres(_Throwaway):
    """A fresh cluster with one database owned by one password-protected user,
    reached over TCP like production (scram-sha-256). The superuser `postgres`
    only connects through the socket in the temp directory."""

    def __init__(self, db: str = "crmo", user: str = "crmo") -> None:
        self.bin = pg_bin_dir()
        super().__init__("crmo-pg-")
        self.db, self.user = db, user
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        try:
            self._init_cluster()
            self.start()
            self._create_role()
            self.create_database(self.db)
        except BaseException:
            self.close()
            raise

    def env(self) -> Dict[str, str]:
        """The variables endpoints.prod.yml reads for the tracker store."""
        return {
            "DB_HOST": self.host,
            "DB_PORT": str(self.port),
            "DB_NAME": self.db,
            "DB_USER": self.user,
            "DB_PASSWORD": self.password,
        }

    def _command(self, tool: str, *args: str) -> List[str]:
        """PostgreSQL refuses to run as root: then its tools run as the `postgres` user."""
        command = [str(self.bin / tool), *args]
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command

    def _init_cluster(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        _run(self._command("initdb", "-D", str(self.data), *INITDB_ARGS), self.root, "initdb")
        settings = {**PG_SETTINGS, "port": str(self.port), "unix_socket_directories": f"'{self.root}'"}
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    def start(self) -> None:
        """Starts the server (again) on the same port with the same data."""
        if self.running:
            return
        try:
            _run(
                self._command("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start"),
                self.root,
                "pg_ctl start",
            )
        except ServiceError as error:
            raise ServiceError(f"{error}\n{_tail(self.log)}") from None
        self.running = True

    def stop(self) -> None:
        """Fast shutdown: open sessions are ended, committed data stays."""
        if self.running:
            _run(self._command("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop"), self.root, "pg_ctl stop")
            self.running = False

    def _superuser(self):
        """A connection as `postgres` through the private socket (trusted there)."""
        import psycopg2

        connection = psycopg2.connect(host=str(self.root), port=self.port, user="postgres", dbname="postgres")
        connection.autocommit = True
        return connection

    def _create_role(self) -> None:
        from psycopg2 import sql

        with contextlib.closing(self._superuser()) as connection, connection.cursor() as cursor:
            cursor.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD %s").format(sql.Identifier(self.user)), (self.password,)
            )

    def create_database(self, name: str) -> Dict[str, str]:
        """Another empty database owned by the same user (one per test keeps tests
        apart); returns env() pointing at it."""
        from psycopg2 import sql

        with contextlib.closing(self._superuser()) as connection, connection.cursor() as cursor:
            statement = sql.SQL("CREATE DATABASE {} OWNER {}")
            cursor.execute(statement.format(sql.Identifier(name), sql.Identifier(self.user)))
        return {**self.env(), "DB_NAME": name}


class Redis(_Throwaway):
    """A password-protected Redis with no persistence: a restart empties it, as a
    lock store may be (Rasa's locks only live while a message is processed)."""

    def __init__(self) -> None:
        self.binary = redis_binary()
        super().__init__("crmo-redis-")
        self.log = self.root / "redis.log"
        self.process: Optional[subprocess.Popen] = None
        # The password goes in a private file rather than on the command line (ps).
        self.config = self.root / "redis.conf"
        self.config.write_text(
            f"bind {LOOPBACK}\nport {self.port}\nrequirepass {self.password}\n"
            f'save ""\nappendonly no\ndir {self.root}\nlogfile {self.log}\ndaemonize no\n'
        )
        self.config.chmod(0o600)
        try:
            self.start()
        except BaseException:
            self.close()
            raise

    def env(self) -> Dict[str, str]:
        """The variables endpoints.prod.yml reads for the lock store."""
        return {
            "REDIS_HOST": self.host,
            "REDIS_PORT": str(self.port),
            "REDIS_PASSWORD": self.password,
            "REDIS_DB": "0",
        }

    def client(self):
        import redis as redis_py

        return redis_py.Redis(host=self.host, port=self.port, password=self.password, db=0, socket_timeout=5)

    def start(self, timeout: float = 15) -> None:
        if self.running:
            return
        self.process = subprocess.Popen([str(self.binary), str(self.config)], cwd=self.root, stdout=subprocess.DEVNULL)
        self.running = True
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        import redis as redis_py

        deadline = time.monotonic() + timeout
        client = self.client()
        try:
            while not self._answers(client, redis_py.ConnectionError):
                if self.process.poll() is not None:
                    self.running = False
                    raise ServiceError(f"redis-server exited ({self.process.returncode}):\n{_tail(self.log)}")
                if time.monotonic() > deadline:
                    raise ServiceError(f"redis-server did not answer within {timeout:.0f}s:\n{_tail(self.log)}")
                time.sleep(0.02)
        finally:
            client.close()

    @staticmethod
    def _answers(client, error: type) -> bool:
        try:
            return bool(client.ping())
        except error:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.running = False
