"""The data quality page: input summaries as tables, quarantined rows."""

from __future__ import annotations

from nrrgov.report.quality import quality_data, tabulate


def test_tabulate_records():
    tables = tabulate([{"source": "a", "rows": 3}, {"source": "b", "files": 2}], "Inputs")
    assert len(tables) == 1
    assert tables[0]["columns"] == ["source", "rows", "files"]
    assert tables[0]["rows"] == [["a", 3, None], ["b", None, 2]]
    assert tables[0]["text_columns"] == [True, False, False]


def test_tabulate_object_of_objects():
    tables = tabulate({"accounts": {"rows": 3}, "subscriptions": {"rows": 5}}, "Inputs")
    assert tables[0]["columns"] == ["name", "rows"]
    assert tables[0]["rows"] == [["accounts", 3], ["subscriptions", 5]]


def test_tabulate_mixed_object():
    tables = tabulate({"ok": True, "checks": [{"name": "mrr", "difference": 0.5}]}, "Checks")
    assert [table["title"] for table in tables] == ["Checks", "checks"]
    assert tables[0]["rows"] == [["ok", True]]
    assert tables[1]["rows"] == [["mrr", 0.5]]


def test_tabulate_empty():
    assert tabulate(None, "Inputs") == []
    assert tabulate({}, "Inputs") == []


def test_quarantine_sample_and_counts(run_writer):
    run_writer.sql_table(
        "quarantine",
        "SELECT 'subscriptions' AS source, 'subs.csv' AS file, i + 2 AS \"row\", "
        "'amount' AS \"column\", 'x' AS value, "
        "CASE WHEN i < 90 THEN 'not a number' ELSE 'negative' END AS reason "
        "FROM range(130) AS t(i)",
    )
    with run_writer.open() as tables:
        data = quality_data(tables, {"quarantined_rows": 130})
    rows = [row["row"] for row in data["quarantine_sample"]]
    assert data["quarantined_rows"] == 130
    assert len(rows) == 100
    # Sorted as numbers: rows 2, 3, ... 101, never "10" before "2".
    assert rows[:3] == [2, 3, 4]
    assert rows[-1] == 101
    # 90 rows with i < 90, the other 40 negative; larger count first.
    assert [(r["reason"], r["rows"]) for r in data["quarantine_reasons"]] == [
        ("not a number", 90),
        ("negative", 40),
    ]


def test_quality_without_quarantine_table(run_writer):
    with run_writer.open() as tables:
        data = quality_data(tables, {"quarantined_rows": 4, "inputs": {"accounts": 3}})
    assert data["quarantined_rows"] == 4
    assert data["quarantine_sample"] == []
    assert data["inputs"][0]["rows"] == [["accounts", 3]]
