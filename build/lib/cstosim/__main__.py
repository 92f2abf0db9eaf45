"""``python -m cstosim``: the same as the ``cstosim`` command."""

import sys

from .cli import main

sys.exit(main())
