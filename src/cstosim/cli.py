"""The ``cstosim`` command: a thin layer over :mod:`cstosim.runner` and :mod:`cstosim.plots`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import calibration, plots, runner, storage, validation
from .errors import UserError
from .parameters import PARAMETERS, defaults
from .scenario import all_scenarios, load_scenario


def _parse_set(items: list[str] | None) -> dict[str, float]:
    """``NAME=VALUE`` pairs from ``--set``."""
    out = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep:
            raise UserError(f"--set {item}: expected NAME=VALUE, e.g. --set temperature=0.5")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise UserError(f"--set {item}: '{value}' is not a number") from None
    return out


def _cmd_list(args: argparse.Namespace) -> None:
    for path in all_scenarios():
        sc = load_scenario(path)
        kind = "what-if " if sc.scenario.hypothetical else "document"
        print(f"{sc.id:<36} {kind} {sc.scenario.start}..{sc.scenario.end}  {sc.scenario.title}")


def _cmd_params(args: argparse.Namespace) -> None:
    values = defaults()
    for p in PARAMETERS.values():
        print(
            f"{p.name:<22} {values[p.name]:>8.4g}  [{p.low:g}, {p.high:g}] {p.unit:<18}"
            f" {p.stage:<11} {p.meaning}"
        )


def _cmd_run(args: argparse.Namespace) -> None:
    out = runner.run_scenario(
        args.scenario,
        args.worlds,
        args.seed,
        args.out,
        _parse_set(args.set),
        args.workers,
        args.chunk,
        progress=not args.quiet,
    )
    print(f"results: {out}")
    if not args.no_plot:
        for path in plots.plot_path(out):
            print(f"plot: {path}")


def _cmd_batch(args: argparse.Namespace) -> None:
    out = runner.run_batch(
        args.scenarios or None,
        args.worlds,
        args.seed,
        args.out,
        _parse_set(args.set),
        args.workers,
        args.chunk,
        progress=not args.quiet,
    )
    print(f"results: {out}")
    if not args.no_plot:
        drawn = plots.plot_path(out)
        print(f"plots: {len(drawn)} files under {out}")


def _cmd_plot(args: argparse.Namespace) -> None:
    for path in plots.plot_path(Path(args.dir)):
        print(f"plot: {path}")


def _cmd_validate(args: argparse.Namespace) -> None:
    out = args.out or Path("results") / f"validation-{runner.timestamp()}"
    report = validation.run_validation(
        args.files or None,
        args.worlds,
        args.seed,
        out,
        _parse_set(args.set),
        progress=not args.quiet,
    )
    bad = report.table[~report.table["modal_is_documented"]]
    for row in bad.itertuples():
        print(
            f"not modal: {row.scenario}: {row.check} (documented {row.documented}, "
            f"model's mode {row.modal_outcome}, p_model {row.p_model:.3f})"
        )
    print(validation.format_summary(report.summary))
    print(f"results: {report.out}")
    if args.readme:
        validation.update_readme(
            args.readme, validation.markdown_table(report, args.worlds, args.seed)
        )
        print(f"updated: {args.readme}")


def _cmd_calibrate(args: argparse.Namespace) -> None:
    budget = calibration.Budget(
        design=args.design,
        generations=args.generations,
        replicates=args.replicates,
        final_worlds=args.final_worlds,
    )
    out = args.out or Path("results") / f"calibration-{runner.timestamp()}"
    written = calibration.run_calibration(
        budget,
        args.seed,
        out,
        install=not args.no_install,
        loo=not args.no_loo,
        progress=not args.quiet,
        workers=args.workers,
    )
    for path in written:
        print(f"wrote: {path}")


def _cmd_sweep(args: argparse.Namespace) -> None:
    from . import sweep

    out = sweep.run_sweep(
        args.spec,
        args.out,
        workers=args.workers,
        scheduler=args.scheduler,
        progress=not args.quiet,
        analyse=not args.no_analysis,
    )
    meta = storage.read_meta(out)
    print(f"results: {out}")
    for name in meta.get("files", []):
        print(f"wrote: {out / name}")


def _cmd_compare(args: argparse.Namespace) -> None:
    from . import compare

    result, out = compare.run_compare(
        args.scenario,
        _parse_set(args.set),
        args.worlds,
        args.seed,
        args.out,
        plot=not args.no_plot,
    )
    print(compare.format_table(result.table))
    print(f"results: {out}")


def _run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--worlds",
        type=int,
        default=runner.DEFAULT_WORLDS,
        help=f"worlds (replicates) per scenario (default {runner.DEFAULT_WORLDS})",
    )
    p.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    p.add_argument("--out", type=Path, default=None, help="output folder")
    p.add_argument(
        "--set",
        action="append",
        metavar="NAME=VALUE",
        help="override a global parameter (see 'cstosim params')",
    )
    p.add_argument("--workers", type=int, default=1, help="local worker processes (default 1)")
    p.add_argument(
        "--chunk",
        type=int,
        default=runner.DEFAULT_CHUNK,
        help=f"worlds per model instance (default {runner.DEFAULT_CHUNK})",
    )
    p.add_argument("--no-plot", action="store_true", help="skip drawing plots")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cstosim", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list scenario ids and titles").set_defaults(func=_cmd_list)
    sub.add_parser("params", help="list global parameters").set_defaults(func=_cmd_params)
    run = sub.add_parser("run", help="run one scenario")
    run.add_argument("scenario", help="scenario id (see 'cstosim list') or a .toml path")
    _run_options(run)
    run.set_defaults(func=_cmd_run)
    batch = sub.add_parser("batch", help="run several scenarios (default: all)")
    batch.add_argument("scenarios", nargs="*", help="scenario ids or paths (default: all)")
    _run_options(batch)
    batch.set_defaults(func=_cmd_batch)
    val = sub.add_parser("validate", help="score the model against documented outcomes")
    val.add_argument("files", nargs="*", help="scenario files (default: all documented)")
    val.add_argument("--worlds", type=int, default=2000, help="worlds per scenario (2000)")
    val.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    val.add_argument("--out", type=Path, default=None, help="output folder")
    val.add_argument(
        "--set", action="append", metavar="NAME=VALUE", help="override a global parameter"
    )
    val.add_argument(
        "--readme",
        type=Path,
        default=None,
        help="rewrite the validation table between the markers of this README",
    )
    val.add_argument("--quiet", action="store_true", help="no progress bar")
    val.set_defaults(func=_cmd_validate)
    cal = sub.add_parser("calibrate", help="fit the global parameters to documented history")
    b = calibration.Budget()
    cal.add_argument("--seed", type=int, default=1, help="search seed (default 1)")
    cal.add_argument("--design", type=int, default=b.design, help="Latin-hypercube points")
    cal.add_argument(
        "--generations", type=int, default=b.generations, help="evolution-strategy generations"
    )
    cal.add_argument(
        "--replicates", type=int, default=b.replicates, help="worlds per point during the search"
    )
    cal.add_argument(
        "--final-worlds",
        type=int,
        default=b.final_worlds,
        help="worlds per finalist when re-scoring",
    )
    cal.add_argument("--no-loo", action="store_true", help="skip leave-one-scenario-out")
    cal.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes for the leave-one-out folds (default 1)",
    )
    cal.add_argument(
        "--no-install", action="store_true", help="do not make the fitted set the package default"
    )
    cal.add_argument("--out", type=Path, default=None, help="output folder")
    cal.add_argument("--quiet", action="store_true", help="no progress bar")
    cal.set_defaults(func=_cmd_calibrate)
    sw = sub.add_parser("sweep", help="run a parameter sweep spec (docs/sweeps.md)")
    sw.add_argument("spec", type=Path, help="sweep spec (.toml), e.g. sweeps/armenia_exit_lhs.toml")
    sw.add_argument(
        "--out", type=Path, default=None, help="output folder (default results/sweeps/<spec name>)"
    )
    sw.add_argument("--workers", type=int, default=1, help="local worker processes (default 1)")
    sw.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run chunks on a Dask cluster (tcp://HOST:8786), or 'local' to start one here",
    )
    sw.add_argument("--no-analysis", action="store_true", help="skip indices, PRIM and plots")
    sw.add_argument("--quiet", action="store_true", help="no progress bar")
    sw.set_defaults(func=_cmd_sweep)
    cmp = sub.add_parser("compare", help="paired what-if: a scenario with and without changes")
    cmp.add_argument("scenario", help="scenario id (see 'cstosim list') or a .toml path")
    cmp.add_argument(
        "--set",
        action="append",
        metavar="NAME=VALUE",
        help="a parameter (see 'cstosim params') or a fact MEMBER.fact / world.fact to change",
    )
    cmp.add_argument("--worlds", type=int, default=2000, help="paired worlds (default 2000)")
    cmp.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    cmp.add_argument("--out", type=Path, default=None, help="output folder")
    cmp.add_argument("--no-plot", action="store_true", help="skip the difference chart")
    cmp.set_defaults(func=_cmd_compare)
    plot = sub.add_parser("plot", help="draw plots of a run or batch folder")
    plot.add_argument("dir", help="a run folder or a batch folder")
    plot.set_defaults(func=_cmd_plot)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except UserError as exc:
        print(f"cstosim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cstosim: interrupted; finished results are kept on disk", file=sys.stderr)
        return 130
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
