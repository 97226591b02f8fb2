"""Gradlab's engine: the reference autograd engine and the grader, pure Python (CPython and Pyodide)."""

from engine.autograd import Value

__all__ = ["Value"]
__version__ = "0.1.0"
