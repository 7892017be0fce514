"""datapackage.json: a Frictionless Data Package describing every exported file, with each
variable's question text, ask type and allowed values taken from the flow revisions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ASK_TYPES = {
    "number": "number", "integer": "integer", "date": "date", "yes_no": "string",
}  # fmt: skip


def _string(fields: list[str], types: dict[str, str] | None = None) -> list[dict[str, Any]]:
    types = types or {}
    return [{"name": name, "type": types.get(name, "string")} for name in fields]


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return " / ".join(f"{k}: {v}" for k, v in value.items() if isinstance(v, str))
    return value if isinstance(value, str) else ""


def questions(sources: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """variable -> its field descriptor from the flow's asks (the latest revision wins)."""
    found: dict[str, dict[str, Any]] = {}
    for source in sources:
        for node_id, node in (source.get("nodes") or {}).items():
            ask = node.get("ask")
            if not isinstance(ask, dict) or "save_as" not in ask:
                continue
            say = node.get("say")
            items = say if isinstance(say, list) else [say]
            question = " ".join(t for t in (_text(i) for i in items) if t)
            kind = str(ask.get("type", "text"))
            descriptor: dict[str, Any] = {
                "name": ask["save_as"],
                "type": ASK_TYPES.get(kind, "string"),
                "description": question,
                "clixchat:question": question,
                "clixchat:node": node_id,
                "clixchat:askType": kind,
            }
            constraints: dict[str, Any] = {}
            if kind in ("number", "integer"):
                if "min" in ask:
                    constraints["minimum"] = ask["min"]
                if "max" in ask:
                    constraints["maximum"] = ask["max"]
            if kind == "yes_no":
                constraints["enum"] = ["yes", "no"]
            if kind == "text" and "max_length" in ask:
                constraints["maxLength"] = ask["max_length"]
            if kind == "regex" and "pattern" in ask:
                constraints["pattern"] = ask["pattern"]
            if constraints:
                descriptor["constraints"] = constraints
                descriptor["clixchat:allowed"] = constraints
            found[str(ask["save_as"])] = descriptor
    return found


def _resource(path: Path, fields: list[dict[str, Any]], description: str) -> dict[str, Any]:
    return {
        "name": path.stem.lower().replace("_", "-"),
        "path": path.name,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8-sig",
        "description": description,
        "schema": {"fields": fields},
    }


def write_package(
    out: Path, variables: dict[str, list[str]], sources: dict[str, list[dict[str, Any]]]
) -> Path:
    from engine.storage.export import ANSWER_FIELDS, INTERACTION_FIELDS, PARTICIPANT_FIELDS

    times = {"created_at": "datetime", "last_seen": "datetime", "received_at": "datetime",
             "responded_at": "datetime", "answered_at": "datetime", "ended": "boolean",
             "active": "boolean", "attempts": "integer"}  # fmt: skip
    resources = [
        _resource(out / "participants.csv", _string(PARTICIPANT_FIELDS, times),
                  "One row per participant (pseudonym only)."),
        _resource(out / "interactions.csv", _string(INTERACTION_FIELDS, times),
                  "One row per interaction, grouped by participant, in time order."),
        _resource(out / "answers.csv", _string(ANSWER_FIELDS, times),
                  "One row per saved answer (long form)."),
    ]  # fmt: skip
    for flow in sorted(variables):
        known = questions(sources.get(flow, []))
        fields: list[dict[str, Any]] = [{"name": "pseudonym", "type": "string"}]
        for name in variables[flow]:
            fields.append(known.get(name, {"name": name, "type": "string"}))
        resources.append(
            _resource(out / f"answers-{flow}.csv", fields,
                      f"Flow {flow}: one row per participant, one column per variable (latest).")
        )  # fmt: skip
    package = {
        "profile": "tabular-data-package",
        "name": "clixchat-export",
        "title": "CLIxChat research export",
        "resources": resources,
    }
    path = out / "datapackage.json"
    path.write_text(json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
