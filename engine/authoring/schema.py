"""The flow schema and friendly messages for its errors.

The schema ships inside the package (`engine/authoring/flow.schema.json`, package data), so an
installed wheel validates exactly as a checkout does; `schemas/flow.schema.json` at the top of the
repository is a link to it, for designers' editors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from jsonschema import (  # type: ignore[import-untyped,unused-ignore]
    Draft202012Validator,
    ValidationError,
)
from jsonschema.exceptions import best_match  # type: ignore[import-untyped,unused-ignore]

from engine.core.vocabulary import MEDIA_KINDS, did_you_mean

SCHEMA_PATH = Path(__file__).resolve().parent / "flow.schema.json"
SCHEMA_ID = "https://clixchat.org/schemas/flow.schema.json"
WAYS_ON = 'choices, ask + next, next, branch + else, or "end": true'

Part = str | int


class SchemaError(NamedTuple):
    """One schema error: where (a JSON pointer), what, and how to fix it."""

    pointer: str
    message: str
    hint: str


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The flow schema as a dict (read once)."""
    text = (
        resources.files("engine.authoring").joinpath("flow.schema.json").read_text(encoding="utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


@lru_cache(maxsize=1)
def flow_validator() -> Draft202012Validator:
    """A Draft 2020-12 validator for flow documents, checking `format: date` too."""
    return Draft202012Validator(load_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def pointer_of(parts: Sequence[Part]) -> str:
    """A JSON pointer (RFC 6901) for a path of keys and indexes."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def parts_of(pointer: str) -> tuple[str, ...]:
    """The keys of a JSON pointer (indexes stay strings)."""
    if not pointer:
        return ()
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/"))


def schema_errors(doc: Any) -> list[SchemaError]:
    """Every schema error in a flow document, one friendly message (and fix) each."""
    leaves = [leaf for error in flow_validator().iter_errors(doc) for leaf in _leaves(error)]
    shaped = {tuple(e.absolute_path) for e in leaves if e.validator in ("type", "pattern")}
    seen: set[SchemaError] = set()
    out: list[SchemaError] = []
    for leaf in leaves:
        if leaf.validator == "format" and tuple(leaf.absolute_path) in shaped:
            continue  # "31/12/2030" is reported once, as not YYYY-MM-DD
        for found in _explain(leaf, doc):
            if found not in seen:
                seen.add(found)
                out.append(found)
    return out


# --- choosing the error that matters ------------------------------------------------------


def _special(error: ValidationError) -> bool:
    """Errors that get one message of their own instead of their branches' errors."""
    title = error.schema.get("title") if isinstance(error.schema, Mapping) else None
    return title in ("Node", "Media item") or "dependentSchemas" in error.schema_path


def _leaves(error: ValidationError) -> list[ValidationError]:
    """For anyOf/oneOf, follow the one branch whose type fits the value (no noisy dumps)."""
    if error.validator not in ("anyOf", "oneOf") or not error.context or _special(error):
        return [error]
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    fitting = [
        errs
        for errs in branches.values()
        if not any(e.validator == "type" and not e.relative_path for e in errs)
    ]
    if len(fitting) == 1:
        return [leaf for sub in fitting[0] for leaf in _leaves(sub)]
    if not fitting and error.schema.get("title") == "Text":
        return [error]
    match = best_match(error.context)
    return [error] if match is None else _leaves(match)


# --- wording ------------------------------------------------------------------------------

_PATTERNS: dict[str, tuple[str, str]] = {
    "^[a-z0-9_]+$": (
        "{v!r} is not a valid node id",
        "node ids use only lower-case letters, digits and _, e.g. {fix!r}",
    ),
    "^[a-z0-9-]+$": (
        "{v!r} is not a valid flow id",
        "flow ids use only lower-case letters, digits and -, e.g. {fixdash!r}",
    ),
    "^([a-z0-9-]+:)?[a-z0-9_]+$": (
        "{v!r} is not a valid target",
        'write a node id such as "thanks", or "other-flow:node" for another flow',
    ),
    "^[1-9][0-9]*[smhd]$": (
        "{v!r} is not a duration",
        "write a whole number and a unit: 30s, 30m, 24h or 7d",
    ),
    "^[a-z]{2,3}(-[A-Za-z0-9]+)?$": (
        "{v!r} is not a language code",
        "use a code such as en, hi, mr or pt-BR",
    ),
    "^[a-z_][a-z0-9_]*$": (
        "{v!r} is not a valid variable name",
        "use lower-case letters, digits and _, not starting with a digit, e.g. {fix!r}",
    ),
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": ("{v!r} is not a date", "write dates as YYYY-MM-DD"),
    "\\S": ("text must not be empty", "write something here, or remove it"),
}

_MISSING_HINTS: dict[str, str] = {
    "flow": 'add "flow": "my-flow" (lower-case letters, digits and -)',
    "languages": 'add "languages": ["en"] (the first is the default language)',
    "start": 'add "start": "<id of the first node>"',
    "nodes": 'add "nodes": {"start": {"say": "Hello!", "end": true}}',
    "pattern": 'an ask of type regex needs "pattern": a regular expression for the answer',
    "value": 'add "value": what the variable is compared with',
    "save_as": 'add "save_as": the variable that keeps the answer',
    "type": 'add "type": text, number, integer, regex, yes_no, date, location or photo',
}

_DEPENDENCY_HINTS: dict[str, str] = {
    "ask": 'add "next": where to go once the answer is saved',
    "branch": 'add "else": where to go when no rule holds',
    "else": '"else" belongs to a branch: add "branch" rules, or use "next" instead',
}

_OWNERS = {"if": "condition", "ask": "ask", "timeout": "timeout"}
"""What to call an object whose schema has no title (a conditional part), by its key."""

_ASK_OPTIONS: dict[str, str] = {
    "text": "max_length",
    "number": "min, max",
    "integer": "min, max",
    "regex": "pattern",
    "date": "min, max (YYYY-MM-DD)",
}

_EXAMPLES = {
    "value:array": ' such as ["a", "b"] (op "in" tests membership of a list)',
    "date:string": " written YYYY-MM-DD",
    "languages:array": ' such as ["en", "hi"]',
}

_JSON_TYPES = {
    "string": "a string",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "object": "an object",
    "array": "a list",
    "null": "null",
}


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float):
        return "a number"
    return "a list" if isinstance(value, list) else "an object"


def _slug(value: str, allowed: str, joiner: str) -> str:
    slug = re.sub(f"[^{allowed}]+", joiner, value.lower()).strip(joiner)
    return slug or "name"


def _at(doc: Any, parts: Sequence[Part]) -> Any:
    for part in parts:
        if isinstance(doc, Mapping):
            doc = doc.get(part)
        elif isinstance(doc, list) and isinstance(part, int) and 0 <= part < len(doc):
            doc = doc[part]
        else:
            return None
    return doc


def _title(error: ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    title = schema.get("title")
    if title:
        return str(title)
    return str(error.path[-1]) if error.path else "the flow file"


def _explain(error: ValidationError, doc: Any) -> Iterator[SchemaError]:
    parts: list[Part] = list(error.absolute_path)
    here = pointer_of(parts)
    value = error.instance
    validator = error.validator
    if validator == "oneOf" and _title(error) == "Node":
        yield from _node_ways(here, value)
    elif validator == "oneOf" and _title(error) == "Media item":
        kinds = [k for k in MEDIA_KINDS if isinstance(value, Mapping) and k in value]
        yield SchemaError(
            here,
            f"a media item has exactly one of {', '.join(MEDIA_KINDS)}; this one has "
            + " and ".join(kinds),
            "split it into one media item per file",
        )
    elif "dependentSchemas" in error.schema_path:
        yield SchemaError(
            here + "/timeout",
            "timeout only works on a waiting node (one with choices or ask)",
            "remove the timeout, or move it to the node where the user is waiting",
        )
    elif validator == "anyOf" and _title(error) == "Text":
        yield SchemaError(
            here,
            f"expected a text, got {_kind(value)}",
            'write a string, or one string per language: {"en": "...", "hi": "..."}',
        )
    elif validator == "required":
        yield _required(here, error)
    elif validator == "additionalProperties":
        yield from _unknown(parts, error)
    elif validator == "pattern":
        yield _pattern(parts, error)
    elif validator == "not" and error.validator_value == {}:
        yield _not_allowed(parts, doc)
    elif validator == "dependentRequired":
        found = re.match(r"'(.+)' is a dependency of '(.+)'", error.message)
        needed, owner = found.groups() if found else ("?", "?")
        yield SchemaError(here, f"{owner!r} needs {needed!r}", _DEPENDENCY_HINTS.get(owner, ""))
    else:
        yield _simple(here, error)


def _node_ways(here: str, node: Any) -> Iterator[SchemaError]:
    if not isinstance(node, Mapping):
        return
    ways: list[str] = []
    if "choices" in node:
        ways.append("choices")
    if "ask" in node:
        ways.append("ask + next")
    elif "next" in node:
        ways.append("next")
    if "branch" in node or "else" in node:
        ways.append("branch + else")
    if "end" in node:
        ways.append("end")
    if len(ways) == 1:
        return  # a half-written way on (ask without next, ...) is reported on its own
    if not ways:
        yield SchemaError(here, "this node has no way on", f"add one of: {WAYS_ON}")
    else:
        yield SchemaError(
            here,
            "a node has exactly one way on, but this one has " + " and ".join(ways),
            "keep one of them; split the node in two if it needs both",
        )


def _required(here: str, error: ValidationError) -> SchemaError:
    found = re.match(r"'(.+)' is a required property", error.message)
    name = found.group(1) if found else str(error.validator_value)
    owner = _title(error).lower()
    where = f" in {_OWNERS.get(owner, owner)}" if here else ""
    props = error.schema.get("properties", {}) if isinstance(error.schema, Mapping) else {}
    described = props.get(name, {}).get("description", "") if isinstance(props, Mapping) else ""
    if described:
        described = f'add "{name}": {described[0].lower()}{described[1:]}'.rstrip(".")
    hint = _MISSING_HINTS.get(name) or described
    return SchemaError(here, f"{name!r} is missing{where}", hint)


def _unknown(parts: list[Part], error: ValidationError) -> Iterator[SchemaError]:
    props = error.schema.get("properties", {})
    allowed = list(props) if isinstance(props, Mapping) else []
    value = error.instance if isinstance(error.instance, Mapping) else {}
    for key in value:
        if key in allowed:
            continue
        hint = did_you_mean(key, allowed) or f"allowed here: {', '.join(allowed)}"
        yield SchemaError(pointer_of([*parts, key]), f"unknown property {key!r}", hint)


def _pattern(parts: list[Part], error: ValidationError) -> SchemaError:
    value = str(error.instance)
    if "propertyNames" in error.schema_path:
        parts = [*parts, value]
    message, hint = _PATTERNS.get(
        str(error.validator_value), ("{v!r} is not written as expected", "see docs/flow-format.md")
    )
    fix = _slug(value, "a-z0-9_", "_")
    if fix[0].isdigit() and str(error.validator_value).startswith("^[a-z_]"):
        fix = "_" + fix
    words = {"v": value, "fix": fix, "fixdash": _slug(value, "a-z0-9-", "-")}
    if "propertyNames" in error.schema_path and _title(error) == "Language code":
        hint = did_you_mean(value, [*MEDIA_KINDS, "caption"]) or hint
        if value == "caption":
            hint = "a caption belongs to a media item: add photo, document, audio, video or voice"
    return SchemaError(pointer_of(parts), message.format(**words), hint.format(**words))


def _not_allowed(parts: list[Part], doc: Any) -> SchemaError:
    key = str(parts[-1]) if parts else "?"
    owner = _at(doc, parts[:-1])
    here = pointer_of(parts)
    if isinstance(owner, Mapping) and "op" in owner:
        return SchemaError(
            here,
            f"op {owner['op']!r} takes no value",
            'remove "value": set and unset only test whether the variable was saved',
        )
    if isinstance(owner, Mapping) and "type" in owner:
        kind = str(owner["type"])
        options = _ASK_OPTIONS.get(kind)
        hint = (
            f"options of {kind}: {options}" if options else f"an ask of type {kind} has no options"
        )
        return SchemaError(here, f"{key!r} is not an option of an ask of type {kind!r}", hint)
    return SchemaError(here, f"{key!r} is not allowed here", f'remove "{key}"')


def _simple(here: str, error: ValidationError) -> SchemaError:
    validator = error.validator
    value = error.instance
    expected = error.validator_value
    title = _title(error)
    if validator == "type":
        names = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(_JSON_TYPES.get(str(n), str(n)) for n in names)
        if not here:
            return SchemaError(
                here,
                f"a flow file must be a JSON object, not {_kind(value)}",
                'start it like {"flow": "my-flow", "languages": ["en"], "start": ..., '
                '"nodes": ...}',
            )
        example = _EXAMPLES.get(f"{title.lower()}:{names[0]}", "")
        return SchemaError(
            here, f"{title} must be {wanted}, not {_kind(value)}", f"write {wanted}{example}"
        )
    if validator == "enum" and isinstance(expected, list):
        options = [str(o) for o in expected]
        hint = did_you_mean(str(value), options) or f"use one of: {', '.join(options)}"
        return SchemaError(here, f"{value!r} is not a valid {title.lower()}", hint)
    if validator == "const":
        if expected is True:
            return SchemaError(here, f"{title} can only be true", "remove it if it does not apply")
        return SchemaError(here, f"{title} must be {expected!r}", f"write {expected!r}")
    if validator in ("minItems", "minProperties", "minLength"):
        return SchemaError(here, f"{title} must not be empty", "add at least one entry")
    if validator == "uniqueItems":
        return SchemaError(here, f"{title} lists the same value twice", "remove the repeated one")
    if validator == "minimum":
        return SchemaError(here, f"{title} must be at least {expected}", f"use {expected} or more")
    if validator == "format":
        return SchemaError(here, f"{value!r} is not a real date", "write a date as YYYY-MM-DD")
    return SchemaError(here, error.message[:200], "see docs/flow-format.md")
