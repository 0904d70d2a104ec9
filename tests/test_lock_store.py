"""The lock store on a real Redis, as several Rasa servers use it at once: each
"server" is its own store object with its own connections."""

from __future__ import annotations

import threading
import uuid
from typing import Callable, List

from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_ext.lock_store import AtomicRedisLockStore

SERVERS = 24


def store(redis) -> AtomicRedisLockStore:
    config = EndpointConfig(url=redis.host, port=redis.port, password=redis.password, db=0, key_prefix="crmo")
    return AtomicRedisLockStore(config)


def all_at_once(stores: List[LockStore], work: Callable[[int, LockStore], object]) -> List[object]:
    start = threading.Barrier(len(stores))
    results: List[object] = [None] * len(stores)

    def run(index: int) -> None:
        start.wait()
        results[index] = work(index, stores[index])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_tickets_taken_at_once_by_many_servers_are_all_different(redis):
    conversation = uuid.uuid4().hex
    stores = [store(redis) for _ in range(SERVERS)]
    tickets = all_at_once(stores, lambda _, s: s.issue_ticket(conversation, 60))
    assert sorted(tickets) == list(range(SERVERS))
    lock = stores[0].get_lock(conversation)
    assert lock is not None and len(lock.tickets) == SERVERS
    assert lock.now_serving == 0 and not lock.is_locked(0) and lock.is_locked(1)

    all_at_once(stores, lambda i, s: s.cleanup(conversation, tickets[i]))
    assert stores[0].get_lock(conversation) is None  # the last one out removed it


def test_a_ticket_taken_while_another_server_cleans_up_is_kept(redis):
    conversation = uuid.uuid4().hex
    stores = [store(redis) for _ in range(SERVERS)]
    first = stores[0].issue_ticket(conversation, 60)
    # Half the servers take tickets while the first one finishes and cleans up.
    work = [lambda s: s.cleanup(conversation, first)] + [lambda s: s.issue_ticket(conversation, 60)] * (SERVERS - 1)
    tickets = all_at_once(stores, lambda i, s: work[i](s))[1:]
    lock = stores[0].get_lock(conversation)
    assert lock is not None
    assert sorted(t.number for t in lock.tickets) == sorted(tickets)
    assert len(set(tickets)) == SERVERS - 1
