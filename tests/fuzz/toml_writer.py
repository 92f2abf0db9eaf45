"""A small TOML writer for the fuzz tier: any tree of tables, arrays and scalars, as a file.

Every top-level key becomes ``key = <inline value>``, which TOML allows for any value, so the
writer needs no table headers. Strings escape every control character, so a mutated value that
holds a newline still makes a well-formed file, and the reader sees exactly that value.
"""

from __future__ import annotations

import datetime as dt
import math
import re

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _string(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _key(key: str) -> str:
    return key if _BARE.match(key) else _string(key)


def value(v: object) -> str:
    """One TOML value, inline."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, dt.date | dt.datetime | dt.time):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(str(k))} = {value(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"no TOML form for {type(v).__name__}")


def dumps(doc: dict) -> str:
    """A whole file: one ``key = value`` line per top-level key."""
    return "".join(f"{_key(str(k))} = {value(v)}\n" for k, v in doc.items())
