"""Runs inside Pyodide, in the site's Web Worker: the worker's entry point and its message checks.

Imports ``engine.grading`` only; nothing here starts a process or reads a problem folder.
"""
