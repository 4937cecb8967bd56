"""Generic conversion between the question dataclasses and JSON-compatible values.

``encode`` turns a dataclass into dicts, lists and scalars. ``decode`` rebuilds it, checking every value
against the dataclass's type hints (``str``, ``float``, ``bool``, ``X | None``, ``Literal[...]``,
``tuple[T, ...]`` and nested dataclasses), so a malformed stored question fails loudly with the path of
the bad value instead of producing a half-valid object.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import types
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

from .errors import DefinitionError

T = TypeVar("T")


def encode(value: Any) -> Any:
    """Return ``value`` with dataclasses turned into dicts and tuples into lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    return value


def decode_dataclass(cls: type[T], data: Any, path: str, *, ignore: frozenset[str] = frozenset()) -> T:
    """Build ``cls`` from the mapping ``data``; unknown or missing keys raise ``DefinitionError``."""
    if not isinstance(data, Mapping):
        raise DefinitionError(f"{path}: expected an object, got {type(data).__name__}")
    hints, known = _fields_of(cls)
    unknown = sorted(str(key) for key in data if key not in known and key not in ignore)
    if unknown:
        raise DefinitionError(f"{path}: unknown keys {', '.join(unknown)}")
    kwargs = {}
    for name, field in known.items():
        if name in data:
            kwargs[name] = decode(hints[name], data[name], f"{path}.{name}")
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise DefinitionError(f"{path}: missing key {name!r}")
    try:
        return cls(**kwargs)
    except DefinitionError as exc:
        raise DefinitionError(f"{path}: {exc}") from None


@functools.cache
def _fields_of(cls: type) -> tuple[dict[str, Any], dict[str, dataclasses.Field]]:
    """The resolved type hints and the init fields of a dataclass, worked out once per class: resolving
    string annotations compiles each one, which made reading a question cost more than grading it."""
    known = {f.name: f for f in dataclasses.fields(cls) if f.init}
    return get_type_hints(cls), known


def decode(hint: Any, value: Any, path: str) -> Any:
    """Check ``value`` against the type ``hint`` and convert lists to tuples and dicts to dataclasses."""
    origin = get_origin(hint)
    if hint is str:
        return _expect(value, str, path)
    if hint is bool:
        return _expect(value, bool, path)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise DefinitionError(f"{path}: expected a finite number, got {value!r}")
        return float(value)
    if origin is Literal:
        if value not in get_args(hint):
            raise DefinitionError(f"{path}: expected one of {get_args(hint)}, got {value!r}")
        return value
    if origin in (Union, types.UnionType):
        if value is None and type(None) in get_args(hint):
            return None
        (inner,) = [arg for arg in get_args(hint) if arg is not type(None)]
        return decode(inner, value, path)
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise DefinitionError(f"{path}: expected a list, got {type(value).__name__}")
        item_hint = get_args(hint)[0]
        return tuple(decode(item_hint, item, f"{path}[{i}]") for i, item in enumerate(value))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return decode_dataclass(hint, value, path)
    raise TypeError(f"{path}: unsupported type hint {hint!r}")  # a programming error, not bad data


def _expect(value: Any, kind: type, path: str) -> Any:
    if not isinstance(value, kind):
        raise DefinitionError(f"{path}: expected {kind.__name__}, got {type(value).__name__}")
    return value
