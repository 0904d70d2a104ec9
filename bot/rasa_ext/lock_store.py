"""Rasa's Redis lock store, made safe for several Rasa servers.

Rasa 3.6 changes a conversation's ticket lock by reading it from Redis,
changing it in Python and writing it back. Two servers doing that at once
overwrite each other: both can get the same ticket number and process the
same conversation at the same time, and the SQL tracker store then loses one
of the two messages (seen here: 2 of 12 messages gone, each answered but not
kept). A ticket taken while another server deletes the lock is lost the same way.

Here every change is one Redis transaction (WATCH, then MULTI/EXEC, retried
when another server changed the lock in between), and a lock with no tickets
left is deleted in the same transaction. The ticket-lock semantics are Rasa's
own (rasa.core.lock.TicketLock). Configured in endpoints.prod.yml:
    lock_store:
      type: bot.rasa_ext.lock_store.AtomicRedisLockStore
"""

from __future__ import annotations

import json
from typing import Callable, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    def _change(self, conversation_id: str, change: Callable[[TicketLock], T]) -> T:
        key = self.key_prefix + conversation_id
        while True:
            with self.red.pipeline() as pipe:
                try:
                    pipe.watch(key)
                    stored = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(stored)) if stored else self.create_lock(conversation_id)
                    result = change(lock)
                    pipe.multi()
                    if lock.tickets:
                        pipe.set(key, lock.dumps())
                    else:
                        pipe.delete(key)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another server changed this lock first: read it again

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return self._change(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime))
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        self._change(conversation_id, lambda lock: lock.remove_expired_tickets())

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Removes the ticket, and the lock with it when no one else holds one."""
        self.finish_serving(conversation_id, ticket_number)
