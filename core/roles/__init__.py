"""Interview roles, loaded from data files: adding a role is adding a TOML file.

Each file in ``core/roles/data`` describes one role (see ``sales.toml`` for the shape).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.errors import UnknownRoleError
from core.models import Difficulty, RoleSummary

DATA_DIR = Path(__file__).parent / "data"


class Category(StrEnum):
    behavioural = "behavioural"
    technical = "technical"
    situational = "situational"
    custom = "custom"


class MisconceptionKind(StrEnum):
    wrong = "wrong"  # factually or technically wrong (maths, complexity, definitions)
    unsafe = "unsafe"  # risky practice: data loss, double charges, skipping verification
    unethical = "unethical"  # lying, pressure tactics, blaming others, hiding problems


class Misconception(BaseModel):
    """A wrong or risky claim a grader listens for, and how an interviewer challenges it.

    Matched by meaning (``claim``); ``signals`` are regular expressions (case-insensitive)
    that must also match the candidate's sentence when meaning alone cannot tell a right
    claim from a wrong one (numbers, complexities, "every", "never").
    """

    model_config = ConfigDict(frozen=True)

    claim: str = Field(min_length=8)
    why: str = Field(min_length=8)
    challenge: str = Field(min_length=8)
    kind: MisconceptionKind = MisconceptionKind.wrong
    signals: list[str] = Field(default_factory=list)

    @field_validator("signals")
    @classmethod
    def _compiles(cls, value: list[str]) -> list[str]:
        for pattern in value:
            re.compile(pattern, re.IGNORECASE)
        return value


class Rubric(BaseModel):
    """An anchored rating scale (BARS) for one question: what a 1, 3 and 5 answer look like.

    The style follows behaviourally anchored rating scales as used in structured
    interviews (Google re:Work's interview guides, OPM's structured interview guide).
    """

    model_config = ConfigDict(frozen=True)

    score_1: str = Field(min_length=8)
    score_3: str = Field(min_length=8)
    score_5: str = Field(min_length=8)
    misconceptions: list[Misconception] = Field(default_factory=list)

    def anchors(self) -> dict[int, str]:
        return {1: self.score_1, 3: self.score_3, 5: self.score_5}


class Question(BaseModel):
    # Frozen: sessions share the bank's question objects instead of copying them.
    model_config = ConfigDict(frozen=True)

    id: str
    category: Category
    levels: list[Difficulty]
    star: bool
    text: str
    key_points: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    hint: str = ""
    clarify: str = ""
    example: str = ""
    follow_ups: list[str] = Field(default_factory=list)
    rubric: Rubric | None = None


class Role(BaseModel):
    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    summary: str = ""
    focus_areas: list[str] = Field(default_factory=list)
    technical_means: str = ""
    vocabulary: list[str] = Field(default_factory=list)
    questions: list[Question] = Field(min_length=1)

    def summary_model(self) -> RoleSummary:
        return RoleSummary(id=self.id, name=self.name, aliases=self.aliases, summary=self.summary)


def _normalise(name: str) -> str:
    return re.sub(r"[\s_\-/]+", " ", name.strip().lower())


class RoleCatalog:
    """All known roles, with lookup by id, display name or alias."""

    def __init__(self, roles: list[Role]) -> None:
        if not roles:
            raise ValueError("no roles loaded")
        self._roles = {role.id: role for role in sorted(roles, key=lambda r: r.id)}
        self._names: dict[str, str] = {}
        for role in self._roles.values():
            for name in (role.id, role.name, *role.aliases):
                self._names.setdefault(_normalise(name), role.id)

    @classmethod
    def from_directory(cls, directory: Path = DATA_DIR) -> RoleCatalog:
        roles = []
        for path in sorted(directory.glob("*.toml")):
            with path.open("rb") as handle:
                roles.append(Role.model_validate(tomllib.load(handle)))
        return cls(roles)

    def __iter__(self):
        return iter(self._roles.values())

    def __len__(self) -> int:
        return len(self._roles)

    @property
    def ids(self) -> list[str]:
        return list(self._roles)

    def get(self, role_id: str) -> Role:
        return self._roles[role_id]

    def resolve(self, name: str) -> Role:
        """Find a role by id, display name or alias; otherwise suggest the closest one."""
        key = _normalise(name or "")
        if key in self._names:
            return self._roles[self._names[key]]
        close = difflib.get_close_matches(key, list(self._names), n=1, cutoff=0.65)
        suggestion = self._roles[self._names[close[0]]].id if close else None
        raise UnknownRoleError(name, self.ids, suggestion)


@lru_cache(maxsize=1)
def default_catalog() -> RoleCatalog:
    return RoleCatalog.from_directory()
