"""Translators' files: a flow's user-visible texts as a PO catalog, and translations merged back.

Every text a user sees (`flow_texts`: title, labels, say items, captions, choice labels, retry
and timeout texts) becomes one PO message: msgctxt "<node id> <JSON pointer>" (node id `-` for
flow-level texts), msgid the text in the flow's first (source) language, msgstr the translation
the flow already has, if any. The header's Project-Id-Version names the flow id and the
revision of its source texts (a fingerprint of contexts and msgids), so an import refuses a
file made for another flow, or for texts that have changed since the export.

Merging sets one language of each translated text, turning a plain string into
{source: text, language: translation}; fuzzy entries are never applied. The flow file is
edited in place with `json_edit`, so a file that gains no translation stays byte for byte.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po, write_po
from json_source_map import calculate

from engine.authoring.json_edit import JsonText, Splice, rewrite
from engine.authoring.schema import pointer_of, schema_errors
from engine.authoring.validation_common import FlowView, Parts, TextKind, flow_texts
from engine.core.vocabulary import VARIABLE

FLOW_LEVEL = "-"
"""The node part of the context of a text that belongs to the flow, not a node."""
REVISION_PREFIX = "texts-"
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$")

_KIND_NOTES: dict[TextKind, str] = {
    "message": "A message the bot sends.",
    "caption": "The caption under a photo or document (at most 1024 characters).",
    "label": "A button: keep it short.",
    "retry": "Sent when an answer is not what the question wants: say what is wanted.",
    "button": "A word of the bot's own (a button or a built-in reply).",
    "title": "The flow's name in the dashboard and simulator.",
}


class TranslationError(ValueError):
    """A PO file or flow that cannot be used, in one line."""


@dataclass(frozen=True)
class TextEntry:
    """One user-visible text of a flow."""

    node: str | None
    parts: Parts
    kind: TextKind
    value: Any
    """The text as written: a string or {language: text}."""
    source: str
    """Its version in the source language."""

    @property
    def pointer(self) -> str:
        return pointer_of(self.parts)

    @property
    def context(self) -> str:
        return f"{self.node or FLOW_LEVEL} {self.pointer}"

    def translation(self, language: str) -> str | None:
        if isinstance(self.value, Mapping):
            found = self.value.get(language)
            return str(found) if found is not None else None
        return None


@dataclass(frozen=True)
class FlowTexts:
    """The translatable texts of a flow, and those left out for having no source version."""

    flow: str
    source_language: str
    languages: tuple[str, ...]
    entries: list[TextEntry]
    no_source: list[str]

    @property
    def revision(self) -> str:
        return texts_revision(self.entries)


def texts_revision(entries: Sequence[TextEntry]) -> str:
    """A fingerprint of the source texts and their places: "texts-" and 16 hex digits."""
    canonical = json.dumps([[e.context, e.source] for e in entries], ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return REVISION_PREFIX + digest[:16]


def collect_texts(doc: Mapping[str, Any], where: str = "flow") -> FlowTexts:
    """Every user-visible text of a flow that passes the schema (else a TranslationError)."""
    if schema_errors(doc):
        raise TranslationError(
            f"{where} does not pass the flow schema; run `clixchat validate {where}` first"
        )
    languages = tuple(str(language) for language in doc["languages"])
    source = languages[0]
    view = FlowView(doc, frozenset(), Path("."))
    entries: list[TextEntry] = []
    no_source: list[str] = []
    for site in flow_texts(view):
        value = site.value
        text = value if isinstance(value, str) else value.get(source)
        entry = TextEntry(site.node, site.parts, site.kind, value, str(text or ""))
        if text is None:
            no_source.append(entry.context)
        else:
            entries.append(entry)
    return FlowTexts(str(doc["flow"]), source, languages, entries, no_source)


def check_language(texts: FlowTexts, language: str) -> None:
    if not LANGUAGE.fullmatch(language):
        raise TranslationError(
            f"{language!r} is not a language code (two or three lower-case letters and an "
            "optional region, e.g. mr, pt-BR)"
        )
    if language == texts.source_language:
        raise TranslationError(
            f"{language} is the flow's source language (its first); choose another language"
        )
    try:
        Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise TranslationError(f"babel knows no language {language!r}") from None


def _notes(entry: TextEntry, texts: FlowTexts, language: str, keyboard: Any) -> list[str]:
    notes = [_KIND_NOTES[entry.kind]]
    if entry.kind == "label" and keyboard == "inline":
        notes.append("An inline button: at most 64 bytes (an Indian letter takes 3).")
    names = VARIABLE.findall(entry.source)
    if names:
        notes.append(
            "Keep " + ", ".join("{" + n + "}" for n in names) + " as written: it is replaced "
            "by what the user answered."
        )
    for other in texts.languages[1:]:
        known = entry.translation(other)
        if other != language and known is not None:
            notes.append(f"{other}: {known}")
    return notes


def build_catalog(
    doc: Mapping[str, Any], language: str, file: Path, text: str | None = None
) -> tuple[Catalog, FlowTexts]:
    """The PO catalog for translating the flow `doc` (read from `file`, whose `text` gives the
    line numbers of the locations) into `language`."""
    texts = collect_texts(doc, str(file))
    check_language(texts, language)
    places = calculate(text) if text is not None else {}
    title = doc.get("title")
    name = title.get(texts.source_language) if isinstance(title, Mapping) else title
    catalog = Catalog(
        locale=language.replace("-", "_"),
        project=texts.flow,
        version=texts.revision,
        header_comment=(
            f"# {language} translation of the flow {texts.flow} ({name or file.name}).\n"
            f"# Source language: {texts.source_language}; file: {file.name}; revision of the "
            f"texts: {texts.revision}.\n"
            "# Each entry's context is <node id> <JSON pointer> (- for the flow's own texts).\n"
            "# Import with: clixchat translations import THIS-FILE --flow FLOW-FILE"
        ),
        creation_date=datetime.now(UTC),
        fuzzy=False,
    )
    for entry in texts.entries:
        place = places.get(entry.pointer)
        locations = [(file.name, int(place.value_start.line) + 1)] if place is not None else []
        message = Message(
            entry.source,
            entry.translation(language) or "",
            locations=locations,
            auto_comments=_notes(entry, texts, language, doc.get("keyboard")),
            context=entry.context,
        )
        message.flags.discard("python-format")  # "50% off" is not a format string
        if VARIABLE.search(entry.source):
            message.flags.add("python-brace-format")
        catalog[entry.source] = message
    return catalog, texts


def catalog_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=0, sort_output=False, include_previous=True)
    return out.getvalue()


@dataclass
class CarryReport:
    """What `carry_over` took from an older PO file (by context)."""

    kept: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)


def carry_over(catalog: Catalog, old: Catalog, name: str) -> CarryReport:
    """Fill `catalog` (a fresh export) with the translations of `old` (an earlier export of the
    same flow and language, translated since): same place and source text: taken as it is;
    the source text changed, or the same text at another place: taken but marked fuzzy, with
    the old source beside it (`#| msgid`), for the translator to check."""
    if old.project != catalog.project:
        raise TranslationError(
            f"{name} was made for the flow {old.project!r}, not {catalog.project!r}"
        )
    if old.locale_identifier != catalog.locale_identifier:
        raise TranslationError(
            f"{name} is in {old.locale_identifier}, not {catalog.locale_identifier}"
        )
    done = [m for m in old if m.id and m.string and str(m.string).strip()]
    by_context = {str(m.context): m for m in done}
    by_source = {str(m.id): m for m in done if not m.fuzzy}
    report = CarryReport()
    for message in catalog:
        if not message.id:
            continue
        context = str(message.context)
        same_place = by_context.get(context)
        found = same_place or by_source.get(str(message.id))
        if found is None:
            continue
        message.string = found.string
        if found.id == message.id and found is same_place and not found.fuzzy:
            report.kept.append(context)
            continue
        message.flags.add("fuzzy")
        if found.id != message.id:
            message.previous_id = [str(found.id)]
        report.fuzzy.append(context)
    return report


def read_catalog(data: bytes, name: str) -> Catalog:
    """A PO file's catalog; anything malformed is one TranslationError naming the line."""
    try:
        catalog = read_po(io.BytesIO(data), abort_invalid=True)
    except PoFileError as error:
        raise TranslationError(
            f"{name}:{error.lineno + 1}: not a valid PO file: {str(error).rsplit(' on ', 1)[0]}"
        ) from None
    except (UnicodeDecodeError, ValueError, LookupError) as error:
        raise TranslationError(f"{name}: not a valid PO file: {error}") from None
    if not catalog.project or not str(catalog.version or "").startswith(REVISION_PREFIX):
        raise TranslationError(
            f"{name}: not made by `clixchat translations export` (its header names no flow "
            "and revision of the texts)"
        )
    if catalog.locale is None:
        raise TranslationError(f"{name}: the header has no Language")
    return catalog


def catalog_flow(catalog: Catalog) -> str:
    """The flow id the catalog was made for."""
    return str(catalog.project)


def catalog_language(catalog: Catalog, declared: Sequence[str]) -> str:
    """The catalog's language as the flow writes it ("pt_BR" is the flow's "pt-br", if any)."""
    code = str(catalog.locale_identifier).replace("_", "-")
    return next((d for d in declared if d.lower() == code.lower()), code)


@dataclass
class MergeReport:
    """What an import did: texts set, already so, untranslated and fuzzy (by context)."""

    flow: str
    language: str
    applied: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)
    """Contexts whose translation does not keep the source's {variables}."""
    language_added: bool = False
    text: str = ""
    """The flow file's new text."""


def _check_catalog(catalog: Catalog, texts: FlowTexts, name: str, where: str) -> None:
    made_for = catalog_flow(catalog)
    if made_for != texts.flow:
        raise TranslationError(
            f"{name} was made for the flow {made_for!r}, not {texts.flow!r} ({where})"
        )
    if catalog.version != texts.revision:
        raise TranslationError(
            f"{name} was made for another revision of the texts of {texts.flow} "
            f"({catalog.version}; {where} now has {texts.revision}): export again with "
            f"--from {name} to carry its translations over"
        )


def merge(text: str, catalog: Catalog, name: str, where: str) -> MergeReport:
    """Merge the catalog's translations into the flow file's `text`; `name` and `where` name
    the PO file and the flow file in errors. The report's `text` is the new file text."""
    doc = json.loads(text)
    texts = collect_texts(doc, where)
    _check_catalog(catalog, texts, name, where)
    language = catalog_language(catalog, texts.languages)
    if language == texts.source_language:
        raise TranslationError(f"{name} is in {language}, the flow's source language")
    report = MergeReport(texts.flow, language)
    by_context = {entry.context: entry for entry in texts.entries}
    found: set[str] = set()
    source = JsonText(text)
    splices: list[Splice] = []
    for message in catalog:
        if not message.id:
            continue
        context = str(message.context or "")
        entry = by_context.get(context)
        if entry is None or message.id != entry.source:
            raise TranslationError(
                f"{name}: the entry {context or message.id!r} does not match the flow's texts"
            )
        found.add(context)
        translation = str(message.string or "")
        if message.fuzzy:
            report.fuzzy.append(context)
        elif not translation.strip():
            report.untranslated.append(context)
        elif entry.translation(language) == translation:
            report.unchanged.append(context)
        else:
            report.applied.append(context)
            if set(VARIABLE.findall(translation)) != set(VARIABLE.findall(entry.source)):
                report.placeholders.append(context)
            splices.append(
                _set_text(source, doc, entry, texts.source_language, language, translation)
            )
    report.untranslated += [e.context for e in texts.entries if e.context not in found]
    if report.applied and language not in texts.languages:
        splices.append(source.append_item(("languages",), list(doc["languages"]), language))
        doc["languages"].append(language)
        report.language_added = True
    report.text = rewrite(text, splices, doc)
    return report


def _parent(doc: Any, parts: Parts) -> Any:
    for part in parts[:-1]:
        doc = doc[part]
    return doc


def _set_text(
    source: JsonText,
    doc: dict[str, Any],
    entry: TextEntry,
    source_language: str,
    language: str,
    translation: str,
) -> Splice:
    """Set `language` of the text at entry.parts in `doc`, and the splice that does it."""
    parent = _parent(doc, entry.parts)
    current = parent[entry.parts[-1]]
    if isinstance(current, dict):
        splice = source.set_member(entry.parts, current, language, translation)
        current[language] = translation
        return splice
    value = {source_language: current, language: translation}
    parent[entry.parts[-1]] = value
    return source.replace(entry.parts, value)
