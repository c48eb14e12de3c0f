"""The assessment as plain text for the terminal, or as Markdown for a pull request."""

from __future__ import annotations

from nrrgov.assess.model import LEVELS, Assessment, CapabilityRating, KpiFigure


def format_figure(figure: KpiFigure) -> str:
    """Return a KPI value as a percentage, days or a plain number; ``n/a`` without one.

    >>> format_figure(KpiFigure("nrr", "NRR", 1.0534, "ratio", "metrics"))
    '105.3%'
    """
    if figure.value is None:
        return "n/a"
    if figure.unit == "ratio":
        return f"{figure.value:.1%}"
    if figure.unit == "days":
        return f"{figure.value:.1f} days"
    return f"{figure.value:,.2f}"


def format_text(assessment: Assessment) -> str:
    """Return the assessment as indented plain text, one block per capability."""
    lines = [_header(assessment), ""]
    for rating in assessment.capabilities:
        lines.extend(_text_block(rating))
        lines.append("")
    return "\n".join(lines)


def _header(assessment: Assessment) -> str:
    data = f"tables of {assessment.as_of}" if assessment.as_of else "no computed tables"
    return f"Maturity of {assessment.project} ({data} in {assessment.tables})"


def _text_block(rating: CapabilityRating) -> list[str]:
    kpis = ", ".join(f"{k.label} {format_figure(k)}" for k in rating.kpis)
    lines = [f"{rating.label}: {rating.level_name} ({rating.level}/4)", f"  KPIs: {kpis}"]
    for requirement in rating.evidence:
        lines.append(f"  + {requirement.text}: {requirement.evidence}")
    if rating.looked_for:
        lines.append(f"  no evidence; looked in {', '.join(rating.looked_for)}")
    if rating.level < len(LEVELS):
        lines.append(f"  for {LEVELS[rating.level]}:")
        for requirement in rating.missing_for_next:
            lines.append(f"  - {requirement.text} (looked in {', '.join(requirement.looked_in)})")
    return lines


def format_markdown(assessment: Assessment) -> str:
    """Return the assessment as a Markdown summary table and a section per capability."""
    lines = [
        f"## {_header(assessment)}",
        "",
        "| Capability | Level | Primary KPIs |",
        "|---|---|---|",
    ]
    for rating in assessment.capabilities:
        kpis = ", ".join(f"{k.label} {format_figure(k)}" for k in rating.kpis)
        lines.append(f"| {rating.label} | {rating.level_name} ({rating.level}/4) | {kpis} |")
    for rating in assessment.capabilities:
        lines.extend(["", f"### {rating.label}: {rating.level_name}", ""])
        lines.extend(f"- ✅ {r.text}: `{r.evidence}`" for r in rating.evidence)
        if rating.looked_for:
            lines.append(f"- No evidence; looked in {', '.join(rating.looked_for)}")
        if rating.level < len(LEVELS):
            lines.extend(
                f"- ❌ for {LEVELS[rating.level]}: {r.text}" for r in rating.missing_for_next
            )
    return "\n".join(lines) + "\n"
