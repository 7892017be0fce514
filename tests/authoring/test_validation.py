"""Flow validation, driven by tests/flows/good (no problems) and tests/flows/broken (+ sidecars)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from engine.authoring.validation import Problem, validate_file, validate_paths, validate_text

FLOWS = Path(__file__).parents[1] / "flows"
GOOD = sorted((FLOWS / "good").glob("*.json"))
BROKEN = sorted(p for p in (FLOWS / "broken").glob("*.json") if not p.name.endswith(".expect.json"))
KNOWN = {
    json.loads(p.read_text(encoding="utf-8"))["flow"]: set(
        json.loads(p.read_text(encoding="utf-8"))["nodes"]
    )
    for p in GOOD
}


def _expected(path: Path) -> list[dict[str, str]]:
    sidecar = path.with_name(path.stem + ".expect.json")
    expected: list[dict[str, str]] = json.loads(sidecar.read_text(encoding="utf-8"))
    return expected


def _unmatched(problems: list[Problem], expected: list[dict[str, str]]) -> list[Any]:
    """Pair each expectation with a distinct problem; return what stays unpaired."""
    left = list(problems)
    missing = []
    for want in expected:
        hit = next(
            (
                p
                for p in left
                if p.severity == want["severity"]
                and p.pointer == want["pointer"]
                and want["contains"] in p.message
            ),
            None,
        )
        if hit is None:
            missing.append(want)
        else:
            left.remove(hit)
    return missing + [p.format() for p in left]


def test_there_are_enough_cases() -> None:
    assert len(GOOD) >= 6
    assert len(BROKEN) >= 25
    for path in BROKEN:
        assert path.with_name(path.stem + ".expect.json").is_file(), path


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_flow_has_no_problems(path: Path) -> None:
    problems = validate_file(path, KNOWN)
    assert [p.format() for p in problems] == []


def test_good_flows_together_have_no_problems() -> None:
    assert [p.format() for p in validate_paths([FLOWS / "good"])] == []


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.name)
def test_broken_flow_reports_exactly_the_expected_problems(path: Path) -> None:
    problems = validate_file(path, KNOWN)
    assert _unmatched(problems, _expected(path)) == []
    for problem in problems:
        assert problem.file == str(path)
        assert problem.line >= 1 and problem.column >= 1
        assert problem.hint, problem.format()
        where = f"{problem.file}:{problem.line}:{problem.column}: {problem.severity}: "
        assert (
            problem.format()
            == f"{where}{problem.pointer or '/'}: {problem.message} ({problem.hint})"
        )


@pytest.mark.parametrize("path", GOOD + BROKEN, ids=lambda p: p.name)
def test_never_raises_on_a_cut_flow(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for cut in range(0, len(text), max(1, len(text) // 25)):
        validate_text(text[:cut], str(path))


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_never_raises_on_a_reshaped_flow(path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    places = list(_places(doc))
    for where in places[:: max(1, len(places) // 30)]:
        odd: Any
        for odd in (None, 7, "x", [], {"a": [{}]}):
            validate_text(json.dumps(_replaced(doc, where, odd)), str(path))


def _places(value: Any, parts: tuple[Any, ...] = ()) -> Any:
    yield parts
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        yield from _places(item, (*parts, key))


def _replaced(doc: Any, parts: tuple[Any, ...], new: Any) -> Any:
    if not parts:
        return new
    copy = json.loads(json.dumps(doc))
    here = copy
    for part in parts[:-1]:
        here = here[part]
    here[parts[-1]] = new
    return copy


def test_format_names_file_line_column_pointer_and_hint() -> None:
    text = (
        "{\n"
        '  "flow": "demo",\n'
        '  "languages": ["en"],\n'
        '  "start": "start",\n'
        '  "nodes": {\n'
        '    "start": {"say": "Hi", "next": "nowhere"}\n'
        "  }\n"
        "}\n"
    )
    (problem,) = validate_text(text, "flows/demo.json")
    assert problem.line == 6
    assert problem.column == 36
    assert problem.format() == (
        "flows/demo.json:6:36: error: /nodes/start/next: next names no node 'nowhere' "
        "(add a node 'nowhere', or use one of: start)"
    )
    assert problem.as_dict() == {
        "file": "flows/demo.json",
        "pointer": "/nodes/start/next",
        "line": 6,
        "column": 36,
        "severity": "error",
        "message": "next names no node 'nowhere'",
        "hint": "add a node 'nowhere', or use one of: start",
    }


def test_invalid_json_points_at_the_decoder_position() -> None:
    (problem,) = validate_text('{\n  "flow": "x",\n  "start" "a"\n}\n', "x.json")
    assert (problem.line, problem.column, problem.pointer) == (3, 11, "")
    assert problem.message.startswith("invalid JSON")
    assert "colon" in problem.hint


def test_a_folder_with_a_broken_file_still_checks_the_others(tmp_path: Path) -> None:
    shutil.copy(FLOWS / "broken" / "invalid_json.json", tmp_path / "a_broken.json")
    shutil.copy(FLOWS / "good" / "minimal.json", tmp_path / "b_good.json")
    shutil.copy(FLOWS / "broken" / "unreachable.json", tmp_path / "c_warns.json")
    (tmp_path / "notes.txt").write_text("not a flow", encoding="utf-8")
    problems = validate_paths([tmp_path])
    files = {Path(p.file).name for p in problems}
    assert files == {"a_broken.json", "c_warns.json"}
    assert any(p.message.startswith("invalid JSON") for p in problems)
    assert [p.severity for p in problems if p.file.endswith("c_warns.json")] == ["warning"] * 2


def _flow(flow_id: str, nodes: dict[str, Any], **extra: Any) -> str:
    doc = {"flow": flow_id, "languages": ["en"], "start": next(iter(nodes)), "nodes": nodes}
    return json.dumps({**doc, **extra}, indent=2)


def test_cross_flow_targets_resolve_against_every_flow_given(tmp_path: Path) -> None:
    (tmp_path / "main.json").write_text(
        _flow(
            "main",
            {
                "start": {
                    "say": "Hi",
                    "choices": [
                        {"label": "Help", "next": "help:intro"},
                        {"label": "Lost", "next": "help:missing"},
                    ],
                },
                "name": {
                    "say": "Name?",
                    "ask": {"save_as": "name", "type": "text"},
                    "next": "start",
                },
            },
            entry_points=["name"],
        ),
        encoding="utf-8",
    )
    (tmp_path / "help.json").write_text(
        _flow(
            "help",
            {
                "start": {"say": "Help desk", "end": True},
                "intro": {"say": "Hello {name}, how can we help?", "end": True},
            },
        ),
        encoding="utf-8",
    )
    problems = validate_paths([tmp_path])
    assert [(Path(p.file).name, p.pointer) for p in problems] == [
        ("main.json", "/nodes/start/choices/1/next")
    ]
    assert "(help) names no node 'missing'" in problems[0].message
    alone = validate_file(tmp_path / "help.json")
    assert {p.pointer for p in alone} == {"/nodes/intro", "/nodes/intro/say"}


def test_a_flow_id_used_twice_and_two_main_flows_are_errors(tmp_path: Path) -> None:
    nodes = {"start": {"say": "Hi", "end": True}}
    (tmp_path / "one.json").write_text(_flow("same", nodes, main=True), encoding="utf-8")
    (tmp_path / "two.json").write_text(_flow("same", nodes), encoding="utf-8")
    (tmp_path / "three.json").write_text(_flow("other", nodes, main=True), encoding="utf-8")
    problems = validate_paths([tmp_path])
    messages = {(Path(p.file).name, p.pointer): p.message for p in problems}
    assert len(problems) == 2
    assert "also used by" in messages[("two.json", "/flow")]
    assert "marked main too" in messages[("three.json", "/main")]


def test_a_missing_path_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    (problem,) = validate_paths([tmp_path / "nope.json"])
    assert problem.severity == "error" and "cannot read" in problem.message
