"""Starting the dashboard's server: Solara's own ``solara run``, in place of this process.

Imports nothing heavy, so that ``cstosim dashboard --help`` and bad options stay fast; the page
module (:mod:`.app`) is loaded by the server.
"""

from __future__ import annotations

import importlib.util
import os
import sys

from ..inputs.errors import UserError
from ..inputs.scenario import find_scenario

APP = "cstosim.dashboard.app"
#: How the page learns the scenario and the number of worlds to open with.
SCENARIO_ENV, WORLDS_ENV = "CSTOSIM_DASHBOARD_SCENARIO", "CSTOSIM_DASHBOARD_WORLDS"


def server_command(host: str, port: int) -> list[str]:
    """The command that serves the page on ``host:port``, without opening a browser and without
    asking the network anything."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        APP,
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",  # it would ask a package index for Solara's latest version
    ]


def server_env(scenario: str, worlds: int) -> dict[str, str]:
    """The environment of the server: the page's first scenario and worlds, and no telemetry."""
    return dict(
        os.environ,
        **{SCENARIO_ENV: scenario, WORLDS_ENV: str(worlds)},
        SOLARA_TELEMETRY_MIXPANEL_ENABLE="False",
    )


def serve(scenario: str, host: str, port: int, worlds: int) -> None:
    """Replace this process by the dashboard's server; checks the scenario and the extra first."""
    if importlib.util.find_spec("solara") is None:
        raise UserError(
            "the dashboard needs its optional packages; install them with "
            "pip install 'cstosim[dashboard]'"
        )
    if not 1 <= port <= 65535:
        raise UserError(f"--port {port}: not a TCP port; give a number from 1 to 65535")
    if worlds < 1:
        raise UserError(f"--worlds {worlds}: must be at least 1")
    find_scenario(scenario)  # an unknown id is one line here, not a broken page later
    command = server_command(host, port)
    print(f"dashboard: http://{host}:{port}/ (Ctrl-C stops it)", flush=True)
    os.execve(command[0], command, server_env(scenario, worlds))
