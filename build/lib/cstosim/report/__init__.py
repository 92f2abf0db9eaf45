"""``cstosim report DIR``: one self-contained HTML file for any results folder.

The file holds the figures as embedded PNG data, the tables with their intervals, the scenario's
notes and sources, the parameter set and overrides, the seed, the package version and the git
revision, and the validation summary where there is one. It loads nothing from the network: no
script, font or style sheet from elsewhere, so it opens offline and can be mailed as it is.
"""

from __future__ import annotations

from .build import write_report

__all__ = ["write_report"]
