"""Reading TOML input files and checking them against strict schemas, with one-line errors.

Scenario files and sweep specs share this: a TOML reader with limits on size and nesting, a
strict pydantic base (unknown fields are errors; no value is converted from another type, so
``"0.5"``, ``true`` or ``"3"`` where a number is due are refused), field types that name the
allowed values and show them to editors through the JSON Schema, and an error formatter that turns
the first schema error into one line in the project's words: the file, the field (list entries
counted from 1), the problem, the value and the fix.
"""

from __future__ import annotations

import re
import stat
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from types import NoneType, UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationError,
)
from pydantic_core import CoreSchema, core_schema

from .errors import UserError, did_you_mean, io_error, shown

#: The largest input file read: ample for decades of monthly events, small enough to load in a
#: second or two.
MAX_BYTES = 2 * 1024 * 1024
#: The deepest nesting of tables and lists in an input file (a scenario needs five).
MAX_DEPTH = 8
#: The most entries in one table or list.
MAX_ITEMS = 10_000


class _Checked:
    """Field metadata: an after-validator on ``str`` plus what it adds to the JSON Schema."""

    def __init__(self, check: Callable[[str], str], extra: dict[str, Any]) -> None:
        self._check, self._extra = check, extra

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        return dict(handler(schema), **self._extra)


def one_of(choices: tuple[str, ...], what: str) -> _Checked:
    """Metadata for a text field that takes only ``choices``; its error names them and the
    nearest one."""

    def check(v: str) -> str:
        if v not in choices:
            raise ValueError(
                f"unknown {what} {shown(v)}; use one of {', '.join(choices)}"
                f"{did_you_mean(v, choices)}"
            )
        return v

    return _Checked(check, {"enum": list(choices)})


def matching(pattern: str, what: str, max_length: int = 200) -> _Checked:
    """Metadata for a text field that must match ``pattern`` (described as ``what``)."""
    compiled = re.compile(pattern)

    def check(v: str) -> str:
        if len(v) > max_length:
            raise ValueError(f"{shown(v)} is longer than {max_length} characters; shorten it")
        if not compiled.fullmatch(v):
            raise ValueError(f"{shown(v)} is not {what}")
        return v

    return _Checked(check, {"pattern": f"^{pattern}$", "maxLength": max_length})


#: Control characters other than tab and newline: invisible in a report, a plot or a terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def prose(max_length: int, blank: bool = False) -> _Checked:
    """Metadata for text written for people (a title, a note, a source): at most ``max_length``
    characters, no control character, and not blank unless ``blank``."""

    def check(v: str) -> str:
        if not blank and not v.strip():
            raise ValueError("is blank; write the text")
        if len(v) > max_length:
            raise ValueError(f"{shown(v)} is longer than {max_length} characters; shorten it")
        found = _CONTROL.search(v)
        if found:
            code = f"U+{ord(found.group()):04X}"
            raise ValueError(f"{shown(v)} holds the control character {code}; remove it")
        return v

    return _Checked(check, {"maxLength": max_length} | ({} if blank else {"minLength": 1}))


#: A title: one short line.
Title = Annotated[str, prose(200)]
#: A note or a source: a paragraph at most.
Prose = Annotated[str, prose(4000)]


#: An id: a scenario's, an event's; also a file and folder name, so kept short and plain.
Identifier = Annotated[
    str, matching(r"[a-z0-9_]+", "an id: write lower-case letters, digits and _", 64)
]


class Strict(BaseModel):
    """A frozen schema that refuses unknown fields, converts no value from another type, and
    refuses nan and infinite numbers."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


def first_repeat(keys: Iterable[object]) -> tuple[int, int] | None:
    """The first entry (counted from 1) whose key an earlier entry already has, and that earlier
    entry; ``None`` if every key is new. One pass, so a file of many entries stays fast."""
    seen: dict[object, int] = {}
    for i, key in enumerate(keys, start=1):
        if key in seen:
            return i, seen[key]
        seen[key] = i
    return None


# --- reading ---------------------------------------------------------------------------------


def read_limited(path: Path, what: str, missing_fix: str) -> bytes:
    """A regular file's bytes, at most :data:`MAX_BYTES`; any problem is a one-line
    :class:`UserError` (a missing file gets ``missing_fix``)."""
    try:
        info = path.stat()
        article = "an" if what[:1] in "aeiou" else "a"
        if stat.S_ISDIR(info.st_mode):
            raise UserError(f"{path}: is a folder, not {article} {what} file; name the file")
        if not stat.S_ISREG(info.st_mode):
            raise UserError(f"{path}: not a regular file; name {article} {what} file")
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise UserError(f"{path}: no such {what} file; {missing_fix}") from None
    except OSError as exc:
        raise io_error(path, exc, f"cannot read the {what}") from None
    except ValueError as exc:  # a NUL character in the path
        raise UserError(f"{path}: not a usable path ({exc}); name a {what} file") from None
    if len(data) > MAX_BYTES:
        raise UserError(
            f"{path}: larger than {MAX_BYTES // 1024 // 1024} MiB, the most a {what} may be; "
            "split it or check that this is the right file"
        )
    return data


def _shape_problem(raw: dict) -> str | None:
    """The first place where ``raw`` nests deeper than :data:`MAX_DEPTH` or holds more than
    :data:`MAX_ITEMS` entries, as a message; ``None`` if it does not. Iterative, linear."""
    stack: list[tuple[Any, str, int]] = [(raw, "", 1)]
    while stack:
        node, where, depth = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node, start=1)
        if len(node) > MAX_ITEMS:
            return f"{where or 'the file'}: more than {MAX_ITEMS} entries; split it"
        for key, value in items:
            if isinstance(value, dict | list):
                inner = f"{where}.{key}" if where else str(key)
                if depth + 1 > MAX_DEPTH:
                    return f"{inner}: nested more than {MAX_DEPTH} levels deep; flatten it"
                stack.append((value, inner, depth + 1))
    return None


def read_toml(path: Path, what: str, missing_fix: str) -> dict:
    """A TOML file's contents; any problem reading it raises a one-line :class:`UserError`."""
    path = Path(path)
    data = read_limited(path, what, missing_fix)
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text; save the {what} as UTF-8 TOML") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: malformed TOML: {exc}; fix the syntax at that line") from None
    except RecursionError:
        raise UserError(
            f"{path}: nested more than {MAX_DEPTH} levels deep; flatten the {what}"
        ) from None
    problem = _shape_problem(raw)
    if problem is not None:
        raise UserError(f"{path}: {problem}")
    return raw


# --- errors in the project's words ---------------------------------------------------------------


def _unwrap(ann: Any) -> Any:
    """``ann`` without ``Annotated`` and without ``None`` as an alternative."""
    while True:
        origin = get_origin(ann)
        if origin is Annotated:
            ann = get_args(ann)[0]
        elif origin in (Union, UnionType):
            args = [a for a in get_args(ann) if a is not NoneType]
            if len(args) != 1:
                return ann
            ann = args[0]
        else:
            return ann


def _is_model(ann: Any) -> bool:
    return isinstance(ann, type) and issubclass(ann, BaseModel)


def _tagged(members: tuple, tag: object) -> type[BaseModel] | None:
    """The member of a tagged union whose literal field takes ``tag``."""
    for member in members:
        if _is_model(member):
            for field in member.model_fields.values():
                literal = _unwrap(field.annotation)
                if get_origin(literal) is Literal and tag in get_args(literal):
                    return member
    return None


def _walk(model: type[BaseModel], loc: tuple) -> tuple[list[str], Any]:
    """The printed path of ``loc`` (list entries from 1, union tags left out) and the type that
    the path ends in (``None`` where it cannot be followed)."""
    parts: list[str] = []
    ann: Any = model
    for part in loc:
        ann = _unwrap(ann)
        origin = get_origin(ann)
        if origin in (Union, UnionType):
            ann = _tagged(get_args(ann), part)
            if ann is not None:
                continue  # the tag names the union member, not a field
        if _is_model(ann) and isinstance(part, str):
            field = ann.model_fields.get(part)
            ann = field.annotation if field else None
        elif origin is list:
            ann = get_args(ann)[0]
        elif origin is dict:
            ann = get_args(ann)[1]
        else:
            ann = None
        parts.append(str(part + 1) if isinstance(part, int) else str(part))
    return parts, _unwrap(ann)


def _choices(expected: str) -> list[str]:
    return re.findall(r"'([^']*)'", expected) or [expected]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word.replace('y', 'ie')}s"


_TYPES = {
    "float_type": "must be a number",
    "int_type": "must be a whole number",
    "bool_type": "must be true or false",
    "string_type": "must be text in quotes",
    "list_type": "must be a list in brackets, [...]",
    "dict_type": "must be a table",
    "model_type": "must be a table",
    "model_attributes_type": "must be a table",
    "finite_number": "must be a finite number, not nan or inf",
}
_BOUNDS = {
    "greater_than_equal": ("ge", "must be at least {} (got {}); raise it"),
    "less_than_equal": ("le", "must be at most {} (got {}); lower it"),
    "greater_than": ("gt", "must be more than {} (got {}); raise it"),
    "less_than": ("lt", "must be less than {} (got {}); lower it"),
}


def _type_hint(kind: str, value: object) -> str:
    """Why a value of the wrong type may have been written so, and how to write it."""
    if isinstance(value, str) and kind in ("float_type", "int_type", "bool_type"):
        return "; write it without quotes"
    if isinstance(value, bool) and kind in ("float_type", "int_type"):
        return "; write a number, not true or false"
    if kind == "int_type" and isinstance(value, float) and value.is_integer():
        return "; write it without a decimal point"
    if kind == "string_type" and type(value).__name__ in ("date", "datetime", "time"):
        return '; write a date in quotes, e.g. "2022-09"'
    return ""


def _unknown_field(error: dict, end: Any, doc: str) -> tuple[str, str]:
    name = str(error["loc"][-1]) if error["loc"] else ""
    allowed = list(end.model_fields) if _is_model(end) else []
    if not allowed:
        return "", f"unknown field; remove it (the fields are listed in {doc})"
    return "", (
        f"unknown field; remove it or use one of {', '.join(allowed)}{did_you_mean(name, allowed)}"
    )


def _length(error: dict, end: Any, doc: str) -> tuple[str, str]:
    ctx = error.get("ctx") or {}
    short = error["type"] == "too_short"
    n = int(ctx.get("min_length" if short else "max_length", 0))
    amount = "at least" if short else "at most"
    return "", f"needs {amount} {_plural(n, 'entry')} (got {ctx.get('actual_length')})"


def _literal(error: dict, end: Any, doc: str) -> tuple[str, str]:
    value = error.get("input")
    choices = _choices(str((error.get("ctx") or {}).get("expected", "")))
    if len(choices) == 1:
        return "", f"must be {choices[0]} (got {shown(value)})"
    return "", (
        f"{shown(value)} is not allowed; use one of {', '.join(choices)}"
        f"{did_you_mean(value, choices)}"
    )


def _tag(error: dict, end: Any, doc: str) -> tuple[str, str]:
    ctx = error.get("ctx") or {}
    field = str(ctx.get("discriminator", "kind")).strip("'")
    tags = _choices(str(ctx.get("expected_tags", "")))
    if error["type"] == "union_tag_not_found":
        return field, f"missing; add one of {', '.join(tags)}"
    tag = ctx.get("tag")
    return field, f"unknown {field} {shown(tag)}; use one of {', '.join(tags)}" + did_you_mean(
        tag, tags
    )


def _rule(error: dict, end: Any, doc: str) -> tuple[str, str]:
    msg = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    field = re.match(r"([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*): ", msg)
    if error["type"] == "value_error" and field:  # a rule's message that names its own field
        return field[1], msg[field.end() :]
    return "", msg.replace("Input should be", "must be")


_MESSAGES: dict[str, Callable[[dict, Any, str], tuple[str, str]]] = {
    "extra_forbidden": _unknown_field,
    "missing": lambda error, end, doc: ("", f"missing; add it (see {doc})"),
    "too_short": _length,
    "too_long": _length,
    "literal_error": _literal,
    "union_tag_invalid": _tag,
    "union_tag_not_found": _tag,
}


def _message(error: dict, end: Any, doc: str) -> tuple[str, str]:
    """(extra path, message) of one pydantic error, in the project's words."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind in _TYPES:
        return "", f"{_TYPES[kind]} (got {shown(value)}){_type_hint(kind, value)}"
    if kind in _BOUNDS:
        key, text = _BOUNDS[kind]
        return "", text.format(ctx.get(key), shown(value))
    return _MESSAGES.get(kind, _rule)(error, end, doc)


def format_validation(
    path: Path,
    err: ValidationError,
    model: type[BaseModel],
    doc: str = "docs/scenarios.md",
    prefix: str = "",
) -> str:
    """The first error of checking a file against ``model``, as one line: file, field (list
    entries counted from 1), problem, value and fix.

    ``prefix`` names the table the checked data came from (``expected``), if not the whole file.
    """
    errors: list[dict[str, Any]] = [dict(e) for e in err.errors()]
    first = errors[0]
    if first["type"] == "missing":  # a misspelt field shows as missing and unknown: name the typo
        above = tuple(first["loc"][:-1])
        typo = [e for e in errors if e["type"] == "extra_forbidden" and e["loc"][:-1] == above]
        first = typo[0] if typo else first
    loc = tuple(first["loc"])
    if first["type"] == "extra_forbidden" and loc:
        parent, end = _walk(model, loc[:-1])
        parts = [*parent, str(loc[-1])]
    else:
        parts, end = _walk(model, loc)
    extra, message = _message(first, end, doc)
    where = ".".join([*([prefix] if prefix else []), *parts, *([extra] if extra else [])])
    return f"{path}: {where}: {message}" if where else f"{path}: {message}"
