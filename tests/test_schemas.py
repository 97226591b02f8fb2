"""The documented schemas match what the code reads and writes."""

from __future__ import annotations

import json
import tomllib

import jsonschema
import pytest
from jsonschema.validators import Draft202012Validator
from referencing import Registry, Resource

from conftest import REFERENCE, REPO
from engine.grading.grade import grade

SCHEMAS = {p.name: json.loads(p.read_text()) for p in (REPO / "engine" / "schemas").glob("*.json")}
REGISTRY = Registry().with_resources(
    (s["$id"].split("/")[-1], Resource.from_contents(s)) for s in SCHEMAS.values())


def validate(instance, name):
    Draft202012Validator(SCHEMAS[name], registry=REGISTRY).validate(instance)


def test_schemas_are_valid_json_schema():
    for schema in SCHEMAS.values():
        Draft202012Validator.check_schema(schema)


def test_compiled_suite_matches_schema(basic_suite):
    validate(basic_suite, "suite.schema.json")


@pytest.mark.slow
@pytest.mark.parametrize("source", [REFERENCE, "class Value:\n  def f(:\n", "while True: pass\n",
                                    REFERENCE.replace("self.grad = 1\n", "pass\n")],
                         ids=["pass", "syntax-error", "load-timeout", "fail"])
def test_reports_match_schema(mini_suite, sandbox, source):
    validate(grade(mini_suite, source, sandbox).to_dict(), "report.schema.json")


def test_every_shipped_problem_and_case_file_matches_its_schema():
    problems = sorted((REPO / "hidden_tests").glob("*/problem.toml"))
    assert problems
    for meta in problems:
        validate(tomllib.loads(meta.read_text()), "problem.schema.json")
        for case in sorted((meta.parent / "cases").glob("*.toml")):
            validate(tomllib.loads(case.read_text()), "case.schema.json")


def test_case_schema_rejects_what_the_loader_rejects():
    with pytest.raises(jsonschema.ValidationError):
        validate({"name": "x", "expression": "a"}, "case.schema.json")  # no values
    with pytest.raises(jsonschema.ValidationError):
        validate({"name": "x", "kind": "script"}, "case.schema.json")  # no script
    with pytest.raises(jsonschema.ValidationError):
        validate({"name": "x", "expresion": "a", "values": {"a": 1}}, "case.schema.json")


def test_an_export_file_as_the_site_writes_it_matches_its_schema():
    """The shape of web/src/store.ts exportAll (its type is generated from the same schema)."""
    validate({"format": "gradlab-export", "version": 1, "exportedAt": "2026-01-01T00:00:00.000Z",
              "problems": {"basic-ops": {"code": "class Value: ...", "progress": {
                  "solved": True, "passed": 39, "total": 39, "suiteVersion": "abc", "solvedAt": 1.5e12}},
                  "more-ops": {"code": None, "progress": None}}}, "export.schema.json")
    with pytest.raises(jsonschema.ValidationError):
        validate({"format": "gradlab-export", "version": 2, "exportedAt": "x", "problems": {}},
                 "export.schema.json")


def test_jsonschema_is_for_authoring_only():
    """engine/grading and engine/browser ship to Pyodide, which has no jsonschema."""
    for folder in ("grading", "browser"):
        for path in (REPO / "engine" / folder).glob("*.py"):
            text = path.read_text()
            assert "import jsonschema" not in text and "from jsonschema" not in text, path
