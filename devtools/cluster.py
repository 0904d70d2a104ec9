"""The production profile on one machine: one action server and several Rasa
servers sharing a PostgreSQL tracker store and a Redis lock store, as behind a
load balancer. Used by the tests and the load benchmark; a real deployment
starts the same commands on several machines (README, "Production")."""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional

from bot import servers
from bot.retention import tracker_store


@dataclass
class Cluster:
    model: Path
    actions: servers.Server
    env: Dict[str, str]
    logs: Path
    rasa: List[servers.Server] = field(default_factory=list)

    def spawn(self, index: int, port: int) -> servers.Server:
        log = self.logs / f"rasa-{index}.log"
        server = servers.spawn_rasa_server(self.model, self.actions.url, port, log, env=self.env, profile="prod")
        if index < len(self.rasa):
            self.rasa[index] = server
        else:
            self.rasa.append(server)
        return server

    def restart(self, index: int, timeout: float = 300) -> servers.Server:
        """Stops one Rasa server and starts it again on the same port."""
        self.rasa[index].stop()
        return servers.wait_until_up(self.spawn(index, self.rasa[index].port), "/", timeout)

    def stop(self) -> None:
        for server in self.rasa:
            server.stop()
        self.actions.stop()


def create_tables(env: Dict[str, str]) -> None:
    """Rasa creates the events table on start; two servers starting at once
    would race to create it, so it is made here first."""
    tracker_store(servers.PROD_ENDPOINTS, env=env)


@contextlib.contextmanager
def running_cluster(
    model: Path,
    store_env: Dict[str, str],
    count: int = 2,
    log_dir: Optional[Path] = None,
    env: Optional[Dict[str, str]] = None,
    timeout: float = 300,
) -> Iterator[Cluster]:
    """`count` Rasa servers on the production profile, started side by side."""
    logs = log_dir or Path(tempfile.mkdtemp(prefix="crmo-cluster-"))
    logs.mkdir(parents=True, exist_ok=True)
    # The action server keeps the questions for the team in the same database.
    actions = servers.start_action_server(
        servers.free_port(), logs / "action-server.log", env={**store_env, **(env or {})}
    )
    server_env = {**store_env, **(env or {}), "ACTION_SERVER_URL": f"{actions.url}/webhook"}
    cluster = Cluster(model, actions, server_env, logs)
    try:
        create_tables(server_env)
        for index in range(count):
            cluster.spawn(index, servers.free_port())
        for server in cluster.rasa:
            servers.wait_until_up(server, "/", timeout)
        yield cluster
    finally:
        cluster.stop()
