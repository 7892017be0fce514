"""A flow as a diagram: mermaid text (no renderer needed) or SVG through Graphviz's `dot`."""

from __future__ import annotations

import shutil
import subprocess

from engine.core.flow import Flow
from engine.core.text import localize


def _edges(flow: Flow) -> list[tuple[str, str, str]]:
    lang = flow.languages[0]
    edges: list[tuple[str, str, str]] = []
    for node in flow.nodes.values():
        for index, choice in enumerate(node.choices, start=1):
            edges.append(
                (node.id, choice.next, f"{index}. {localize(choice.label, lang, flow.languages)}")
            )
        if node.ask is not None and node.next:
            edges.append((node.id, node.next, f"{node.ask.type} → {node.ask.save_as}"))
        elif node.next:
            edges.append((node.id, node.next, ""))
        for rule in node.branch:
            value = "" if rule.op in ("set", "unset") else f" {rule.value}"
            edges.append((node.id, rule.next, f"{rule.var} {rule.op}{value}"))
        if node.else_:
            edges.append((node.id, node.else_, "else"))
        if node.timeout is not None:
            edges.append((node.id, node.timeout.next, f"timeout {node.timeout.after}s"))
    return edges


def _mermaid_id(state: str) -> str:
    return state.replace("-", "_").replace(":", "__")


def _quote(text: str) -> str:
    return text.replace('"', "'").replace("\n", " ")


def to_mermaid(flow: Flow) -> str:
    lines = ["stateDiagram-v2", "  direction LR"]
    targets = {dest for _, dest, _ in _edges(flow)}
    for state in [*flow.nodes, *sorted(t for t in targets if ":" in t)]:
        lines.append(f'  state "{_quote(state)}" as {_mermaid_id(state)}')
    lines.append(f"  [*] --> {_mermaid_id(flow.start)}")
    for source, dest, text in _edges(flow):
        label = f": {_quote(text).replace(':', ' ')}" if text else ""
        lines.append(f"  {_mermaid_id(source)} --> {_mermaid_id(dest)}{label}")
    for node in flow.nodes.values():
        if node.end:
            lines.append(f"  {_mermaid_id(node.id)} --> [*]")
    return "\n".join(lines) + "\n"


def to_dot(flow: Flow) -> str:
    lines = [
        f'digraph "{_quote(flow.id)}" {{',
        "  rankdir=LR;",
        "  node [shape=box, style=rounded];",
    ]
    for node in flow.nodes.values():
        shape = ", peripheries=2" if node.end else ""
        lines.append(f'  "{node.id}" [label="{node.id}"{shape}];')
    for source, dest, text in _edges(flow):
        lines.append(f'  "{source}" -> "{dest}" [label="{_quote(text)}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


class RendererMissing(RuntimeError):
    pass


def to_svg(flow: Flow) -> str:
    dot = shutil.which("dot")
    if dot is None:
        raise RendererMissing(
            "svg needs Graphviz's `dot` (apt-get install graphviz); --format mermaid needs nothing"
        )
    done = subprocess.run(
        [dot, "-Tsvg"], input=to_dot(flow), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RendererMissing(f"dot failed: {done.stderr.strip().splitlines()[-1:]}")
    return done.stdout
