"""What is stored: participants (pseudonymous), interactions, flow revisions, processed updates.

No name, username or phone number is ever stored. A participant is a keyed HMAC of the
channel's user id; the chat id needed for messages the bot starts is kept encrypted.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class Participant(Model):
    id = fields.BigIntField(primary_key=True)
    pseudonym = fields.CharField(
        max_length=64, unique=True, description="HMAC-SHA256 of the user id"
    )
    channel = fields.CharField(max_length=16, default="telegram")
    chat_cipher = fields.TextField(null=True, description="the chat id, Fernet-encrypted")
    language = fields.CharField(max_length=16, null=True)
    flow = fields.CharField(max_length=64, default="")
    revision = fields.CharField(max_length=64, default="")
    node = fields.CharField(max_length=64, null=True)
    path: Any = fields.JSONField(default=list)
    variables: Any = fields.JSONField(default=dict)
    awaiting = fields.CharField(max_length=16, null=True)
    ended = fields.BooleanField(default=False)
    active = fields.BooleanField(default=True, description="false while the user blocks the bot")
    wait_until = fields.DatetimeField(
        null=True, description="when the waiting node's timeout fires"
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen = fields.DatetimeField(null=True)
    version = fields.IntField(default=0, description="optimistic concurrency: +1 per saved event")

    class Meta:
        table = "participant"
        indexes = (("flow", "node"), ("last_seen",))


class Interaction(Model):
    id = fields.BigIntField(primary_key=True)
    participant: fields.ForeignKeyRelation[Participant] = fields.ForeignKeyField(
        "models.Participant", related_name="interactions", on_delete=fields.RESTRICT
    )
    flow = fields.CharField(max_length=64)
    revision = fields.CharField(max_length=64)
    node_before = fields.CharField(max_length=130, null=True)
    node_after = fields.CharField(max_length=130, null=True)
    kind = fields.CharField(max_length=32)
    input_kind = fields.CharField(max_length=16, default="")
    input_text = fields.TextField(null=True, description="what came in, kept for research")
    input_media = fields.CharField(max_length=16, null=True)
    output: Any = fields.JSONField(default=list, description="what went out")
    buttons: Any = fields.JSONField(default=list, description="the buttons shown")
    saved: Any = fields.JSONField(default=dict)
    received_at = fields.DatetimeField()
    responded_at = fields.DatetimeField()
    update_id = fields.BigIntField(null=True)

    class Meta:
        table = "interaction"
        indexes = (("participant_id", "id"), ("flow", "kind"), ("received_at",))


class FlowRevision(Model):
    id = fields.IntField(primary_key=True)
    flow = fields.CharField(max_length=64)
    sha256 = fields.CharField(max_length=64)
    source: Any = fields.JSONField()
    first_seen = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "flow_revision"
        unique_together = (("flow", "sha256"),)


class ProcessedUpdate(Model):
    update_id = fields.BigIntField(primary_key=True, generated=False)
    processed_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "processed_update"


class JobRun(Model):
    """One run of a scheduled job (timeouts, backup, certificates, ...): what the operator sees
    on /admin/jobs/ and in /metrics."""

    id = fields.BigIntField(primary_key=True)
    job = fields.CharField(max_length=32, description="timeouts, backup, certificates, ...")
    started_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)
    outcome = fields.CharField(
        max_length=16, default="running", description="running, ok, warning, failed"
    )
    detail = fields.TextField(default="", description="one line: what was done or what went wrong")
    host = fields.CharField(max_length=64, default="", description="host:pid that ran it")

    class Meta:
        table = "job_run"
        indexes = (("job", "started_at"),)


class Account(Model):
    """A dashboard login: made with `clixchat admin create`; the password kept as an argon2
    hash only. Roles: viewer (pseudonymous data) and admin (also accounts and jobs)."""

    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    password_hash = fields.CharField(max_length=256, description="argon2id")
    role = fields.CharField(max_length=16, default="viewer", description="viewer or admin")
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login = fields.DatetimeField(null=True)

    class Meta:
        table = "account"


class OutboxMessage(Model):
    """A reply waiting to go out, written in the same transaction as its interaction; sent by
    the one sender of the deployment (engine.channels.telegram.sender) and marked only after
    the Bot API's answer. Rows are kept after sending: the delivery record of each message."""

    id = fields.BigIntField(primary_key=True)
    participant: fields.ForeignKeyRelation[Participant] = fields.ForeignKeyField(
        "models.Participant", related_name="outbox", on_delete=fields.RESTRICT
    )
    chat_cipher = fields.TextField(description="the chat id, Fernet-encrypted")
    priority = fields.SmallIntField(
        default=0, description="0: a reply to someone who just wrote; 1: bot-initiated"
    )
    message: Any = fields.JSONField(description="the outbound message: text, media, keyboard")
    status = fields.CharField(
        max_length=20,
        default="queued",
        description="queued, sending, sent, sent_unconfirmed, failed, dropped",
    )
    attempts = fields.SmallIntField(default=0)
    error = fields.CharField(max_length=200, null=True, description="code and description")
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox"
        indexes = (("status", "priority", "id"), ("participant_id", "status"))


class MediaFile(Model):
    """Telegram's file_id for a local media file once uploaded, so it is uploaded once per
    deployment, not once per process or restart."""

    key = fields.CharField(max_length=512, primary_key=True, description="the file's path")
    file_id = fields.CharField(max_length=256)
    uploaded_at = fields.DatetimeField()

    class Meta:
        table = "media_file"


class NodeReach(Model):
    """The dashboard's funnel summary: a participant's first arrival at a node of a flow
    revision, one row each (engine.storage.dashboard.summary keeps it from the interactions
    newer than its mark, so a flow page counts these rows and never scans interactions)."""

    id = fields.BigIntField(primary_key=True)
    participant_id = fields.BigIntField()
    flow = fields.CharField(max_length=64)
    revision = fields.CharField(max_length=64)
    node = fields.CharField(max_length=64)
    first_at = fields.DatetimeField()
    test = fields.BooleanField(default=False, description="a console or simulator participant")

    class Meta:
        table = "node_reach"
        unique_together = (("participant_id", "flow", "revision", "node"),)
        indexes = (("flow", "revision", "node"), ("flow", "node", "test"))


class DailyActivity(Model):
    """Interactions per UTC day (test participants' counted apart), for the overview's chart."""

    day = fields.CharField(max_length=10, primary_key=True, description="YYYY-MM-DD (UTC)")
    messages = fields.IntField(default=0)
    test_messages = fields.IntField(default=0)

    class Meta:
        table = "daily_activity"


class SummaryMark(Model):
    """How far (interaction id) a summary has read."""

    name = fields.CharField(max_length=32, primary_key=True)
    last_id = fields.BigIntField(default=0)

    class Meta:
        table = "summary_mark"
