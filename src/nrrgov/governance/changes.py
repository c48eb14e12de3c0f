"""Changes to each definition between two versions of a project, and the approvals they need.

Definitions are compared on their validated values, field by field, so a change of
layout or comments is no change. Fields of nested mappings are named with dots, such as
``options.fx_mode`` or ``target.value``. Which files changed is decided on their bytes,
since a file's owners must review any edit to it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from nrrgov.governance.lifecycle import governed_items, meaning_changes
from nrrgov.governance.ownership import governed_files, owners_of, ownership_rules
from nrrgov.loader import ProjectFiles
from nrrgov.spec import BodySpec

# File kind -> (list key inside the file, item kind as users read it). The project
# configuration is one item with no list.
SECTIONS: dict[str, tuple[str | None, str]] = {
    "project": (None, "project configuration"),
    "metrics": ("metrics", "metric"),
    "taxonomy": ("dimensions", "dimension"),
    "sources": ("sources", "source"),
    "bodies": ("bodies", "body"),
    "decisions": ("decisions", "decision"),
    "escalation": ("tiers", "escalation tier"),
}
Change = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class FieldChange:
    """One field whose value differs; None stands for a field that is absent."""

    field: str
    base: object
    head: object


@dataclass(frozen=True)
class DefinitionChange:
    """One definition added, removed or changed between the base and the head.

    Attributes:
        file: the file holding it, relative to the project root.
        meaning_changed: whether the change moves its numbers. For governed items (a
            metric) that is a change of the meaning fields; a formula rewritten with the
            same syntax tree is not one. For other kinds, any change counts.
        base_version: the version at the base, for governed items.
        head_version: the version at the head, for governed items.
    """

    kind: str
    name: str
    file: str
    change: Change
    fields: tuple[FieldChange, ...]
    meaning_changed: bool
    base_version: int | None = None
    head_version: int | None = None


def definition_changes(base: ProjectFiles, head: ProjectFiles) -> list[DefinitionChange]:
    """List every definition that differs between ``base`` and ``head``, file by file."""
    changed_meaning = {change.head.key for change in meaning_changes(base, head)}
    items = [*governed_items(base), *governed_items(head)]
    governed_kinds = {item.kind for item in items}
    # Fields that move the numbers are listed first.
    meaning_fields = {name for item in items for name in item.meaning}
    changes = []
    for file_kind, (section, kind) in SECTIONS.items():
        before = _items(base.specs.get(file_kind), section)
        after = _items(head.specs.get(file_kind), section)
        file = _file(head, file_kind) or _file(base, file_kind) or file_kind
        for name in dict.fromkeys([*before, *after]):
            fields = _field_changes(before.get(name, {}), after.get(name, {}), meaning_fields)
            if not fields:
                continue
            governed = kind in governed_kinds
            meaning = (kind, name) in changed_meaning if governed else True
            change = _change_kind(name, before, after)
            changes.append(
                DefinitionChange(
                    kind=kind,
                    name=name,
                    file=file,
                    change=change,
                    fields=fields,
                    meaning_changed=meaning or change != "changed",
                    base_version=before.get(name, {}).get("version") if governed else None,
                    head_version=after.get(name, {}).get("version") if governed else None,
                )
            )
    return changes


def _items(spec: object, section: str | None) -> dict[str, dict]:
    """Return each item of a file as ``name -> flattened fields``."""
    if not isinstance(spec, BaseModel):
        return {}
    if section is None:
        return {"nrrgov": _flatten(spec.model_dump(mode="json"))}
    items = {}
    for item in getattr(spec, section):
        fields = _flatten(item.model_dump(mode="json"))
        items.setdefault(str(fields.pop("name")), fields)
    return items


def _flatten(values: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in values.items():
        if isinstance(value, dict) and value:
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _field_changes(before: dict, after: dict, first: set[str]) -> tuple[FieldChange, ...]:
    changes = [
        FieldChange(name, before.get(name), after.get(name))
        for name in dict.fromkeys([*before, *after])
        if before.get(name) != after.get(name)
    ]
    return tuple(sorted(changes, key=lambda change: change.field.split(".")[0] not in first))


def _change_kind(name: str, before: dict, after: dict) -> Change:
    if name not in before:
        return "added"
    if name not in after:
        return "removed"
    return "changed"


def _file(files: ProjectFiles, file_kind: str) -> str | None:
    document = files.locations.documents.get(file_kind)
    if document is None:
        return None
    return os.path.relpath(document.path, files.root).replace(os.sep, "/")


def changed_files(base: ProjectFiles, head: ProjectFiles) -> list[str]:
    """Return the governed files added, removed or edited since the base, root-relative."""
    before = set(governed_files(base.root, base.config))
    after = set(governed_files(head.root, head.config))
    return [
        relative
        for relative in sorted(before | after)
        if relative not in before
        or relative not in after
        or (Path(base.root) / relative).read_bytes() != (Path(head.root) / relative).read_bytes()
    ]


@dataclass(frozen=True)
class Approval:
    """A body whose review a change needs, and the changed files it owns."""

    body: BodySpec
    files: tuple[str, ...]


def required_approvals(
    files: list[str], base: ProjectFiles, head: ProjectFiles
) -> tuple[list[Approval], list[str]]:
    """Return the bodies owning ``files`` and the files that no body owns.

    Ownership is read from the base's ``raci/bodies.yml``, as GitHub reads CODEOWNERS
    from the base branch, so a pull request cannot choose its own reviewers. A project
    that gains its bodies in this change uses the head's.
    """
    bodies = ()
    if base.bodies is not None:
        bodies = base.bodies.bodies
    elif head.bodies is not None:
        bodies = head.bodies.bodies
    rules = ownership_rules(bodies)
    owned: dict[str, list[str]] = {}
    unowned = []
    for relative in files:
        owners = owners_of(relative, rules)
        if not owners:
            unowned.append(relative)
        for body in owners:
            owned.setdefault(body.name, []).append(relative)
    approvals = [Approval(body, tuple(owned[body.name])) for body in bodies if body.name in owned]
    return approvals, unowned
