"""paperhouse benchmark: the pipeline against a floor and a naive baseline, same run, same data.

    python benchmarks/run.py [--sizes 100000 1000000] [--data bench-data] [--skip-naive-above N]
                             [--skip-incremental] [--keep]

For each size it generates deterministic synthetic listings (benchmarks/generate.py, seeded),
then measures, each step in a fresh subprocess so peak RSS is that step's own:

- floor:    reading every byte and counting lines (what any parser must at least do);
- naive:    benchmarks/naive.py, a plain pure-Python parse + dict dedupe + pyarrow Parquet write;
- pipeline: paperhouse's own work (plan, parse, dedupe, resolve authors, write snapshot and
            catalog) through ``run_ingest(PLAIN_STEPS, ...)``, i.e. without Prefect, with the
            time of each stage;
- no-op:    the same pipeline again on unchanged input;
- +1 %:     after adding one new file holding 1 % more records;
- changed:  after changing the bytes of one file (one record's title edited);
- removed:  after deleting a tenth of the files;
- prefect:  the start-up cost of a real Prefect flow run, measured once on the bundled samples.

It prints wall time, records/s, peak RSS and the ratios: naive/pipeline (the speed-up),
pipeline/floor, large/small size, and each incremental run against the full run.
Speed is reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
CAPTURED_ON = "2026-11-23"
SEED, EXTRA_SEED = 42, 4242
GIB = 1024**3


@dataclass
class Measure:
    seconds: float
    peak_rss_mb: float
    result: dict


def run_measured(code: str, *args: str) -> Measure:
    """Run ``code`` in a fresh interpreter; it prints one JSON line with its own timing and
    its own peak RSS (``ru_maxrss`` of that process), so steps never inflate each other."""
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{ROOT}:{HERE}"},
    )
    out, err = proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"benchmark step failed:\n{err.decode()[-3000:]}")
    result = json.loads(out.decode().strip().splitlines()[-1])
    rss = result.pop("peak_rss_mb")
    return Measure(seconds=result.pop("seconds"), peak_rss_mb=rss, result=result)


PREAMBLE = """
import json, resource, sys, time
from pathlib import Path
def report(seconds, **extra):
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_rss_mb": rss, **extra}))
"""

FLOOR = PREAMBLE + """
files = sorted(Path(sys.argv[1]).glob("*.txt"))
t = time.perf_counter()
lines = 0
for f in files:
    with open(f, "rb") as h:
        while chunk := h.read(1 << 24):
            lines += chunk.count(b"\\n")
report(time.perf_counter() - t, lines=lines)
"""

NAIVE = PREAMBLE + """
import datetime
from naive import run_naive
files = sorted(Path(sys.argv[1]).glob("*.txt"))
t = time.perf_counter()
counts = run_naive(files, Path(sys.argv[2]), datetime.date.fromisoformat(sys.argv[3]))
report(time.perf_counter() - t, **{k: v for k, v in counts.items() if isinstance(v, (int, float))})
"""

PIPELINE = PREAMBLE + """
import datetime, logging
from flows.ingest import PLAIN_STEPS, run_ingest
from flows.options import IngestOptions
options = IngestOptions(paths=[sys.argv[1]], captured_on=datetime.date.fromisoformat(sys.argv[3]),
                        max_reject_share=1.0, accept_shrink=True)
t = time.perf_counter()
summary = run_ingest(PLAIN_STEPS, logging.getLogger("bench"), home=sys.argv[2], options=options)
report(time.perf_counter() - t, records=summary["n_entries"] + summary["n_rejects"],
       parsed=summary["n_records_parsed"], papers=summary["table_rows"]["papers"],
       authors=summary["table_rows"]["authors"], new=summary["published_new"], stages=summary["stages"],
       sources=summary["sources"])
"""

PREFECT = PREAMBLE + """
import datetime, os
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
t = time.perf_counter()
# as the CLI runs a flow: a temporary server of our own (started by PID, stopped by PID)
from flows.prefect_server import TemporaryServer, drain_prefect_clients, use_api
from warehouse.layout import Layout
server = TemporaryServer(Layout.at(sys.argv[2])).start()
use_api(server.url)
try:
    from flows.ingest import ingest_flow
    from flows.options import IngestOptions
    server.wait_ready()
    summary = ingest_flow(home=sys.argv[2], options=IngestOptions(paths=[sys.argv[1]],
                          captured_on=datetime.date.fromisoformat(sys.argv[3])))
finally:
    drain_prefect_clients()
    server.stop()
report(time.perf_counter() - t, pipeline_seconds=summary["seconds"])
"""


def ensure_data(data: Path, size: int, seed: int = SEED) -> Path:
    target = data / f"{size}" if seed == SEED else data / f"{size}-seed{seed}"
    marker = target / ".complete"
    if not marker.exists():
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(size), str(target), "--seed", str(seed)],
                       check=True)
        marker.touch()
    return target


def _edit_one_title(path: Path) -> None:
    """Change one record's bytes: its title gains a word."""
    lines = path.read_text(encoding="utf-8-sig").split("\n")
    for i in range(1, len(lines)):
        if lines[i - 1][:2].isalpha() and lines[i] and lines[i][0].isupper():
            lines[i] = "Revised " + lines[i]
            break
    path.write_text("\n".join(lines), encoding="utf-8")


def bench_size(data: Path, size: int, run_naive: bool, incremental: bool, keep: bool) -> dict:
    inputs = ensure_data(data, size)
    row: dict = {"records": size, "bytes": sum(f.stat().st_size for f in inputs.glob("*.txt")),
                 "files": len(list(inputs.glob("*.txt")))}
    row["floor"] = run_measured(FLOOR, str(inputs))
    if run_naive:
        with tempfile.TemporaryDirectory(dir=data) as out:
            row["naive"] = run_measured(NAIVE, str(inputs), out, CAPTURED_ON)
    scratch = Path(tempfile.mkdtemp(dir=data, prefix="run-"))
    try:
        inbox, home = scratch / "inbox", scratch / "home"
        shutil.copytree(inputs, inbox, ignore=shutil.ignore_patterns(".*"))
        row["pipeline"] = run_measured(PIPELINE, str(inbox), str(home), CAPTURED_ON)
        row["noop"] = run_measured(PIPELINE, str(inbox), str(home), CAPTURED_ON)
        if incremental:
            extra = ensure_data(data / "extra", max(1, size // 100), seed=EXTRA_SEED)
            joined = inbox / "extra_profile.txt"
            with joined.open("wb") as out_file:
                for f in sorted(extra.glob("*.txt")):
                    out_file.write(f.read_bytes())
            row["plus1"] = run_measured(PIPELINE, str(inbox), str(home), CAPTURED_ON)
            _edit_one_title(sorted(inbox.glob("profile_*.txt"))[0])
            row["changed"] = run_measured(PIPELINE, str(inbox), str(home), CAPTURED_ON)
            files = sorted(inbox.glob("profile_*.txt"))
            for f in files[: max(1, len(files) // 10)]:
                f.unlink()
            row["removed"] = run_measured(PIPELINE, str(inbox), str(home), CAPTURED_ON)
    finally:
        if not keep:
            shutil.rmtree(scratch, ignore_errors=True)
    return row


def fmt(m: Measure | None, records: int) -> str:
    if m is None:
        return "-"
    rate = records / m.seconds / 1000 if m.seconds else 0.0
    return f"{m.seconds:8.2f} s {rate:8.0f} k rec/s {m.peak_rss_mb:8.0f} MB"


STEPS = ("floor", "naive", "pipeline", "noop", "plus1", "changed", "removed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--data", type=Path, default=ROOT / "bench-data")
    parser.add_argument("--skip-naive-above", type=int, default=10**9)
    parser.add_argument("--skip-incremental", action="store_true", help="only floor, naive, full run and no-op")
    parser.add_argument("--keep", action="store_true", help="keep the data homes of the runs")
    parser.add_argument("--json", type=Path, help="also write the measurements to this file")
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PREFECT_HOME"] = tmp
        prefect = run_measured(PREFECT, str(ROOT / "samples"), str(Path(tmp) / "home"), CAPTURED_ON)
    rows = [bench_size(args.data, n, n <= args.skip_naive_above, not args.skip_incremental, args.keep)
            for n in args.sizes]

    print(f"\npaperhouse benchmark ({os.cpu_count()} cores; wall time, records/s, peak RSS of the step's process)")
    for row in rows:
        n = row["records"]
        print(f"\n{n:,} records, {row['bytes'] / 1e6:,.0f} MB in {row['files']} files")
        for step in STEPS:
            if step in row:
                print(f"  {step:9s} {fmt(row[step], n)}")
        p = row["pipeline"]
        stages = p.result.get("stages", {})
        print("  pipeline stages: " + ", ".join(f"{k} {v:.2f} s" for k, v in stages.items()))
        print(f"  pipeline result: { {k: v for k, v in p.result.items() if k != 'stages'} }")
        if "naive" in row:
            print(f"  naive result:    {row['naive'].result}")
            print(f"  speed-up vs naive (naive/pipeline):    {row['naive'].seconds / p.seconds:6.2f}x")
        print(f"  pipeline peak RSS:                     {p.peak_rss_mb / 1024:6.2f} GiB")
        print(f"  pipeline/floor:                        {p.seconds / row['floor'].seconds:6.1f}")
        print(f"  no-op re-run:                          {row['noop'].seconds:6.2f} s")
        for step, label in (("plus1", "+1 % new records"), ("changed", "one file's bytes changed"),
                            ("removed", "a tenth of the files removed")):
            if step in row:
                print(f"  {label + ' / full run:':38s} {row[step].seconds / p.seconds:6.1%}")
    if len(rows) >= 2:
        for small, large in zip(rows, rows[1:]):
            ratio = large["pipeline"].seconds / small["pipeline"].seconds
            print(f"\n{large['records']:,}/{small['records']:,} pipeline time ratio: {ratio:.1f} "
                  f"(linear = {large['records'] / small['records']:.0f})")
    print(f"\nPrefect flow run on the 104 sample records (ephemeral server start-up included): "
          f"{prefect.seconds:.1f} s, of which pipeline work {prefect.result['pipeline_seconds']:.2f} s")
    if args.json:
        serial = [{k: (v.__dict__ if isinstance(v, Measure) else v) for k, v in row.items()} for row in rows]
        args.json.write_text(json.dumps({"rows": serial, "prefect": prefect.__dict__}, indent=2))


if __name__ == "__main__":
    main()
