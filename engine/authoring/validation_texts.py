"""Checks on what users see and send: languages, Telegram limits, choices, regexes, media."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from engine.authoring.validation_common import (
    Finding,
    FlowView,
    Parts,
    TextSite,
    flow_texts,
    node_media,
    spellings,
)
from engine.core.text import ascii_digits, normalize
from engine.core.vocabulary import did_you_mean

MESSAGE_LIMIT = 4096
"""Telegram's limit on a message's text, in UTF-16 code units."""
CAPTION_LIMIT = 1024
"""Telegram's limit on a media caption, in UTF-16 code units."""
CALLBACK_LIMIT = 64
"""Telegram's limit on an inline button's callback data, in bytes."""
FILE_ID_MIN = 21


def text_findings(view: FlowView) -> Iterator[Finding]:
    """Every finding about texts, choices, regexes and media of the flow's sound parts."""
    for site in flow_texts(view):
        yield from _languages(view, site)
        yield from _limits(view, site)
    for node_id, node in view.sound_nodes().items():
        yield from _choices(node_id, node)
        yield from _regexes(node_id, node)
        for media in node_media(node_id, node):
            yield from _media(view, media.parts, media.source)


def _languages(view: FlowView, site: TextSite) -> Iterator[Finding]:
    declared = view.languages
    one_language = isinstance(site.value, str) and site.kind != "title"  # no user sees the title
    if declared is not None and len(declared) > 1 and one_language:
        yield Finding(
            site.parts,
            "warning",
            f"text is in one language only; the flow's languages are {', '.join(declared)}",
            f'write it as {{"{declared[0]}": "...", "{declared[1]}": "..."}} so those users '
            "get their language",
        )
        return
    if declared is None or not isinstance(site.value, Mapping):
        return
    missing = [language for language in declared if language not in site.value]
    if missing:
        yield Finding(
            site.parts,
            "warning",
            f"text has no {', '.join(missing)} version (the flow's languages: "
            f"{', '.join(declared)})",
            f'add "{missing[0]}": "..." so those users do not get another language',
        )
    for language in site.value:
        if language not in declared:
            yield Finding(
                (*site.parts, language),
                "warning",
                f"text uses language {language!r}, which the flow does not declare",
                did_you_mean(language, declared)
                or f'add "{language}" to languages, or remove this text',
            )


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _limits(view: FlowView, site: TextSite) -> Iterator[Finding]:
    for parts, text in spellings(site):
        if site.kind in ("message", "retry") and _utf16(text) > MESSAGE_LIMIT:
            yield Finding(
                parts,
                "error",
                f"message is {_utf16(text)} characters; Telegram allows {MESSAGE_LIMIT}",
                "split it into several say items",
            )
        elif site.kind == "caption" and _utf16(text) > CAPTION_LIMIT:
            yield Finding(
                parts,
                "error",
                f"caption is {_utf16(text)} characters; Telegram allows {CAPTION_LIMIT}",
                "shorten it, or send the rest as a text item after the media",
            )
        elif site.kind == "label" and view.keyboard == "inline":
            size = len(text.encode("utf-8"))
            if size > CALLBACK_LIMIT:
                yield Finding(
                    parts,
                    "error",
                    f"choice label is {size} bytes; an inline button allows {CALLBACK_LIMIT}",
                    'shorten the label (Indian scripts take 3 bytes a letter), or use "keyboard": '
                    '"reply"',
                )


def _label_spellings(label: Any) -> list[tuple[str | None, str]]:
    if isinstance(label, str):
        return [(None, label)]
    return [(language, str(text)) for language, text in label.items()]


def _choices(node_id: str, node: Mapping[str, Any]) -> Iterator[Finding]:
    choices = node.get("choices", ())
    seen: dict[str, tuple[int, str]] = {}
    for index, choice in enumerate(choices):
        base: Parts = ("nodes", node_id, "choices", index, "label")
        own: dict[str, str] = {}
        numbers: set[str] = set()
        clash: tuple[str | None, str, int, str] | None = None
        for language, text in _label_spellings(choice["label"]):
            key = normalize(text)
            if key in seen and clash is None:
                clash = (language, text, *seen[key])
            if key in own:
                continue
            own[key] = text
            number = ascii_digits(key)
            if not re.fullmatch(r"[0-9]+", number) or number in numbers:
                continue
            numbers.add(number)
            if 1 <= int(number) <= len(choices) and int(number) != index + 1:
                where = base if language is None else (*base, language)
                yield Finding(
                    where,
                    "warning",
                    f"choice label {text!r} looks like a choice number: typing {number} picks "
                    f"choice {number}, not this one",
                    "write the label in words, or put it in that position",
                )
        if clash is not None:
            language, text, other, other_text = clash
            yield Finding(
                base if language is None else (*base, language),
                "error",
                f"choice label {text!r} is the same as choice {other + 1}'s {other_text!r}",
                "users could not tell them apart: make each label different in every language",
            )
        for key, text in own.items():
            seen.setdefault(key, (index, text))


def _regex_error(pattern: str) -> str | None:
    try:
        re.compile(pattern)
    except re.error as error:
        return f"{error.msg} at position {error.pos}" if error.pos is not None else error.msg
    return None


def _regexes(node_id: str, node: Mapping[str, Any]) -> Iterator[Finding]:
    base: Parts = ("nodes", node_id)
    found: list[tuple[Parts, str]] = []
    ask = node.get("ask")
    if isinstance(ask, Mapping) and ask.get("type") == "regex":
        found.append(((*base, "ask", "pattern"), str(ask["pattern"])))
    for index, rule in enumerate(node.get("branch", ())):
        if rule["if"]["op"] == "matches":
            found.append(((*base, "branch", index, "if", "value"), str(rule["if"]["value"])))
    for parts, pattern in found:
        problem = _regex_error(pattern)
        if problem is not None:
            yield Finding(
                parts,
                "error",
                f"invalid regular expression: {problem}",
                "check brackets and escapes; a literal . ( [ { + * ? needs a backslash, "
                'written "\\\\" in JSON',
            )


def _looks_like_file_id(source: str) -> bool:
    return "/" not in source and "." not in source and len(source) >= FILE_ID_MIN


def _media(view: FlowView, parts: Parts, source: str) -> Iterator[Finding]:
    if source.startswith(("http://", "https://")) or _looks_like_file_id(source):
        return
    path = view.folder / source
    if path.is_file():
        return
    what = "is a folder, not a file" if path.is_dir() else "does not exist"
    yield Finding(
        parts,
        "error",
        f"media file {source!r} {what} (looked in {view.folder.as_posix() or '.'})",
        "paths are relative to the flow file's folder, e.g. media/maths.pdf; "
        "or use an https:// URL or a Telegram file_id",
    )
