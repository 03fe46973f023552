"""``scripts/bench isolation``: what per-test database isolation costs.

Runs the 200 trivial database tests of ``scripts/bench_suites/isolation``
once per isolation mode, three rounds with the modes interleaved so that
drift in the machine's speed hits every mode alike, each run its own pytest
process. Prints the median of each mode's timed seconds and its per-test
overhead over the shared-workspace baseline, and the median single test,
which a burst of other work on the machine hardly moves. The database is the test
suite's: ``SKEIN_TEST_DATABASE_URL`` when set, else an embedded server.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUITE = "scripts/bench_suites/isolation"
ROUNDS = 3
BASELINE = "shared"
MODES = {
    BASELINE: "one shared workspace, no cleanup (baseline)",
    "fresh": "fresh workspace per test (the suite's `workspace` fixture)",
    "delete": "shared workspace, DELETE its rows after each test",
}
TARGET_MS = 5.0


def run_suite(mode: str, result: Path) -> tuple[float, float, int]:
    """The timed tests' seconds in all, the median test's seconds, and how many passed."""
    command = [
        sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", "-p", "no:randomly", "-p", "no:cacheprovider",
        SUITE, f"--isolation={mode}", f"--bench-result={result}",
    ]  # fmt: skip
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        sys.exit(f"the {mode} run failed (exit {finished.returncode}):\n{finished.stdout}{finished.stderr}")
    measured = json.loads(result.read_text())
    return measured["seconds"], measured["median_test_seconds"], measured["passed"]


def main() -> None:
    if sys.argv[1:]:
        print("usage: scripts/bench isolation (it takes no arguments)", file=sys.stderr)
        sys.exit(2)
    seconds: dict[str, list[float]] = {mode: [] for mode in MODES}
    median_test: dict[str, list[float]] = {mode: [] for mode in MODES}
    counts: set[int] = set()
    with tempfile.TemporaryDirectory() as scratch:
        for round_number in range(1, ROUNDS + 1):
            for mode in MODES:
                took, typical, passed = run_suite(mode, Path(scratch) / f"{mode}-{round_number}.json")
                seconds[mode].append(took)
                median_test[mode].append(typical)
                counts.add(passed)
                print(f"round {round_number}/{ROUNDS} {mode:>6}: {took:.3f} s for {passed} tests", file=sys.stderr)
    if len(counts) != 1 or 0 in counts:
        sys.exit(f"the runs did not all pass the same number of tests: {sorted(counts)}")
    tests = counts.pop()

    median = {mode: statistics.median(values) for mode, values in seconds.items()}
    typical_ms = {mode: statistics.median(values) * 1000 for mode, values in median_test.items()}
    database = "SKEIN_TEST_DATABASE_URL" if os.environ.get("SKEIN_TEST_DATABASE_URL") else "embedded PostgreSQL"
    print(f"\nper-test isolation, {tests} tests, median of {ROUNDS} runs each ({database})\n")
    print(f"| mode | median s for {tests} tests | per-test overhead vs {BASELINE} | median test (ms) | runs (s) |")
    print("|---|---:|---:|---:|---|")
    for mode, meaning in MODES.items():
        overhead_ms = (median[mode] - median[BASELINE]) / tests * 1000
        overhead = "baseline" if mode == BASELINE else f"{overhead_ms:+.2f} ms"
        runs = ", ".join(f"{value:.3f}" for value in seconds[mode])
        print(f"| {mode}: {meaning} | {median[mode]:.3f} | {overhead} | {typical_ms[mode]:.2f} | {runs} |")
    fresh_ms = (median["fresh"] - median[BASELINE]) / tests * 1000
    verdict = "within" if fresh_ms <= TARGET_MS else "OVER"
    print(f"\nfresh-workspace overhead {fresh_ms:.2f} ms/test: {verdict} the {TARGET_MS:g} ms target")


if __name__ == "__main__":
    main()
