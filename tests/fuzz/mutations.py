"""Hypothesis strategies that mutate the shipped scenario files and sweep specs.

What to mutate is read from the files themselves (every table, array and value in them) and from
the JSON Schema of each format (every field a table may have, including fields no shipped file
uses yet), so a field added to the schema is fuzzed without touching this module. Each mutation
says whether the result must be refused: a value of another type, an unknown field, a repeated
entry, a self-pair, a contradicting status, and the other invalid kinds of issue 11. Mutations
that may or may not be valid (an edge number, a hostile string, a dropped key) are left to the
schema to judge; the test then only asks for a clean answer either way.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from cstosim.api import json_schema
from cstosim.inputs.history import periods_at
from cstosim.inputs.overrides import unknown_input
from tests.support import MINI, ROOT, SCENARIOS

Doc = dict[str, Any]
Where = tuple[str | int, ...]


@dataclass(frozen=True)
class Mutant:
    """A mutated file: its text, what was done, and why it must be refused (``None``: may pass)."""

    text: str
    what: str
    invalid: str | None


# --- the material ---------------------------------------------------------------------------------
@cache
def scenario_files() -> tuple[Path, ...]:
    return (*sorted(SCENARIOS.glob("*.toml")), MINI)


@cache
def spec_files() -> tuple[Path, ...]:
    return tuple(sorted((ROOT / "sweeps").glob("*.toml")))


def load(path: Path) -> Doc:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def walk(node: Any, where: Where = ()) -> Iterator[tuple[Where, Any]]:
    """Every (path, value) below ``node``, containers included, parents first."""
    yield where, node
    if isinstance(node, dict):
        for key, child in node.items():
            yield from walk(child, (*where, key))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from walk(child, (*where, i))


def get(doc: Doc, where: Where) -> Any:
    for part in where:
        doc = doc[part]
    return doc


def put(doc: Doc, where: Where, value: Any) -> Doc:
    out = copy.deepcopy(doc)
    get(out, where[:-1])[where[-1]] = value
    return out


def drop(doc: Doc, where: Where) -> Doc:
    out = copy.deepcopy(doc)
    del get(out, where[:-1])[where[-1]]
    return out


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node


@cache
def schema_fields(kind: str) -> dict[str, dict[str, dict]]:
    """Per object type of the format's JSON Schema, its properties (name -> schema)."""
    schema = json_schema(kind)
    out = {"": schema["properties"]}
    for name, node in schema.get("$defs", {}).items():
        if "properties" in node:
            out[name] = node["properties"]
    return out


def fields_for(kind: str, table: dict) -> dict[str, dict]:
    """The schema's properties of the object type that ``table`` is (the best match by keys)."""
    best, score = {}, -1
    for props in schema_fields(kind).values():
        common = len(set(props) & set(table))
        if common > score and set(table) <= set(props) | {"expected"}:
            best, score = props, common
    return best


# --- values -------------------------------------------------------------------------------------
HOSTILE_TEXT = st.sampled_from(
    [
        "",
        " ",
        "a\nb",
        "line\r\nbreak",
        "\x1b[31mred\x1b[0m",
        "\u202eevil",
        "zero\u200bwidth",
        "sep\u2028arator",
        "nul\x00byte",
        "x" * 5000,
        "../../etc/passwd",
        "KAZ ",
        "ÄÖÜ",
        "🙂",
        "'quote\"",
        "{braces}",
        "%s%n",
    ]
) | st.text(max_size=30)
EDGE_NUMBERS = (
    st.sampled_from(
        [0, -1, 1, 2, -0.0, 0.5, 1.0000001, -1e-9, 1e308, -1e308, 2**63, -(2**63), 10**30]
        + [float("nan"), float("inf"), float("-inf")]
    )
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.integers(-(10**20), 10**20)
)
OTHER_TYPES: dict[type, st.SearchStrategy] = {
    str: st.sampled_from([1, 0.5, True, [], ["a"], {}, {"a": 1}, dt.date(2022, 1, 1)]),
    bool: st.sampled_from(["true", "yes", 1, 0, 1.0, [], {}, dt.date(2022, 1, 1)]),
    int: st.sampled_from(["3", True, False, [], {}, dt.date(2022, 1, 1)]),
    float: st.sampled_from(["0.5", "1", True, False, [], [0.5], {}, dt.date(2022, 1, 1)]),
    list: st.sampled_from(["x", 1, 0.5, True, {}, {"a": 1}]),
    dict: st.sampled_from(["x", 1, 0.5, True, [], [1, 2]]),
}


def _type(v: Any) -> type:
    for t in (bool, int, float, str, list, dict):
        if isinstance(v, t):
            return t
    return type(v)


def typo(word: str, draw) -> str:
    """A near miss of ``word``: one letter dropped, doubled, swapped, or the case changed."""
    how = draw(st.sampled_from(["drop", "double", "case", "suffix"]))
    if how == "case" and word.swapcase() != word:
        return word.swapcase()
    if how in ("drop", "double") and len(word) > 1:
        i = draw(st.integers(0, len(word) - 1))
        return word[:i] + word[i + 1 :] if how == "drop" else word[:i] + word[i] + word[i:]
    return word + "_x9"


# --- mutations -------------------------------------------------------------------------------
Mutation = Callable[[Any, Doc, str], tuple[Doc, str, str | None] | None]


def leaves(doc: Doc) -> list[Where]:
    return [w for w, v in walk(doc) if w and not isinstance(v, dict | list)]


def tables(doc: Doc) -> list[Where]:
    return [w for w, v in walk(doc) if isinstance(v, dict)]


def arrays_of_tables(doc: Doc) -> list[Where]:
    return [w for w, v in walk(doc) if isinstance(v, list) and v and isinstance(v[0], dict)]


def m_retype(draw, doc: Doc, kind: str):
    """A value of another type: refused, never converted (int for a float is no other type)."""
    if not leaves(doc):
        return None  # earlier mutations left no value to retype
    where = draw(st.sampled_from(leaves(doc)))
    old = get(doc, where)
    new = draw(OTHER_TYPES.get(_type(old), st.just("x")))
    if isinstance(old, float) and _type(new) is int:
        return None
    return put(doc, where, new), f"retype {where} to {new!r}", "a value of another type"


def m_text(draw, doc: Doc, kind: str):
    texts = [w for w in leaves(doc) if isinstance(get(doc, w), str)]
    if not texts:
        return None
    where = draw(st.sampled_from(texts))
    new = draw(HOSTILE_TEXT)
    return put(doc, where, new), f"text {where} = {new!r}", None


def m_number(draw, doc: Doc, kind: str):
    numbers = [w for w in leaves(doc) if _type(get(doc, w)) in (int, float)]
    if not numbers:
        return None
    where = draw(st.sampled_from(numbers))
    new = draw(EDGE_NUMBERS)
    return put(doc, where, new), f"number {where} = {new!r}", None


def m_drop(draw, doc: Doc, kind: str):
    paths = [w for w, _ in walk(doc) if w]
    if not paths:
        return None
    where = draw(st.sampled_from(paths))
    return drop(doc, where), f"drop {where}", None


def m_unknown_field(draw, doc: Doc, kind: str):
    """A misspelt or unknown key: refused (in a table of fixed fields, or of fixed names)."""
    where = draw(st.sampled_from(tables(doc)))
    table = get(doc, where)
    names = list(fields_for(kind, table) or table) or ["field"]
    key = typo(draw(st.sampled_from(names)), draw)
    if key in names or key in table or unknown_input(key) is None:
        return None
    value = draw(st.sampled_from([1, 0.5, "x", True]))
    return put(doc, (*where, key), value), f"unknown key {key!r} in {where}", "an unknown field"


def m_new_field(draw, doc: Doc, kind: str):
    """A field the schema allows but the file does not use, with some value of a fitting type."""
    where = draw(st.sampled_from(tables(doc)))
    table = get(doc, where)
    missing = [k for k in fields_for(kind, table) if k not in table]
    if not missing:
        return None
    key = draw(st.sampled_from(missing))
    value = draw(st.one_of(HOSTILE_TEXT, EDGE_NUMBERS, st.booleans(), st.just([])))
    return put(doc, (*where, key), value), f"add {key!r} = {value!r} to {where}", None


#: Fields of free text, where a word that happens to be a vocabulary name is no name.
FREE_TEXT = {"id", "name", "note", "notes", "source", "sources", "title", "scenario", "metric"}


def m_enum(draw, doc: Doc, kind: str):
    """A near miss of a name from a fixed vocabulary (a member code, a kind, a status)."""
    enums = {
        name
        for props in schema_fields(kind).values()
        for prop in props.values()
        for name in _enum_of(kind, prop)
    }
    candidates = [
        w
        for w in leaves(doc)
        if get(doc, w) in enums and not {w[-1], w[-2] if len(w) > 1 else ""} & FREE_TEXT
    ]
    if not candidates:
        return None
    where = draw(st.sampled_from(candidates))
    new = typo(get(doc, where), draw)
    if new in enums:
        return None
    return put(doc, where, new), f"near miss {where} = {new!r}", "an unknown name"


def _enum_of(kind: str, prop: dict) -> list[str]:
    schema = json_schema(kind)
    found: list[str] = []
    stack = [prop]
    while stack:
        node = _resolve(schema, stack.pop())
        found += [v for v in node.get("enum", []) if isinstance(v, str)]
        stack += node.get("anyOf", []) + ([node["items"]] if "items" in node else [])
        if isinstance(node.get("additionalProperties"), dict):
            stack.append(node["additionalProperties"])
    return found


def m_repeat(draw, doc: Doc, kind: str):
    """An entry of an array of tables given twice, as is or with another value: refused."""
    arrays = arrays_of_tables(doc)
    if not arrays:
        return None  # no array of tables (left) to repeat an entry of
    where = draw(st.sampled_from(arrays))
    entries = get(doc, where)
    entry = copy.deepcopy(draw(st.sampled_from(entries)))
    if "value" in entry and draw(st.booleans()):
        entry["value"] = 0.25 if entry["value"] != 0.25 else 0.75  # a contradicting value
    if {"a", "b"} <= set(entry) and draw(st.booleans()):
        entry["a"], entry["b"] = entry["b"], entry["a"]  # the reversed pair
    out = put(doc, where, [*entries, entry])
    return out, f"repeat an entry of {where}", "a repeated or contradicting entry"


def _entries(doc: Doc, key: str) -> list[tuple[int, dict]]:
    """The tables of array ``key``, if an earlier mutation left it an array of tables."""
    value = doc.get(key, [])
    return (
        [(i, e) for i, e in enumerate(value) if isinstance(e, dict)]
        if isinstance(value, list)
        else []
    )


def _table(doc: Doc, key: str) -> dict:
    value = doc.get(key)
    return value if isinstance(value, dict) else {}


def _event_rules(doc: Doc) -> list[tuple[Where, Any, str]]:
    options: list[tuple[Where, Any, str]] = []
    for i, e in _entries(doc, "events"):
        if e.get("kind") != "policy_shock":
            options.append((("events", i, "source"), e.get("target"), "source = target"))
        if e.get("kind") != "internal_unrest":
            options.append((("events", i, "framed_foreign"), True, "framing outside unrest"))
    for i, pair in _entries(doc, "affinity"):
        options.append((("affinity", i, "b"), pair.get("a"), "a self-pair"))
    return options


def _status_rules(doc: Doc) -> list[tuple[Where, Any, str]]:
    start = _table(doc, "scenario").get("start")
    if not (isinstance(start, str) and re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", start)):
        return []
    periods = periods_at(start)
    if len(periods) != 1:
        return []  # a month of change allows either side
    return [  # a status the documented one is not (an earlier mutation may have changed it)
        (("members", member), other, "a status against history")
        for member in _table(doc, "members")
        for other in ("active", "frozen", "withdrawn")
        if other != periods[0].status(member)
    ]


def m_rule(draw, doc: Doc, kind: str):
    """One of the cross-field rules of a scenario broken on purpose: refused."""
    options = _event_rules(doc) + _status_rules(doc)
    if _table(doc, "scenario"):
        if doc.get("expected") is None:
            block = {"crisis": [{"event": "x", "request": "none", "response": ["none"]}]}
            options.append((("expected",), block, "[expected] in a what-if"))
        else:
            options.append((("scenario", "hypothetical"), True, "[expected] in a what-if"))
        renamed = "renamed_" + str(draw(st.integers(0, 99)))
        options.append((("scenario", "id"), renamed, "id != file"))
    if not options:
        return None
    where, new, why = draw(st.sampled_from(options))
    return put(doc, where, new), f"rule {why}: {where} = {new!r}", why


def m_spec_rule(draw, doc: Doc, kind: str):
    """One of the sweep-spec rules broken on purpose: refused."""
    names = list(_table(doc, "parameters"))
    sweep, metrics = _table(doc, "sweep"), _entries(doc, "metrics")
    if not (names and sweep and metrics):
        return None
    options: list[tuple[Where, Any, str]] = [
        (("sweep", "heatmap"), [names[0], names[0]], "heatmap = [x, x]"),
        (("sweep", "points"), 1, "a design too small"),
        (("sweep", "points"), 0, "no points"),
        (("sweep", "replicates"), 0, "no replicates"),
        (("parameters", names[0]), ["0", 1.0], "string bounds"),
        (("parameters", names[0]), [1.0, 0.0], "reversed bounds"),
    ]
    if sweep.get("sampler") in ("sobol", "morris"):
        options.append((("sweep", "points"), 1, "a design too small"))
    if sweep.get("sampler") == "sobol":
        options.append((("sweep", "points"), 8, "a design too small"))
    metric = metrics[0][1].get("name", "m")
    for threshold in (float("nan"), float("inf"), float("-inf")):
        options.append((("prim",), {"metric": metric, "threshold": threshold}, "a threshold"))
    where, new, why = draw(st.sampled_from(options))
    out = put(doc, where, new) if where[0] in doc or len(where) == 1 else None
    if out is None:
        return None
    if why == "a design too small" and sweep.get("sampler") not in ("sobol", "morris", "grid"):
        return None  # an LHS of one point is small but analysable
    return out, f"spec rule {why}: {where} = {new!r}", why


#: Mutations that apply to any TOML input; each format adds its own broken rules.
ANY_INPUT: tuple[Mutation, ...] = (
    m_retype,
    m_text,
    m_number,
    m_drop,
    m_unknown_field,
    m_new_field,
    m_enum,
    m_repeat,
)
SCENARIO_MUTATIONS: tuple[Mutation, ...] = (*ANY_INPUT, m_rule)
SPEC_MUTATIONS: tuple[Mutation, ...] = (*ANY_INPUT, m_spec_rule)


def _text_mutation(draw, text: str) -> Mutant:
    """Damage to the text itself: cut short, bytes inserted, or nested too deep."""
    how = draw(st.sampled_from(["cut", "insert", "nest"]))
    if how == "cut":
        at = draw(st.integers(0, len(text)))
        return Mutant(text[:at], f"cut at {at}", None)
    if how == "insert":
        at = draw(st.integers(0, len(text)))
        junk = draw(st.sampled_from(["[", "]", "=", '"', "\\", "\n[[", "{", "\x00", "\ufeff"]))
        return Mutant(text[:at] + junk + text[at:], f"insert {junk!r} at {at}", None)
    depth = draw(st.sampled_from([9, 50, 500, 3000]))
    nested = "deep = " + "[" * depth + "]" * depth + "\n"
    return Mutant(nested + text, f"nest {depth} deep", "nesting too deep")


@st.composite
def mutants(draw, files: tuple[Path, ...], kind: str, mutations: tuple[Mutation, ...]):
    """A shipped file, mutated once (sometimes twice), as (file it came from, mutant)."""
    from tests.fuzz.toml_writer import dumps

    path = draw(st.sampled_from(files))
    if draw(st.integers(0, 9)) == 0:
        return path, _text_mutation(draw, path.read_text(encoding="utf-8"))
    doc, whats, invalid = load(path), [], None
    for _ in range(draw(st.integers(1, 2))):
        done = draw(st.sampled_from(mutations))(draw, doc, kind)
        if done is None:
            continue
        doc, what, invalid = done
        whats.append(what)
        if invalid:  # a later mutation might undo what makes it invalid
            break
    return path, Mutant(dumps(doc), "; ".join(whats) or "none", invalid)
