"""Partnernetz entry point: wires settings, loaders, store and dashboard.

    python app.py                      # serve the bundled sample on 127.0.0.1:8050
    python app.py serve --data DIR     # serve another dataset
    python app.py check PATH [--json]  # load report; exit 0 ok, 1 errors, 2 not a dataset
    python app.py export PATH --format graphml|gexf|csv --out FILE_OR_DIR
    python app.py generate --nodes N --seed S --out DIR   # synthetic dataset for scale tests
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Callable, Sequence

EXIT_OK, EXIT_ERRORS, EXIT_NOT_A_DATASET = 0, 1, 2


def _fail(message: str, code: int = EXIT_NOT_A_DATASET) -> int:
    print(f"partnernetz: {message}", file=sys.stderr)
    return code


# ----------------------------------------------------------------- serve
def _add_serve(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve the dashboard (default: bundled sample on 127.0.0.1:8050)")
    p.add_argument("--data", action="append", metavar="PATH",
                   help="dataset: folder of CSV files or .xlsx (repeat to merge several); default: the bundled sample")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1, loopback only)")
    p.add_argument("--port", type=int, default=8050, help="port (default 8050)")
    p.add_argument("--debug", action="store_true", help="Dash debug mode (development only)")
    p.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    from dashboard.app import create_app
    from dashboard.settings import Settings
    from graph.errors import LoadError
    from loaders import SAMPLE_PATH, load

    paths = tuple(args.data or ())
    try:
        result = load(*paths) if paths else load(SAMPLE_PATH)
    except LoadError as exc:
        return _fail(str(exc))
    report = result.report
    if not report.ok:
        print(f"partnernetz: {len(report.errors)} row(s) rejected while loading; see the Daten page or `check`", file=sys.stderr)
    settings = Settings(host=args.host, port=args.port, data_paths=paths, is_sample=not paths, debug=args.debug)
    app = create_app(result.graph, settings, report=report)
    print(f"Partnernetz: http://{args.host}:{args.port}/  ({result.graph})", flush=True)
    app.run(host=args.host, port=args.port, debug=args.debug)
    return EXIT_OK


# ----------------------------------------------------------------- check
def _add_check(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="load a dataset and print its load report")
    p.add_argument("path", nargs="+", help="dataset(s): folder of CSV files, .xlsx")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    from graph.errors import LoadError
    from loaders import load

    try:
        result = load(*args.path)
    except LoadError as exc:
        if args.json:
            print(json.dumps({"ok": False, "fatal": str(exc)}, ensure_ascii=False))
        return _fail(str(exc))
    report = result.report
    print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) if args.json else report.to_text())
    return EXIT_OK if report.ok else EXIT_ERRORS


# ---------------------------------------------------------------- export
def _add_export(sub: argparse._SubParsersAction) -> None:
    from loaders.export import EXPORT_FORMATS

    p = sub.add_parser("export", help="export a dataset's graph as GraphML, GEXF or canonical CSV tables")
    p.add_argument("path", help="dataset: folder of CSV files or .xlsx")
    p.add_argument("--format", required=True, choices=EXPORT_FORMATS)
    p.add_argument("--out", required=True, help="output file (graphml, gexf) or folder (csv)")
    p.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from graph.errors import LoadError
    from loaders import load
    from loaders.export import export

    try:
        result = load(args.path)
    except LoadError as exc:
        return _fail(str(exc))
    written = export(result.graph, args.format, args.out)
    for path in written:
        print(path)
    if not result.report.ok:
        print(f"partnernetz: exported with {len(result.report.errors)} rejected row(s); run `check` for details", file=sys.stderr)
    return EXIT_OK


# -------------------------------------------------------------- generate
def _add_generate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("generate", help="write a reproducible synthetic dataset (canonical CSV) of any size")
    p.add_argument("--nodes", type=int, required=True, help="number of graph nodes (at least 150)")
    p.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives identical files (default 0)")
    p.add_argument("--edges-per-node", type=float, default=10.0, help="edges per node (default 10)")
    p.add_argument("--out", required=True, help="output folder (created; existing table files are overwritten)")
    p.set_defaults(func=cmd_generate)


def cmd_generate(args: argparse.Namespace) -> int:
    from loaders.synthetic import generate

    try:
        counts = generate(args.out, nodes=args.nodes, seed=args.seed, edges_per_node=args.edges_per_node)
    except ValueError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"{args.out}: cannot write ({exc.strerror})")
    print(f"{args.out}: {counts['nodes']} nodes, {counts['edges']} edges, {counts['rows']} rows (seed {args.seed})")
    return EXIT_OK


#: Subcommands; further issues add theirs here.
SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [_add_serve, _add_check, _add_export, _add_generate]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="partnernetz", description="Partnernetz – partner-network explorer for the Bund-Länder-Programm")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["serve", *argv]
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
