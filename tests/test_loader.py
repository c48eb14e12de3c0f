"""The positional YAML reader and the project loader, on real files in tmp_path."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from nrrgov.errors import UserError
from nrrgov.loader import Project, load_project, load_project_with_findings, read_project_files
from nrrgov.spec import ProjectSpec, TaxonomyFileSpec
from nrrgov.yamlio import Position, parse_yaml

REPOSITORY = Path(__file__).parents[1]

METRICS = """\
metrics:
  - name: nrr
    label: Net revenue retention
    owner: data_board
    formula: ending_mrr / starting_mrr
"""
SOURCES = """\
sources:
  - name: subscriptions
    path: subscriptions.csv
"""


def _project(root: Path, metrics: str = METRICS, sources: str = SOURCES, **files: str) -> Path:
    (root / "definitions").mkdir(parents=True)
    (root / "definitions" / "metrics.yml").write_text(metrics)
    (root / "definitions" / "sources.yml").write_text(sources)
    for name, text in files.items():
        (root / name.replace("__", "/")).write_text(text)
    return root


def _single(text: str):
    document, problems = parse_yaml(text, "file.yml")
    assert len(problems) == 1
    return document, problems[0]


def test_positions_of_nested_nodes() -> None:
    document, problems = parse_yaml(METRICS, "metrics.yml")

    assert problems == []
    assert document.position(("metrics", 0, "formula")).line == 5
    assert document.position(("metrics", 0, "formula")).col == 14
    assert document.key_position(("metrics", 0, "formula")).col == 5
    assert document.position(("metrics", 0)).line == 2


def test_position_of_unknown_path_is_ancestor() -> None:
    document, _ = parse_yaml(METRICS, "metrics.yml")

    found = document.position(("metrics", 0, "target", "value"))

    assert (found.line, found.col) == (2, 5)  # the mapping of metrics[0] starts at "name"


def test_syntax_error_position() -> None:
    document, problem = _single("a: [1, 2\nb: 3\n")

    assert document is None
    assert problem.code == "NRG101"
    assert (problem.where.line, problem.where.col) == (2, 2)  # the ':' after b


def test_duplicate_key_keeps_first() -> None:
    document, problem = _single("name: first\nlabel: x\nname: second\n")

    assert problem.code == "NRG102"
    assert (problem.where.line, problem.where.col) == (3, 1)
    assert "first defined at line 1" in problem.message
    assert document.data["name"] == "first"


def test_python_tag_is_rejected() -> None:
    document, problem = _single("path: !!python/object/apply:os.system ['true']\n")

    assert problem.code == "NRG103"
    assert (problem.where.line, problem.where.col) == (1, 7)
    assert problem.value == "!!python/object/apply:os.system"
    assert document.data == {"path": None}


def test_custom_tag_is_rejected() -> None:
    _, problem = _single("name: !vault secret/name\n")

    assert problem.code == "NRG103"
    assert problem.value == "!vault"


def test_explicit_standard_tag_is_allowed() -> None:
    document, problems = parse_yaml("version: !!str 2\n", "file.yml")

    assert problems == []
    assert document.data == {"version": "2"}


def test_alias_is_rejected_once() -> None:
    document, problem = _single("a: &x [1]\nb: *x\nc: *x\n")

    assert problem.code == "NRG104"
    assert (problem.where.line, problem.where.col) == (2, 4)
    assert "1 more alias" in problem.message
    assert document.data == {"a": [1], "b": None, "c": None}


def test_billion_laughs_finishes_fast() -> None:
    lines = ['lol: &a0 "lol"']
    for level in range(1, 10):
        lines.append(f"l{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 9)}]")
    text = "\n".join(lines) + "\n"

    started = time.perf_counter()
    _, problem = _single(text)
    elapsed = time.perf_counter() - started

    assert problem.code == "NRG104"
    assert "80 more aliases" in problem.message  # 9 levels x 9 aliases = 81 in all
    assert elapsed < 1.0


def test_deep_nesting_is_a_problem() -> None:
    document, problem = _single("a: " + "[" * 5000 + "]" * 5000 + "\n")

    assert document is None
    assert problem.code == "NRG101"


def test_dates_stay_text() -> None:
    document, _ = parse_yaml("decided_on: 2025-03-01\nas_of: 2025-03\n", "file.yml")

    assert document.data == {"decided_on": "2025-03-01", "as_of": "2025-03"}


def test_at_offset_plain_and_quoted() -> None:
    plain = Position(line=5, col=14, end_line=5, end_col=40)
    quoted = Position(line=5, col=14, end_line=5, end_col=42, style='"')
    block = Position(line=5, col=14, end_line=7, end_col=1, style=">")

    assert plain.at_offset(14).col == 27  # 14 + 14 - 1
    assert quoted.at_offset(14).col == 28  # one more for the opening quote
    assert block.at_offset(14) == block


def test_reference_project_loads() -> None:
    project = load_project(REPOSITORY)

    assert project.config.reporting_currency == "USD"
    assert [metric.name for metric in project.metrics][:2] == ["nrr", "grr"]
    assert project.locations.locate("metrics", ("metrics", 0, "name")).line == 5


def test_project_constructor_without_locations() -> None:
    project = Project(
        root=Path("."),
        config=ProjectSpec(),
        metrics=(),
        taxonomy=TaxonomyFileSpec(),
        sources=(),
    )

    assert project.locations.documents == {}


def test_load_project_raises_first_finding(tmp_path: Path) -> None:
    metrics = METRICS.replace("owner: data_board", "owner: data_board\n    formla: x")
    root = _project(tmp_path, metrics=metrics, **{"nrrgov.yml": "data: data\nname: x\nname: y\n"})

    with pytest.raises(UserError) as caught:
        load_project(root)

    error = caught.value
    assert error.code in {"NRG102", "NRG105"}
    assert len(error.details) == 2
    assert error.where.line is not None


def test_unknown_key_hint(tmp_path: Path) -> None:
    metrics = METRICS.replace("formula:", "formla:")
    root = _project(tmp_path, metrics=metrics)

    project, findings = load_project_with_findings(root)

    unknown = next(finding for finding in findings if finding.code == "NRG105")
    assert project is None
    assert (unknown.line, unknown.col) == (5, 5)
    assert unknown.hint == "did you mean 'formula'?"
    assert unknown.value == "formla"


def test_wrong_type_quotes_value(tmp_path: Path) -> None:
    metrics = METRICS + "    lookback_months: twelve\n"
    root = _project(tmp_path, metrics=metrics)

    _, findings = load_project_with_findings(root)

    assert [finding.code for finding in findings] == ["NRG107"]
    assert (findings[0].line, findings[0].col) == (6, 22)
    assert "'twelve'" in findings[0].message
    assert findings[0].hint == "write a whole number, such as 12, without quotes"


def test_missing_metrics_file(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "definitions" / "metrics.yml").unlink()

    project, findings = load_project_with_findings(root)

    assert project is None
    assert [finding.code for finding in findings] == ["NRG100"]


def test_bad_byte_names_its_line(tmp_path: Path) -> None:
    root = _project(tmp_path)
    path = root / "definitions" / "metrics.yml"
    lines = path.read_bytes().split(b"\n")
    lines[2] += b"  # caf\xe9"
    path.write_bytes(b"\n".join(lines))

    _, findings = load_project_with_findings(root)

    assert [finding.code for finding in findings] == ["NRG100"]
    assert findings[0].line == 3
    assert findings[0].col == len(lines[2])
    assert "0xe9" in findings[0].message


def test_taxonomy_is_optional(tmp_path: Path) -> None:
    project = load_project(_project(tmp_path))

    assert project.taxonomy == TaxonomyFileSpec()


def test_pyproject_table_is_config(tmp_path: Path) -> None:
    pyproject = '[project]\nname = "x"\n\n[tool.nrrgov]\nreporting_currency = "EUR"\n'
    root = _project(tmp_path, **{"pyproject.toml": pyproject})

    project = load_project(root)

    assert project.config.reporting_currency == "EUR"


def test_nrrgov_yml_wins_over_pyproject(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": '[tool.nrrgov]\nreporting_currency = "EUR"\n',
        "nrrgov.yml": "reporting_currency: GBP\n",
    }
    root = _project(tmp_path, **files)

    project = load_project(root)

    assert project.config.reporting_currency == "GBP"


def test_pyproject_without_table_uses_defaults(tmp_path: Path) -> None:
    root = _project(tmp_path, **{"pyproject.toml": '[project]\nname = "x"\n'})

    project = load_project(root)

    assert project.config == ProjectSpec()


def test_pyproject_error_points_at_key(tmp_path: Path) -> None:
    pyproject = '[tool.nrrgov]\nname = "x"\nas_of = "2025-13"\n'
    root = _project(tmp_path, **{"pyproject.toml": pyproject})

    _, findings = load_project_with_findings(root)

    assert [finding.code for finding in findings] == ["NRG107"]
    assert (findings[0].line, findings[0].col) == (3, 9)  # the value after 'as_of = '


def test_definitions_folder_from_invalid_config(tmp_path: Path) -> None:
    (tmp_path / "defs").mkdir()
    (tmp_path / "defs" / "metrics.yml").write_text(METRICS)
    (tmp_path / "defs" / "sources.yml").write_text(SOURCES)
    (tmp_path / "nrrgov.yml").write_text("definitions: defs\nreporting_currency: usd\n")

    files = read_project_files(tmp_path)

    assert files.config is None
    assert files.metrics is not None
    assert [finding.code for finding in files.findings] == ["NRG107"]


def test_rejected_node_reported_once(tmp_path: Path) -> None:
    sources = SOURCES.replace("path: subscriptions.csv", "path: !!python/name:os.system ''")
    root = _project(tmp_path, sources=sources)

    _, findings = load_project_with_findings(root)

    assert [finding.code for finding in findings] == ["NRG103"]


def test_empty_metrics_file(tmp_path: Path) -> None:
    root = _project(tmp_path, metrics="")

    _, findings = load_project_with_findings(root)

    assert [finding.code for finding in findings] == ["NRG106"]
    assert (findings[0].line, findings[0].col) == (1, 1)


def test_byte_order_mark_keeps_columns(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "nrrgov.yml").write_text("\ufeffas_of: 2025-13\n", encoding="utf-8")

    _, findings = load_project_with_findings(root)

    assert [finding.code for finding in findings] == ["NRG107"]
    assert (findings[0].line, findings[0].col) == (1, 8)  # after "as_of: "


def test_non_utf8_file_is_finding(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "nrrgov.yml").write_bytes("name: Zürich\n".encode("latin-1"))

    _, findings = load_project_with_findings(root)

    assert [finding.code for finding in findings] == ["NRG100"]
    assert "cannot read the file" in findings[0].message
