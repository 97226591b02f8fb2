"""Read a number off a learner object for the page: a JSON number only when it is one."""

from __future__ import annotations

import math

TEXT_LIMIT = 80
_type, _repr, _str, _len, _isfinite = type, repr, str, len, math.isfinite


def reading(obj: object, name: str) -> float | int | str | None:
    """``obj.<name>`` for the page: None when there is no such attribute, a short text when
    reading it raised (a property in the learner's class)."""
    try:
        value = getattr(obj, name)
    except AttributeError:
        return None
    except Exception as exc:
        return f"<reading .{name} raised {_type(exc).__name__}>"
    return number_or_text(value)


def number_or_text(value: object) -> float | int | str:
    """Exact ``float`` and ``int`` (checked by type, never by a learner ``__eq__``) are numbers;
    nan, inf and anything else are their repr, capped (``bool`` is not a number here)."""
    kind = _type(value)
    if kind is float:
        return value if _isfinite(value) else _repr(value)  # type: ignore[arg-type,return-value]
    if kind is int and -(2**63) <= value <= 2**63:  # type: ignore[operator]
        return value  # type: ignore[return-value]
    return short_repr(value)


def short_repr(value: object, limit: int = TEXT_LIMIT) -> str:
    try:
        text = _repr(value)
        text = text if _type(text) is _str else f"<a {_type(value).__name__}>"
    except Exception as exc:
        text = f"<repr raised {_type(exc).__name__}>"
    return text if _len(text) <= limit else text[: limit - 3] + "..."
