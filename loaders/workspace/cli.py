"""``python app.py workspace …``: create, import into, inspect, revert and export a workspace.

Every ``--json`` shape is documented in the README (section "The workspace").
Exit codes: 0 done, 1 nothing done (a blocked preview, nothing to publish,
a conflict, no such version), 2 the path is not a dataset or not a workspace.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Callable

__all__ = ["add_parser"]

EXIT_OK, EXIT_ERRORS, EXIT_NOT_A_DATASET = 0, 1, 2
EXIT_STORE = 4  # as app.py: the Neo4j server could not be used


def _fail(message: str, code: int = EXIT_ERRORS) -> int:
    print(f"partnernetz: {message}", file=sys.stderr)
    return code


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


#: Opens the Neo4j store from the parsed options (given by app.py, which owns the connection options).
_open_store: Callable[[argparse.Namespace], Any] | None = None


def add_parser(sub: argparse._SubParsersAction, *, neo4j_options: Callable[[argparse.ArgumentParser], None] | None = None,
               open_store: Callable[[argparse.Namespace], Any] | None = None) -> None:
    """The ``workspace`` command; with ``neo4j_options``/``open_store`` (query mode) ``import`` and
    ``revert`` take ``--neo4j-uri`` and push the new version there, and ``versions --shared`` lists
    the history kept in Neo4j."""
    global _open_store
    _open_store = open_store
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--workspace", metavar="PATH", default=None,
                        help="workspace file (default $PARTNERNETZ_WORKSPACE, else workspace.sqlite in the user data folder)")
    shared = argparse.ArgumentParser(add_help=False)
    if neo4j_options is not None:
        group = shared.add_argument_group("query mode (push the new version to Neo4j and record it in the shared history)")
        neo4j_options(group)
        shared.add_argument("--no-contacts", action="store_true", help="push the version without contacts")
        shared.add_argument("--audit-log", metavar="FILE",
                            default=os.environ.get("PARTNERNETZ_AUDIT_LOG", "partnernetz-audit.jsonl"),
                            help="JSON-lines audit log recording the contacts pushed (default partnernetz-audit.jsonl)")
    p = sub.add_parser("workspace", help="the workspace: import with preview, versions, diff, revert, export")
    actions = p.add_subparsers(dest="workspace_command", metavar="ACTION", required=True)
    init = actions.add_parser("init", parents=[common], help="create the workspace (default: with the bundled sample as version 1)")
    what = init.add_mutually_exclusive_group()
    what.add_argument("--sample", dest="sample", action="store_true", default=True, help="start from the bundled sample (default)")
    what.add_argument("--empty", dest="sample", action="store_false", help="start empty (version 0)")
    imp = actions.add_parser("import", parents=[common, shared], help="import a dataset as a new version (or only preview it with --dry-run)")
    imp.add_argument("path", help="dataset: folder of CSV files, .xlsx workbook, IATI .xml")
    imp.add_argument("--mode", choices=("replace", "update"), default="replace",
                     help="replace: the tables the source holds become what it holds (default); update: add and change rows only")
    imp.add_argument("--message", default="", help="what the version is about")
    imp.add_argument("--dry-run", action="store_true", help="only print the preview; change nothing")
    imp.add_argument("--json", action="store_true", help="print the preview as JSON")
    ver = actions.add_parser("versions", parents=[common, shared], help="list the versions, newest first")
    ver.add_argument("--json", action="store_true")
    ver.add_argument("--shared", action="store_true",
                     help="list the shared history kept in Neo4j (query mode: every instance's publishes)")
    dif = actions.add_parser("diff", parents=[common], help="the changes from version A to version B")
    dif.add_argument("a", type=int)
    dif.add_argument("b", type=int)
    dif.add_argument("--json", action="store_true")
    rev = actions.add_parser("revert", parents=[common, shared], help="make version N's data current again (as a new version)")
    rev.add_argument("n", type=int)
    rev.add_argument("--message", default="")
    exp = actions.add_parser("export", parents=[common], help="write a version as .xlsx or a ZIP of CSV tables with a manifest")
    exp.add_argument("--version", type=int, default=None, help="version number (default: the current one)")
    exp.add_argument("--format", choices=("xlsx", "csv"), required=True)
    exp.add_argument("--out", required=True, help="output file (or an existing folder)")
    exp.add_argument("--full", action="store_true",
                     help="full backup including contacts without consent (personal data; recorded in the audit log)")
    exp.add_argument("--audit-log", metavar="FILE", default=os.environ.get("PARTNERNETZ_AUDIT_LOG", "partnernetz-audit.jsonl"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from graph.core.errors import LoadError
    from loaders.workspace import WorkspaceError, WorkspaceFile, resolve_path

    path = resolve_path(args.workspace)
    if args.workspace_command == "init":
        from loaders.workspace.location import create_workspace

        try:
            ws = create_workspace(path, sample=args.sample)
        except WorkspaceError as exc:
            return _fail(str(exc))
        print(f"{ws.path}: workspace created at version {ws.head()}")
        return EXIT_OK
    try:
        ws = WorkspaceFile(path)
    except WorkspaceError as exc:
        return _fail(str(exc), EXIT_NOT_A_DATASET)
    try:
        return _COMMANDS[args.workspace_command](ws, args)
    except LoadError as exc:  # also UploadError
        if getattr(args, "json", False):
            _print_json({"ok": False, "fatal": str(exc)})
        return _fail(str(exc), EXIT_NOT_A_DATASET)
    except WorkspaceError as exc:
        return _fail(str(exc))


def _push(ws, version, args) -> int:
    """Query mode: push ``version`` to Neo4j and record it in the shared history (exit code)."""
    from graph.core.errors import StoreError
    from loaders.workspace.shared_history import publish_to_store

    if "neo4j_uri" not in vars(args) or _open_store is None or not (args.neo4j_uri or os.environ.get("NEO4J_URI")):
        return EXIT_OK  # embedded mode
    try:
        with _open_store(args) as store:
            seq = publish_to_store(store, ws, version, contacts=not args.no_contacts, audit_log=args.audit_log)
    except StoreError as exc:
        return _fail(f"version {version.id} is published in {ws.path}, but not in Neo4j: {exc}; "
                     f"push it later with `neo4j push` or publish again", EXIT_STORE)
    print(f"{ws.path}: version {version.id} pushed to Neo4j; shared history number {seq}")
    return EXIT_OK


def _counts_text(counts: dict[str, dict[str, int]]) -> str:
    return ", ".join(f"{t} +{c['added']} ~{c['changed']} −{c['removed']}" for t, c in counts.items()) or "no changes"


def _cmd_import(ws, args) -> int:
    from loaders.workspace import make_preview
    from loaders.workspace.location import local_user
    from loaders.workspace.preview import publish_now

    import tempfile
    from pathlib import Path

    from loaders.workspace.upload import stage_upload

    with tempfile.TemporaryDirectory(prefix="partnernetz-import-") as tmp:
        path = Path(args.path)
        if path.is_file() and path.suffix.lower() == ".zip":  # a ZIP of CSV tables, as the page accepts it
            path = stage_upload([(path.name, path.read_bytes())], tmp, limit=max(path.stat().st_size, 1))
        preview = make_preview(ws, path, mode=args.mode, save=False, source=args.path)
    out = preview.to_dict()
    if args.dry_run or not preview.ok:
        if args.json:
            _print_json(out)
        else:
            print(preview.report.to_text())
            print(f"mode {preview.mode} against version {preview.base}: {_counts_text(preview.counts)}")
            for m in preview.merges:
                print(f"same institution: {m['from']} → {m['into']} ({m['by']})")
            if preview.kept:
                print("kept although missing from the source: " + ", ".join(f"{t} {n}" for t, n in preview.kept.items()))
        if not preview.ok and (preview.changes or not args.dry_run):
            return _fail(f"not published: {preview.blocked}")
        if not preview.ok and preview.report.tables and not any(c.accepted for c in preview.report.tables.values()):
            return _fail(f"not publishable: {preview.blocked}")
        return EXIT_OK
    version = publish_now(ws, preview, user=local_user(), message=args.message or f"Import {args.path}")
    if args.json:
        out["version"] = version.to_dict()
        _print_json(out)
    else:
        print(f"{ws.path}: version {version.id} ({_counts_text(version.counts)})")
        if not preview.report.ok:
            print(f"partnernetz: {len(preview.report.errors)} row(s) rejected; see `workspace import --dry-run`", file=sys.stderr)
    return _push(ws, version, args)


def _cmd_versions(ws, args) -> int:
    if getattr(args, "shared", False):
        return _shared_versions(args)
    versions = ws.versions()
    if args.json:
        _print_json({"workspace": str(ws.path), "head": ws.head(), "versions": [v.to_dict() for v in versions]})
        return EXIT_OK
    print(f"{ws.path}: {len(versions)} version(s)")
    for v in versions:
        print(f"{v.id:>4}  {v.time}  {v.kind:<7} {v.user:<16} {v.message}")
        print(f"      {_counts_text(v.counts)}")
    return EXIT_OK


def _shared_versions(args) -> int:
    from graph.core.errors import StoreError
    from loaders.workspace.shared_history import shared_versions

    if _open_store is None:
        return _fail("--shared needs the Neo4j options (query mode)")
    try:
        with _open_store(args) as store:
            history = shared_versions(store)
    except StoreError as exc:
        return _fail(str(exc), EXIT_STORE)
    if args.json:
        _print_json({"shared": True, "versions": [h.to_dict() for h in history]})
        return EXIT_OK
    print(f"shared history in Neo4j: {len(history)} version(s)")
    for h in history:
        print(f"{h.seq:>4}  {h.time}  {h.kind:<7} {h.user:<16} {h.message}")
        print(f"      {h.summary or 'no changes'}  ({h.instance}, version {h.workspace_version})")
    return EXIT_OK


def _cmd_diff(ws, args) -> int:
    from loaders.workspace import diff_versions, summarise

    changes = diff_versions(ws, args.a, args.b)
    if args.json:
        _print_json({"from": args.a, "to": args.b, "counts": summarise(changes), "changes": [c.to_dict() for c in changes]})
        return EXIT_OK
    print(f"version {args.a} → {args.b}: {_counts_text(summarise(changes))}")
    for c in changes:
        sign = {"insert": "+", "update": "~", "delete": "−"}[c.op]
        print(f"{sign} {c.table} {c.key}")
        if c.op == "update":
            for col, before, after in c.fields():
                print(f"    {col}: {before!r} → {after!r}")
    return EXIT_OK


def _cmd_revert(ws, args) -> int:
    from loaders.workspace import revert
    from loaders.workspace.location import local_user

    version = revert(ws, args.n, user=local_user(), message=args.message)
    print(f"{ws.path}: version {version.id} = data of version {args.n} ({_counts_text(version.counts)})")
    if version.kept_erased:
        print(f"{ws.path}: erased persons stay erased: not brought back: {', '.join(version.kept_erased)}")
    return _push(ws, version, args)


def _cmd_export(ws, args) -> int:
    from loaders import egress
    from loaders.workspace import WorkspacePayload
    from loaders.workspace.location import local_user

    # the full backup holds every contact (rule "all"); the plain export those with consent
    payload = WorkspacePayload(ws, args.version, args.format,
                               what="workspace export version {version}" + (" (full backup)" if args.full else ""))
    released = egress.release(payload, user=local_user(), audit=args.audit_log,
                              rule="all" if args.full else "masked", target=str(args.out))
    written = egress.write_released(released, args.out)
    print(written[0])
    if payload.manifest.partial:
        print(f"partnernetz: partial export ({', '.join(payload.manifest.omitted)} left out; marked in the manifest)", file=sys.stderr)
    print(f"partnernetz: {len(released.contact_ids)} contact(s) exported; recorded in {args.audit_log}", file=sys.stderr)
    return EXIT_OK


_COMMANDS = {"import": _cmd_import, "versions": _cmd_versions, "diff": _cmd_diff, "revert": _cmd_revert,
             "export": _cmd_export}
