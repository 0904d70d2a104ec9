"""Starts and stops the action server and the Rasa server as child processes
on loopback ports, the same way for the run command, the tests and the
benchmark."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence

import yaml

from bot import settings
from bot.paths import CREDENTIALS, ENDPOINTS, PROD_ENDPOINTS, PROJECT

LOOPBACK = "127.0.0.1"
# Library deprecation notices are for Rasa's maintainers, not for someone
# chatting in the shell; Rasa's own warnings (UserWarning) still show.
QUIET_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "PYTHONUNBUFFERED": "1",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONWARNINGS": "ignore::DeprecationWarning",
}
# One message at a time is a tiny matrix product: one TensorFlow thread is
# faster than several, and leaves the other core to the action server.
SERVER_ENV = {"TF_INTRA_OP_PARALLELISM_THREADS": "1", "TF_INTER_OP_PARALLELISM_THREADS": "1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_env(extra: Optional[Dict[str, str]] = None) -> dict:
    """The environment of a server: this process's, quieter, plus `extra`."""
    return {**os.environ, **QUIET_ENV, **SERVER_ENV, **(extra or {})}


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    port: int
    log: Optional[Path]
    temporary: List[Path] = field(default_factory=list)  # removed on stop

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for path in self.temporary:
            path.unlink(missing_ok=True)

    def log_tail(self, lines: int = 40) -> str:
        if not self.log or not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def wait_until_up(server: Server, health: str, timeout: float) -> Server:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not server.alive():
            raise RuntimeError(f"{server.name} exited early:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(server.url + health, timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"{server.name} did not start within {timeout:.0f} s:\n{server.log_tail()}")


def _spawn(name: str, args: Sequence[str], port: int, log: Optional[Path], env: Optional[dict] = None) -> Server:
    command = [sys.executable, "-m", *args]
    env = env or child_env()
    if log is None:
        process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    else:
        with open(log, "w") as out:  # the child keeps its own copy of the handle
            process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return Server(name, process, port, log)


def start_action_server(
    port: int,
    log: Optional[Path] = None,
    timeout: float = 60,
    host: str = LOOPBACK,
    env: Optional[Dict[str, str]] = None,
) -> Server:
    """rasa-sdk listens on every interface unless SANIC_HOST says otherwise: by
    default it listens on loopback only, next to the Rasa server that calls it.
    `env` adds to its environment (the production profile's DB_*: the
    questions for the team live there)."""
    env = {"SANIC_HOST": host, **child_env(env)}
    args = ["rasa_sdk", "--actions", "actions", "--port", str(port)]
    server = _spawn("action server", args, port, log, env)
    return wait_until_up(server, "/health", timeout)


def endpoints_for(action_url: str, base: Path = ENDPOINTS) -> Path:
    """A copy of endpoints.yml that points at the given action server."""
    config = yaml.safe_load(base.read_text()) or {}
    config["action_endpoint"] = {**(config.get("action_endpoint") or {}), "url": f"{action_url}/webhook"}
    handle, name = tempfile.mkstemp(prefix="endpoints-", suffix=".yml")
    with os.fdopen(handle, "w") as file:
        yaml.safe_dump(config, file)
    return Path(name)


def rasa_args(
    command: str, model: Path, endpoints: Path, port: int, api_token: str = "", host: str = LOOPBACK
) -> List[str]:
    """`rasa run` or `rasa shell` (through bot.rasa_ext.runtime), on loopback unless
    `host` says otherwise. Rasa's
    HTTP API (conversations, model, ...) stays off unless a token is given,
    and then every call to it needs that token."""
    api = ["--enable-api", "--auth-token", api_token] if api_token else []
    return [
        "bot.rasa_ext.runtime",
        command,
        "--model",
        str(model),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(CREDENTIALS),
        "--interface",
        host,
        "--port",
        str(port),
        *api,
    ]


def start_rasa_server(*args: object, timeout: float = 240, **kwargs: object) -> Server:
    return wait_until_up(spawn_rasa_server(*args, **kwargs), "/", timeout)  # type: ignore[arg-type]


def spawn_rasa_server(
    model: Path,
    action_url: str,
    port: int,
    log: Optional[Path] = None,
    env: Optional[Dict[str, str]] = None,
    profile: str = "default",
    host: str = LOOPBACK,
) -> Server:
    """`profile` "prod" reads endpoints.prod.yml: the stores and the action
    server's address from the environment (DB_*, REDIS_*, ACTION_SERVER_URL)."""
    env = dict(env or {})
    if profile == "prod":
        if action_url:  # else ACTION_SERVER_URL comes from the environment
            env.setdefault("ACTION_SERVER_URL", f"{action_url}/webhook")
        endpoints = PROD_ENDPOINTS
    else:
        endpoints = endpoints_for(action_url)
    full_env = child_env(env)
    args = rasa_args("run", model, endpoints, port, full_env.get(settings.API_TOKEN, ""), host)
    server = _spawn(f"Rasa server :{port}", args, port, log, full_env)
    if profile != "prod":
        server.temporary.append(endpoints)
    return server


@contextlib.contextmanager
def running_bot(model: Path, log_dir: Optional[Path] = None, env: Optional[Dict[str, str]] = None) -> Iterator[tuple]:
    """An action server and a Rasa server on free loopback ports, stopped on exit;
    `env` adds to the Rasa server's environment (channel settings)."""
    logs = log_dir or Path(tempfile.mkdtemp(prefix="crmo-logs-"))
    logs.mkdir(parents=True, exist_ok=True)
    actions = start_action_server(free_port(), logs / "action-server.log")
    try:
        rasa = start_rasa_server(model, actions.url, free_port(), logs / "rasa-server.log", env=env)
        try:
            yield rasa, actions
        finally:
            rasa.stop()
    finally:
        actions.stop()
