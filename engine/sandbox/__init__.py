"""Runs on CPython, for the CLI: observe a submission in a child process that can always be killed.

``executor`` (in the grading process) runs the time limits and reads the results; ``launchers``
starts its children, fresh interpreters or forked by ``zygote``; ``child`` runs in them, with
``engine.grading.observe`` and nothing else of the grader. No imports here, so a child starts fast.
"""
