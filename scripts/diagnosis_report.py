"""Grade a folder of wrong (and correct) files and show, per file, the diagnosis a learner reads.

For judging the diagnosis by hand (issue #16): each file's first lines say what it is, as
``# Bug: <sentence>`` (or ``# Mistake:``) and ``# Expect: pass|fail`` (or ``# Correct:``), and
this prints the verdict, what the report says ("This looks like ..." for a known mistake, "What
your code does ..." for the measured layer) and an empty column for a human to write right, none or
wrong. ``--leave-one-out`` grades a problem's own ``solutions/wrong/`` files as if each were
unseen: its own known mistake is removed from the suite while it is graded.

    PYTHONPATH=$PWD .venv/bin/python scripts/diagnosis_report.py basic-ops /tmp/blind
    PYTHONPATH=$PWD .venv/bin/python scripts/diagnosis_report.py basic-ops --leave-one-out
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from engine.authoring.check import load_for_grading
from engine.grading.grade import grade
from engine.sandbox.executor import best_executor

ROOT = Path(__file__).resolve().parents[1] / "hidden_tests"


def claims(path: Path) -> tuple[str, str]:
    """What the file's author says it is: (the bug, or "correct"), and the expected verdict."""
    bug, expect = "", ""
    for line in path.read_text(encoding="utf-8").splitlines()[:10]:
        found = re.match(r"#\s*(Bug|Mistake|Expect|Correct):\s*(.*)", line)
        if not found:
            continue
        key, text = found.groups()
        if key in ("Bug", "Mistake"):
            bug, expect = text.strip(), expect or "fail"
        elif key == "Correct":
            bug, expect = "correct: " + text.strip(), "pass"
        else:
            expect = text.strip()
    return bug, expect


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("problem")
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--leave-one-out", action="store_true",
                        help="grade the problem's own wrong solutions, each without its own entry")
    args = parser.parse_args(argv)
    root = ROOT / args.problem
    executor = best_executor()
    _, suite = load_for_grading(root, executor)
    known = suite.get("mistakes", [])
    paths = [p for f in args.folders for p in sorted(f.glob("*.py"))]
    if args.leave_one_out:
        paths += sorted((root / "solutions" / "wrong").glob("*.py"))
    for path in paths:
        bug, expect = claims(path)
        own = args.leave_one_out and path.parent == root / "solutions" / "wrong"
        suite["mistakes"] = [m for m in known if not (own and m["file"] == path.name)]
        report = grade(suite, path.read_text(encoding="utf-8"), executor)
        d = report.diagnosis
        said = "-" if d is None else (
            f"[{d.get('basis', 'known')}] {d['mistake']}"
            + "".join(f"\n      | {e}" for e in d.get("evidence", [])))
        flag = "" if expect in ("", "pass" if report.status == "pass" else "fail") else "  VERDICT!"
        print(f"{path.name}  {report.status} {report.passed}/{report.total}{flag}\n"
              f"   bug:  {bug}\n   said: {said}\n   judge: ____")
    suite["mistakes"] = known
    return 0


if __name__ == "__main__":
    sys.exit(main())
