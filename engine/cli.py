"""The ``gradlab`` command: grade a file, check problems, list problems.

Exit codes: 0 all good; 1 a submission did not pass every case, or ``check`` found a problem;
2 bad usage or a broken problem (with ``path:line`` messages on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from engine.authoring.check import CheckResult, check_problem, load_and_compile, load_for_grading
from engine.authoring.problem import ProblemError, is_slug
from engine.authoring.render import one_line, render_text
from engine.authoring.trace import compile_trace_problem, load_trace_problem, problem_kind
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


def _path_key() -> Callable[[str], tuple[int, str]]:
    """A sort key for problem slugs: their place on the path, as the site lists them: the course's
    ``order`` (course.toml in the problems folder), then problem.toml's ``order``. A course that
    does not load says why when it is checked; here the problems then keep problem.toml's order."""
    from engine.authoring.course import load_course, problem_order

    try:
        folders = load_course(problems_dir()).problems
    except ProblemError:
        folders = sorted(_all_problems(), key=lambda p: (problem_order(p), p.name))
    position = {folder.name: i for i, folder in enumerate(folders)}
    return lambda slug: (position.get(slug, len(position)), slug)


class _UsageError(Exception):
    pass


def _fresh_seed(args: argparse.Namespace) -> int | None:
    """``--fresh-seed [N]``: N, or a random seed said on stderr so the regrade can be repeated."""
    value = getattr(args, "fresh_seed", None)
    if value is None:
        return None
    if value == "random":
        import secrets

        seed = secrets.randbelow(2**31)
        print(f"gradlab: fresh seed {seed} (--fresh-seed {seed} draws the same cases again)",
              file=sys.stderr, flush=True)
        return seed
    try:
        return int(value)
    except ValueError:
        raise _UsageError(f"--fresh-seed {one_line(value)!r}: give a whole number, or nothing "
                          "for a random one") from None


def cmd_grade(args: argparse.Namespace) -> int:
    args.seed = _fresh_seed(args)
    if args.class_dir:
        return _grade_class(args)
    if args.bundle:
        return _grade_bundles([Path(p) for p in [args.problem, *args.files] if p], args)
    if args.problem is None:
        raise _UsageError("usage: gradlab grade PROBLEM FILE..., gradlab grade --class DIR, or "
                          "gradlab grade --bundle FILE...")
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
    problem, suite = load_for_grading(root, executor, seed=args.seed)
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
            suites[root] = load_for_grading(root, executor, seed=args.seed)[1]
        return grade(suites[root], code, executor, probes_first=False).to_dict()

    rows = []
    for path in bundle.collect(paths):
        try:
            rows.extend(bundle.regrade(path, resolve, grade_code))
        except bundle.BundleError as exc:
            print(f"gradlab: {exc}", file=sys.stderr)
            rows.append({"bundle": str(path), "problem": "-", "claimed": "-", "regraded": "-",
                         "holds": False, "note": str(exc)})
    out = args.out or ""
    # stdout: JSON (--json, or --out F.json), else the table. --out: the same, but a CSV for .csv.
    text = json.dumps(rows, indent=1) if args.json or out.endswith(".json") else _bundle_table(rows)
    if out:
        Path(out).write_text(bundle.rows_csv(rows) if out.endswith(".csv") and not args.json
                             else text + "\n", encoding="utf-8", newline="")
    print(text)
    return EXIT_OK if rows and all(r["holds"] for r in rows) else EXIT_FAIL


def _bundle_table(rows: list[dict]) -> str:
    return "\n".join(f"{one_line(r['bundle'])}  {r['problem']}  claimed {r['claimed']}"
                     f"{' solved' if r.get('claimed_solved') else ''}  regraded {r['regraded']}"
                     f"  {'HOLDS' if r['holds'] else 'DOES NOT HOLD'}"
                     + (f"  ({one_line(r['note'])})" if r.get("note") else "") for r in rows)


def _grade_batch(root: Path, paths: list[Path], args: argparse.Namespace) -> int:
    from engine.authoring import batch
    from engine.authoring.progress import Progress

    missing = [p for p in paths if not p.exists()]
    if missing:
        raise _UsageError(f"{missing[0]}: no such file or folder")
    files = batch.collect(paths)
    if not files:
        raise _UsageError("no .py files to grade in " + ", ".join(map(str, paths)))
    jobs = args.jobs or os.cpu_count() or 1
    executor = best_executor()
    _say_isolation(executor, args)
    _, suite = load_for_grading(root, executor, jobs, args.seed)
    out = Path(args.out) if args.out else None
    # Rows are written (and printed) as they come: a crash mid-batch keeps what was graded.
    graded = batch.write_grades(batch.grade_many(suite, files, jobs), out, suite)
    progress = Progress("grading", len(files))
    if args.json:
        rows = []
        for row in graded:
            rows.append(row)
            progress.step()
        progress.done()
        print(batch.to_json(rows, suite))
    else:
        rows = []
        width = max(len(one_line(f)) for f in files)
        for row in graded:
            rows.append(row)
            progress.clear()
            print(f"{one_line(row['file']):<{width}}  {row['passed']:>3}/{row['total']:<3} "
                  f"{row['status']}", flush=True)
            progress.step()
        solved = sum(r["status"] == "pass" for r in rows)
        progress.done()
        print(f"{len(rows)} submissions: {solved} pass every case"
              + (f"; wrote {args.out}" if args.out else ""))
    return EXIT_OK if all(r["status"] == "pass" for r in rows) else EXIT_FAIL


def _grade_class(args: argparse.Namespace) -> int:
    """Every student and problem of a class folder -> the class JSON, then the chosen format."""
    from engine.authoring import classroom, gradebook
    from engine.authoring.progress import Progress

    if args.problem or args.files or args.bundle:
        raise _UsageError("--class DIR grades every problem in DIR: give no PROBLEM or FILE "
                          "(and no --bundle) with it")
    if args.points is not None and args.percent:
        raise _UsageError("--points and --percent: choose one")
    folder = Path(args.class_dir)
    roots = {p.name: p for p in _all_problems()}
    # Trace problems are answered by hand on the site: export files carry the cells typed.
    traces = frozenset(slug for slug, root in roots.items() if problem_kind(root) == "trace")
    order = sorted(roots, key=_path_key())
    fmt = gradebook.infer_format(args.out, args.format or ("json" if args.json else None))
    try:
        options = classroom.Options(
            problems=classroom.check_problems([p.strip() for p in args.problems.split(",")
                                               if p.strip()], set(roots))
            if args.problems else None,
            points=10.0 if args.points is None else args.points, percent=args.percent,
            seed=args.seed, shard=classroom.parse_shard(args.shard) if args.shard else None,
            jobs=args.jobs or os.cpu_count() or 1)
        if options.points < 0:
            raise classroom.ClassError("--points must not be negative")
        found = classroom.discover(folder, set(roots) - traces, traces)
        for note in found.ignored:
            print(f"gradlab: ignored {one_line(note)}", file=sys.stderr)
        roster = classroom.read_roster(Path(args.roster)) if args.roster else None
        students = classroom.identify(found, roster, args.allow_unlisted)
        executor = best_executor()
        _say_isolation(executor, argparse.Namespace(**{**vars(args), "json": True}))
        chosen = options.problems or [s for s in order
                                      if s in {x.problem for x in found.submissions}]
        graded = classroom.shard_of(students, *options.shard) if options.shard else students
        progress = Progress("grading", classroom.count_to_grade(found, graded, chosen))

        def load_suite(slug: str) -> dict:
            if slug in traces:
                return compile_trace_problem(load_trace_problem(roots[slug]))
            return load_for_grading(roots[slug], executor, options.jobs, options.seed)[1]

        try:
            data = classroom.grade_class(folder, found, students, order, load_suite, options,
                                         on_row=progress.step)
        finally:
            if found.tmp is not None:
                found.tmp.cleanup()
        progress.done()
    except classroom.ClassError as exc:
        raise _UsageError(str(exc)) from None
    return _write_class(data, fmt, args)


def _write_class(data: dict, fmt: str, args: argparse.Namespace) -> int:
    """The class JSON as ``fmt`` to --out (or stdout), the detail file, and a summary."""
    from engine.authoring import gradebook

    text = gradebook.render(data, fmt)
    if args.detail:
        Path(args.detail).write_text(gradebook.detail_csv(data), encoding="utf-8", newline="")
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8", newline="")
        results = [r for s in data["students"] for r in s["results"].values()]
        counts = {k: sum(r["status"] == k for r in results)
                  for k in ("pass", "fail", "error", "timeout", "missing")}
        shard = data.get("shard")
        print(f"{len(data['students'])} students x {len(data['problems'])} problems"
              + (f" (shard {shard['index']}/{shard['count']})" if shard else "") + ": "
              + ", ".join(f"{n} {k}" for k, n in counts.items() if n)
              + f"; wrote {args.out} ({fmt})" + (f" and {args.detail}" if args.detail else ""))
    else:
        sys.stdout.write(text)
    every = all(r["status"] == "pass" for s in data["students"] for r in s["results"].values())
    return EXIT_OK if every else EXIT_FAIL


def cmd_merge(args: argparse.Namespace) -> int:
    from engine.authoring import gradebook

    try:
        data = gradebook.merge([Path(p) for p in args.shards])
    except gradebook.MergeError as exc:
        raise _UsageError(str(exc)) from None
    return _write_class(data, gradebook.infer_format(args.out, args.format), args)


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
    from engine.authoring.progress import Progress

    progress: list[Progress] = []
    lock = threading.Lock()  # mutants are graded on a thread pool

    def step(mutant_id: str) -> None:
        with lock:
            progress[0].step(mutant_id)

    report = mutation.run(checked.problem, checked.suite, executor, jobs=args.jobs,
                          on_start=lambda n: progress.append(Progress(f"{root.name} mutants", n)),
                          on_mutant=step)
    if progress:
        progress[0].done()
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
    key = _path_key()
    rows.sort(key=lambda row: key(row[1]))
    for _, slug, difficulty, count, title in rows:
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
    p = sub.add_parser(
        "grade", help="grade learner files against a problem's cases, or a whole class",
        description="Grade one file, many files against one problem, a whole class folder "
                    "(--class), or learners' export files (--bundle).",
        epilog="Class grading: gradlab grade --class DIR [--roster R] [--out F --format "
               "canvas|moodle|csv|json] [--detail D] [--shard i/N]. DIR holds one folder per "
               "student (alice/basic-ops.py), one folder per problem (basic-ops/alice.py), or "
               "export files (*.json); see docs/grading-a-class.md. Exit 0 when every result "
               "passes, 1 when not, 2 on bad usage.")
    p.add_argument("problem", nargs="?",
                   help="a folder name under hidden_tests/, or a path to a problem")
    p.add_argument("files", nargs="*", metavar="file",
                   help="a learner's Python file; several files or folders grade a whole class")
    g = p.add_argument_group("a whole class, every problem (--class)")
    g.add_argument("--class", dest="class_dir", metavar="DIR",
                   help="grade every student and problem in DIR (layout detected: student "
                        "folders, problem folders, or export files)")
    g.add_argument("--problems", metavar="SLUG,SLUG",
                   help="only these problems (default: every problem anyone submitted, in "
                        "path order)")
    g.add_argument("--roster", metavar="CSV",
                   help="roster: columns id (required), name, sis_id, email, section, "
                        "submitted_as (the folder/file name or export id, when not the id)")
    g.add_argument("--allow-unlisted", action="store_true",
                   help="grade submissions whose name is not in the roster (else an error)")
    g.add_argument("--points", type=float, metavar="N",
                   help="points per problem, scored in proportion to cases passed (default 10)")
    g.add_argument("--percent", action="store_true", help="score each problem 0-100 instead")
    g.add_argument("--format", choices=("canvas", "moodle", "csv", "json"),
                   help="what --out (or stdout) gets: Canvas or Moodle gradebook import CSV, a "
                        "plain CSV (id, name, problems, total), or the class JSON (default: "
                        "json for a .json --out, else csv)")
    g.add_argument("--detail", metavar="CSV",
                   help="also write every case's result (student, problem, case, status, "
                        "message) to this file")
    g.add_argument("--shard", metavar="i/N",
                   help="grade only shard i of N (every N-th student by id); combine the N "
                        "JSON files with `gradlab merge`")
    p.add_argument("--fresh-seed", nargs="?", const="random", metavar="N",
                   help="draw the generated cases from seed N instead of the problem's own "
                        "(cases the learner never saw); no N: a random seed, printed and kept "
                        "in the class JSON")
    p.add_argument("--bundle", action="store_true",
                   help="the arguments are learners' export files (or folders of them): "
                        "regrade each problem in them and say whether the claimed result holds")
    p.add_argument("--json", action="store_true", help="print the JSON report(s)")
    p.add_argument("--jobs", type=int, help="parallel graders for a class (default: all cores)")
    p.add_argument("--out", help="write one row per submission to this .csv or .json file "
                                 "(with --class: the gradebook in --format)")
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
    p = sub.add_parser("merge", help="combine the shard files of `gradlab grade --shard`",
                       description="Combine the N shard files of `gradlab grade --class DIR "
                                   "--shard i/N --format json` into what one machine would have "
                                   "written, in any format.")
    p.add_argument("shards", nargs="+", metavar="SHARD.json")
    p.add_argument("--out", help="write here (default: stdout)")
    p.add_argument("--format", choices=("canvas", "moodle", "csv", "json"),
                   help="default: json for a .json --out, else csv")
    p.add_argument("--detail", metavar="CSV", help="also write every case's result here")
    p.set_defaults(func=cmd_merge)
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
