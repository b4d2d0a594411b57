"""A draft's content as named fields, and a three-way merge of concurrent edits.

A draft is the assessment inputs (the ``neuroseq.assessment/1`` format) plus ``marks``:
sections a clinician explicitly marked "none known" or "not known". Every editable value
has a *path*: ``assessment_date``, ``rater``, ``functional.<function>``,
``current_relational_health.<item>``, ``relational_history.<period>.<item>``,
``clinical_flags.<flag>``, ``marks.<section>``; the adversity list is the path
``adversities``, changed by adding, replacing or removing whole entries.

An editor sends *operations* made against the revision its page was built from (the
base). ``merge`` applies them to the newest revision (current): a value someone else
changed since the base is a **conflict** when this editor changed it to something else
too; everything else merges. Nothing here touches the database.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Literal

MARK_SECTIONS = ("history", "relational_history", "current_relational_health")
MARK_VALUES = {
    "history": ("none", "not_known"),
    "relational_history": ("not_known",),
    "current_relational_health": ("not_known",),
}
RATED_SECTIONS = ("functional", "current_relational_health", "clinical_flags")
TOP_LEVEL = ("assessment_date", "rater")
ADVERSITY_KEYS = ("type", "period", "severity", "chronicity", "note")

OpKind = Literal["set", "add", "replace", "remove"]


@dataclass(frozen=True)
class Content:
    inputs: dict[str, Any]
    marks: dict[str, Any] = field(default_factory=dict)

    def get(self, path: str) -> Any:
        head, _, rest = path.partition(".")
        if head == "marks":
            return self.marks.get(rest)
        if head in TOP_LEVEL and not rest:
            return self.inputs.get(head)
        if head == "adversities" and not rest:
            return [normal_entry(e) for e in self.inputs.get("adversities") or []]
        if head in RATED_SECTIONS and rest:
            return (self.inputs.get(head) or {}).get(rest)
        if head == "relational_history" and rest.count(".") == 1:
            period, item = rest.split(".")
            return ((self.inputs.get(head) or {}).get(period) or {}).get(item)
        raise KeyError(f"unknown field {path!r}")

    def paths(self) -> list[str]:
        """Every path that holds a value (not None), in a stable order."""
        found = [p for p in TOP_LEVEL if self.inputs.get(p) not in (None, "")]
        if self.inputs.get("adversities"):
            found.append("adversities")
        for section in RATED_SECTIONS:
            found += [
                f"{section}.{k}"
                for k, v in (self.inputs.get(section) or {}).items()
                if v is not None
            ]
        for period, items in (self.inputs.get("relational_history") or {}).items():
            found += [
                f"relational_history.{period}.{k}"
                for k, v in (items or {}).items()
                if v is not None
            ]
        found += [f"marks.{k}" for k, v in self.marks.items() if v]
        return found


def normal_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """An adversity in one canonical shape, so equal entries compare equal."""
    note = entry.get("note")
    return {
        "type": entry.get("type"),
        "period": entry.get("period"),
        "severity": entry.get("severity"),
        "chronicity": entry.get("chronicity") or "single",
        "note": (note.strip() or None) if isinstance(note, str) else note,
    }


UNSEEN = object()  # an op that does not say which value its editor saw


@dataclass(frozen=True)
class Op:
    """One change. ``set``: ``value`` at ``path``. On ``adversities``: ``add`` appends
    ``value``, ``replace`` swaps entry ``old`` for ``value``, ``remove`` drops ``old``.

    ``seen`` is the value the editor's page showed before the change, when it says so (the
    autosave script does); otherwise the base revision's value is what they saw.
    """

    kind: OpKind
    path: str
    value: Any = None
    old: Any = None
    seen: Any = UNSEEN


@dataclass(frozen=True)
class Conflict:
    """Someone else changed ``path`` to ``theirs`` while this editor changed it to ``yours``."""

    path: str
    yours: Any
    theirs: Any
    base: Any = None


def put(content: Content, path: str, value: Any) -> None:
    """Set one value in place (used by ``merge`` and to show a refused form's values)."""
    head, _, rest = path.partition(".")
    if head == "marks":
        if value in (None, ""):
            content.marks.pop(rest, None)
        else:
            content.marks[rest] = value
    elif head in TOP_LEVEL:
        content.inputs[head] = value
    elif head in RATED_SECTIONS:
        content.inputs.setdefault(head, {})
        if content.inputs[head] is None:
            content.inputs[head] = {}
        content.inputs[head][rest] = value
    elif head == "relational_history":
        period, item = rest.split(".")
        history = content.inputs.setdefault("relational_history", {})
        history.setdefault(period, {})[item] = value
    else:
        raise KeyError(f"unknown field {path!r}")


def _entries(content: Content) -> list[dict[str, Any]]:
    entries = [normal_entry(e) for e in content.inputs.get("adversities") or []]
    content.inputs["adversities"] = entries
    return entries


def _apply_list(content: Content, base: Content, op: Op) -> Conflict | None:
    entries = _entries(content)
    value = normal_entry(op.value) if op.value is not None else None
    old = normal_entry(op.old) if op.old is not None else None
    if op.kind == "add":
        already = entries.count(value) > base.get("adversities").count(value)
        if not already:  # two editors adding the very same entry add it once
            entries.append(value)
        return None
    if old not in entries:
        if op.kind == "remove" or value in entries:
            return None  # already removed, or already changed the same way
        return Conflict("adversities", yours=value, theirs=None, base=old)
    index = entries.index(old)
    if op.kind == "remove":
        del entries[index]
    else:
        entries[index] = value
    return None


def merge(base: Content, current: Content, ops: list[Op]) -> tuple[Content, list[Conflict]]:
    """Apply ``ops`` (made against ``base``) to ``current``; conflicts are never applied."""
    merged = Content(copy.deepcopy(current.inputs), copy.deepcopy(current.marks))
    conflicts: list[Conflict] = []
    for op in ops:
        if op.path == "adversities":
            problem = _apply_list(merged, base, op)
            if problem is not None:
                conflicts.append(problem)
            continue
        if op.kind != "set":
            raise ValueError(f"{op.path}: only 'set' changes a single value, got {op.kind!r}")
        was = base.get(op.path) if op.seen is UNSEEN else op.seen
        mine, now = op.value, current.get(op.path)
        if now != was and now != mine:
            conflicts.append(Conflict(op.path, yours=mine, theirs=now, base=was))
            continue
        put(merged, op.path, mine)
    return merged, conflicts


def changed_paths(before: Content, after: Content) -> list[str]:
    """Paths whose value differs between two contents, in ``after``'s order first."""
    paths = list(dict.fromkeys([*after.paths(), *before.paths()]))
    if "adversities" not in paths and (
        before.inputs.get("adversities") or after.inputs.get("adversities")
    ):
        paths.append("adversities")
    return [p for p in paths if before.get(p) != after.get(p)]
