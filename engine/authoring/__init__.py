"""The instructor's side, on CPython: read and validate problem folders, compile suites (expected
values from the reference engine), probes and known mistakes, ``gradlab check`` and its mutation
testing, scaffolding, batch grading and bundle regrade. May use everything else in ``engine``;
nothing in ``engine.grading``, ``engine.browser`` or ``engine.sandbox`` imports it.
"""
