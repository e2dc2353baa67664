"""Validates OpenAPI 3.0 documents with openapi-spec-validator; one JSON line per problem.

Usage: lint.py FILE...  Prints {"file", "pointer", "message"} per problem and
{"file", "ok": true} for a clean document. Exit status is always 0 when the files could be read;
the caller decides what fails.
"""
import json
import sys

from openapi_spec_validator import OpenAPIV30SpecValidator


def pointer(path):
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path) if path else ""


for name in sys.argv[1:]:
    with open(name, encoding="utf-8") as f:
        spec = json.load(f)
    problems = 0
    for error in OpenAPIV30SpecValidator(spec).iter_errors():
        problems += 1
        print(json.dumps({"file": name, "pointer": pointer(list(error.path)),
                          "message": error.message[:400]}))
        if problems >= 50:
            print(json.dumps({"file": name, "pointer": "", "message": "more problems left out"}))
            break
    if problems == 0:
        print(json.dumps({"file": name, "ok": True}))
