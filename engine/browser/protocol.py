"""The page <-> worker protocol: check an incoming message against ``schemas/worker.schema.json``.

Pyodide ships no jsonschema, so this checks the small subset of JSON Schema the protocol file
uses (type, const, enum, required, properties, additionalProperties, minimum, maximum, pattern,
maxLength). The tests check the same file with the real jsonschema library, so the two cannot drift apart.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

PROTOCOL_VERSION = 1
_TYPES = {"object": dict, "string": str, "integer": int, "number": (int, float), "boolean": bool,
          "array": list, "null": type(None)}


class ProtocolError(ValueError):
    """A message that does not follow the protocol; says which field and why."""


@cache
def schema() -> dict[str, Any]:
    return json.loads((Path(__file__).parents[1] / "schemas" / "worker.schema.json").read_text())


def check(message: dict[str, Any], kind: str) -> dict[str, Any]:
    """Return ``message`` if it is a valid ``kind`` message, else raise ProtocolError."""
    _check(message, schema()["$defs"][kind], kind)
    return message


def _check(value: Any, rule: dict[str, Any], where: str) -> None:
    types = rule.get("type")
    if types is not None:
        names = types if isinstance(types, list) else [types]
        ok = any(isinstance(value, _TYPES[n]) and not (isinstance(value, bool) and n in
                                                        ("integer", "number")) for n in names)
        if not ok:
            raise ProtocolError(f"{where}: expected {' or '.join(names)}, got {type(value).__name__}")
    if "const" in rule and value != rule["const"]:
        raise ProtocolError(f"{where}: must be {rule['const']!r}, got {value!r}")
    if "enum" in rule and value not in rule["enum"]:
        raise ProtocolError(f"{where}: must be one of {rule['enum']}, got {value!r}")
    if "minimum" in rule and value < rule["minimum"]:
        raise ProtocolError(f"{where}: must be >= {rule['minimum']}")
    if "maximum" in rule and value > rule["maximum"]:
        raise ProtocolError(f"{where}: must be <= {rule['maximum']}")
    if "maxLength" in rule and len(value) > rule["maxLength"]:
        raise ProtocolError(f"{where}: longer than {rule['maxLength']}")
    if "pattern" in rule and not re.search(rule["pattern"], value):
        raise ProtocolError(f"{where}: {value!r} does not match {rule['pattern']}")
    if isinstance(value, dict):
        for key in rule.get("required", ()):
            if key not in value:
                raise ProtocolError(f"{where}: missing {key!r}")
        props = rule.get("properties", {})
        extra = rule.get("additionalProperties", True)
        for key, item in value.items():
            if key in props:
                _check(item, props[key], f"{where}.{key}")
            elif extra is False:
                raise ProtocolError(f"{where}: unexpected field {key!r}")
            elif isinstance(extra, dict):
                _check(item, extra, f"{where}.{key}")
