"""Time ``nrrgov compute`` on synthetic exports against two hand-written references.

Usage::

    python benchmarks/run.py --sizes 100000,1000000 --repeat 3

For each size it writes seeded Parquet exports over 36 months into ``benchmarks/data/``
(git-ignored, and reused on later runs with the same arguments), then times, each in its
own process so that peak memory is per command:

- ``nrrgov compute`` through the installed CLI, every output table checked afterwards;
- a DuckDB reference: one grouped scan of the subscriptions file;
- a pandas reference: 12-month NRR and GRR by segment for every month.

It also runs ``compute`` in-process once per size to time each step, then each pipeline
statement on its own, and keeps ``EXPLAIN ANALYZE`` of the heaviest statements. The
results replace the measured section of ``benchmarks/README.md``. The test suite never
runs this script.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
GENERATOR = REPO / "examples" / "generate.py"
README = HERE / "README.md"
START_MARKER = "<!-- measured:start -->"
END_MARKER = "<!-- measured:end -->"
MONTHS = 36
END_MONTH = "2026-11"
SEED = 7
TARGET_SECONDS = 30.0
TARGET_PEAK_BYTES = 3 * 2**30
TARGET_ACCOUNTS = 1_000_000
HEAVIEST_STATEMENTS = 3
SHOWN_STATEMENTS = 8
COMMANDS = ("compute", "duckdb", "pandas")
# By default compute runs as a user would, with DuckDB's own limit of 80% of RAM.
# Passing a size such as 2000MB times the spilling path instead.
MEMORY_LIMIT = "none"

# Run by a child interpreter: start the command, wait, and report its wall time, its CPU
# time (user + system, which other load on the machine inflates far less than wall time)
# and its peak resident set size. RUSAGE_CHILDREN reports the largest peak of any process
# waited for, so a command's subprocesses are not added up. ru_maxrss is in KiB on Linux.
MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
completed = subprocess.run(sys.argv[1:], capture_output=True, text=True)
elapsed = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": elapsed, "cpu_seconds": usage.ru_utime + usage.ru_stime,
                  "peak_bytes": usage.ru_maxrss * 1024, "returncode": completed.returncode,
                  "stdout": completed.stdout, "stderr": completed.stderr[-4000:]}))
"""


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, or one reference when called with ``--reference``."""
    args = parse_args(argv)
    if args.reference:
        reference = {"duckdb": duckdb_reference, "pandas": pandas_reference}[args.reference]
        started = time.perf_counter()
        summary = reference(args.data)
        print(json.dumps({"work_seconds": time.perf_counter() - started, "summary": summary}))
        return 0

    sizes = [int(size) for size in args.sizes.split(",")]
    # Other work on the machine slows every command alike; the README records the load.
    args.load_before = os.getloadavg()[0]
    results = [
        benchmark_size(size, args.repeat, args.data_root, args.memory_limit) for size in sizes
    ]
    args.load_after = os.getloadavg()[0]
    write_readme(results, args, args.readme)
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated accounts")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each command")
    parser.add_argument("--data-root", type=Path, default=HERE / "data", help="export folder")
    parser.add_argument("--readme", type=Path, default=README, help="page to write results in")
    parser.add_argument(
        "--memory-limit",
        default=MEMORY_LIMIT,
        help="nrrgov compute --memory-limit, such as 2500MB; 'none' for DuckDB's default",
    )
    parser.add_argument("--reference", choices=["duckdb", "pandas"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def benchmark_size(
    accounts: int, repeat: int, data_root: Path, memory_limit: str = MEMORY_LIMIT
) -> dict:
    """Generate the exports for ``accounts`` and time every command ``repeat`` times."""
    project = generate_exports(accounts, data_root)
    rows = _row_counts(project)
    compute_runs = [run_compute(project, memory_limit) for _ in range(repeat)]
    duckdb_runs = [run_reference("duckdb", project) for _ in range(repeat)]
    pandas_runs = [run_reference("pandas", project) for _ in range(repeat)]
    steps, latest_nrr, statements, explains = profile_pipeline(project)
    return {
        "accounts": accounts,
        "rows": rows,
        "compute": compute_runs,
        "duckdb": duckdb_runs,
        "pandas": pandas_runs,
        "steps": steps,
        "latest_nrr": latest_nrr,
        "statements": statements,
        "explains": explains,
    }


def generate_exports(accounts: int, data_root: Path) -> Path:
    """Write the Parquet exports and their project once; later runs reuse them."""
    project = data_root / f"accounts-{accounts}"
    stamp = project / ".generated"
    arguments = [
        "--accounts", str(accounts), "--months", str(MONTHS), "--end", END_MONTH,
        "--seed", str(SEED), "--format", "parquet", "--with-project", "--out", str(project),
    ]  # fmt: skip
    if stamp.exists() and stamp.read_text() == " ".join(arguments):
        return project
    started = time.perf_counter()
    subprocess.run([sys.executable, str(GENERATOR), *arguments], check=True)
    print(f"generated {accounts:,} accounts in {time.perf_counter() - started:.1f} s")
    stamp.write_text(" ".join(arguments))
    return project


def run_compute(project: Path, memory_limit: str = MEMORY_LIMIT) -> dict:
    """Time one ``nrrgov compute`` and check that it wrote every output table."""
    from nrrgov.engine.output import OUTPUT_TABLES

    with tempfile.TemporaryDirectory(prefix="nrrgov-bench-") as scratch:
        out = Path(scratch) / "target"
        command = [_nrrgov(), "compute", "--project", str(project), "--out", str(out)]
        if memory_limit.lower() != "none":
            command += ["--memory-limit", memory_limit]
        run = _measure(command)
        missing = [
            f"{table}.{fmt}"
            for table in OUTPUT_TABLES
            for fmt in ("parquet", "csv")
            if not (out / "tables" / f"{table}.{fmt}").is_file()
        ]
        if not (out / "results.json").is_file():
            missing.append("results.json")
    if missing:
        raise RuntimeError(f"nrrgov compute on {project} did not write {', '.join(missing)}")
    print(
        f"compute {project.name}: {run['seconds']:.1f} s, {run['cpu_seconds']:.1f} CPU s, "
        f"{_gib(run['peak_bytes'])}"
    )
    return run


def run_reference(name: str, project: Path) -> dict:
    """Time one reference in a fresh interpreter, as the CLI is timed."""
    command = [sys.executable, str(Path(__file__).resolve()), "--reference", name]
    run = _measure([*command, "--data", str(project)])
    run.update(json.loads(run.pop("stdout")))
    print(
        f"{name} {project.name}: {run['seconds']:.1f} s, {run['cpu_seconds']:.1f} CPU s, "
        f"{_gib(run['peak_bytes'])}"
    )
    return run


def _measure(command: list[str]) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True
    )
    run = json.loads(completed.stdout)
    if run["returncode"] != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{run['stderr']}")
    return run


def _nrrgov() -> str:
    # The CLI installed in the same environment as this interpreter.
    return str(Path(sys.executable).with_name("nrrgov"))


def duckdb_reference(data: Path) -> dict:
    """Sum the amount of every account in one grouped scan of the subscriptions file."""
    path = data / "subscriptions.parquet"
    groups, total = duckdb.execute(
        "SELECT count(*), sum(total) FROM "
        "(SELECT account_id, sum(amount) AS total FROM read_parquet(?) GROUP BY account_id)",
        [str(path)],
    ).fetchone()
    return {"accounts": groups, "amount": float(total)}


def pandas_reference(data: Path) -> dict:
    """Compute 12-month NRR and GRR by segment for every month, in plain pandas."""
    import numpy as np
    import pandas as pd

    subscriptions = pd.read_parquet(data / "subscriptions.parquet")
    subscriptions = subscriptions[subscriptions["status"] != "trial"]
    accounts = pd.read_parquet(data / "accounts.parquet", columns=["account_id", "segment"])
    rates = pd.read_parquet(data / "fx_rates.parquet")

    # Months are integers. A subscription counts in each month whose last day it is in
    # service on, so from its start month to the month before its end date.
    def month_number(dates: pd.Series) -> np.ndarray:
        dates = pd.to_datetime(dates)
        return (dates.dt.year * 12 + dates.dt.month - 1).to_numpy()

    horizon = month_number(rates["month"]).max()
    first = month_number(subscriptions["start_date"])
    end = subscriptions["end_date"]
    last = np.where(end.isna(), horizon, month_number(end.fillna(pd.Timestamp(0))) - 1)
    last = np.minimum(last, horizon)
    spans = np.maximum(last - first + 1, 0)

    periods = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}
    period = subscriptions["billing_period"].map(lambda value: periods.get(value) or int(value))
    monthly = subscriptions["amount"].astype("float64").to_numpy() / period.to_numpy()
    row = np.repeat(np.arange(len(subscriptions)), spans)
    month = first[row] + np.arange(row.size) - np.repeat(np.cumsum(spans) - spans, spans)
    exploded = pd.DataFrame(
        {
            "account_id": subscriptions["account_id"].to_numpy()[row],
            "currency": subscriptions["currency"].to_numpy()[row],
            "month": month,
            "mrr_native": monthly[row],
        }
    )

    rates = rates.assign(month=month_number(rates["month"]), rate=rates["rate"].astype("float64"))
    exploded = exploded.merge(rates, on=["currency", "month"], how="left")
    exploded["mrr"] = exploded["mrr_native"] * exploded["rate"]
    mrr = exploded.groupby(["account_id", "month"], as_index=False)["mrr"].sum()
    mrr = mrr[mrr["mrr"] > 0]

    # The base of month M is every account with MRR at M-12, with its MRR at M or 0.
    base = mrr.assign(month=mrr["month"] + 12).rename(columns={"mrr": "starting"})
    base = base[base["month"] <= horizon]
    window = base.merge(
        mrr.rename(columns={"mrr": "ending"}), on=["account_id", "month"], how="left"
    )
    window["ending"] = window["ending"].fillna(0.0)
    window["retained"] = np.minimum(window["ending"], window["starting"])
    window = window.merge(accounts, on="account_id", how="left")
    by_segment = window.groupby(["month", "segment"])[["starting", "ending", "retained"]].sum()
    nrr = by_segment["ending"] / by_segment["starting"]
    grr = by_segment["retained"] / by_segment["starting"]

    last_month = by_segment.index.get_level_values("month").max()
    latest = {segment: round(nrr[(last_month, segment)], 6) for segment in nrr[last_month].index}
    return {"rows": len(by_segment), "latest_nrr": latest, "min_grr": round(grr.min(), 6)}


def profile_pipeline(project: Path) -> tuple[list[dict], dict, list[dict], list[dict]]:
    """Run the engine in-process to see where the time of ``nrrgov compute`` goes.

    Returns the time of each step of one full ``compute`` call, that call's latest
    12-month NRR by segment, the time of each pipeline statement in a second pass over
    the same exports, and ``EXPLAIN ANALYZE`` of the slowest statements.
    """
    steps, latest_nrr = _time_steps(project)
    statements, explains = _time_statements(project)
    return steps, latest_nrr, statements, explains


def _time_steps(project: Path) -> tuple[list[dict], dict[str, float]]:
    """Time each step of ``compute`` and read back its latest 12-month NRR by segment."""
    from nrrgov.engine.run import compute

    marks: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="nrrgov-bench-") as scratch:
        started = time.perf_counter()
        compute(
            project,
            out_dir=Path(scratch) / "target",
            on_step=lambda name: marks.append((name, time.perf_counter())),
        )
        marks.append(("(end)", time.perf_counter()))
        latest_nrr = _latest_nrr(Path(scratch) / "target" / "tables" / "retention.parquet")

    steps = [{"step": "load definitions", "seconds": marks[0][1] - started}]
    for (name, begun), (_, ended) in zip(marks, marks[1:], strict=False):
        steps.append({"step": name, "seconds": ended - begun})
    return steps, latest_nrr


def _latest_nrr(retention: Path) -> dict[str, float]:
    rows = duckdb.execute(
        "SELECT segment, nrr FROM read_parquet(?) WHERE lookback_months = 12 "
        "AND region = '(all)' AND segment <> '(all)' "
        "AND as_of = (SELECT max(as_of) FROM read_parquet(?))",
        [str(retention), str(retention)],
    ).fetchall()
    return dict(rows)


def _time_statements(project: Path) -> tuple[list[dict], list[dict]]:
    from dataclasses import replace

    from nrrgov.engine.context import EngineContext
    from nrrgov.engine.ingest import ingest
    from nrrgov.engine.normalize import resolve_as_of, validate_revenue
    from nrrgov.engine.run import plan_pipelines
    from nrrgov.loader import load_project

    loaded = load_project(project)
    ctx = EngineContext(loaded, loaded.data_dir)
    with tempfile.TemporaryDirectory(prefix="nrrgov-bench-") as spill:
        con = duckdb.connect(config={"temp_directory": spill})
        con.execute("SET enable_progress_bar = false")
        ingest(con, ctx)
        ctx = replace(ctx, as_of=resolve_as_of(con, ctx, None))

        normalize, analytics = plan_pipelines(ctx)
        timed = []
        # Each statement is timed from the end of the one before. Creating a view takes
        # almost no time, since its SELECT runs only when the view is read.
        ended = [0.0]

        def record(statement, stage: str) -> None:
            timed.append((_since(ended[0]), stage, statement))
            ended[0] = time.perf_counter()

        for stage, pipeline in (("normalize", normalize), ("analytics", analytics)):
            ended[0] = time.perf_counter()
            pipeline.run(con, on_step=lambda statement, stage=stage: record(statement, stage))
            if stage == "normalize":
                validate_revenue(con, ctx)

        timed.sort(key=lambda entry: entry[0], reverse=True)
        explains = [_explain(con, statement) for _, _, statement in timed[:HEAVIEST_STATEMENTS]]
        con.close()
    statements = [
        {"stage": stage, "table": statement.table, "seconds": seconds}
        for seconds, stage, statement in timed
    ]
    return statements, explains


def _explain(con: duckdb.DuckDBPyConnection, statement) -> dict:
    profile = con.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement.select}").fetchall()
    return {"table": statement.table, "plan": outline_plan(profile[0][1])}


def outline_plan(profile_json: str) -> str:
    """Render DuckDB's JSON profile as an indented operator tree, one line per operator.

    Each line has the operator, the rows it produced, its own time in seconds, and its
    main detail (table, join condition or grouping), cut to fit a README line.
    """
    lines = []

    def visit(node: dict, depth: int) -> None:
        skipped = node["name"] in ("RESULT_COLLECTOR", "EXPLAIN_ANALYZE")
        if not skipped:
            detail = _operator_detail(node.get("extra_info", {}))
            rows = node.get("operator_cardinality", node.get("intermediate_rows", 0))
            operator = f"{'  ' * depth}{node['name']}".ljust(44)
            timing = node.get("timing", 0.0)
            lines.append(f"{operator} {rows:>12,} rows {timing:8.3f} s  {detail}".rstrip())
        for child in node.get("children", []):
            visit(child, depth if skipped else depth + 1)

    for node in json.loads(profile_json)["operator"]:
        visit(node, 0)
    return "\n".join(lines)


def _operator_detail(extra: dict) -> str:
    for key in ("Table", "Conditions", "Groups", "Function", "Aggregates", "Join Type"):
        if key in extra:
            value = extra[key]
            text = " ".join(value) if isinstance(value, list) else str(value)
            return f"{key}: {' '.join(text.split())}"[:90]
    return ""


def _since(started: float) -> float:
    return time.perf_counter() - started


def _row_counts(project: Path) -> dict[str, int]:
    counts = {}
    for name in ("accounts", "subscriptions"):
        path = project / f"{name}.parquet"
        counts[name] = duckdb.execute(
            "SELECT count(*) FROM read_parquet(?)", [str(path)]
        ).fetchone()[0]
    return counts


def _gib(size: float) -> str:
    return f"{size / 2**30:.2f} GiB"


def write_readme(results: list[dict], args: argparse.Namespace, readme: Path) -> None:
    """Replace the measured section of ``readme`` with these results."""
    lines = [START_MARKER, ""]
    lines += _machine_lines(args)
    lines += _summary_lines(results)
    for result in results:
        lines += _stage_lines(result)
    lines += [END_MARKER]
    text = (
        readme.read_text(encoding="utf-8") if readme.exists() else f"{START_MARKER}\n{END_MARKER}\n"
    )
    head, rest = text.split(START_MARKER, 1)
    tail = rest.split(END_MARKER, 1)[1]
    readme.write_text(head + "\n".join(lines) + tail, encoding="utf-8")
    print(f"wrote {readme}")


def _machine_lines(args: argparse.Namespace) -> list[str]:
    import pandas
    import polars

    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total_kib = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory = f"{total_kib / 2**20:.1f} GiB"
    command = (
        f"python benchmarks/run.py --sizes {args.sizes} --repeat {args.repeat} "
        f"--memory-limit {args.memory_limit}"
    )
    return [
        f"Measured on {datetime.now(UTC):%Y-%m-%d} with `{command}`.",
        "",
        "| machine | |",
        "|---|---|",
        f"| CPU | {_cpu_model()}, {os.cpu_count()} logical cores |",
        f"| memory | {memory} |",
        f"| load average (1 min) | {args.load_before:.1f} at the start, "
        f"{args.load_after:.1f} at the end |",
        f"| OS | {platform.platform()} |",
        f"| Python | {platform.python_version()} |",
        f"| DuckDB | {duckdb.__version__} |",
        f"| polars / pandas | {polars.__version__} / {pandas.__version__} |",
        "",
    ]


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _summary_lines(results: list[dict]) -> list[str]:
    lines = [
        "Each command runs in its own process, so its times include interpreter start and",
        "imports. Times are medians of the timed runs. CPU time is user plus system time,",
        "which other load on the machine inflates far less than wall time. Peak memory is",
        "the maximum resident set size over the runs.",
        "",
    ]
    for title, key in (("Wall time", "seconds"), ("CPU time", "cpu_seconds")):
        lines += [
            f"| {title} | subscriptions | nrrgov compute | DuckDB scan | pandas NRR/GRR "
            "| compute ÷ scan | compute ÷ pandas |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for result in results:
            compute, scan, pandas = (_median(result[name], key) for name in COMMANDS)
            lines.append(
                f"| {result['accounts']:,} accounts | {result['rows']['subscriptions']:,} "
                f"| {compute:.1f} s | {scan:.2f} s | {pandas:.1f} s "
                f"| {compute / scan:.0f} | {compute / pandas:.1f} |"
            )
        lines.append("")

    lines += [
        "| peak memory | nrrgov compute | DuckDB scan | pandas NRR/GRR |",
        "|---:|---:|---:|---:|",
    ]
    for result in results:
        peaks = [_gib(max(run["peak_bytes"] for run in result[name])) for name in COMMANDS]
        lines.append(f"| {result['accounts']:,} accounts | {' | '.join(peaks)} |")
    lines += ["", *_target_lines(results), "", *_agreement_lines(results), ""]
    return lines


def _agreement_lines(results: list[dict]) -> list[str]:
    # The pandas reference computes the same NRR independently, so it also checks nrrgov.
    lines = []
    for result in results:
        reference = result["pandas"][0]["summary"]["latest_nrr"]
        computed = result["latest_nrr"]
        verdict = f"segments differ: {sorted(reference)} against {sorted(computed)}"
        if set(reference) == set(computed):
            gap = max(abs(computed[segment] - nrr) for segment, nrr in reference.items())
            verdict = f"largest difference {gap:.1e}"
        lines.append(f"- {result['accounts']:,} accounts: {verdict}.")
    return ["Latest 12-month NRR by segment, nrrgov against the pandas reference:", "", *lines]


def _target_lines(results: list[dict]) -> list[str]:
    at_target = [result for result in results if result["accounts"] == TARGET_ACCOUNTS]
    if not at_target:
        return [f"The targets apply to {TARGET_ACCOUNTS:,} accounts, which this run skipped."]
    compute = _median(at_target[0]["compute"], "seconds")
    peak = max(run["peak_bytes"] for run in at_target[0]["compute"])
    time_verdict = "met" if compute < TARGET_SECONDS else "missed"
    memory_verdict = "met" if peak < TARGET_PEAK_BYTES else "missed"
    return [
        f"Targets for {TARGET_ACCOUNTS:,} accounts: under {TARGET_SECONDS:.0f} s "
        f"({time_verdict}: {compute:.1f} s) and under {_gib(TARGET_PEAK_BYTES)} peak memory "
        f"({memory_verdict}: {_gib(peak)})."
    ]


def _stage_lines(result: dict) -> list[str]:
    total = sum(step["seconds"] for step in result["steps"])
    lines = [
        f"### {result['accounts']:,} accounts, one in-process run",
        "",
        "Steps of one `compute` call (wall time, without interpreter start and imports).",
        "A step at 0.00 s starts together with the next one, whose line includes its time.",
        "",
        "| step | seconds | share |",
        "|---|---:|---:|",
    ]
    for step in result["steps"]:
        lines.append(f"| {step['step']} | {step['seconds']:.2f} | {step['seconds'] / total:.0%} |")
    lines += [
        f"| total | {total:.2f} | |",
        "",
        f"The {SHOWN_STATEMENTS} slowest of {len(result['statements'])} pipeline statements, "
        "timed one by one in a second pass:",
        "",
        "| stage | table | seconds |",
        "|---|---|---:|",
    ]
    for statement in result["statements"][:SHOWN_STATEMENTS]:
        lines.append(
            f"| {statement['stage']} | {statement['table']} | {statement['seconds']:.2f} |"
        )
    lines.append("")
    for explain in result["explains"]:
        lines += [
            "<details>",
            f"<summary>EXPLAIN ANALYZE of <code>{explain['table']}</code></summary>",
            "",
            "```text",
            explain["plan"].rstrip(),
            "```",
            "",
            "</details>",
            "",
        ]
    return lines


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


if __name__ == "__main__":
    sys.exit(main())
