"""Putting the service together from settings: flows, store, Telegram channel, scheduler."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from engine.authoring.live import LiveFlows
from engine.channels.telegram.handling import TelegramChannel
from engine.channels.telegram.metrics import Metrics
from engine.service.metrics import JobMetrics
from engine.service.secret import local_secret
from engine.service.settings import ConfigError, Settings, check_webhook_secret
from engine.storage import db, schema_upgrade
from engine.storage.privacy import Privacy
from engine.storage.store import Delivery, Store

if TYPE_CHECKING:
    from aiogram import Bot

    from engine.channels.telegram.outbox import Outbox
    from engine.channels.telegram.sender import Sender

log = logging.getLogger("clixchat.serve")

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


class Part(Protocol):
    """Something that runs for the service's lifetime (the store, the outbox, the scheduler)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class Services:
    """Everything a request handler needs, built once by `clixchat serve` (or a test)."""

    settings: Settings
    flows: LiveFlows
    store: Store
    outbox: Outbox | None = None
    sender: Sender | None = None
    """Delivers the outbox table (when a token is set); one process of the deployment leads."""
    metrics: Metrics = field(default_factory=Metrics)
    started: list[Any] = field(default_factory=list)
    """Parts with async start()/stop() run for the app's lifetime (outbox, scheduler)."""
    job_metrics: JobMetrics | None = None
    """The scheduled jobs' last runs and the certificate's days left, for /metrics."""

    @property
    def telegram(self) -> TelegramChannel | None:
        """The Telegram channel, when a token is set (else there is no webhook)."""
        if self.outbox is None or self.sender is None:
            return None
        return TelegramChannel(
            self.store,
            self.flows,
            self.outbox,
            self.metrics,
            sender=self.sender,
            reply_in_response=self.settings.reply_in_response,
        )

    async def outbox_backlog(self) -> tuple[int, float] | None:
        """(messages not yet sent, age in seconds of the oldest) of the whole deployment, set on
        the /metrics gauges; None without a Telegram token or when the table cannot be read."""
        if self.sender is None:
            return None
        from engine.channels.telegram.sender import outbox_depth

        try:
            depth, oldest = await outbox_depth(self.store)
        except Exception as error:
            log.warning("the outbox table cannot be read (%s)", type(error).__name__)
            return None
        age = 0.0 if oldest is None else max(0.0, (datetime.now(UTC) - oldest).total_seconds())
        self.metrics.outbox_depth.set(depth)
        self.metrics.outbox_oldest.set(age)
        self.metrics.refresh_rate()
        return depth, age

    async def start(self) -> None:
        for part in self.started:
            await part.start()

    async def stop(self) -> None:
        for part in reversed(self.started):
            await part.stop()


def check(settings: Settings, webhook: bool = True) -> None:
    """Settings a command needs before it starts; `webhook=False` for long polling."""
    if settings.workers < 1:
        raise ConfigError(f"the worker count must be at least 1, not {settings.workers}")
    from engine.service.scheduler import backup_trigger

    backup_trigger(settings)  # a BACKUP_CRON that is no cron line stops the start, in one line
    if not webhook:
        return
    check_webhook_secret(settings.webhook_secret)
    if settings.telegram_token and not settings.webhook_secret:
        raise ConfigError("WEBHOOK_SECRET is required when TELEGRAM_TOKEN is set")


def make_bot(settings: Settings) -> Bot:
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    if not settings.telegram_token:
        raise ConfigError("TELEGRAM_TOKEN is not set")
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    return Bot(settings.telegram_token, session=session)


async def prepare_database(settings: Settings) -> None:
    """The embedded SQLite migrates itself; PostgreSQL is migrated with `clixchat db upgrade`."""
    if not db.is_postgres(settings.database_url):
        applied = await schema_upgrade.upgrade(settings.database_url)
        if applied:
            log.info("database migrated: %s", ", ".join(applied))


def build_services(settings: Settings, webhook: bool = True) -> Services:
    from engine.channels.telegram.outbox import Outbox
    from engine.channels.telegram.ratelimit import ScaledClock
    from engine.channels.telegram.sender import Sender
    from engine.service.scheduler import Scheduler, standard_jobs
    from engine.storage.job_runs import JobRuns
    from engine.storage.leader import sender_lock

    check(settings, webhook)
    flows = LiveFlows([settings.flows_dir], settings.main_flow)
    store = Store(
        flows,
        Privacy(local_secret(settings)),
        database_url=settings.database_url,
        outbox_channels=("telegram",) if settings.telegram_token else (),
    )
    outbox = None
    sender = None
    metrics = Metrics()
    if settings.telegram_token:
        blocked_store = store

        async def on_blocked(pseudonym: str) -> None:
            await blocked_store.set_active_pseudonym(pseudonym, False)

        async def on_failure(pseudonym: str, method: str, code: int, description: str) -> None:
            if pseudonym:
                await blocked_store.record_send_failure(pseudonym, method, code, description)

        # SEND_RATE is the whole bot's: one process (the sender lock's holder) sends for all.
        outbox = Outbox(
            make_bot(settings),
            on_blocked=on_blocked,
            on_failure=on_failure,
            per_second=settings.send_rate,
            clock=ScaledClock(settings.time_scale),
        )
        sender = Sender(
            outbox,
            store,
            sender_lock(settings.database_url),
            poll=settings.outbox_poll,
            lock_retry=min(2.0, settings.scheduler_retry),
            window=int(max(200, 4 * settings.send_rate)),
            on_marked=metrics.sent,
        )
        store.on_queued = sender.wake
    services = Services(
        settings=settings, flows=flows, store=store, outbox=outbox, sender=sender, metrics=metrics
    )

    async def deliver(delivery: Delivery) -> None:
        """Timeouts' replies are in the outbox table already (written with the event)."""
        if sender is not None and delivery.queued:
            sender.wake()

    services.started.append(_StoreLifetime(store, settings))
    if sender is not None:
        services.started.append(sender)
    # One scheduler for the deployment: every process starts one, the lock holder runs the jobs.
    jobs = standard_jobs(settings, store, deliver)
    scheduler = Scheduler(settings.database_url, jobs, retry_every=settings.scheduler_retry)
    services.started.append(scheduler)
    services.job_metrics = JobMetrics(services.metrics.registry, JobRuns(settings.database_url))
    return services


def tune_gc() -> None:
    """After start-up, move the long-lived objects (flows, machines, pydantic models) out of the
    collector's way and collect less often: full collections of a large stable heap otherwise
    cause pauses of hundreds of milliseconds (measured with bench/webhook.py)."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 50)


class _StoreLifetime:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store, self.settings = store, settings

    async def start(self) -> None:
        await prepare_database(self.settings)
        await self.store.record_revisions()
        tune_gc()

    async def stop(self) -> None:
        await self.store.close()
