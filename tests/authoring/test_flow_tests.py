"""Flow tests (.chat conversations): they pass on the example, fail with the place, update."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.authoring.flow_tests import (
    ChatFileError,
    chat_files,
    read_chat,
    run_chat,
    uncovered,
)
from engine.authoring.library import load_library
from engine.cli.main import main

FLOWS = Path(__file__).parents[2] / "flows"
EXAMPLE = FLOWS / "tests" / "clix-teachers"


def test_the_example_conversations_pass_and_reach_every_node() -> None:
    library = load_library([FLOWS])
    visited: set[str] = set()
    files = chat_files([EXAMPLE])
    assert len(files) >= 5
    for file in files:
        outcome = run_chat(read_chat(file, "clix-teachers"), library)
        assert outcome.differences == [], outcome.differences
        visited |= outcome.visited
    assert uncovered(library, "clix-teachers", visited) == []


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    shutil.copytree(FLOWS, tmp_path / "flows")
    return tmp_path / "flows"


def test_a_difference_names_the_file_line_expected_and_got(
    flows: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chat = flows / "tests" / "clix-teachers" / "about-and-goodbye.chat"
    lines = chat.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("Namaste"))
    lines[number - 1] = "Hello teacher!"
    chat.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["test", str(chat)]) == 1
    out = capsys.readouterr().out
    assert f"{chat}:{number}: expected 'Hello teacher!' got 'Namaste! 🙏" in out

    assert main(["test", "--update", str(chat)]) == 0
    assert "Namaste!" in chat.read_text(encoding="utf-8")
    assert main(["test", str(chat)]) == 0


def test_coverage_lists_the_nodes_no_conversation_reaches(
    flows: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    only = flows / "tests" / "clix-teachers" / "reminders.chat"
    assert main(["test", "--coverage", str(only)]) == 0
    out = capsys.readouterr().out
    assert "clix-teachers: " in out and "not reached: faq_login" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Hello\n> /start\n", ":1: a reply line before any input"),
        ("> /start\n>\n", ":2: an input line is '> '"),
        ("# only a comment\n", ":1: no '> ' input line"),
    ],
)
def test_a_malformed_chat_file_is_an_error_with_its_place(
    tmp_path: Path, content: str, message: str
) -> None:
    chat = tmp_path / "broken.chat"
    chat.write_text(content, encoding="utf-8")
    with pytest.raises(ChatFileError, match=message):
        read_chat(chat, "clix-teachers")


def test_no_conversations_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(tmp_path)]) == 2
    assert "no .chat conversations" in capsys.readouterr().err
