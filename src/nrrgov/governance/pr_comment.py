"""Render the result of ``nrrgov diff`` as a pull-request comment (Markdown) or as JSON.

The Markdown starts with :data:`COMMENT_MARKER`, an HTML comment GitHub does not show,
so that a workflow can find its earlier comment and update it rather than add one per
push.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from nrrgov.governance.changes import Approval, DefinitionChange

if TYPE_CHECKING:
    from nrrgov.diff import DiffResult, ValueRow

COMMENT_MARKER = "<!-- nrrgov-diff -->"
# GitHub rejects comments over 65,536 characters; this many rows stays well below it.
MAX_VALUE_ROWS = 150
_CADENCES = {
    "weekly": "weekly",
    "biweekly": "every two weeks",
    "monthly": "monthly",
    "quarterly": "quarterly",
    "on_every_pr": "on every pull request",
    "ad_hoc": "when needed",
}


def render_markdown(result: DiffResult) -> str:
    """Render the comment: definitions changed, metric values moved, approvals needed."""
    percent = f"{result.threshold * 100:g}%"
    lines = [
        COMMENT_MARKER,
        f"## nrrgov diff against `{result.base_ref}`",
        "",
        f"Both versions are computed on the same exports as of **{result.as_of}**. "
        f"⚠ marks a value that moved by more than {percent} of its base value.",
    ]
    lines += _definitions_section(result.definitions)
    lines += _values_section(result)
    lines += _approvals_section(result)
    return "\n".join(lines) + "\n"


def _definitions_section(changes: tuple[DefinitionChange, ...]) -> list[str]:
    lines = ["", "### Definitions", ""]
    if not changes:
        return [*lines, "No definition changed."]
    for change in changes:
        # Meaning is judged on the definition alone; the values section below shows
        # whether the numbers of this data set actually moved.
        effect = "change of meaning" if change.meaning_changed else "no change of meaning"
        version = _version(change)
        lines += [
            f"#### {change.kind} `{change.name}` ({change.change}{version}): {effect}",
            "",
            f"In `{change.file}`:",
            "",
            "| field | base | head |",
            "|---|---|---|",
        ]
        lines += [
            f"| {field.field} | {_literal(field.base)} | {_literal(field.head)} |"
            for field in change.fields
        ]
        lines.append("")
    return lines[:-1]


def _version(change: DefinitionChange) -> str:
    before, after = change.base_version, change.head_version
    if before is None or after is None:
        return f", version {before or after}" if (before or after) else ""
    return f", version {before}" if before == after else f", version {before} → {after}"


def _literal(value: object) -> str:
    if value is None:
        return "–"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return f"`{_cell(text)}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _values_section(result: DiffResult) -> list[str]:
    lines = ["", f"### Metric values as of {result.as_of}", ""]
    moved = [row for row in result.values if row.changed]
    unchanged = len(result.values) - len(moved)
    if not moved:
        return [*lines, f"No metric value changed ({unchanged} rows compared)."]

    dimensions = list(dict.fromkeys(name for row in moved for name, _ in row.slice))
    header = ["metric", *dimensions, "base", "head", "change", "% of base", "material"]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in moved[:MAX_VALUE_ROWS]:
        lines.append("| " + " | ".join(_value_cells(row, dimensions)) + " |")

    lines.append("")
    hidden = len(moved) - MAX_VALUE_ROWS
    if hidden > 0:
        lines.append(f"{hidden} more changed rows are in `nrrgov diff --format json`.")
    material = sum(1 for row in moved if row.material)
    lines.append(
        f"{len(moved)} rows changed, {material} beyond the threshold; {unchanged} unchanged."
    )
    return lines


def _value_cells(row: ValueRow, dimensions: list[str]) -> list[str]:
    slices = dict(row.slice)
    relative = row.relative_change
    return [
        f"`{row.metric}`",
        *(_cell(slices.get(name, "")) for name in dimensions),
        format_value(row.base, row.unit),
        format_value(row.head, row.unit),
        format_change(row.change, row.unit),
        "–" if relative is None else f"{relative * 100:+.1f}%",
        "⚠" if row.material else "",
    ]


def format_value(value: float | None, unit: str) -> str:
    """Write a metric value: a ratio as a percentage, money with two decimals."""
    if value is None:
        return "–"
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def format_change(change: float | None, unit: str) -> str:
    """Write a change: percentage points for a ratio, a signed amount otherwise."""
    if change is None:
        return "–"
    if unit == "ratio":
        return f"{change * 100:+.1f} pp"
    if unit == "count":
        return f"{change:+,.0f}"
    return f"{change:+,.2f}"


def _approvals_section(result: DiffResult) -> list[str]:
    lines = ["", "### Approvals required", ""]
    if not result.changed_files:
        return [*lines, "No governed file changed."]
    files = ", ".join(f"`{name}`" for name in result.changed_files)
    lines += [f"Changed governed files: {files}.", ""]
    lines += [_approval_line(approval) for approval in result.approvals]
    if result.unowned_files:
        unowned = ", ".join(f"`{name}`" for name in result.unowned_files)
        lines.append(f"- ⚠ No body owns {unowned}: add it to a body's `owns` in raci/bodies.yml.")
    return lines


def _approval_line(approval: Approval) -> str:
    body = approval.body
    members = ", ".join(
        f"{member.handle} ({member.role}{', chair' if member.handle == body.chair else ''})"
        for member in body.members
    )
    owned = ", ".join(f"`{name}`" for name in approval.files)
    cadence = _CADENCES.get(body.cadence, body.cadence)
    return (
        f"- **{body.label}** (`{body.name}`) owns {owned}: {members}. "
        f"Quorum {body.quorum}; meets {cadence}."
    )


def render_json(result: DiffResult) -> str:
    """Render every field of the result, every value row included, as JSON."""
    payload = {
        "base": result.base_ref,
        "as_of": result.as_of,
        "threshold": result.threshold,
        "definitions": [_definition_json(change) for change in result.definitions],
        "values": [_value_json(row) for row in result.values],
        "changed_files": list(result.changed_files),
        "approvals": [
            {
                "body": approval.body.name,
                "label": approval.body.label,
                "members": [member.model_dump(mode="json") for member in approval.body.members],
                "chair": approval.body.chair,
                "quorum": approval.body.quorum,
                "files": list(approval.files),
            }
            for approval in result.approvals
        ],
        "unowned_files": list(result.unowned_files),
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def _definition_json(change: DefinitionChange) -> dict:
    return {
        "kind": change.kind,
        "name": change.name,
        "file": change.file,
        "change": change.change,
        "meaning_changed": change.meaning_changed,
        "base_version": change.base_version,
        "head_version": change.head_version,
        "fields": [
            {"field": field.field, "base": field.base, "head": field.head}
            for field in change.fields
        ],
    }


def _value_json(row: ValueRow) -> dict:
    return {
        "metric": row.metric,
        "slice": dict(row.slice),
        "unit": row.unit,
        "base": row.base,
        "head": row.head,
        "change": row.change,
        "relative_change": row.relative_change,
        "material": row.material,
    }
