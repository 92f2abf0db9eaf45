"""Reading TOML input files and checking them against strict schemas, with one-line errors.

Scenario files and sweep specs share this: a strict pydantic base (unknown fields are errors),
validators that name the allowed values, and an error formatter that turns the first schema error
into one line naming the file, the field, the bad value and the fix.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from .errors import UserError


def one_of(choices: tuple[str, ...], what: str) -> AfterValidator:
    """A validator that accepts only ``choices`` and names them in its error."""

    def check(v: str) -> str:
        if v not in choices:
            raise ValueError(f"unknown {what} '{v}'; use one of {', '.join(choices)}")
        return v

    return AfterValidator(check)


class Strict(BaseModel):
    """A frozen schema that refuses unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)


_FIXES = {
    "extra_forbidden": "remove it (allowed fields are listed in {doc})",
    "missing": "add it",
    "less_than_equal": "lower it",
    "greater_than_equal": "raise it",
    "literal_error": "use one of the allowed names",
    "string_pattern_mismatch": "use the format shown in {doc}",
}


def format_validation(
    path: Path, err: ValidationError, doc: str = "docs/scenarios.md", prefix: str = ""
) -> str:
    """The first error of a schema check as one line: file, field, problem, value and fix.

    ``prefix`` names the table the checked data came from (``expected``), if not the whole file.
    """
    first = err.errors()[0]
    where = ".".join(str(p) for p in ((prefix,) if prefix else ()) + tuple(first["loc"]))
    loc = f"{where}: " if where else ""  # a whole-file check names its field in the message
    msg = first["msg"].removeprefix("Value error, ")
    fix = _FIXES.get(first["type"], "").format(doc=doc)
    extra = f"; fix: {fix}" if fix and "; " not in msg else ""
    value = first.get("input")
    shown = (
        f" (got {value!r})"
        if first["type"] not in ("missing",) and not isinstance(value, dict | list)
        else ""
    )
    return f"{path}: {loc}{msg}{shown}{extra}"


def read_toml(path: Path, what: str, missing_fix: str) -> dict:
    """A TOML file's contents; any problem reading it raises a one-line :class:`UserError`."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: no such {what} file; {missing_fix}") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text; save the {what} as UTF-8 TOML") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder, not a {what} file; name a .toml file") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: malformed TOML: {exc}; fix the syntax at that line") from None
