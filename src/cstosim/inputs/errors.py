"""The one exception type that means "the user gave bad input"; the CLI prints it as one line."""


class UserError(Exception):
    """Bad input: a malformed scenario, an unknown name, an out-of-range value, an unwritable path.

    The message is one line naming the file, the field and the fix.
    """
