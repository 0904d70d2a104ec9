"""Privacy: a conversation is kept no longer than CRMO_RETENTION_DAYS days (default
30) after its last event, then deleted whole (`python -m bot forget`, run daily),
and so is a question passed to the team (bot/team_questions.py).

Whole conversations, never parts: a family who comes back after three weeks keeps
the earlier turns too, and no tracker is ever left with a hole in its history.
Only Rasa's SQL tracker store (the production profile) is supported: the deletion
is one transaction on its `events` table, which Rasa's tracker store API has no
call for.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, List, Mapping, Optional, Sequence

from bot import settings
from bot.paths import PROD_ENDPOINTS
from bot.team_questions import team_questions

# Rasa's and SQLAlchemy's deprecation notices are for their maintainers, not for
# whoever runs the command.
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import sqlalchemy as sa
    from rasa.core.tracker_store import SQLTrackerStore, TrackerStore, is_postgresql_url, validate_port
    from rasa.shared.exceptions import RasaException
    from rasa.shared.utils.common import class_from_module_path
    from rasa.utils.endpoints import read_endpoint_config

if TYPE_CHECKING:
    from rasa.shared.core.domain import Domain
    from rasa.utils.endpoints import EndpointConfig

# Bound parameters per DELETE statement (databases cap them).
CHUNK = 500
CONNECT_TIMEOUT_S = 10


class TrackerStoreError(RuntimeError):
    """The endpoints file names no usable tracker store for this command."""


@dataclass(frozen=True)
class Forgotten:
    conversations: int
    events: int
    cutoff: float


def cutoff(days: float, now: Optional[float] = None) -> float:
    """The Unix time before which a conversation's last event makes it too old."""
    return (time.time() if now is None else now) - days * 86400


def utc(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def tracker_store(
    endpoints: Path = PROD_ENDPOINTS, domain: Optional[Domain] = None, env: Optional[Mapping[str, str]] = None
) -> TrackerStore:
    """The tracker store the Rasa server uses, built the way Rasa builds it
    (environment variables expanded by Rasa, which names any that is unset).
    `env`: variables to expand with, beside this process's own."""
    if not Path(endpoints).is_file():
        raise TrackerStoreError(f"no endpoints file at {endpoints}")
    with _environment(env or {}):
        config = read_endpoint_config(str(endpoints), "tracker_store")
    if config is None:
        raise TrackerStoreError(
            f"{endpoints} has no tracker_store: conversations then live in the Rasa process's memory only"
        )
    if _is_sql(config.type):
        _check_reachable(config)
    store = TrackerStore.create(config, domain)
    return getattr(store, "_tracker_store", store)  # unwrap Rasa's AwaitableTrackerStore


def _is_sql(store_type: Optional[str]) -> bool:
    """Rasa's SQL store (`type: SQL`) or a class built on it (the project's pinging one)."""
    if (store_type or "").lower() == "sql":
        return True
    if not store_type or "." not in store_type:
        return False
    try:
        found = class_from_module_path(store_type)
    except (ImportError, AttributeError):
        return False  # Rasa names the bad path itself when it builds the store
    return isinstance(found, type) and issubclass(found, SQLTrackerStore)


@contextlib.contextmanager
def _environment(extra: Mapping[str, str]) -> Iterator[None]:
    """Rasa expands ${VARIABLES} from os.environ only."""
    saved = dict(os.environ)
    os.environ.update(extra)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _check_reachable(config: EndpointConfig) -> None:
    """Fails fast: Rasa's SQLTrackerStore would retry an unreachable database forever."""
    options = config.kwargs
    url = SQLTrackerStore.get_db_url(
        options.get("dialect", "sqlite"),
        config.url,
        validate_port(options.get("port")),
        options.get("db", "rasa.db"),
        options.get("username"),
        options.get("password"),
        options.get("login_db"),
        options.get("query"),
    )
    if not is_postgresql_url(url):
        return
    engine = sa.create_engine(url, connect_args={"connect_timeout": CONNECT_TIMEOUT_S})
    try:
        engine.connect().close()
    except sa.exc.OperationalError as error:
        parsed = sa.engine.make_url(url)  # never the password, even when DB_HOST is a full URL
        where = f"{parsed.database} at {parsed.host}:{parsed.port}"
        reason = " ".join(str(error.orig).split())
        raise TrackerStoreError(f"cannot reach the tracker store database {where}: {reason}") from None
    finally:
        engine.dispose()


def sql_store(store: TrackerStore) -> SQLTrackerStore:
    if not isinstance(store, SQLTrackerStore):
        raise TrackerStoreError(
            f"{type(store).__name__} is not supported: only Rasa's SQL tracker store (type: SQL) can be pruned"
        )
    return store


def _chunks(items: Sequence[str], size: int) -> Iterator[List[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def forget(store: TrackerStore, days: float, now: Optional[float] = None) -> Forgotten:
    """Deletes, in one transaction, every conversation whose last event is older
    than `days`. A message arriving during the deletion for a conversation already
    judged stale is deleted with it: the conversation still goes whole."""
    events = sql_store(store).SQLEvent.__table__
    limit = cutoff(days, now)
    stale = (
        sa.select(events.c.sender_id)
        .group_by(events.c.sender_id)
        .having(sa.func.max(events.c.timestamp) < limit)
        .order_by(events.c.sender_id)
    )
    with store.session_scope() as session:
        senders = [sender for (sender,) in session.execute(stale)]
        deleted = sum(
            session.execute(events.delete().where(events.c.sender_id.in_(chunk))).rowcount
            for chunk in _chunks(senders, CHUNK)
        )
        session.commit()
    return Forgotten(len(senders), deleted, limit)


def report_line(result: Forgotten, days: int) -> str:
    """Counts only: which conversations went, and what they said, is not printed."""
    return (
        f"forgot {plural(result.conversations, 'conversation')} ({plural(result.events, 'event')}) "
        f"with no event since {utc(result.cutoff)} (retention {plural(days, 'day')})"
    )


def plural(count: int, noun: str) -> str:
    """'1 day', '2 days': English plurals of the nouns these reports use."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def command(days: Optional[int] = None, endpoints: Path = PROD_ENDPOINTS) -> int:
    """`python -m bot forget`: exit 0 on success, 2 with a one-line reason otherwise."""
    try:
        days = settings.retention_days(days)
        result = forget(tracker_store(endpoints), days)
        questions = team_questions().forget_older_than(result.cutoff)
    except (ValueError, TrackerStoreError, RasaException, sa.exc.SQLAlchemyError) as error:
        print(f"forget: {error}", file=sys.stderr)
        return 2
    print(report_line(result, days))
    print(f"forgot {plural(questions, 'question')} for the team asked before {utc(result.cutoff)}")
    return 0
