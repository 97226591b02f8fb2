"""Known mistakes: each file in a problem's ``solutions/wrong/``, graded once, with its signature.

Every wrong solution's first lines say what it is (``# Mistake: ...``) and optionally what to look
at (``# Hint: ...``). Grading it gives a *signature*: how each case and each probe came out. The
signatures ship in the suite (``suite.mistakes``) so that ``engine.grading.diagnose`` can match a
learner's failing run against them at grade time. Building them means grading every wrong file,
so they are cached on disk.

An instructor adds a diagnosis by adding a wrong-solution file; nothing else.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from engine.authoring.problem import Problem
from engine.grading.contract import Mistake, Outcome, Report, Suite
from engine.grading.grade import Executor, grade_with_signature

HEADER_LINES = 10  # where a wrong solution's `# Mistake:` and `# Hint:` lines are looked for


def has_mistake_header(lines: list[str]) -> bool:
    """Whether a wrong solution names its mistake (``gradlab check`` refuses one that does not)."""
    return any(re.match(r"#\s*Mistake:\s*\S", line) for line in lines[:HEADER_LINES])


def header(path: Path) -> tuple[str, str | None]:
    """The mistake's name and hint from a wrong solution's comment header."""
    mistake, hint = path.stem.replace("_", " "), None
    for line in path.read_text(encoding="utf-8").splitlines()[:HEADER_LINES]:
        found = re.match(r"#\s*(Mistake|Hint):\s*(.+)", line)
        if found and found.group(1) == "Mistake":
            mistake = found.group(2).strip()
        elif found:
            hint = found.group(2).strip()
    return mistake, hint


def cache_dir() -> Path:
    """Where signatures are kept between runs: $GRADLAB_CACHE, else ~/.cache/gradlab."""
    if os.environ.get("GRADLAB_CACHE"):
        return Path(os.environ["GRADLAB_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gradlab"


def _cache_key(problem: Problem, suite: Suite) -> str:
    """Changes with the suite, any wrong solution, or the grader code that makes signatures."""
    digest = hashlib.sha256(suite["version"].encode())
    for path in problem.solutions("wrong"):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for module in sorted(Path(__file__).parents[1].rglob("*.py")):  # the whole engine package
        digest.update(module.read_bytes())
    return digest.hexdigest()[:24]


def known_mistakes(problem: Problem, suite: Suite, executor: Executor,
                   jobs: int = 2) -> list[Mistake]:
    """Each wrong solution's name, hint and signature (``suite.mistakes``).

    Grading every wrong solution takes seconds for problems that train networks, so the result
    is cached on disk (see cache_dir) under a key that changes whenever it could."""
    path = cache_dir() / f"signatures-{problem.slug}-{_cache_key(problem, suite)}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    paths = problem.solutions("wrong")
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        graded = list(pool.map(lambda p: grade_with_signature(
            suite, p.read_text(encoding="utf-8"), executor), paths))
    mistakes = mistakes_from(paths, graded)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(mistakes), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a read-only home: no cache, same result
    return mistakes


def mistakes_from(paths: list[Path], graded: list[tuple[Report, list[Outcome]]]) -> list[Mistake]:
    """Known mistakes from wrong solutions already graded: (report, signature) per path. The
    signature is kept as tokens, the suite's wire format (``Outcome.to_token``)."""
    mistakes = []
    for path, (report, signature) in zip(paths, graded, strict=True):
        if report.status == "pass" or report.load_error is not None:
            continue  # check reports a wrong file nothing catches; one that cannot load tells nothing
        mistake, hint = header(path)
        mistakes.append({"mistake": mistake, "hint": hint, "file": path.name,
                         "signature": [o.to_token() for o in signature]})
    return mistakes
