"""Validates OpenAPI 3.0 documents with openapi-spec-validator; one JSON line per problem.

Usage: lint.py FILE...  Prints {"file", "pointer", "message"} per problem and
{"file", "ok": true} for a clean document. Exit status is 0 whenever the files could be read;
the caller decides what fails.
"""
import json
import sys

from openapi_spec_validator import OpenAPIV30SpecValidator

LIMIT = 50


def pointer(path):
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def undeclared_security(spec):
    """openapi-spec-validator does not check that security requirements name declared schemes;
    Prism then refuses every request of such an operation as unauthenticated."""
    declared = set(spec.get("components", {}).get("securitySchemes", {}))
    requirements = [(["security", i], r) for i, r in enumerate(spec.get("security", []))]
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            if isinstance(op, dict):
                for i, r in enumerate(op.get("security", [])):
                    requirements.append((["paths", path, method, "security", i], r))
    for where, requirement in requirements:
        for scheme in requirement:
            if scheme not in declared:
                yield where, f"security scheme {scheme!r} is not declared in components.securitySchemes"


def problems(spec):
    for error in OpenAPIV30SpecValidator(spec).iter_errors():
        yield list(error.path), error.message[:400]
    yield from undeclared_security(spec)


for file in sys.argv[1:]:
    with open(file, encoding="utf-8") as f:
        spec = json.load(f)
    found = 0
    for where, message in problems(spec):
        found += 1
        print(json.dumps({"file": file, "pointer": pointer(where), "message": message}))
        if found >= LIMIT:
            print(json.dumps({"file": file, "pointer": "", "message": "more problems left out"}))
            break
    if found == 0:
        print(json.dumps({"file": file, "ok": True}))
