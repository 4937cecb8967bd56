"""Validating a CFPackage against the vendored CASE 1.0 schema and our extensions' schema.

jsonschema's messages are English; each kind of error is said again in Japanese, at its JSON path
(``CFItems[3].fullStatement``), so that a person can find and fix it.
"""

import functools
import json
from pathlib import Path

from django.utils.translation import gettext as _
from jsonschema import Draft7Validator, ValidationError

from lms_site.imports import Problem, json_path

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "case-v1p0-cfpackage-schema.json"
UUID_PATTERN = "[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
TEXT = {"type": "string"}
# The fields this platform adds (CASE 1.0 has no English variants, nor a place for "core").
EXTENSIONS_SCHEMA = {
    "type": "object",
    "properties": {
        "CFDocument": {
            "type": "object",
            "properties": {
                "extensions": {
                    "type": "object",
                    "properties": {
                        "titleEn": TEXT,
                        "levels": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "identifier": {"type": "string", "pattern": UUID_PATTERN},
                                    "nameEn": TEXT,
                                    "descriptorEn": TEXT,
                                },
                                "required": ["identifier"],
                                "additionalProperties": False,
                            },
                        },
                    },
                }
            },
        },
        "CFItems": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "extensions": {
                        "type": "object",
                        "properties": {
                            "descriptionEn": TEXT,
                            "sourceMapping": TEXT,
                            "isCore": {"type": "boolean"},
                        },
                    }
                },
            },
        },
    },
}
TYPE_NAMES = {
    "string": "文字列",
    "integer": "整数",
    "number": "数値",
    "object": "オブジェクト",
    "array": "配列",
    "boolean": "真偽値(true/false)",
    "null": "null",
}


@functools.cache
def _validators() -> tuple[Draft7Validator, Draft7Validator]:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    checker = Draft7Validator.FORMAT_CHECKER
    return Draft7Validator(schema, format_checker=checker), Draft7Validator(EXTENSIONS_SCHEMA)


def schema_problems(package: dict, *, extensions: bool = True) -> list[Problem]:
    """Every place where ``package`` breaks the CASE 1.0 schema or (``extensions``) our extensions' schema."""
    problems: list[Problem] = []
    case, ours = _validators()
    for validator in (case, ours) if extensions else (case,):
        errors = sorted(validator.iter_errors(package), key=lambda e: [str(p) for p in e.absolute_path])
        for error in errors:
            problems += _explain(error)
    return problems


def uuid_message() -> str:
    return _("識別子はUUIDの形式(例: 123e4567-e89b-12d3-a456-426614174000)にしてください。")


def _explain(error: ValidationError) -> list[Problem]:
    path = list(error.absolute_path)
    kind = error.validator
    if kind == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        return [Problem(json_path([*path, name]), _("必須の項目がありません。")) for name in missing]
    if kind == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        return [
            Problem(json_path([*path, name]), _("この項目は使えません。"))
            for name in error.instance
            if name not in allowed
        ]
    where = json_path(path) or "CFPackage"
    if kind == "type":
        expected = error.validator_value
        expected = expected if isinstance(expected, list) else [expected]
        names = "・".join(TYPE_NAMES.get(name, name) for name in expected)
        return [Problem(where, _("型が正しくありません(%(expected)sにしてください)。") % {"expected": names})]
    if kind == "pattern" and error.validator_value == UUID_PATTERN:
        return [Problem(where, uuid_message())]
    if kind == "enum":
        return [
            Problem(
                where,
                _("「%(value)s」は使えません(%(allowed)s のいずれかにしてください)。")
                % {"value": error.instance, "allowed": "・".join(map(str, error.validator_value))},
            )
        ]
    if kind == "format":
        return [Problem(where, _("%(format)s の形式になっていません。") % {"format": error.validator_value})]
    if kind in {"oneOf", "anyOf"}:
        return [Problem(where, _("値の形式が正しくありません。"))]
    return [Problem(where, _("CASE 1.0 のスキーマに合いません(%(detail)s)。") % {"detail": error.message})]


# --- The responses of the CASE 1.0 REST binding (``/ims/case/v1p0/``), each a part of the package schema --
LINK = {"$ref": "#/definitions/LinkURI"}
REST_DOCUMENT = {
    "allOf": [
        {"$ref": "#/definitions/CFPackageDocument"},
        {"type": "object", "properties": {"CFPackageURI": LINK}, "required": ["CFPackageURI"]},
    ]
}
REST_SHAPES = {
    "CFDocuments": {
        "type": "object",
        "properties": {"CFDocuments": {"type": "array", "items": REST_DOCUMENT}},
        "required": ["CFDocuments"],
        "additionalProperties": False,
    },
    "CFDocument": REST_DOCUMENT,
    "CFItem": {"$ref": "#/definitions/CFPackageItem"},
    "CFAssociation": {"$ref": "#/definitions/CFPackageAssociation"},
    "CFRubric": {"$ref": "#/definitions/CFRubric"},
    "CFItemTypes": {
        "type": "object",
        "properties": {
            "CFItemTypes": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/CFItemType"}}
        },
        "required": ["CFItemTypes"],
        "additionalProperties": False,
    },
    "CFItemAssociations": {
        "type": "object",
        "properties": {
            "CFItem": {"$ref": "#/definitions/CFPackageItem"},
            "CFAssociations": {"type": "array", "items": {"$ref": "#/definitions/CFPackageAssociation"}},
        },
        "required": ["CFItem", "CFAssociations"],
        "additionalProperties": False,
    },
}
# imsx_StatusInfo, the body of every error of the binding (1EdTech's common status type).
STATUS_INFO_SCHEMA = {
    "type": "object",
    "properties": {
        "imsx_codeMajor": {"enum": ["success", "processing", "failure", "unsupported"]},
        "imsx_severity": {"enum": ["status", "warning", "error"]},
        "imsx_description": TEXT,
        "imsx_codeMinor": {
            "type": "object",
            "properties": {
                "imsx_codeMinorField": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "properties": {"imsx_codeMinorFieldName": TEXT, "imsx_codeMinorFieldValue": TEXT},
                        "required": ["imsx_codeMinorFieldName", "imsx_codeMinorFieldValue"],
                        "additionalProperties": False,
                    },
                }
            },
            "required": ["imsx_codeMinorField"],
        },
    },
    "required": ["imsx_codeMajor", "imsx_severity"],
    "additionalProperties": False,
}


@functools.cache
def rest_validator(kind: str) -> Draft7Validator:
    """A validator of one response of the REST binding: ``CFPackage`` (the whole package schema),
    ``imsx_StatusInfo``, or one of ``REST_SHAPES``."""
    package_schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    if kind == "CFPackage":
        schema = package_schema
    elif kind == "imsx_StatusInfo":
        schema = STATUS_INFO_SCHEMA
    else:
        schema = {"definitions": package_schema["definitions"], **REST_SHAPES[kind]}
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)
