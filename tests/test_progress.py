"""The CLI's progress line: live on a terminal, a few plain lines in a log."""

import io

from engine.authoring.progress import Progress


def test_piped_progress_prints_a_line_per_tenth_and_a_final_total() -> None:
    out = io.StringIO()
    progress = Progress("grading", 100, stream=out, live=False)
    for _ in range(100):
        progress.step("file.py")
    progress.done()
    lines = out.getvalue().splitlines()
    assert len(lines) == 10  # 10%, 20%, ... 90%, then the total
    assert lines[0].startswith("grading: 10/100 (10%)") and "left" in lines[0]
    assert lines[-1].startswith("grading: 100/100 (100%)") and "left" not in lines[-1]


def test_a_terminal_gets_one_line_rewritten_in_place() -> None:
    out = io.StringIO()
    progress = Progress("mutants", 3, stream=out, live=True)
    for name in ("a", "b", "c"):
        progress.step(name)
    progress.done()
    text = out.getvalue()
    assert text.count("\n") == 1 and text.count("\r") == 4
    assert "mutants: 2/3 (66%)" in text and "b" in text
    assert text.rstrip().endswith("mutants: 3/3 (100%) 0s")


def test_nothing_to_do_still_ends_with_a_total() -> None:
    out = io.StringIO()
    Progress("build", 0, stream=out, live=False).done()
    assert out.getvalue() == "build: 0/0 (100%) 0s\n"


def test_clear_blanks_the_live_line_so_a_printed_row_starts_clean() -> None:
    stream = io.StringIO()
    progress = Progress("grading", 4, stream=stream, live=True)
    progress.step("a.py")
    width = len(stream.getvalue()) - 1
    progress.clear()
    assert stream.getvalue().endswith("\r" + " " * width + "\r")
    piped = io.StringIO()
    quiet = Progress("grading", 4, stream=piped, live=False)
    quiet.step()
    before = piped.getvalue()
    quiet.clear()
    assert piped.getvalue() == before  # piped lines end with a newline: nothing to blank
