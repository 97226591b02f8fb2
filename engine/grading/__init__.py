"""Pure grading: observe learner code, judge what it did, localise and diagnose, build the report.

Standard library only (plus nothing else of ``engine``): no processes, no files. This package is
what ships to the browser (with ``engine.browser``) and what the sandboxed child runs
(``observe`` alone). Kept free of imports at package level so a grading child starts fast.
"""
