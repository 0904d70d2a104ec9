"""Questions a family asked to pass to the team ("Ask the team"), stored only
with their consent, with an e-mail address only if they gave one.

Kept apart from the conversations: the team works through them (the curators'
dashboard lists the open ones and marks them answered), and a conversation's
events are not the place for an inbox. They go the way conversations go: after
the retention period (`python -m bot forget`), and at once when the family asks
to be forgotten.

Where: `CRMO_TEAM_DB_URL` (an SQLAlchemy URL) if set; else, in the production
profile (DB_HOST set), the tracker store's PostgreSQL database, table
`team_questions`; else an SQLite file in `var/`. The action server writes
(it runs the actions), the Rasa server reads (the dashboard): in the default
profile both run on one machine and share the file.
"""

from __future__ import annotations

import os
import re
import time
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import List, Mapping, Optional
from urllib.parse import quote

from bot import settings
from bot.paths import PROJECT

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import sqlalchemy as sa

DEFAULT_FILE = PROJECT / "var" / "team-questions.sqlite3"
MAX_QUESTION = 2000
MAX_EMAIL = 254
# An address as people type it: one @, no spaces, a dot in the domain. Whether
# it reaches anyone is for the team's mail to find out; this keeps out typos
# such as "anna@gmail" and text that is not an address at all.
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+")

_metadata = sa.MetaData()
TABLE = sa.Table(
    "team_questions",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("asked_at", sa.Float, nullable=False, index=True),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("email", sa.String(MAX_EMAIL), nullable=True),
    sa.Column("answered_at", sa.Float, nullable=True),
)


def valid_email(text: Optional[str]) -> Optional[str]:
    """The address if `text` is one e-mail address (spaces around it allowed), else None."""
    candidate = (text or "").strip()
    if len(candidate) > MAX_EMAIL or not EMAIL.fullmatch(candidate):
        return None
    domain = candidate.rsplit("@", 1)[1]
    if any(label.startswith("-") or label.endswith("-") for label in domain.split(".")):
        return None
    return candidate


@dataclass(frozen=True)
class TeamQuestion:
    id: int
    sender_id: str
    asked_at: float
    question: str
    email: Optional[str]
    answered_at: Optional[float]

    @property
    def answered(self) -> bool:
        return self.answered_at is not None


def store_url(environ: Mapping[str, str] = os.environ) -> str:
    """Where the questions are kept (see the module's docstring)."""
    explicit = environ.get(settings.TEAM_DB_URL, "").strip()
    if explicit:
        return explicit
    if environ.get("DB_HOST", "").strip():
        user = quote(environ.get("DB_USER", ""), safe="")
        password = quote(environ.get("DB_PASSWORD", ""), safe="")
        login = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        port = f":{environ['DB_PORT'].strip()}" if environ.get("DB_PORT", "").strip() else ""
        return f"postgresql://{login}{environ['DB_HOST'].strip()}{port}/{environ.get('DB_NAME', '')}"
    return f"sqlite:///{DEFAULT_FILE}"


class TeamQuestions:
    """The questions table: add, list, mark answered, forget."""

    def __init__(self, url: str) -> None:
        parsed = sa.engine.make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine = sa.create_engine(url, pool_pre_ping=True)
        _metadata.create_all(self.engine, checkfirst=True)

    def add(self, sender_id: str, question: str, email: Optional[str] = None, now: Optional[float] = None) -> int:
        values = {
            "sender_id": sender_id,
            "asked_at": time.time() if now is None else now,
            "question": question[:MAX_QUESTION],
            "email": valid_email(email),
        }
        with self.engine.begin() as connection:
            return int(connection.execute(TABLE.insert().values(**values)).inserted_primary_key[0])

    def listing(self, since: float, until: float) -> List[TeamQuestion]:
        """Every question asked in [since, until), oldest first, answered or not."""
        query = TABLE.select().where(TABLE.c.asked_at >= since, TABLE.c.asked_at < until).order_by(TABLE.c.asked_at)
        with self.engine.connect() as connection:
            return [TeamQuestion(**row._mapping) for row in connection.execute(query)]

    def of_sender(self, sender_id: str) -> List[TeamQuestion]:
        query = TABLE.select().where(TABLE.c.sender_id == sender_id).order_by(TABLE.c.asked_at)
        with self.engine.connect() as connection:
            return [TeamQuestion(**row._mapping) for row in connection.execute(query)]

    def mark_answered(self, question_id: int, now: Optional[float] = None) -> bool:
        """True if an open question was marked (False: no such question, or already answered)."""
        when = time.time() if now is None else now
        update = TABLE.update().where(TABLE.c.id == question_id, TABLE.c.answered_at.is_(None))
        with self.engine.begin() as connection:
            return connection.execute(update.values(answered_at=when)).rowcount == 1

    def forget_sender(self, sender_id: str) -> int:
        with self.engine.begin() as connection:
            return int(connection.execute(TABLE.delete().where(TABLE.c.sender_id == sender_id)).rowcount)

    def forget_older_than(self, cutoff: float) -> int:
        with self.engine.begin() as connection:
            return int(connection.execute(TABLE.delete().where(TABLE.c.asked_at < cutoff)).rowcount)


@lru_cache(maxsize=4)
def _open(url: str) -> TeamQuestions:
    return TeamQuestions(url)


def team_questions(environ: Mapping[str, str] = os.environ) -> TeamQuestions:
    """The store this process uses (one engine per URL)."""
    return _open(store_url(environ))
