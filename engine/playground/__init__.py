"""The playground: run the learner's solution, then their scratch code, in one fresh namespace.

``play`` (``run.py``) returns a PlayResult (``engine/schemas/play.schema.json``) and streams the
code's output as it goes; ``draw(v)`` in the scratch code reads the graph of any learner ``Value``
(``discover.py``) and, with ``steps=True``, records every write to a ``grad`` during
``v.backward()`` (``steps.py``). Standard library only: this ships to Pyodide in the site's wheel.
"""

from engine.playground.run import play

__all__ = ["play"]
