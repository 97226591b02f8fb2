"""The ``gradlab`` command: grade a file, check problems, list problems.

Exit codes: 0 all good; 1 a submission did not pass every case, or ``check`` found a problem;
2 bad usage or a broken problem (with ``path:line`` messages on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from engine.authoring.check import CheckResult, check_problem, load_and_compile, load_for_grading
from engine.authoring.problem import ProblemError, is_slug
from engine.authoring.render import one_line, render_text
from engine.authoring.trace import load_trace_problem, problem_kind
from engine.grading.grade import grade
from engine.sandbox.executor import SubprocessExecutor, best_executor

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def problems_dir() -> Path:
    """Where problem folders live: $GRADLAB_PROBLEMS, ./hidden_tests, or the repo's hidden_tests."""
    if os.environ.get("GRADLAB_PROBLEMS"):
        return Path(os.environ["GRADLAB_PROBLEMS"])
    here = Path.cwd() / "hidden_tests"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[1] / "hidden_tests"


def resolve_problem(name: str) -> Path:
    """A problem folder by path, or by name (a slug, never a path) under problems_dir()."""
    path = Path(name)
    if (path / "problem.toml").is_file():
        return path
    candidate = problems_dir() / name
    if is_slug(name) and candidate.is_dir():
        return candidate
    known = ", ".join(sorted(p.name for p in _all_problems())) or "none"
    raise _UsageError(f"no problem {one_line(repr(name))}: not a folder with problem.toml, and "
                      f"not a problem name under {problems_dir()} (known: {known})")


def _all_problems() -> list[Path]:
    root = problems_dir()
    return sorted(p.parent for p in root.glob("*/problem.toml")) if root.is_dir() else []


class _UsageError(Exception):
    pass


def cmd_grade(args: argparse.Namespace) -> int:
    if args.bundle:
        return _grade_bundles([Path(p) for p in [args.problem, *args.files] if p], args)
    if not args.files:
        raise _UsageError("usage: gradlab grade PROBLEM FILE... (or gradlab grade --bundle FILE...)")
    root = resolve_problem(args.problem)
    paths = [Path(p) for p in args.files]
    if len(paths) > 1 or paths[0].is_dir() or args.out or args.jobs:
        return _grade_batch(root, paths, args)
    args.file = args.files[0]
    try:
        source = Path(args.file).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _UsageError(f"{args.file}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _UsageError(f"{args.file}: cannot read it as UTF-8 text: {exc}") from None
    executor = best_executor()
    _say_isolation(executor, args)
    problem, suite = load_for_grading(root, executor)
    report = grade(suite, source, executor, probes_first=False)
    if args.json:
        print(json.dumps({**report.to_dict(), "isolation": executor.isolation.to_dict()}, indent=2))
    else:
        print(render_text(report, problem.title))
    return EXIT_OK if report.status == "pass" else EXIT_FAIL


def _grade_bundles(paths: list[Path], args: argparse.Namespace) -> int:
    """Regrade learners' export files; a claim holds when the regrade solves what was claimed."""
    from engine.authoring import bundle

    if not paths:
        raise _UsageError("give the export files (or folders of them) to regrade")
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise _UsageError(f"{missing[0]}: no such file or folder")
    suites: dict[Path, dict] = {}
    executor = best_executor()

    def resolve(slug: str) -> Path | None:
        if not is_slug(slug):  # a name from a learner's file: never a path
            return None
        candidate = problems_dir() / slug
        return candidate if (candidate / "problem.toml").is_file() else None

    def grade_code(root: Path, code: str) -> dict:
        if root not in suites:
            suites[root] = load_for_grading(root, executor)[1]
        return grade(suites[root], code, executor, probes_first=False).to_dict()

    rows = []
    for path in bundle.collect(paths):
        try:
            rows.extend(bundle.regrade(path, resolve, grade_code))
        except bundle.BundleError as exc:
            print(f"gradlab: {exc}", file=sys.stderr)
            rows.append({"bundle": str(path), "problem": "-", "claimed": "-", "regraded": "-",
                         "holds": False, "note": str(exc)})
    if args.json or (args.out and args.out.endswith(".json")):
        text = json.dumps(rows, indent=1)
    else:
        text = "\n".join(f"{one_line(r['bundle'])}  {r['problem']}  claimed {r['claimed']}"
                         f"{' solved' if r.get('claimed_solved') else ''}  regraded {r['regraded']}"
                         f"  {'HOLDS' if r['holds'] else 'DOES NOT HOLD'}"
                         + (f"  ({one_line(r['note'])})" if r.get("note") else "") for r in rows)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(text)
    return EXIT_OK if rows and all(r["holds"] for r in rows) else EXIT_FAIL


def _grade_batch(root: Path, paths: list[Path], args: argparse.Namespace) -> int:
    from engine.authoring import batch

    missing = [p for p in paths if not p.exists()]
    if missing:
        raise _UsageError(f"{missing[0]}: no such file or folder")
    files = batch.collect(paths)
    if not files:
        raise _UsageError("no .py files to grade in " + ", ".join(map(str, paths)))
    jobs = args.jobs or os.cpu_count() or 1
    executor = best_executor()
    _say_isolation(executor, args)
    _, suite = load_for_grading(root, executor, jobs)
    out = Path(args.out) if args.out else None
    # Rows are written (and printed) as they come: a crash mid-batch keeps what was graded.
    graded = batch.write_grades(batch.grade_many(suite, files, jobs), out, suite)
    if args.json:
        rows = list(graded)
        print(batch.to_json(rows, suite))
    else:
        rows = []
        width = max(len(one_line(f)) for f in files)
        for row in graded:
            rows.append(row)
            print(f"{one_line(row['file']):<{width}}  {row['passed']:>3}/{row['total']:<3} "
                  f"{row['status']}", flush=True)
        solved = sum(r["status"] == "pass" for r in rows)
        print(f"{len(rows)} submissions: {solved} pass every case"
              + (f"; wrote {args.out}" if args.out else ""))
    return EXIT_OK if all(r["status"] == "pass" for r in rows) else EXIT_FAIL


def _say_isolation(executor: SubprocessExecutor, args: argparse.Namespace) -> None:
    """Where submissions cannot run sandboxed: say so first (on stderr under --json, whose
    report carries it too), or with --require-isolation refuse to go on."""
    isolation = executor.isolation
    if isolation.isolated:
        return
    if getattr(args, "require_isolation", False):
        executor.close()
        raise _UsageError(f"{isolation.warning()}; --require-isolation refuses to grade. Install "
                          "bubblewrap (bwrap) and enable unprivileged user namespaces")
    print(isolation.warning(), file=sys.stderr if getattr(args, "json", False) else sys.stdout,
          flush=True)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _check_roots(names: list[str]) -> tuple[list[Path], int]:
    """The problem folders to check, and how many courses are broken: a course folder (with
    course.toml) stands for its problems in course order, and its course.toml is checked too;
    no names means the default course (every problem under problems_dir())."""
    from engine.authoring.course import is_course, load_course

    roots, bad = [], 0
    for name in names or ([str(problems_dir())] if is_course(problems_dir()) else []):
        if not is_course(Path(name)):
            roots.append(resolve_problem(name))
            continue
        try:
            roots += load_course(Path(name)).problems
        except ProblemError as exc:
            for issue in exc.issues:
                print(issue, file=sys.stderr)
            print(f"{Path(name) / 'course.toml'}: {_plural(len(exc.issues), 'issue')}")
            bad += 1
    return (roots if names or roots else _all_problems()), bad


def cmd_check(args: argparse.Namespace) -> int:
    roots, courses_bad = _check_roots(args.problems)
    bad = courses_bad
    if not roots and not bad:
        raise _UsageError(f"no problems found under {problems_dir()}")
    executor = best_executor()
    _say_isolation(executor, args)
    for root in roots:
        result = check_problem(root, executor, jobs=args.jobs)
        for line in result.lines:
            print(line)
        for issue in result.issues:
            print(issue, file=sys.stderr)
        print(f"{result.slug}: {'OK' if result.ok else _plural(len(result.issues), 'issue')}")
        bad += not result.ok
        if args.mutants:
            bad += _check_mutants(root, result, executor, args) and result.ok
    broken = bad - courses_bad
    print(f"checked {_plural(len(roots), 'problem')}: {len(roots) - broken} ok, {broken} with "
          f"issues" + (f"; {_plural(courses_bad, 'course.toml')} with issues" if courses_bad else ""))
    return EXIT_OK if bad == 0 else EXIT_FAIL


def _check_mutants(root: Path, checked: CheckResult, executor: SubprocessExecutor,
                   args: argparse.Namespace) -> bool:
    """Mutation testing of one problem; True when a mutant survived."""
    from engine.authoring import mutation

    if checked.trace is not None:
        print(f"{root.name}: a trace problem has no code: nothing to mutate")
        return False
    if not checked.ok or checked.problem is None or checked.suite is None:
        print(f"{root.name}: mutation testing skipped: fix the problems above first (the "
              "reference and every correct solution must pass)")
        return False
    report = mutation.run(checked.problem, checked.suite, executor, jobs=args.jobs)
    print(mutation.render_text(report, show_killed=args.show_killed))
    if args.save_proposals:
        for r in report.results:
            if r.proposal and r.proposal_for == r.mutant.id:
                path = root / "cases" / f"proposed-{r.mutant.id.lower()}.toml"
                path.write_text(r.proposal, encoding="utf-8")
                print(f"  wrote {path}")
    return report.count("survived") > 0 or report.skipped is not None


def cmd_new(args: argparse.Namespace) -> int:
    from engine.authoring import scaffold

    root = Path(args.dir) if args.dir else problems_dir()
    try:
        folder = scaffold.create(root, args.problem)
    except (ValueError, FileExistsError) as exc:
        raise _UsageError(str(exc)) from None
    print(f"created {folder}: edit its files, then run `gradlab check {folder}`")
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    rows = []
    for root in _all_problems():
        if problem_kind(root) == "trace":
            try:
                tp = load_trace_problem(root)
            except ProblemError as exc:
                rows.append((10**9, root.name, "BROKEN", str(len(exc.issues)) + " issue(s)", ""))
            else:
                rows.append((tp.order, root.name, tp.difficulty, f"{len(tp.traces):>4} traces",
                             f"{tp.title} (by hand)"))
            continue
        try:
            problem, suite = load_and_compile(root)
        except ProblemError as exc:
            rows.append((10**9, root.name, "BROKEN", str(len(exc.issues)) + " issue(s)", ""))
            continue
        kinds = {}
        for case in suite["cases"]:
            kinds[case["kind"]] = kinds.get(case["kind"], 0) + 1
        detail = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        rows.append((problem.order, root.name, problem.difficulty, str(len(suite["cases"])),
                     f"{problem.title} ({detail})"))
    for _, slug, difficulty, count, title in sorted(rows):
        count = count if count.endswith("traces") else f"{count:>4} cases"
        print(f"{slug:<20} {difficulty:<8} {count}  {title}")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from engine.authoring import classreport

    try:
        stats = classreport.write_report(Path(args.class_file), Path(args.out))
    except classreport.ReportError as exc:
        raise _UsageError(str(exc)) from None
    print(f"wrote {args.out}: {len(stats.students)} students, {len(stats.problems)} problems")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gradlab", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("grade", help="grade learner files against a problem's cases")
    p.add_argument("problem", help="a folder name under hidden_tests/, or a path to a problem")
    p.add_argument("files", nargs="*", metavar="file",
                   help="a learner's Python file; several files or folders grade a whole class")
    p.add_argument("--bundle", action="store_true",
                   help="the arguments are learners' export files (or folders of them): "
                        "regrade each problem in them and say whether the claimed result holds")
    p.add_argument("--json", action="store_true", help="print the JSON report(s)")
    p.add_argument("--jobs", type=int, help="parallel graders for a class (default: all cores)")
    p.add_argument("--out", help="write one row per submission to this .csv or .json file")
    p.add_argument("--require-isolation", action="store_true",
                   help="refuse to grade (exit 2) where submissions cannot run in an OS sandbox")
    p.set_defaults(func=cmd_grade)
    p = sub.add_parser("check", help="check that problems' tests accept correct and reject wrong")
    p.add_argument("problems", nargs="*",
                   help="problem names, problem folders or course folders (default: the "
                        "shipped course, hidden_tests/)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="parallel graders")
    p.add_argument("--mutants", action="store_true",
                   help="also mutation-test each suite: mutate the reference, report the mutation "
                        "score and every surviving mutant with a case that would catch it")
    p.add_argument("--show-killed", action="store_true",
                   help="with --mutants: list killed mutants too, each with the case that kills it")
    p.add_argument("--save-proposals", action="store_true",
                   help="with --mutants: save each proposed case as cases/proposed-<mutant>.toml")
    p.add_argument("--require-isolation", action="store_true",
                   help="refuse to run (exit 2) where submissions cannot run in an OS sandbox")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("new", help="scaffold a problem folder that passes `gradlab check`")
    p.add_argument("problem", help="the new problem's folder name, e.g. tanh-and-exp")
    p.add_argument("--dir", help="where to create it (default: hidden_tests/)")
    p.set_defaults(func=cmd_new)
    p = sub.add_parser("list", help="list problems and their case counts")
    p.set_defaults(func=cmd_list)
    p = sub.add_parser("report", help="a class's results (gradlab grade --class's JSON) as one "
                                      "self-contained HTML page: what to re-teach, crashes, scores")
    p.add_argument("class_file", metavar="CLASS.json", help="the class results file")
    p.add_argument("--out", default="report.html", help="the page to write (default: report.html)")
    p.set_defaults(func=cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()  # here, so a closed pipe is noticed while we can still handle it
        return code
    except BrokenPipeError:
        # The reader went away (`gradlab ... | head`): nothing more to say, and nothing to flush.
        # Python's own advice: point stdout at devnull so the final flush at exit cannot fail.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAIL
    except _UsageError as exc:
        print(f"gradlab: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ProblemError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        print(f"gradlab: the problem has {len(exc.issues)} issue(s); fix them and try again",
              file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
