"""The project's tracker stores: Rasa's, plus "forget me" and no typed e-mail
address, plus (SQL) a check of each pooled connection before use.

"Forget me": the action that carries out a family's confirmed request sets the
`forget_conversation` slot. Rasa saves the tracker once, at the end of the
message; these stores then delete the sender's whole conversation (every
session) instead of saving it, so that nothing of it is left, not even the
request. The family's next message starts a new conversation. Deleting here,
in the Rasa server, is the only place that can: the action server never sees
the store.

An e-mail address typed for "Ask the team" goes to the team's store, with
the family's consent, and nowhere else: before a conversation is saved, the
text of a message that is only an address (intent `give_email`) and its
`email` entity are replaced by a placeholder. The action that stores the
address with the question has already read it by then.

The SQL store's `pool_pre_ping`: after a PostgreSQL restart every pooled
connection is dead, and Rasa's store would fail the next message on each of
them; with the pre-ping a dead connection is replaced before use, so the family
sees nothing (tests/test_cluster.py restarts PostgreSQL between two messages).

Both are configuration Rasa supports (a tracker store class named in the
endpoints file), so they are subclasses, not patches:
    tracker_store:
      type: bot.rasa_ext.tracker_store.PingingSQLTrackerStore
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any, Union

import sqlalchemy as sa
import ujson
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore, TrackerStore, create_engine_kwargs
from rasa.shared.core.conversation import Dialogue
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.nlu import EMAIL_ENTITY, GIVE_EMAIL
from bot.rasa_ext import FORGET_SLOT

ADDRESS_REMOVED = "[e-mail address not kept here]"
# JSON as the standard library writes it, only faster: "/" and non-ASCII letters as they are
ujson_dumps = partial(ujson.dumps, ensure_ascii=False, escape_forward_slashes=False)

logger = logging.getLogger(__name__)


def remove_addresses(tracker: DialogueStateTracker) -> None:
    """Replaces every typed e-mail address in the conversation by a placeholder."""
    for event in tracker.events:
        if not isinstance(event, UserUttered) or (event.intent or {}).get("name") != GIVE_EMAIL:
            continue
        event.text = ADDRESS_REMOVED
        parse_data = getattr(event, "parse_data", None) or {}
        if "text" in parse_data:
            parse_data["text"] = ADDRESS_REMOVED
        for entities in (event.entities, parse_data.get("entities") or []):
            for entity in entities:
                if entity.get("entity") == EMAIL_ENTITY:
                    entity["value"] = ADDRESS_REMOVED


class KeepsOnlyWhatFamiliesAllow(TrackerStore):
    """What both stores do on save: forget a conversation asked to be
    forgotten, and keep no typed address. Each store says how it deletes."""

    async def save(self, tracker: DialogueStateTracker) -> None:
        if tracker.get_slot(FORGET_SLOT):
            self.delete(tracker.sender_id)
            logger.info("Forgot a conversation at its sender's request.")
            return
        remove_addresses(tracker)
        await super().save(tracker)

    def delete(self, sender_id: str) -> None:
        """Deletes every event of `sender_id`."""
        raise NotImplementedError


class UjsonInMemoryTrackerStore(InMemoryTrackerStore):
    """Rasa's in-memory store, which keeps each conversation as JSON text,
    writing and reading that text with ujson (a Rasa dependency), in less than
    half the time of the standard library's (an eight-question conversation:
    `json.dumps` 0.21-0.25 ms, ujson 0.10 ms, alone; writing the conversation
    was 7% of the running server's profile before, 4% after). The text reads
    back the same (tests/test_rasa_ext.py)."""

    async def save(self, tracker: DialogueStateTracker) -> None:
        """`InMemoryTrackerStore.save`, with the faster writer."""
        await self.stream_events(tracker)
        self.store[tracker.sender_id] = ujson_dumps(tracker.as_dialogue().as_dict())

    def deserialise_tracker(self, sender_id: str, serialised_tracker: Union[str, bytes]) -> DialogueStateTracker:
        """`TrackerStore.deserialise_tracker`, with ujson's reader (this store
        keeps text, never the pickles Rasa's version refuses)."""
        tracker = self.init_tracker(sender_id)
        tracker.recreate_from_dialogue(Dialogue.from_parameters(ujson.loads(serialised_tracker)))
        return tracker


class ForgettingInMemoryTrackerStore(KeepsOnlyWhatFamiliesAllow, UjsonInMemoryTrackerStore):
    """The default profile's store: Rasa's in-memory one, with "forget me"."""

    def delete(self, sender_id: str) -> None:
        self.store.pop(sender_id, None)


class PingingSQLTrackerStore(KeepsOnlyWhatFamiliesAllow, SQLTrackerStore):
    """The production profile's store: Rasa's SQL one, with "forget me" and the pre-ping."""

    engine: sa.engine.Engine

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Rasa builds its engine inside __init__; rebuild it on the same URL
        # with the pre-ping, before any conversation uses it.
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, **{**create_engine_kwargs(url), "pool_pre_ping": True})
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def delete(self, sender_id: str) -> None:
        """In one transaction."""
        events = self.SQLEvent.__table__
        with self.session_scope() as session:
            session.execute(events.delete().where(events.c.sender_id == sender_id))
            session.commit()
