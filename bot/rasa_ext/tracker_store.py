"""Rasa's SQL tracker store, checking each pooled connection before it is used.

After a PostgreSQL restart every pooled connection is dead, and Rasa's store
would fail the next message on each of them. With SQLAlchemy's
`pool_pre_ping`, a dead connection is replaced before use, so the family sees
nothing (tests/test_cluster.py restarts PostgreSQL between two messages).
This is configuration Rasa supports (a tracker store class named in
endpoints.prod.yml), so it is a subclass, not a patch:
    tracker_store:
      type: bot.rasa_ext.tracker_store.PingingSQLTrackerStore
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs


class PingingSQLTrackerStore(SQLTrackerStore):
    engine: sa.engine.Engine

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Rasa builds its engine inside __init__; rebuild it on the same URL
        # with the pre-ping, before any conversation uses it.
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, **{**create_engine_kwargs(url), "pool_pre_ping": True})
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
