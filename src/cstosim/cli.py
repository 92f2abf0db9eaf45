"""The ``cstosim`` command: a thin layer over :mod:`cstosim.api`.

Each command imports what it needs when it runs, so ``cstosim list`` and ``--help`` do not pay
for Mesa, SciPy or Matplotlib.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from .inputs.errors import UserError, did_you_mean, io_error
from .inputs.settings import DEFAULT_CHUNK, DEFAULT_WORLDS, Budget

#: The option that sets each argument of the Python API, to name in error messages.
OPTIONS = {
    "n_worlds": "--worlds",
    "seed": "--seed",
    "chunk_worlds": "--chunk",
    "workers": "--workers",
    "scheduler": "--scheduler",
    "changes": "--set",
    "design": "--design",
    "generations": "--generations",
    "replicates": "--replicates",
    "final_worlds": "--final-worlds",
}


class _Help(argparse.HelpFormatter):
    """Help that shows every option's default, unless its text already states it."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        quiet = action.default in (None, False, argparse.SUPPRESS) or not action.option_strings
        if quiet or "default" in text:
            return text
        return f"{text} (default: {action.default})"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the option (not the whole usage text), and
    help shows the defaults."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _Help)
        super().__init__(*args, **kwargs)

    def error(self, message: str):  # type: ignore[override]
        match = re.fullmatch(r"argument ([^:]+): (.*)", message)
        text = f"{match[1]}: {match[2]}" if match else message
        command = " ".join(self.prog.split()[1:2])  # the subcommand, if this is its parser
        raise UserError(f"{text}; see 'cstosim {command + ' ' if command else ''}--help'")

    def parse_args(self, args=None, namespace=None):  # type: ignore[override]
        """As argparse does, but an unknown option is reported by its command's parser, with
        the nearest option it has."""
        known, extras = self.parse_known_args(args, namespace)
        if extras:
            parser = self._command_parser(known)
            options = [o for a in parser._actions for o in a.option_strings]
            word = extras[0].split("=", 1)[0]
            hint = did_you_mean(word, options) if word.startswith("-") else ""
            parser.error(f"unrecognized arguments: {' '.join(extras)}{hint}")
        return known

    def _command_parser(self, known: argparse.Namespace) -> argparse.ArgumentParser:
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                return action.choices.get(getattr(known, "command", None), self)
        return self


class _Version(argparse.Action):
    """``--version``, reading the installed version only when asked (it costs 0.1 s)."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        import cstosim

        print(f"cstosim {cstosim.__version__}")
        parser.exit()


def _path(text: str) -> Path:
    """A path option's value; an empty one would silently mean the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("give a path, not an empty string")
    return Path(text)


def parse_set_items(items: list[str] | None) -> dict[str, float]:
    """``NAME=VALUE`` pairs as given to ``--set`` (names are checked by the library)."""
    out: dict[str, float] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep:
            raise UserError(f"--set {item}: expected NAME=VALUE, e.g. --set need_weight=8")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise UserError(f"--set {item}: '{value}' is not a number") from None
    return out


def _parameter_set(args: argparse.Namespace):
    from .inputs.parameters import load_set

    return load_set(getattr(args, "parameters", None))


def _changes(args: argparse.Namespace) -> dict[str, float]:
    return parse_set_items(args.set)


def _split_changes(args: argparse.Namespace) -> tuple[dict, dict]:
    """``--set`` as (parameters, facts), each checked."""
    from .inputs.overrides import split_overrides

    return split_overrides(_changes(args))


def _cmd_list(args: argparse.Namespace) -> None:
    from .inputs.catalogue import read_header, scenario_dir, user_scenario_dir

    yours = user_scenario_dir()
    folders = [scenario_dir()] + ([yours] if yours is not None and yours.is_dir() else [])
    for folder in folders:
        for path in sorted(folder.glob("*.toml")):
            head = read_header(path)
            kind = "what-if " if head.hypothetical else "document"
            about = head.problem or f"{head.start}..{head.end}  {head.title}"
            mine = f"  ({folder})" if folder is yours else ""
            print(f"{head.id:<36} {kind} {about}{mine}")


def _cmd_params(args: argparse.Namespace) -> None:
    from .inputs.parameters import PARAMETERS

    pset = _parameter_set(args)
    print(f"# values from parameter set {pset.label}", file=sys.stderr)
    ranges = {
        p.name: f"[{p.low:g}, {p.high:g}]" + ("" if p.fit_low is None else f" fit≥{p.fit_low:g}")
        for p in PARAMETERS.values()
    }
    wide = max(len(r) for r in ranges.values())
    unit = max(len(p.unit) for p in PARAMETERS.values())
    for p in PARAMETERS.values():
        value = pset.values[p.name]
        flag = "at bound" if p.at_bound(value) else ""
        print(
            f"{p.name:<20} {value:>8.4g}  {ranges[p.name]:<{wide}} {flag:<8} {p.unit:<{unit}}"
            f" {pset.name}  {p.meaning}  (source: {p.source})"
        )


def _run_and_plot(args: argparse.Namespace, batch: bool) -> None:
    """``run`` (one scenario) or ``batch`` (several into one folder), then their figures."""
    from . import api

    parameters, facts = _split_changes(args)
    run = api.run_batch if batch else api.run_scenario
    out = run(
        (args.scenarios or None) if batch else args.scenario,
        args.worlds,
        args.seed,
        args.out,
        parameters,
        args.workers,
        args.chunk,
        progress=not args.quiet,
        parameter_set=_parameter_set(args),
        facts=facts,
    ).path
    print(f"results: {out}")
    if args.no_plot:
        return
    drawn = api.plot_results(out)
    if batch:
        print(f"plots: {len(drawn)} files under {out}")
    else:
        for path in drawn:
            print(f"plot: {path}")


def _cmd_run(args: argparse.Namespace) -> None:
    _run_and_plot(args, batch=False)


def _cmd_batch(args: argparse.Namespace) -> None:
    _run_and_plot(args, batch=True)


def _cmd_plot(args: argparse.Namespace) -> None:
    from . import api

    drawn = api.plot_results(Path(args.dir))
    for path in drawn:
        print(f"plot: {path}")
    for note in getattr(drawn, "skipped", []):
        print(f"cstosim: {note}", file=sys.stderr)


def _cmd_loo(args: argparse.Namespace) -> None:
    from . import api
    from .experiments import validation_text as text
    from .experiments.runs import timestamp

    out = args.out or Path("results") / f"loo-{timestamp()}"
    report = api.run_loo(
        args.files or None, args.seed, args.worlds, out, args.workers, progress=not args.quiet
    )
    print(text.format_summary(report.summary))
    print(f"runtime: {report.summary['runtime_s']:.0f} s on {args.workers} worker(s)")
    print(f"results: {report.path}")
    if args.readme:
        command = f"cstosim validate --loo --workers {args.workers} --readme README.md"
        text.update_readme(
            args.readme, text.loo_section(report.path, command), text.LOO_START, text.LOO_END
        )
        print(f"updated: {args.readme}")


def _cmd_drivers(args: argparse.Namespace) -> None:
    from . import api
    from .experiments.drivers import main_drivers
    from .experiments.runs import timestamp

    out = args.out or Path("results") / f"drivers-{timestamp()}"
    result = api.run_drivers(
        args.worlds, args.seed, out, args.term or None, parameter_set=_parameter_set(args)
    )
    for r in main_drivers(result.table).itertuples():
        print(
            f"{r.check}: without {r.term}, P({r.documented}) {r.p_on:.2f} -> {r.p_off:.2f} "
            f"({r.delta:+.2f} ± {r.half_width:.2f})"
        )
    print(f"results: {result.path}")


def _cmd_validate(args: argparse.Namespace) -> None:
    from . import api
    from .experiments import validation_text as text
    from .experiments.runs import timestamp

    if args.loo:
        _cmd_loo(args)
        return
    out = args.out or Path("results") / f"validation-{timestamp()}"
    parameters, facts = _split_changes(args)
    report = api.run_validation(
        args.files or None,
        args.worlds,
        args.seed,
        out,
        parameters,
        progress=not args.quiet,
        parameter_set=_parameter_set(args),
        facts=facts,
    )
    table = report.table
    for row in table[table["scored"] & ~table["modal_model"]].itertuples():
        print(
            f"not modal: {row.scenario}: {row.check} (documented {row.documented}, "
            f"model's most likely {row.modal_outcome}, p_model {row.p_model:.3f})"
        )
    print(text.format_summary(report.summary))
    for line in report.summary["predictive"]["lines"]:
        print(line)
    print(f"results: {report.path}")
    if args.readme:
        command = f"cstosim validate --worlds {args.worlds} --seed {args.seed} --readme README.md"
        text.update_readme(args.readme, text.markdown_section(report.path, command))
        print(f"updated: {args.readme}")


def _cmd_calibrate(args: argparse.Namespace) -> None:
    from . import api
    from .experiments.runs import timestamp

    budget = Budget(
        design=args.design,
        generations=args.generations,
        replicates=args.replicates,
        final_worlds=args.final_worlds,
    )
    stamp = timestamp()
    out = args.out or Path("results") / f"calibration-{stamp}"
    name = args.name or f"calibrated-{stamp[:8]}"
    written = api.run_calibration(
        budget,
        args.seed,
        out,
        name,
        install=args.install,
        loo=not args.no_loo,
        progress=not args.quiet,
        workers=args.workers,
    )
    for path in written:
        print(f"wrote: {path}")


def _cmd_sweep(args: argparse.Namespace) -> None:
    from . import api
    from .experiments import storage

    out = api.run_sweep(
        args.spec,
        args.out,
        workers=args.workers,
        scheduler=args.scheduler,
        progress=not args.quiet,
        analyse=not args.no_analysis,
    ).path
    meta = storage.read_meta(out)
    print(f"results: {out}")
    for name in meta.get("files", []):
        print(f"wrote: {out / name}")


def _cmd_compare(args: argparse.Namespace) -> None:
    from . import api
    from .experiments.compare import format_table

    result = api.run_compare(
        args.scenario,
        _changes(args),
        args.worlds,
        args.seed,
        args.out,
        plot=not args.no_plot,
        variant=args.variant,
    )
    print(format_table(result.table))
    print(f"results: {result.path}")


def _cmd_report(args: argparse.Namespace) -> None:
    from .report import write_report

    print(f"report: {write_report(Path(args.dir), args.out)}")


def _cmd_new(args: argparse.Namespace) -> None:
    from . import api

    path = api.new_scenario(args.scenario_id, args.source, args.scenarios_dir)
    print(f"wrote: {path}")
    if args.scenarios_dir:
        print(
            f"its id resolves with CSTOSIM_SCENARIOS={args.scenarios_dir} or "
            f"'cstosim --scenarios-dir {args.scenarios_dir} ...'"
        )


def _cmd_dashboard(args: argparse.Namespace) -> None:
    from .dashboard.serve import serve

    serve(args.scenario, args.host, args.port, args.worlds)


class _ScenariosDir(argparse.Action):
    """``--scenarios-dir DIR``: ids resolve in DIR first, for this command (as
    ``$CSTOSIM_SCENARIOS`` does)."""

    def __call__(self, parser, namespace, values, option_string=None):
        from .inputs.catalogue import USER_SCENARIOS

        if os.path.exists(values) and not os.path.isdir(values):
            parser.error(f"--scenarios-dir: {values} is not a folder; name a folder of scenarios")
        os.environ[USER_SCENARIOS] = str(values)
        setattr(namespace, self.dest, values)


def _workbench_parsers(sub) -> None:
    """The commands that present results: plot, report, dashboard, and new scenarios."""
    plot = sub.add_parser("plot", help="draw the figures of any results folder")
    plot.add_argument(
        "dir", help="a run, batch, sweep, comparison, validation or calibration folder"
    )
    plot.set_defaults(func=_cmd_plot)
    report = sub.add_parser("report", help="write one self-contained HTML report of a folder")
    report.add_argument(
        "dir", help="a run, batch, sweep, comparison, validation or calibration folder"
    )
    report.add_argument(
        "--out", type=Path, default=None, help="the HTML file (default: DIR/report.html)"
    )
    report.set_defaults(func=_cmd_report)
    new = sub.add_parser("new", help="scaffold a scenario file from an existing one")
    new.add_argument("scenario_id", help="the new scenario's id (lower case, digits, _)")
    new.add_argument(
        "--from",
        dest="source",
        required=True,
        help="the scenario to start from: an id or a file (required; no default)",
    )
    new.add_argument(
        "--scenarios-dir",
        default=None,
        help="your scenario folder (default: $CSTOSIM_SCENARIOS); ids resolve there first",
    )
    new.set_defaults(func=_cmd_new)
    dash = sub.add_parser("dashboard", help="serve the interactive dashboard (cstosim[dashboard])")
    dash.add_argument(
        "scenario", nargs="?", default="armenia_2022", help="scenario to open (default %(default)s)"
    )
    dash.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default %(default)s)"
    )
    dash.add_argument("--port", type=int, default=8765, help="port (default %(default)s)")
    dash.add_argument(
        "--worlds", type=int, default=500, help="worlds to open with (default %(default)s)"
    )
    dash.set_defaults(func=_cmd_dashboard)


def _cmd_check(args: argparse.Namespace) -> int:
    from . import api

    failed = 0
    for path, problem in api.check_files(args.files):
        if problem is None:
            print(f"OK {path}")
        else:
            print(f"cstosim: error: {problem}", file=sys.stderr)
            failed += 1
    return 2 if failed else 0


def _cmd_schema(args: argparse.Namespace) -> None:
    import json

    from . import api

    print(json.dumps(api.json_schema(args.kind), indent=2, ensure_ascii=False))


def _input_parsers(sub) -> None:
    """``check`` and ``schema``: the input formats, without running anything."""
    chk = sub.add_parser("check", help="check scenario files and sweep specs without running them")
    chk.add_argument("files", nargs="+", type=_path, help="scenario files and sweep specs (.toml)")
    chk.set_defaults(func=_cmd_check)
    sch = sub.add_parser("schema", help="print the JSON Schema of an input format, for editors")
    sch.add_argument("kind", choices=("scenario", "sweep"), help="which format")
    sch.set_defaults(func=_cmd_schema)


def _add_set_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--set",
        action="append",
        metavar="NAME=VALUE",
        help="change a global parameter (see 'cstosim params') or a fact, MEMBER.fact or "
        "world.fact, e.g. KAZ.dependency=0.2; repeatable (default: no change)",
    )


def _add_parameters_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--parameters",
        metavar="SET",
        default=None,
        help="parameter set: a shipped name or a .json file (default: the set in force)",
    )


def _run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--worlds",
        type=int,
        default=DEFAULT_WORLDS,
        help=f"worlds (replicates) per scenario (default {DEFAULT_WORLDS})",
    )
    p.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    p.add_argument(
        "--out",
        type=_path,
        default=None,
        help="output folder (default: results/<scenario>-<time> for run, "
        "results/batch-<time> for batch)",
    )
    _add_set_option(p)
    _add_parameters_option(p)
    p.add_argument("--workers", type=int, default=1, help="local worker processes (default 1)")
    p.add_argument(
        "--chunk",
        type=int,
        default=DEFAULT_CHUNK,
        help=f"worlds per model instance (default {DEFAULT_CHUNK})",
    )
    p.add_argument("--no-plot", action="store_true", help="skip drawing plots")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _drivers_parser(sub) -> None:
    drv = sub.add_parser(
        "drivers", help="what drives each documented result: paired runs with one term off"
    )
    drv.add_argument("--worlds", type=int, default=1000, help="worlds per point (default 1000)")
    drv.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    drv.add_argument(
        "--out", type=_path, default=None, help="output folder (default: results/drivers-<time>)"
    )
    drv.add_argument(
        "--term",
        action="append",
        metavar="NAME",
        help="a term to switch off (repeatable; default: every term, see docs/validation.md)",
    )
    _add_parameters_option(drv)
    drv.set_defaults(func=_cmd_drivers)


def _validate_parser(sub) -> None:
    val = sub.add_parser("validate", help="score the model against documented outcomes")
    val.add_argument("files", nargs="*", help="scenario files (default: all documented)")
    val.add_argument(
        "--worlds",
        type=int,
        default=DEFAULT_WORLDS,
        help=f"worlds per scenario (default {DEFAULT_WORLDS})",
    )
    val.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    val.add_argument(
        "--out", type=_path, default=None, help="output folder (default: results/validation-<time>)"
    )
    _add_set_option(val)
    _add_parameters_option(val)
    val.add_argument(
        "--readme",
        type=_path,
        default=None,
        help="rewrite the validation section between the markers of this README (default: none)",
    )
    val.add_argument(
        "--loo",
        action="store_true",
        help="leave-one-crisis-out instead: refit without each crisis's outcome (minutes)",
    )
    val.add_argument("--workers", type=int, default=1, help="worker processes for --loo folds")
    val.add_argument("--quiet", action="store_true", help="no progress bar")
    val.set_defaults(func=_cmd_validate)


def _calibrate_parser(sub) -> None:
    cal = sub.add_parser("calibrate", help="fit the global parameters to documented history")
    b = Budget()
    cal.add_argument("--seed", type=int, default=1, help="search seed (default 1)")
    cal.add_argument(
        "--design", type=int, default=b.design, help=f"Latin-hypercube points ({b.design})"
    )
    cal.add_argument(
        "--generations",
        type=int,
        default=b.generations,
        help=f"evolution-strategy generations ({b.generations})",
    )
    cal.add_argument(
        "--replicates",
        type=int,
        default=b.replicates,
        help=f"worlds per point during the search ({b.replicates})",
    )
    cal.add_argument(
        "--final-worlds",
        type=int,
        default=b.final_worlds,
        help=f"worlds per finalist when re-scoring ({b.final_worlds})",
    )
    cal.add_argument("--no-loo", action="store_true", help="skip leave-one-scenario-out")
    cal.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes for the leave-one-out folds (default 1)",
    )
    cal.add_argument(
        "--name", default=None, help="name of the fitted set (default calibrated-<date>)"
    )
    cal.add_argument(
        "--install",
        action="store_true",
        help="also install the fitted set in the package and make it the set in force",
    )
    cal.add_argument(
        "--out",
        type=_path,
        default=None,
        help="output folder (default: results/calibration-<time>)",
    )
    cal.add_argument("--quiet", action="store_true", help="no progress bar")
    cal.set_defaults(func=_cmd_calibrate)


def _sweep_parser(sub) -> None:
    sw = sub.add_parser("sweep", help="run a parameter sweep spec (docs/sweeps.md)")
    sw.add_argument(
        "spec", type=_path, help="sweep spec (.toml), e.g. sweeps/armenia_exit_lhs.toml"
    )
    sw.add_argument(
        "--out",
        type=_path,
        default=None,
        help="output folder (default: results/sweeps/<spec name>)",
    )
    sw.add_argument("--workers", type=int, default=1, help="local worker processes (default 1)")
    sw.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run chunks on a Dask cluster (tcp://HOST:8786), or 'local' to start one here "
        "(default: local worker processes)",
    )
    sw.add_argument("--no-analysis", action="store_true", help="skip indices, PRIM and plots")
    sw.add_argument("--quiet", action="store_true", help="no progress bar")
    sw.set_defaults(func=_cmd_sweep)


def _compare_parser(sub) -> None:
    cmp = sub.add_parser(
        "compare",
        help="paired what-if: a scenario with and without changes, or against another scenario",
    )
    cmp.add_argument("scenario", help="scenario id (see 'cstosim list') or a .toml path")
    cmp.add_argument(
        "--against",
        dest="variant",
        metavar="SCENARIO",
        default=None,
        help="run this scenario (id or .toml) as the variant, on the same worlds (default: the "
        "scenario itself, with the --set changes)",
    )
    _add_set_option(cmp)
    cmp.add_argument(
        "--worlds",
        type=int,
        default=DEFAULT_WORLDS,
        help=f"paired worlds (default {DEFAULT_WORLDS})",
    )
    cmp.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    cmp.add_argument(
        "--out",
        type=_path,
        default=None,
        help="output folder (default: results/compare-<scenario>-<time>)",
    )
    cmp.add_argument("--no-plot", action="store_true", help="skip the difference chart")
    cmp.set_defaults(func=_cmd_compare)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every ``cstosim`` command."""
    parser = _Parser(prog="cstosim", description="Simulate the CSTO's answers to calls for help.")
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    parser.add_argument(
        "--scenarios-dir",
        action=_ScenariosDir,
        metavar="DIR",
        help="a folder of your own scenarios, searched for ids first (default: $CSTOSIM_SCENARIOS)",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser(
        "list", help="list scenario ids and titles, yours (--scenarios-dir) after the shipped ones"
    ).set_defaults(func=_cmd_list)
    params = sub.add_parser("params", help="list global parameters and the values in force")
    _add_parameters_option(params)
    params.set_defaults(func=_cmd_params)
    run = sub.add_parser("run", help="run one scenario")
    run.add_argument("scenario", help="scenario id (see 'cstosim list') or a .toml path")
    _run_options(run)
    run.set_defaults(func=_cmd_run)
    batch = sub.add_parser("batch", help="run several scenarios (default: all)")
    batch.add_argument("scenarios", nargs="*", help="scenario ids or paths (default: all)")
    _run_options(batch)
    batch.set_defaults(func=_cmd_batch)
    _input_parsers(sub)
    _validate_parser(sub)
    _calibrate_parser(sub)
    _sweep_parser(sub)
    _compare_parser(sub)
    _workbench_parsers(sub)
    _drivers_parser(sub)
    return parser


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def main(argv: list[str] | None = None) -> int:
    """Run one ``cstosim`` command; returns the exit code (2 for bad input or a failed file
    access, 130 when interrupted, 141 when the reader of the output went away)."""
    try:
        args = build_parser().parse_args(argv)
        code = args.func(args)
        sys.stdout.flush()
    except UserError as exc:
        print(f"cstosim: error: {exc.shown_with(OPTIONS)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `cstosim list | head`: the reader has all it wanted
        _silence_stdout()
        return 141
    except OSError as exc:  # a file access the layers below did not name: still one line
        where = exc.filename if exc.filename is not None else "cstosim"
        print(f"cstosim: error: {io_error(where, exc, 'file access failed')}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cstosim: interrupted; finished results are kept on disk", file=sys.stderr)
        return 130
    return code or 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
