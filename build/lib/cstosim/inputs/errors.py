"""The one exception type that means "the user gave bad input"; the CLI prints it as one line.

Also the wording every input error shares: control characters escaped so that a message stays on
one line, the nearest valid name for a misspelt one, and what to do about a failed file access.
"""

from __future__ import annotations

import difflib
import errno
from collections.abc import Iterable, Mapping
from pathlib import Path


def one_line(text: str) -> str:
    """``text`` with every character that is not printable written as an escape: controls and
    line breaks, format characters (bidirectional overrides, zero-width joiners), separators
    other than the space, unassigned code points."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def shown(value: object, limit: int = 60) -> str:
    """``value`` as it would be written, escaped and cut to about ``limit`` characters."""
    text = repr(value)
    return one_line(text if len(text) <= limit else text[: limit - 1] + "…")


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """`` (did you mean 'X'?)`` for the closest of ``choices`` to ``word``, or ``''``."""
    if not isinstance(word, str) or not word:
        return ""
    choices = list(choices)
    folded = {c.casefold(): c for c in choices}
    match = folded.get(word.casefold().strip())
    if match is None:
        close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
        close = close or difflib.get_close_matches(word.casefold(), list(folded), n=1, cutoff=0.6)
        match = folded.get(close[0], close[0]) if close else None
    return f" (did you mean '{match}'?)" if match is not None and match != word else ""


class UserError(Exception):
    """Bad input: a malformed scenario, an unknown name, an out-of-range value, an unwritable path.

    The message is one line naming the file, the field and the fix (control characters are
    escaped on the way in). An error about one argument of the Python API names it
    (``argument``) with the ``value`` given, so that the CLI can show the option the user
    actually typed instead (:meth:`shown_with`).
    """

    def __init__(self, message: str, *, argument: str | None = None, value: object = None):
        message = one_line(message)
        super().__init__(message)
        self.message, self.argument, self.value = message, argument, value

    def __str__(self) -> str:
        if self.argument is None:
            return self.message
        return f"{self.argument} = {shown(self.value)}: {self.message}"

    def shown_with(self, options: Mapping[str, str]) -> str:
        """The message with the API argument replaced by its command-line option."""
        if self.argument is not None and self.argument in options:
            return one_line(f"{options[self.argument]} {self.value}: {self.message}")
        return str(self)


def require_at_least(
    argument: str, value: int, minimum: int, why: str = "", maximum: int | None = None
) -> None:
    """Raise :class:`UserError` for an integer argument below ``minimum`` (or above
    ``maximum``)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise UserError("must be a whole number", argument=argument, value=value)
    if value < minimum:
        text = "non-negative" if minimum == 0 else f"at least {minimum}"
        raise UserError(f"must be {text}{why}", argument=argument, value=value)
    if maximum is not None and value > maximum:
        raise UserError(f"must be at most {maximum:,}", argument=argument, value=value)


#: What to do about a failed file access, by errno; the default covers the rest.
_IO_FIXES = {
    errno.ENOSPC: "the disk is full; free some space and run the same command again to resume",
    errno.EDQUOT: "the disk quota is used up; free some space and run the same command again",
    errno.EFBIG: "the file would be too large for this file system; write it somewhere else",
    errno.EACCES: "you may not use this path; choose a folder you can write to, or fix its "
    "permissions",
    errno.EPERM: "you may not use this path; choose a folder you can write to, or fix its "
    "permissions",
    errno.EROFS: "the file system is read-only; choose a folder on a writable disk",
    errno.ENOTDIR: "a part of the path is a file, not a folder; choose another path",
    errno.EISDIR: "it is a folder, not a file; name a file",
    errno.ENAMETOOLONG: "the path or one of its names is too long; choose a shorter one",
    errno.ENOENT: "no such file or folder; check the path",
    errno.ELOOP: "the path has a symbolic link loop; check the path",
}


def io_error(path: str | Path, exc: OSError, doing: str = "cannot write here") -> UserError:
    """A failed file access as one line: the path, what failed and why, and what to do."""
    reason = exc.strerror or type(exc).__name__
    fix = _IO_FIXES.get(exc.errno or 0, "check the path and the disk, then run the command again")
    return UserError(f"{path}: {doing} ({reason}); {fix}")
