"""One parsed Telegram update, end to end inside the engine: interpret it, apply it durably, queue
its replies. Used by the webhook (`web/webhook.py`) and by `clixchat poll`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.channels.telegram.replies import call_for, webhook_answer
from engine.channels.telegram.updates import interpret

if TYPE_CHECKING:
    from aiogram.types import Update

    from engine.authoring.live import LiveFlows
    from engine.channels.telegram.metrics import Metrics
    from engine.channels.telegram.outbox import Outbox
    from engine.channels.telegram.sender import Sender
    from engine.storage.store import Store


@dataclass
class TelegramChannel:
    """What handling an update needs: the store, the flows, the outbox, the sender and the
    counters."""

    store: Store
    flows: LiveFlows
    outbox: Outbox
    metrics: Metrics
    sender: Sender
    """Delivers the replies the store writes to the outbox table with each event."""
    reply_in_response: bool = False

    async def handle(self, update: Update, inline_ok: bool = False) -> dict[str, Any] | None:
        """Process one parsed update durably and queue its replies.

        With inline_ok and REPLY_IN_RESPONSE, a single reply may instead be returned, to ride in
        the webhook's response body (Telegram performs it; recorded as sent_unconfirmed), when
        this process sends the outbox and nothing else is queued for that chat.
        """
        incoming = interpret(update)
        outbox, metrics = self.outbox, self.metrics
        if incoming.callback_query_id is not None:
            outbox.answer_callback(incoming.callback_query_id)
        if incoming.active is not None and incoming.user_id is not None:
            await self.store.set_active("telegram", incoming.user_id, incoming.active)
            metrics.updates.labels("membership").inc()
            return None
        if incoming.event is None or incoming.user_id is None or incoming.chat_id is None:
            metrics.updates.labels(incoming.ignored or "ignored").inc()
            return None
        if incoming.is_group and not self.flows.library.main_flow.allow_groups:
            metrics.updates.labels("group").inc()
            return None
        inline = (
            inline_ok
            and self.reply_in_response
            and not incoming.is_group
            and self.sender.leader
            and not outbox.pending(incoming.chat_id)
            and outbox.take_inline_slot(incoming.chat_id)
        )
        delivery = await self.store.handle(
            "telegram",
            incoming.event,
            user_id=incoming.user_id,
            chat_id=incoming.chat_id,
            update_id=incoming.update_id,
            inline=inline,
        )
        if delivery.duplicate or delivery.turn is None:
            metrics.updates.labels("duplicate").inc()
            return None
        metrics.updates.labels("processed").inc()
        metrics.events.labels(delivery.turn.kind or "none").inc()
        if delivery.inline:  # the one reply, recorded sent_unconfirmed, rides in the answer
            metrics.sends.labels("in_response").inc()
            return webhook_answer(call_for(incoming.chat_id, delivery.turn.messages[0]))
        return None  # written to the outbox table with the event; the sender delivers it
