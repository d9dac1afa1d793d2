"""Quality review: scorecards (forms of weighted criteria in sections, versioned) and the
evaluations supervisors fill while listening to a call. Pure rules (no I/O).

A form is parsed and validated whole (every problem with its path, as the flows are); a
new version is a new form (evaluations keep the version they were made on). A criterion is
``yes_no`` (yes scores 1, no 0), ``scale`` (1..``scale``, scored (v-1)/(scale-1)), and may
be answered ``n/a`` when it ``allows_na`` (then it weighs nothing). The evaluation's score
is the weighted share of what applied, in percent. A submitted evaluation is never edited:
it is superseded by a new one, with a reason; its agent acknowledges or disputes it.
Calibration: several graders' evaluations of one call, the spread per criterion.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

NA = "n/a"
CRITERION_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
AUTO_CHECKS = frozenset({"greeting", "closing", "silence", "talk_over", "hold"})
MAX_SECTIONS, MAX_CRITERIA, MAX_COMMENTS = 20, 100, 200


class ScorecardError(ValueError):
    """Every problem at once, each as ``path: message``; ``field`` is the first path."""

    def __init__(self, issues: Sequence[str]) -> None:
        super().__init__("; ".join(issues))
        self.issues = list(issues)
        self.field = issues[0].split(":", 1)[0] if issues else ""


class Kind(enum.StrEnum):
    YES_NO = "yes_no"
    SCALE = "scale"


@dataclasses.dataclass(frozen=True)
class Criterion:
    id: str
    text: str
    kind: Kind
    weight: float = 1.0
    scale: int = 5  # for a scale: 1..scale
    allows_na: bool = False
    auto: str = ""  # a check from the transcript that pre-fills it (AUTO_CHECKS)


@dataclasses.dataclass(frozen=True)
class Section:
    title: str
    criteria: tuple[Criterion, ...]


@dataclasses.dataclass(frozen=True)
class Form:
    id: int
    name: str
    version: int
    sections: tuple[Section, ...]

    def criteria(self) -> dict[str, Criterion]:
        return {c.id: c for s in self.sections for c in s.criteria}


def _criterion(raw: object, path: str, seen: set[str], issues: list[str]) -> Criterion | None:
    if not isinstance(raw, Mapping):
        issues.append(f"{path}: a criterion is an object")
        return None
    cid, text, kind = raw.get("id"), raw.get("text"), raw.get("kind")
    if not isinstance(cid, str) or not CRITERION_ID.fullmatch(cid):
        issues.append(f"{path}.id: {cid!r} is not an id (a-z, digits, _)")
    elif cid in seen:
        issues.append(f"{path}.id: {cid!r} is used twice")
    if not isinstance(text, str) or not 1 <= len(text.strip()) <= 300:
        issues.append(f"{path}.text: 1 to 300 characters")
    if kind not in {k.value for k in Kind}:
        issues.append(f"{path}.kind: {kind!r} is not one of {[k.value for k in Kind]}")
    weight, scale = raw.get("weight", 1), raw.get("scale", 5)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 100:
        issues.append(f"{path}.weight: {weight!r} is not a number in (0, 100]")
    if isinstance(scale, bool) or not isinstance(scale, int) or not 2 <= scale <= 10:
        issues.append(f"{path}.scale: {scale!r} is not a whole number from 2 to 10")
    auto = raw.get("auto", "")
    if auto and auto not in AUTO_CHECKS:
        issues.append(f"{path}.auto: {auto!r} is not one of {sorted(AUTO_CHECKS)}")
    unknown = set(raw) - {"id", "text", "kind", "weight", "scale", "allows_na", "auto"}
    if unknown:
        issues.append(f"{path}: unknown key(s) {sorted(unknown)}")
    if any(i.startswith(path) for i in issues):
        return None
    seen.add(str(cid))
    return Criterion(str(cid), str(text).strip(), Kind(str(kind)), float(weight), int(scale),
                     bool(raw.get("allows_na", False)), str(auto))  # fmt: skip


def parse_sections(raw: object) -> tuple[Section, ...]:
    """A form's sections from JSON, or :class:`ScorecardError` naming every problem."""
    issues: list[str] = []
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_SECTIONS:
        raise ScorecardError([f"sections: a list of 1 to {MAX_SECTIONS} sections"])
    seen: set[str] = set()
    sections = []
    for i, section in enumerate(raw):
        path = f"sections[{i}]"
        if not isinstance(section, Mapping):
            issues.append(f"{path}: a section is an object")
            continue
        title, criteria = section.get("title"), section.get("criteria")
        if not isinstance(title, str) or not 1 <= len(title.strip()) <= 120:
            issues.append(f"{path}.title: 1 to 120 characters")
        if not isinstance(criteria, list) or not 1 <= len(criteria) <= MAX_CRITERIA:
            issues.append(f"{path}.criteria: a list of 1 to {MAX_CRITERIA} criteria")
            continue
        parsed = [_criterion(c, f"{path}.criteria[{j}]", seen, issues)
                  for j, c in enumerate(criteria)]  # fmt: skip
        sections.append(Section(str(title).strip(), tuple(c for c in parsed if c)))
    if issues:
        raise ScorecardError(issues)
    return tuple(sections)


def sections_json(sections: Sequence[Section]) -> list[dict[str, Any]]:
    return [
        {"title": s.title,
         "criteria": [{"id": c.id, "text": c.text, "kind": c.kind.value, "weight": c.weight,
                       "scale": c.scale, "allows_na": c.allows_na, "auto": c.auto}
                      for c in s.criteria]}
        for s in sections
    ]  # fmt: skip


Answer = int | bool | str  # yes/no, a scale value, or "n/a"


def check_answers(form: Form, raw: object) -> dict[str, Answer]:
    """An evaluation's answers against its form: every criterion answered, each in its
    range, no criterion the form does not have (a deleted one is named)."""
    if not isinstance(raw, Mapping):
        raise ScorecardError(["answers: an object of criterion id -> answer"])
    criteria, issues = form.criteria(), []
    for cid in raw:
        if cid not in criteria:
            issues.append(f"answers.{cid}: no such criterion in {form.name} v{form.version}")
    out: dict[str, Answer] = {}
    for cid, c in criteria.items():
        value, path = raw.get(cid), f"answers.{cid}"
        if value == NA and c.allows_na:
            out[cid] = NA
        elif (c.kind is Kind.YES_NO and isinstance(value, bool)) or (
            c.kind is Kind.SCALE
            and isinstance(value, int)
            and not isinstance(value, bool)
            and 1 <= value <= c.scale
        ):
            out[cid] = value
        else:
            want = "yes/no" if c.kind is Kind.YES_NO else f"1..{c.scale}"
            issues.append(f"{path}: {value!r} is not {want}{' or n/a' if c.allows_na else ''}")
    if issues:
        raise ScorecardError(issues)
    return out


def points(c: Criterion, value: Answer) -> float | None:
    """0..1 for an answer (None: not applicable)."""
    if value == NA:
        return None
    if c.kind is Kind.YES_NO:
        return 1.0 if value is True else 0.0
    return (int(value) - 1) / (c.scale - 1)


def score(form: Form, answers: Mapping[str, Answer]) -> float | None:
    """The weighted share of what applied, in percent (None: nothing applied)."""
    got = weight = 0.0
    for cid, c in form.criteria().items():
        p = points(c, answers[cid])
        if p is not None:
            got, weight = got + p * c.weight, weight + c.weight
    return round(100.0 * got / weight, 1) if weight else None


def check_comments(raw: object, duration: float) -> list[dict[str, Any]]:
    """Comments pinned to moments of the call: ``[{at: seconds, text}]`` within it."""
    if not isinstance(raw, list) or len(raw) > MAX_COMMENTS:
        raise ScorecardError([f"comments: a list of at most {MAX_COMMENTS}"])
    out, issues = [], []
    for i, c in enumerate(raw):
        at = c.get("at") if isinstance(c, Mapping) else None
        text = c.get("text") if isinstance(c, Mapping) else None
        if isinstance(at, bool) or not isinstance(at, int | float) or not 0 <= at <= duration + 1:
            issues.append(
                f"comments[{i}].at: {at!r} is not a moment of the call (0..{duration:.0f} s)"
            )
        if not isinstance(text, str) or not 1 <= len(text.strip()) <= 2000:
            issues.append(f"comments[{i}].text: 1 to 2000 characters")
        if not issues:
            out.append({"at": round(float(at), 1), "text": str(text).strip()})  # type: ignore[arg-type]
    if issues:
        raise ScorecardError(issues)
    return sorted(out, key=lambda c: c["at"])


def spread(forms_answers: Sequence[tuple[Form, Mapping[str, Answer]]]) -> dict[str, float | None]:
    """Calibration: per criterion, the spread of graders' points (max - min, 0..1) among
    the evaluations that applied it (None: fewer than two did)."""
    by: dict[str, list[float]] = {}
    for form, answers in forms_answers:
        for cid, c in form.criteria().items():
            if cid in answers and (p := points(c, answers[cid])) is not None:
                by.setdefault(cid, []).append(p)
    return {cid: (round(max(v) - min(v), 3) if len(v) > 1 else None) for cid, v in by.items()}


def mean_or_none(values: Sequence[float]) -> float | None:
    return round(statistics.fmean(values), 1) if values else None
