#!/usr/bin/env python3
"""Sums the results of every .trx and .junit.xml file in a folder and prints the closing line CI reads.

Usage: trx-summary.py RESULTS_DIR [EXPECTED_COUNT] [--failed-step=NAME ...]

Prints the name and first message lines of every test that did not pass, then one line,
'N passed, N failed' (plus ', N skipped' when any were skipped), last: CI keeps only the tail
of the output, and a failure must be identifiable from it.
Exits 1 when a test failed, when no test ran at all, or when fewer trx files exist than
EXPECTED_COUNT (a test host that crashed writes none, and its tests must not vanish silently).
Each --failed-step (a build or a server that failed before any test could run) counts as one failure and is
named above the closing line. So does a run the test platform aborted (a test host that crashed or was killed as
hung): its trx counts only the tests that finished, all of which may have passed, and names the abort in a RunInfo
with outcome "Error"; the test that was running is named beside it when the blame collector recorded one.
"""
import pathlib
import re
import sys
import xml.etree.ElementTree as ElementTree

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"

# Outcomes the trx Counters element can carry that mean "this test did not pass".
FAILED_COUNTERS = ("failed", "error", "timeout", "aborted")
SKIPPED_COUNTERS = ("notExecuted", "notRunnable", "inconclusive", "pending", "disconnected", "warning")
FAILED_OUTCOMES = {"Failed", "Error", "Timeout", "Aborted"}
MESSAGE_LINES = 6


def failures(root):
    """(test name, first lines of its error message) for each result that did not pass."""
    for result in root.iter(f"{NS}UnitTestResult"):
        if result.get("outcome") not in FAILED_OUTCOMES:
            continue
        message = result.find(f"{NS}Output/{NS}ErrorInfo/{NS}Message")
        text = (message.text or "").strip() if message is not None else ""
        yield result.get("testName", "?"), text.splitlines()[:MESSAGE_LINES]


# xUnit's adapter also echoes each failed test as a RunInfo with outcome "Error" ("[xUnit.net 00:02:35.45]     Name [FAIL]");
# that test is already a failure in the counters, so the echo is not an error of the run.
FAILED_TEST_ECHO = re.compile(r"^\[xUnit\.net [^\]]*\]\s+(?P<name>.+?) \[FAIL\]$")


def aborts(root):
    """The test platform's errors about the run itself (an aborted run, a crashed or hung test host, a catastrophic
    failure of the test framework): each RunInfo with outcome "Error" but the echoes of tests the trx records as failed."""
    failed = {result.get("testName") for result in root.iter(f"{NS}UnitTestResult") if result.get("outcome") in FAILED_OUTCOMES}
    for info in root.iter(f"{NS}RunInfo"):
        if info.get("outcome") == "Error":
            text = info.find(f"{NS}Text")
            message = (text.text or "").strip() if text is not None else "the test run reported an error"
            echo = FAILED_TEST_ECHO.match(message)
            if echo is None or echo.group("name") not in failed:
                yield message


def running_when_aborted(trx, root):
    """The tests the blame collector saw start that have no result in the trx. Its sequence file is the one this trx
    names among its attachments (the results folder also holds other projects' sequences when more than one aborted)."""
    finished = {result.get("testName") for result in root.iter(f"{NS}UnitTestResult")}
    names = {pathlib.PurePosixPath(link.get("href", "")).name for link in root.iter(f"{NS}A")}
    running = []
    for sequence in trx.parent.glob("*/Sequence_*.xml"):
        if sequence.name not in names:
            continue
        try:
            tests = ElementTree.parse(sequence).getroot().findall("Test")
        except ElementTree.ParseError:
            continue
        running += [name for test in tests if (name := test.get("DisplayName") or test.get("Name")) and name not in finished]
    return running


def junit(path):
    """(passed, failed, skipped, failures) of a JUnit XML file (the front end's vitest writes one)."""
    root = ElementTree.parse(path).getroot()
    passed = failed = skipped = 0
    failed_tests = []
    for case in root.iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            failed += 1
            text = (problem.get("message") or problem.text or "").strip()
            name = " > ".join(part for part in (case.get("classname"), case.get("name")) if part)
            failed_tests.append((path.name.split(".")[0], name or "?", text.splitlines()[:MESSAGE_LINES]))
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped, failed_tests


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--failed-step=")]
    failed_steps = [a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--failed-step=")]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    folder = pathlib.Path(args[0])
    expected = int(args[1]) if len(args) > 1 else 0
    files = sorted(folder.glob("*.trx")) if folder.is_dir() else []
    junit_files = sorted(folder.glob("*.junit.xml")) if folder.is_dir() else []

    passed = failed = skipped = 0
    problems = []
    failed_tests = []
    for trx in files:
        try:
            root = ElementTree.parse(trx).getroot()
            counters = root.find(f"{NS}ResultSummary/{NS}Counters")
            failed_tests.extend((trx.stem, name, lines) for name, lines in failures(root))
        except ElementTree.ParseError as error:
            problems.append(f"{trx.name}: unreadable ({error})")
            failed += 1
            continue
        if counters is None:
            problems.append(f"{trx.name}: no result summary")
            failed += 1
            continue
        count = lambda names: sum(int(counters.get(name, "0")) for name in names)  # noqa: E731
        passed += count(("passed",))
        failed += count(FAILED_COUNTERS)
        skipped += count(SKIPPED_COUNTERS)
        run_errors = list(aborts(root))
        running = running_when_aborted(trx, root) if run_errors else []
        name = "run aborted" + (" while " + ", ".join(running) + " ran" if running else "")
        for abort in run_errors:
            failed_tests.append((trx.stem, name, abort.splitlines()[:MESSAGE_LINES]))
            failed += 1

    for path in junit_files:
        try:
            counts = junit(path)
        except ElementTree.ParseError as error:
            problems.append(f"{path.name}: unreadable ({error})")
            failed += 1
            continue
        passed += counts[0]
        failed += counts[1]
        skipped += counts[2]
        failed_tests.extend(counts[3])

    found = len(files) + len(junit_files)
    if found < expected:
        problems.append(f"expected {expected} result files, found {found}: a test host crashed or did not start")
    for step in failed_steps:
        problems.append(f"step failed: {step}")
        failed += 1

    for project, name, lines in failed_tests:
        print(f"FAILED {project}: {name}")
        for line in lines:
            print(f"    {line}")
    for problem in problems:
        print(f"trx-summary: {problem}", file=sys.stderr)
    if passed + failed + skipped == 0:
        print("trx-summary: no test ran", file=sys.stderr)

    sys.stdout.flush()
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 1 if failed or problems or passed + failed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
