"""The one exception type that means "the user gave bad input"; the CLI prints it as one line."""

from __future__ import annotations

from collections.abc import Mapping


class UserError(Exception):
    """Bad input: a malformed scenario, an unknown name, an out-of-range value, an unwritable path.

    The message is one line naming the file, the field and the fix. An error about one argument
    of the Python API names it (``argument``) with the ``value`` given, so that the CLI can show
    the option the user actually typed instead (:meth:`shown_with`).
    """

    def __init__(self, message: str, *, argument: str | None = None, value: object = None):
        super().__init__(message)
        self.message, self.argument, self.value = message, argument, value

    def __str__(self) -> str:
        if self.argument is None:
            return self.message
        return f"{self.argument} = {self.value!r}: {self.message}"

    def shown_with(self, options: Mapping[str, str]) -> str:
        """The message with the API argument replaced by its command-line option."""
        if self.argument is not None and self.argument in options:
            return f"{options[self.argument]} {self.value}: {self.message}"
        return str(self)


def require_at_least(argument: str, value: int, minimum: int, why: str = "") -> None:
    """Raise :class:`UserError` for an integer argument below ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise UserError("must be a whole number", argument=argument, value=value)
    if value < minimum:
        text = "non-negative" if minimum == 0 else f"at least {minimum}"
        raise UserError(f"must be {text}{why}", argument=argument, value=value)
