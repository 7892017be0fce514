"""A flow as a diagram a designer can read: mermaid text (no renderer needed), or SVG laid out on
the server by Graphviz's `dot`, alone or in one self-contained HTML page (no script, no CDN).

Each node shows its id, its kind (choices, the ask's type, next, branch, end) and the first words
of its text; each edge its choice label, its condition, `else`, or the timeout as written (24h).
"""

from __future__ import annotations

import html
import shutil
import subprocess
from collections.abc import Mapping

from engine.core.flow import Flow, Media, Node
from engine.core.text import localize

FIRST_WORDS = 6


def node_kind(node: Node) -> str:
    if node.choices:
        return "choices"
    if node.ask is not None:
        return f"ask {node.ask.type}"
    if node.branch:
        return "branch"
    if node.end:
        return "end"
    return "next"


def first_words(flow: Flow, node: Node, words: int = FIRST_WORDS) -> str:
    """The first words of the node's first text (or its first media item's caption)."""
    lang = flow.languages[0]
    for item in node.say:
        text = item.caption if isinstance(item, Media) else item
        if text is None:
            continue
        shown = localize(text, lang, flow.languages).split()
        if shown:
            return " ".join(shown[:words]) + (" …" if len(shown) > words else "")
    return ""


def edges(flow: Flow) -> list[tuple[str, str, str]]:
    lang = flow.languages[0]
    found: list[tuple[str, str, str]] = []
    for node in flow.nodes.values():
        for choice in node.choices:
            found.append((node.id, choice.next, localize(choice.label, lang, flow.languages)))
        if node.ask is not None and node.next:
            found.append((node.id, node.next, f"{node.ask.save_as} saved"))
        elif node.next:
            found.append((node.id, node.next, ""))
        for rule in node.branch:
            value = "" if rule.op in ("set", "unset") else f" {rule.value!r}"
            found.append((node.id, rule.next, f"if {rule.var} {rule.op}{value}"))
        if node.else_:
            found.append((node.id, node.else_, "else"))
        if node.timeout is not None:
            written = node.timeout.written or f"{node.timeout.after}s"
            found.append((node.id, node.timeout.next, f"timeout {written}"))
    return found


def _mermaid_id(state: str) -> str:
    return state.replace("-", "_").replace(":", "__")


def _quote(text: str) -> str:
    return text.replace('"', "'").replace("\n", " ")


def to_mermaid(flow: Flow) -> str:
    lines = ["stateDiagram-v2", "  direction LR"]
    targets = {dest for _, dest, _ in edges(flow)}
    for node in flow.nodes.values():
        words = first_words(flow, node)
        label = f"{node.id} ({node_kind(node)})" + (f" {words}" if words else "")
        lines.append(f'  state "{_quote(label)}" as {_mermaid_id(node.id)}')
    for state in sorted(t for t in targets if ":" in t):
        lines.append(f'  state "{_quote(state)}" as {_mermaid_id(state)}')
    lines.append(f"  [*] --> {_mermaid_id(flow.start)}")
    for source, dest, text in edges(flow):
        label = f": {_quote(text).replace(':', ' ')}" if text else ""
        lines.append(f"  {_mermaid_id(source)} --> {_mermaid_id(dest)}{label}")
    for node in flow.nodes.values():
        if node.end:
            lines.append(f"  {_mermaid_id(node.id)} --> [*]")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def to_dot(
    flow: Flow,
    notes: Mapping[str, str] | None = None,
    links: Mapping[str, str] | None = None,
) -> str:
    """Graphviz source; `notes` adds a line under a node (e.g. counts), `links` makes it a link."""
    lines = [
        f'digraph "{_dot_text(flow.id)}" {{',
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fillcolor="#f7f7f2", fontname="sans-serif",'
        " fontsize=11];",
        '  edge [fontname="sans-serif", fontsize=10, color="#666666"];',
    ]
    for node in flow.nodes.values():
        parts = [f"{node.id} · {node_kind(node)}"]
        words = first_words(flow, node)
        if words:
            parts.append(words)
        if notes and node.id in notes:
            parts.append(notes[node.id])
        label = "\\n".join(_dot_text(p) for p in parts)
        extra = ", peripheries=2" if node.end else ""
        if node.id == flow.start:
            extra += ', fillcolor="#e3f1e3"'
        if links and node.id in links:
            extra += f', URL="{_dot_text(links[node.id])}", target="_top"'
        lines.append(f'  "{node.id}" [label="{label}"{extra}];')
    for source, dest, text in edges(flow):
        lines.append(f'  "{source}" -> "{dest}" [label="{_dot_text(text)}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


class RendererMissing(RuntimeError):
    pass


def to_svg(
    flow: Flow,
    notes: Mapping[str, str] | None = None,
    links: Mapping[str, str] | None = None,
) -> str:
    dot = shutil.which("dot")
    if dot is None:
        raise RendererMissing(
            "svg and html need Graphviz's `dot` (apt-get install graphviz); "
            "--format mermaid needs nothing"
        )
    done = subprocess.run(
        [dot, "-Tsvg"],
        input=to_dot(flow, notes, links),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if done.returncode != 0:
        raise RendererMissing(f"dot failed: {done.stderr.strip().splitlines()[-1:]}")
    return done.stdout


def to_html(flow: Flow) -> str:
    """One self-contained page: the SVG inline, a little CSS, no script and nothing fetched."""
    svg = to_svg(flow)
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and doctype
    name = localize(flow.title, flow.languages[0], flow.languages) if flow.title else ""
    title = html.escape(f"{flow.id} — {name}" if name else flow.id)
    kinds = sorted({node_kind(n) for n in flow.nodes.values()})
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title>"
        "<style>body{font-family:sans-serif;margin:1rem;color:#222}"
        ".diagram{overflow:auto;border:1px solid #ddd}p{color:#555}</style></head><body>"
        f"<h1>{title}</h1>"
        f"<p>{len(flow.nodes)} nodes; start: <b>{html.escape(flow.start)}</b>; "
        f"revision {flow.revision[:12]}; node kinds: {html.escape(', '.join(kinds))}.</p>"
        f'<div class="diagram">{svg}</div></body></html>\n'
    )
