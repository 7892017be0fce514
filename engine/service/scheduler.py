"""Scheduled work without cron: firing timeouts of waiting participants (APScheduler)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from engine.core.events import Inbound
from engine.core.vocabulary import InteractionKind
from engine.storage.store import Delivery, Store

log = logging.getLogger("clixchat.jobs")

Deliver = Callable[[Delivery], Awaitable[None]]


async def fire_due_timeouts(store: Store, deliver: Deliver, now: datetime | None = None) -> int:
    """Send each participant whose waiting node timed out along the node's `timeout.next`."""
    moment = now or datetime.now(UTC)
    fired = 0
    for pseudonym, place in await store.due_timeouts(moment):
        try:
            delivery = await store.handle(
                "telegram", Inbound.timer(place), pseudonym=pseudonym, received_at=moment
            )
        except Exception as error:  # the class only: a database error can quote stored text
            log.error(
                "timeout for a participant at %s failed (%s); it will be tried again",
                place,
                type(error).__name__,
            )
            continue
        if delivery.turn is not None and delivery.turn.kind == InteractionKind.TIMEOUT:
            fired += 1
            await deliver(delivery)
    if fired:
        log.info("fired %d timeout(s)", fired)
    return fired


class Jobs:
    """The app's scheduler: started and stopped with the web app."""

    def __init__(self, store: Store, deliver: Deliver, timeout_every: float = 30.0) -> None:
        self.store = store
        self.deliver = deliver
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.scheduler.add_job(
            self._timeouts,
            "interval",
            seconds=timeout_every,
            id="timeouts",
            max_instances=1,
            coalesce=True,
        )

    async def _timeouts(self) -> None:
        await fire_due_timeouts(self.store, self.deliver)

    async def start(self) -> None:
        self.scheduler.start()

    async def stop(self) -> None:
        self.scheduler.shutdown(wait=False)
