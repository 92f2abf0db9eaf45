"""``cstosim dashboard``: an interactive dashboard on Mesa's SolaraViz (optional extra
``cstosim[dashboard]``).

:mod:`.adapter` is the only module that touches the model; :mod:`.app` is the page (controls
generated from the declarations of parameters and facts, charts drawn by :mod:`cstosim.plots`);
:mod:`.serve` starts Solara's server for the CLI.
"""
