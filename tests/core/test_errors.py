"""Core's errors carry codes and neutral words; each surface words them in its own idiom."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from core.audio import AudioError
from core.documents import DocumentError, DocumentProblem
from core.errors import (
    ErrorCode,
    InterviewAlreadyActiveError,
    InterviewError,
    NoActiveInterviewError,
    UnknownRoleError,
)

CORE = Path(__file__).resolve().parents[2] / "core"
# A slash command (not the prompts' <interview_state> tags), a command in backticks, a
# Discord option, a terminal flag.
SURFACE_SYNTAX = re.compile(r"(?<![<\w])/interview\b|`(?:start|end|reset|hint|skip)\b"
                            r"|\brole:[a-z]|--role\b")


def _strings_outside_docstrings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
            and isinstance(node.value, str) and id(node) not in docstrings]


def test_no_core_string_speaks_one_surfaces_syntax():
    found = {f"{path.relative_to(CORE)}: {text[:60]!r}"
             for path in CORE.rglob("*.py") for text in _strings_outside_docstrings(path)
             if SURFACE_SYNTAX.search(text)}
    assert found == set()


def test_the_check_would_catch_a_slash_command(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('"""Mentions /interview in a docstring."""\nHINT = "Use `/interview start`"\n')
    assert _strings_outside_docstrings(sample) == ["Use `/interview start`"]


def test_every_error_carries_a_code_and_knows_if_its_words_are_the_default():
    assert NoActiveInterviewError().error_code is ErrorCode.no_interview
    assert NoActiveInterviewError().generic
    assert not NoActiveInterviewError("This interview is over.").generic
    assert InterviewAlreadyActiveError().error_code is ErrorCode.already_active
    assert UnknownRoleError("chef", ["sales"], None).error_code is ErrorCode.unknown_role
    audio = AudioError("too_long")
    assert audio.error_code is ErrorCode.audio and audio.code == "too_long"  # reason kept
    assert DocumentError(DocumentProblem.empty).error_code is ErrorCode.document
    assert InterviewError().error_code is ErrorCode.unexpected
