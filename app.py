"""Partnernetz entry point: wires settings, loaders, store and dashboard.

    python app.py                      # serve the bundled sample on 127.0.0.1:8050
    python app.py serve --data DIR     # serve another dataset
    python app.py check PATH [--json]  # load report; exit 0 ok, 1 errors, 2 not a dataset
    python app.py export PATH --format graphml|gexf|csv --out FILE_OR_DIR
    python app.py hash-password        # hash for PARTNERNETZ_PASSWORD_HASH
    python app.py match --project ID [--top N] [--json]   # also --country ISO3 --theme T, --institution ID
    python app.py generate --nodes N --seed S --out DIR   # synthetic dataset for scale tests
    python app.py neo4j push DATA --uri bolt://host:7687 [--user U --password-env VAR ...]
    python app.py neo4j pull --uri bolt://host:7687 --out DIR   # exit 4 store error, 5 last push incomplete
    python app.py user add NAME --role reader|planner|editor|admin   # also passwd, role, disable, list, token
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

if TYPE_CHECKING:
    from graph.core.model import PartnerGraph

EXIT_OK, EXIT_ERRORS, EXIT_NOT_A_DATASET, EXIT_REFUSED, EXIT_STORE = 0, 1, 2, 3, 4
#: ``neo4j pull`` read the data of a push that did not complete (tables written, data mixed).
EXIT_INCOMPLETE = 5


def _fail(message: str, code: int = EXIT_NOT_A_DATASET) -> int:
    print(f"partnernetz: {message}", file=sys.stderr)
    return code


# ----------------------------------------------------------------- serve
def _add_serve(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve the dashboard (default: bundled sample on 127.0.0.1:8050)")
    p.add_argument("--data", action="append", metavar="PATH",
                   help="dataset: folder of CSV files, .xlsx or IATI activity .xml (repeat to merge several); default: the bundled sample")
    p.add_argument("--workspace", metavar="PATH", default=None,
                   help="serve the workspace file PATH (created from the bundled sample when missing); without --data "
                        "and with $PARTNERNETZ_WORKSPACE set, that one. Uploads on the Daten page publish into it and "
                        "every serving process switches to a new version without restart")
    p.add_argument("--default-workspace", action="store_true", help=argparse.SUPPRESS)  # `python app.py` alone
    p.add_argument("--upload-limit", type=float, default=float(os.environ.get("PARTNERNETZ_UPLOAD_LIMIT_MB", "50")),
                   metavar="MB", help="largest upload on the Daten page in MB (default 50, env PARTNERNETZ_UPLOAD_LIMIT_MB)")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1, loopback only)")
    p.add_argument("--port", type=int, default=8050, help="port (default 8050)")
    p.add_argument("--debug", action="store_true", help="Dash debug mode (development only)")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="serve with N worker processes (gunicorn; the dataset is loaded and indexed once and "
                        "shared copy-on-write; Unix only). Default 1: one process (Flask's threaded server)")
    p.add_argument("--no-contacts", action="store_true",
                   help="serve without any personal data: contact nodes are dropped before the app sees them")
    p.add_argument("--audit-log", metavar="FILE", default=os.environ.get("PARTNERNETZ_AUDIT_LOG", "partnernetz-audit.jsonl"),
                   help="JSON-lines audit log of personal-data exports (default partnernetz-audit.jsonl, or $PARTNERNETZ_AUDIT_LOG)")
    p.add_argument("--accounts", metavar="WORKSPACE", default=os.environ.get("PARTNERNETZ_ACCOUNTS") or None,
                   help="with --data or --neo4j-uri: the workspace file holding the users and the audit table "
                        "(env PARTNERNETZ_ACCOUNTS); a served workspace holds its own")
    p.add_argument("--idle-minutes", type=float, default=float(os.environ.get("PARTNERNETZ_IDLE_MINUTES", "30")),
                   metavar="MIN", help="a login session ends after MIN minutes without a request (default 30)")
    _add_neo4j_options(p, prefix="neo4j-", batch_size=False)
    p.add_argument("--neo4j-refresh", dest="neo4j_refresh", type=float,
                   default=float(os.environ.get("NEO4J_REFRESH", "15")), metavar="SECONDS",
                   help="query mode: check Neo4j for changed data at most every SECONDS (default 15, env NEO4J_REFRESH); "
                        "whole-graph pages then get a fresh snapshot")
    p.add_argument("--neo4j-retry", dest="neo4j_retry", type=float,
                   default=float(os.environ.get("NEO4J_RETRY", "15")), metavar="SECONDS",
                   help="query mode: while Neo4j is unreachable, check again at most every SECONDS and switch back "
                        "when it answers (default 15, env NEO4J_RETRY)")
    p.add_argument("--neo4j-query-timeout", dest="neo4j_query_timeout", type=float,
                   default=float(os.environ.get("NEO4J_QUERY_TIMEOUT", "30")), metavar="SECONDS",
                   help="query mode: one read may run at most SECONDS on the server (its transaction timeout); "
                        "a slower one counts as Neo4j not answering: the banner says 'timed out' and the last "
                        "loaded data answer (default 30, env NEO4J_QUERY_TIMEOUT)")
    p.add_argument("--neo4j-snapshot", dest="neo4j_snapshot", choices=("warm", "lazy", "off"),
                   default=os.environ.get("NEO4J_SNAPSHOT", "warm"),
                   help="query mode: pull the whole graph for the whole-graph pages (Matchmaking, Kontakte, Analysen, "
                        "Daten) at start-up in the background (warm, default), on their first use (lazy) or never "
                        "(off: those pages show a notice; env NEO4J_SNAPSHOT)")
    p.set_defaults(func=cmd_serve)


def _report_without_contacts(report):
    """A copy of the load report without findings from contact or attendance
    rows (their values can be personal data)."""
    from loaders.report import without_contact_findings

    return without_contact_findings(report)


def cmd_serve(args: argparse.Namespace) -> int:
    from dashboard.app import create_app, warm_up
    from dashboard.auth import AuthConfig, AuthConfigError, UnsafeBinding, require_safe_binding
    from dashboard.settings import Settings
    from graph.core.errors import LoadError
    from graph.people.privacy import has_contacts, mask_unconsented, without_contacts
    from dashboard.context import CONFIG_KEY
    from loaders import SAMPLE_PATH, kept, load

    try:
        auth = AuthConfig.from_env(os.environ)
    except AuthConfigError as exc:
        return _fail(str(exc), EXIT_REFUSED)
    if args.workers < 1:
        return _fail("--workers must be 1 or more", EXIT_REFUSED)
    if args.workers > 1 and args.neo4j_uri:
        # a driver's connection pool must not be shared by forked processes
        return _fail("--workers > 1 cannot be combined with --neo4j-uri (the Neo4j connection cannot be shared "
                     "across worker processes); serve query mode with one worker", EXIT_REFUSED)
    if args.workers > 1 and args.debug:
        return _fail("--workers > 1 cannot be combined with --debug (debug mode needs the development server)",
                     EXIT_REFUSED)
    paths = tuple(args.data or ())
    if args.data and args.workspace:
        return _fail("--data serves files read-only; --workspace serves a workspace: choose one", EXIT_REFUSED)
    # a build kept from an earlier start on the same data and code (loaders/kept.py): per file
    # content, or per workspace version (not in query mode: Neo4j's data are not versioned here)
    keep_in = kept.kept_dir() if not args.neo4j_uri else None
    options = {"no_contacts": bool(args.no_contacts)}
    # query mode serves a workspace only when asked (--workspace): publishes then go to Neo4j too
    workspace = (_serve_workspace(args, keep_in, options) if not paths and (not args.neo4j_uri or args.workspace)
                 else None)
    if isinstance(workspace, int):
        return workspace

    def served(graph, report):
        # In query mode the local dataset is the fallback; the same privacy rules apply to both.
        if args.no_contacts:
            return without_contacts(graph), _report_without_contacts(report)
        mask_unconsented(graph)  # no page ever sees a name without consent
        return graph, report

    if workspace is not None:
        version, result, restored = workspace[1], workspace[2], workspace[3]
        keep_key = kept.workspace_key(workspace[0], version, **options) if keep_in is not None else None
    else:
        keep_key = kept.dataset_key(paths, **options) if keep_in is not None and paths else None
        restored = kept.restore(keep_in, keep_key) if keep_key else None
        if restored is None and keep_key:
            kept.discard(keep_in, origin=kept.origin_of(paths))  # builds of these files' former content
    if restored is not None:
        graph, report = restored.graph, restored.report
        # millions of long-lived objects just arrived: out of the collector's reach, or every
        # collection while the app is built walks them all (create_app 1.5 s instead of 4.9 s at 100k)
        import gc

        gc.freeze()
        print(f"Partnernetz: kept build restored ({keep_in})", flush=True)
    else:
        try:
            if workspace is None:
                result = load(*paths) if paths else load(SAMPLE_PATH)
        except LoadError as exc:
            return _fail(str(exc))
        graph, report = served(result.graph, result.report)
    if not report.ok:
        print(f"partnernetz: {len(report.errors)} row(s) rejected while loading; see the Daten page or `check`", file=sys.stderr)
    store = _query_store(args, graph) if args.neo4j_uri else None
    # In query mode the served data are Neo4j's, which may hold contacts now or
    # later (written after start, or once a store that fell back recovers):
    # only --no-contacts (the store hides them) makes the binding safe.
    personal = has_contacts(graph) or (store is not None and not args.no_contacts)
    access = _access_config(args, workspace, auth)
    if isinstance(access, int):
        return access
    users = access.accounts.count_active() if access.accounts is not None else 0
    try:
        require_safe_binding(args.host, has_contacts=personal, auth=auth, users=users)
    except UnsafeBinding as exc:
        return _fail(str(exc), EXIT_REFUSED)
    settings = Settings(host=args.host, port=args.port, data_paths=paths,
                        is_sample=not paths and store is None and workspace is None,
                        debug=args.debug, no_contacts=args.no_contacts, audit_log=args.audit_log,
                        workspace=str(workspace[0]) if workspace is not None else None,
                        upload_limit=int(args.upload_limit * 1024 * 1024))
    if store is not None and not args.no_contacts:
        _restrictable(args, store, graph)
    app = create_app(graph, settings, report=report, store=store, access=access)
    if keep_in is not None and len(graph) >= kept.min_nodes():
        _keep_layouts(keep_in)
    if workspace is not None and store is None:  # query mode: the store answers, a publish pushes to it
        _install_live_workspace(app, workspace[0], version, served, keep_in)
    if restored is not None:  # each index is read from disk when first asked for (warm-up or a request)
        app.server.config[CONFIG_KEY].seed_lazily(restored.loaders())
    # per-dataset indexes of every page (in query mode: the snapshot; from a kept build: read from disk), in
    # the background; one process: once the server listens, so `/` answers without waiting for the GIL
    warming = warm_up(app) if args.workers > 1 else _warm_up_once_serving(app, args.host, args.port, warm_up)
    keeping = None
    if restored is None and keep_key and len(graph) >= kept.min_nodes():
        keeping = _keep_when_warm(app, warming, keep_in, keep_key, graph, report,
                                  kept.origin_of([workspace[0]] if workspace is not None else paths))
    if args.workers > 1:
        # every index is built (and frozen out of the garbage collector)
        # before the fork, so the workers share one copy of them
        warming.join()
        if keeping is not None:
            keeping.join()  # no thread may be pickling while gunicorn forks
            if keeping.kept and not os.environ.get(RESTARTED_FROM_KEPT):
                _restart_from_kept()
    if store is None:
        shown = str(graph) if workspace is None else f"workspace {workspace[0]}, version {version}; {graph}"
    elif store.notice is None:
        shown = f"store: neo4j {store.primary.uri}; fallback {graph}"
    else:
        shown = f"store: memory, Neo4j unavailable; {graph}"
    print(f"Partnernetz: http://{args.host}:{args.port}/  ({shown}; "
          f"{'no contacts' if args.no_contacts else 'contacts loaded'}; "
          f"auth: {access.describe()}"
          f"{f'; {args.workers} worker processes' if args.workers > 1 else ''})", flush=True)
    if args.workers > 1:
        return _serve_workers(app.server, host=args.host, port=args.port, workers=args.workers)
    app.run(host=args.host, port=args.port, debug=args.debug)
    return EXIT_OK


def _warm_up_once_serving(app, host: str, port: int, warm_up, wait: float = 30.0):
    """A thread that runs ``warm_up(app)`` once ``host:port`` accepts connections
    (at most ``wait`` seconds later) and ends with it."""
    import socket
    import threading
    import time

    def run() -> None:
        target = "127.0.0.1" if host in ("", "0.0.0.0") else "::1" if host == "::" else host
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((target, port), timeout=1):
                    break
            except OSError:
                time.sleep(0.05)
        warm_up(app).join()

    thread = threading.Thread(target=run, name="partnernetz-warm-up-start", daemon=True)
    thread.start()
    return thread


def _keep_layouts(folder) -> None:
    """Laid-out network views go to ``folder``/layouts.sqlite, read by every
    worker process and after a restart (see loaders/kept_layouts.py)."""
    from dashboard.elements import keep_layouts
    from loaders import kept
    from loaders.kept_layouts import FILE_NAME, KeptLayouts

    keep_layouts(KeptLayouts(Path(folder) / FILE_NAME, salt=kept.code_digest().encode()))


#: Set in the environment of a server that replaced itself by a start from its
#: just-kept build (:func:`_restart_from_kept`): it does so once, never again.
RESTARTED_FROM_KEPT = "PARTNERNETZ_RESTARTED_FROM_KEPT"


def _restart_from_kept() -> None:
    """Replace this process by the same command, which then starts from the
    build this first start just kept. Forked workers share the master's
    memory page by page, and a worker that touches an object copies its page:
    after loading files the master's heap is strewn with the loader's freed
    objects between the graph's, so every page a worker touches is a copied
    page of both; a restored build is packed (and its arrays are mapped), so
    the same requests copy less. Measured at 100k nodes with 2 workers and 20
    users: 2.14 GB PSS after a first start, 1.82 GB after a restart."""
    print("Partnernetz: restarting from the kept build (its workers share memory more compactly)", flush=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os.environ[RESTARTED_FROM_KEPT] = "1"
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])


#: Seconds between looks for newly built indexes to keep while the warm-up runs.
KEEP_POLL_S = 2.0


def _keep_when_warm(app, warming, folder, key, graph, report, origin=""):
    """Keep graph and report on disk at once, and each page's indexes as the
    warm-up builds them (a background thread; see loaders/kept.py): a
    pickler holds a memo of everything it wrote (~0.7 GB for the graph at
    300k nodes), so the graph is pickled while the process is smallest
    (before the warm-up) and each index before the next ones are built. The
    build is renamed into place once every page is warm."""
    import threading

    from dashboard.context import CONFIG_KEY
    from loaders import kept

    def run() -> None:
        pending = kept.begin(folder, key, graph, report=report, origin=origin)
        ctx = app.server.config[CONFIG_KEY]
        while warming.is_alive():  # each index as soon as it is built: its memo on top of fewer indexes
            warming.join(KEEP_POLL_S)
            if pending is not None and ctx.local_graph is graph:
                try:
                    pending.write(ctx.kept_entries())
                except OSError as exc:
                    print(f"partnernetz: could not keep the build in {folder}: {exc}", file=sys.stderr)
                    pending.abandon()
                    pending = None
        if ctx.local_graph is not graph:  # a newer version went live meanwhile: this one is not kept
            if pending is not None:
                pending.abandon()
            return
        if pending is None:  # the graph could not be written early (said on stderr): all of it now
            pending = kept.begin(folder, key, graph, report=report, origin=origin)
        if pending is not None and pending.finish(ctx.kept_entries()):
            if ctx.local_graph is not graph:  # a newer version went live while saving
                kept.discard(folder, origin=origin)
                return
            thread.kept = True
            print(f"Partnernetz: build kept for the next start ({folder})", flush=True)

    thread = threading.Thread(target=run, name="partnernetz-keep", daemon=True)
    thread.kept = False  # set once the build is on disk
    thread.start()
    return thread


def _access_config(args: argparse.Namespace, workspace, auth):
    """How the served app identifies users: the accounts and audit table of
    the served workspace (or of ``--accounts PATH`` when serving files or
    Neo4j), the JSON-lines audit file, and Basic/proxy auth from the
    environment. An exit code when the accounts file cannot be used."""
    from dashboard.access import AccessConfig
    from loaders.audit import AuditSink
    from loaders.workspace.accounts import AccountError, AccountStore
    from loaders.workspace.audit_trail import AuditTrail

    path = workspace[0] if workspace is not None else (args.accounts or None)
    accounts = trail = None
    if path is not None:
        if not Path(path).is_file():
            return _fail(f"{path}: no accounts file (create users with `python app.py user add NAME --role R --workspace {path}`)",
                         EXIT_REFUSED)
        try:
            accounts, trail = AccountStore(path), AuditTrail(path)
        except (AccountError, OSError) as exc:
            return _fail(str(exc), EXIT_REFUSED)
    from dashboard.auth import is_loopback
    from graph.people.roles import Role

    users = accounts.count_active() if accounts is not None else 0
    open_to_network = not is_loopback(args.host) and auth is None and not users
    return AccessConfig(accounts=accounts, audit=AuditSink(args.audit_log, trail), auth=auth,
                        idle_minutes=args.idle_minutes, no_contacts=args.no_contacts,
                        local_role=Role.READER if open_to_network else Role.ADMIN)


def _restrictable(args: argparse.Namespace, store, local) -> None:
    """Query mode: readers get a second Neo4j store opened with the contact
    rule ``none`` (Cypher leaves contacts out), behind a contact-free copy
    of the local fallback (see dashboard.context.restricted_view)."""
    from graph.core.errors import StoreError
    from graph.people.privacy import without_contacts
    from graph.store import FallbackStore, MemoryStore

    made: dict = {}

    def restricted(rule: str):
        if rule != "none":
            return None
        if "none" not in made:
            fallback = MemoryStore(without_contacts(local))
            try:
                remote = _open_store(args, contacts="none", refresh_interval=args.neo4j_refresh,
                                     snapshot_mode=args.neo4j_snapshot, query_timeout=args.neo4j_query_timeout)
                made["none"] = FallbackStore(remote, fallback, retry_interval=args.neo4j_retry)
            except StoreError as exc:
                made["none"] = FallbackStore(None, fallback, notice=str(exc))
        return made["none"]

    store.restricted = restricted


def _serve_workspace(args: argparse.Namespace, keep_in=None, options=None):
    """``(path, version, LoadResult, kept build)`` of the workspace to serve
    (the build kept for its head version in ``keep_in`` when there is one:
    then the LoadResult is None and nothing is loaded), None to serve files,
    or an exit code. The workspace is served with ``--workspace``,
    ``$PARTNERNETZ_WORKSPACE``, or by ``python app.py`` without a command."""
    from loaders import kept
    from loaders.workspace import WorkspaceError, load_workspace, open_or_create
    from loaders.workspace.location import ENV_VAR

    if not (args.workspace or args.default_workspace or os.environ.get(ENV_VAR)):
        return None
    restored = result = None
    try:
        ws, created = open_or_create(args.workspace)
        if keep_in is not None:
            version = ws.head()
            key = kept.workspace_key(ws.path, version, **(options or {}))
            restored = kept.restore(keep_in, key)
            if restored is None:
                kept.discard(keep_in, origin=kept.origin_of([ws.path]))  # builds of its other versions
        if restored is None:
            version, result = load_workspace(ws)
    except WorkspaceError as exc:
        return _fail(str(exc))
    print(f"Partnernetz: workspace {ws.path} (version {version}"
          f"{'; created from the bundled sample' if created else ''})", flush=True)
    return ws.path, version, result, restored


def _install_live_workspace(app, path: Path, version: int, served, keep_in=None) -> None:
    """Every serving process switches to a newly published version (see dashboard/live.py).
    The kept build of the version served before is deleted then (it may hold erased data)."""
    from dashboard.live import LiveData, install_live_data
    from loaders import kept
    from loaders.workspace import WorkspaceFile, load_workspace
    from loaders.workspace.live_update import updater
    from loaders.workspace.store import read_head

    def load_newest():
        kept.discard(keep_in, origin=kept.origin_of([path]))
        newest, result = load_workspace(WorkspaceFile(path))
        graph, report = served(result.graph, result.report)
        return newest, graph, report

    install_live_data(app, LiveData(app, version=version, head=lambda: read_head(path), load=load_newest,
                                    path=str(path), update=updater(path)))


def _serve_workers(server, *, host: str, port: int, workers: int) -> int:
    """Serve the (already built and warmed-up) Flask ``server`` with gunicorn:
    ``workers`` processes forked from this one, so the graph and its indexes
    are loaded once and shared copy-on-write. The auth hooks are part of
    ``server`` and run in every worker."""
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:  # not on Windows
        return _fail("--workers needs gunicorn (pip install gunicorn; Unix only)", EXIT_REFUSED)

    class _Gunicorn(BaseApplication):
        def load_config(self) -> None:
            for key, value in {
                "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                "workers": workers,
                "worker_class": "sync",  # the work is CPU-bound: one request per process at a time
                "timeout": 300,          # a first, uncached view of a large dataset may take long
                "graceful_timeout": 10,
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "warning",
                "proc_name": "partnernetz",
            }.items():
                self.cfg.set(key, value)

        def load(self):
            return server

    _Gunicorn().run()
    return EXIT_OK


def _query_store(args: argparse.Namespace, local: "PartnerGraph"):
    """Query mode: the Neo4j store (nothing is pulled at start-up; whole-graph
    pages pull a snapshot on first use) behind the in-memory ``local`` graph
    as fallback. Contacts follow the same rule as ``local``: hidden with
    ``--no-contacts``, else masked without consent. When Neo4j cannot be
    used, the store starts on the fallback with the cause as its notice."""
    from graph.core.errors import StoreError
    from graph.store import FallbackStore, MemoryStore

    fallback = MemoryStore(local)
    try:
        remote = _open_store(args, contacts="none" if args.no_contacts else "masked",
                             refresh_interval=args.neo4j_refresh, snapshot_mode=args.neo4j_snapshot,
                             query_timeout=args.neo4j_query_timeout)
    except StoreError as exc:
        print(f"partnernetz: {exc}; serving the local dataset instead", file=sys.stderr)
        return FallbackStore(None, fallback, notice=str(exc))
    store = FallbackStore(remote, fallback, retry_interval=args.neo4j_retry)
    try:
        remote.ping()
        counts = remote.counts_by_kind()
    except StoreError as exc:
        store.fail(str(exc))
        print(f"partnernetz: {exc}; serving the local dataset instead (retrying every {store.retry_interval:g} s)",
              file=sys.stderr)
        return store
    total = sum(counts.values())
    snapshot = ("whole-graph pages are off (--neo4j-snapshot off)" if remote.snapshot_mode == "off" else
                f"whole-graph pages use a snapshot ({remote.snapshot_mode}) checked for changes every "
                f"{remote.refresh_interval:g} s")
    print(f"Partnernetz: answering from {remote.uri} ({total} nodes; {snapshot})", flush=True)
    if not total:
        print(f"partnernetz: {remote.uri} holds no Partnernetz data; run `neo4j push` first", file=sys.stderr)
    return store


# ----------------------------------------------------------------- check
def _add_check(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="load a dataset and print its load report")
    p.add_argument("path", nargs="+", help="dataset(s): folder of CSV files, .xlsx, IATI activity .xml (several are merged)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    from graph.core.errors import LoadError
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
    p.add_argument("path", help="dataset: folder of CSV files, .xlsx or IATI activity .xml")
    p.add_argument("--format", required=True, choices=EXPORT_FORMATS)
    p.add_argument("--out", required=True, help="output file (graphml, gexf) or folder (csv)")
    p.add_argument("--no-contacts", action="store_true", help="leave out every contact (no personal data in the export)")
    p.add_argument("--audit-log", metavar="FILE", default=os.environ.get("PARTNERNETZ_AUDIT_LOG", "partnernetz-audit.jsonl"),
                   help="JSON-lines audit log that records exported contacts (default partnernetz-audit.jsonl)")
    p.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    import getpass

    from graph.core.errors import LoadError
    from loaders import egress, load

    try:
        result = load(args.path)
    except LoadError as exc:
        return _fail(str(exc))
    payload = egress.GraphPayload(result.graph, args.format, what=f"cli export {args.path}")
    out = Path(args.out)
    beside = out if out.is_dir() else out.parent  # rendered on the target's file system, then moved there
    beside.mkdir(parents=True, exist_ok=True)
    released = egress.release(payload, user=getpass.getuser(), audit=args.audit_log, into=beside,
                              rule=egress.rule_for(no_contacts=args.no_contacts), target=str(args.out))
    for path in egress.write_released(released, args.out, unpack=args.format == "csv"):
        print(path)
    if released.withheld and not args.no_contacts:
        print(f"partnernetz: {released.withheld} contact(s) without consent were left out", file=sys.stderr)
    print(f"partnernetz: {len(released.contact_ids)} contact(s) exported; recorded in {args.audit_log}", file=sys.stderr)
    if not result.report.ok:
        print(f"partnernetz: exported with {len(result.report.errors)} rejected row(s); run `check` for details", file=sys.stderr)
    return EXIT_OK


# --------------------------------------------------------- hash-password
def _add_hash_password(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("hash-password", help="print a password hash for PARTNERNETZ_PASSWORD_HASH")
    p.add_argument("--stdin", action="store_true", help="read the password from standard input instead of prompting")
    p.set_defaults(func=cmd_hash_password)


def cmd_hash_password(args: argparse.Namespace) -> int:
    import getpass

    from dashboard.auth import AuthConfigError, hash_password

    if args.stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Passwort / password: ")
        if getpass.getpass("Wiederholen / repeat: ") != password:
            return _fail("the passwords differ", EXIT_ERRORS)
    try:
        print(hash_password(password))
    except AuthConfigError as exc:
        return _fail(str(exc), EXIT_ERRORS)
    return EXIT_OK


# ----------------------------------------------------------------- match
def _add_match(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("match", help="rank institutions and Länder for a project, a partner country or an institution, with explanations")
    p.add_argument("--data", action="append", metavar="PATH", help="dataset (repeat to merge); default: the bundled sample")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--project", metavar="ID", help="project id (BLP-01 or project:BLP-01)")
    what.add_argument("--country", metavar="ISO3", help="partner country (ISO alpha-3, e.g. ETH)")
    what.add_argument("--institution", metavar="ID", help="institution id: who should meet it")
    p.add_argument("--theme", action="append", default=[], metavar="T", help="theme key for --country (repeat for several)")
    p.add_argument("--top", type=int, default=10, metavar="N", help="number of candidates (default 10)")
    p.add_argument("--weight", action="append", default=[], metavar="FACTOR=W",
                   help="factor weight, e.g. theme=3 (factors: theme, country, land, network, sector, recency)")
    p.add_argument("--no-diversity", action="store_true", help="do not cap candidates per Land and per sector")
    p.add_argument("--require-theme", action="store_true", help="list only candidates working on a target theme")
    p.add_argument("--require-country", action="store_true",
                   help="list only candidates with experience in the target country itself")
    p.add_argument("--lang", choices=("de", "en"), default="de", help="language of the explanations (default de)")
    p.add_argument("--json", action="store_true", help="print the ranking as JSON")
    p.set_defaults(func=cmd_match)


def cmd_match(args: argparse.Namespace) -> int:
    from graph.analysis import matchmaking as mm
    from graph.core.errors import LoadError, PartnernetzError
    from loaders import SAMPLE_PATH, load

    try:
        graph = (load(*args.data) if args.data else load(SAMPLE_PATH)).graph
    except LoadError as exc:
        return _fail(str(exc))
    weights: dict[str, float] = {}
    for item in args.weight:
        name, sep, value = item.partition("=")
        try:
            weights[name.strip()] = float(value)
        except ValueError:
            return _fail(f"--weight wants FACTOR=NUMBER, got {item!r}", EXIT_ERRORS)
    try:
        if args.project:
            target = mm.project_target(graph, args.project)
        elif args.country:
            target = mm.country_target(graph, args.country, args.theme)
        else:
            target = mm.institution_target(graph, args.institution)
        required = dict(require_theme=args.require_theme, require_country=args.require_country)
        ranking = mm.rank(graph, target, weights=weights, top=args.top, diversity=not args.no_diversity, **required)
        laender = (mm.rank_laender(graph, target, weights=weights, top=min(args.top, 16), **required)
                   if target.kind != "institution" else None)
    except PartnernetzError as exc:
        return _fail(str(exc), EXIT_ERRORS)
    if args.json:
        out = ranking.to_dict(graph)
        if laender is not None:
            out["laender"] = [c.to_dict(graph) for c in laender.candidates]
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(_format_ranking(graph, ranking, laender, args.lang))
    return EXIT_OK


def _format_ranking(graph, ranking, laender, lang: str) -> str:
    from graph.analysis.matchmaking import FACTOR_LABELS, FACTORS

    target = ranking.target
    title = graph.label(target.node, lang) if target.node else ""
    themes = ", ".join(graph.label(t, lang) for t in target.themes)
    lines = [f"{'Ziel' if lang == 'de' else 'Target'}: {title} ({target.node})" + (f" – {themes}" if themes else "")]

    def block(heading: str, candidates) -> None:
        lines.append("")
        lines.append(heading)
        if not candidates:
            lines.append("  –")
        for n, c in enumerate(candidates, 1):
            extra = " ".join(x for x in (c.land or "", c.sector or "") if x) if c.node.startswith("institution:") else ""
            lines.append(f"{n:>3}. {c.score:.3f}  {graph.label(c.node, lang)} ({c.node})" + (f"  [{extra}]" if extra else "")
                         + ("  (↓ Vielfalt)" if c.deferred and lang == "de" else "  (↓ diversity)" if c.deferred else ""))
            lines.append("       " + " · ".join(f"{FACTOR_LABELS[f][1 if lang == 'en' else 0]} {c.factors[f]:.2f}" for f in FACTORS))
            for ev in c.evidence:
                lines.append(f"       - {ev.text(lang)}  [{', '.join(ev.nodes)}]")

    block("Institutionen" if lang == "de" else "Institutions", ranking.candidates)
    if laender is not None:
        block("Länder" if lang == "de" else "Länder (federal states)", laender.candidates)
    return "\n".join(lines)


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


# ----------------------------------------------------------------- neo4j
def _add_neo4j_options(p: argparse.ArgumentParser, *, prefix: str = "", batch_size: bool = True) -> None:
    """Connection options (``prefix`` = "neo4j-" on ``serve``); defaults from the environment."""
    p.add_argument(f"--{prefix}uri", dest="neo4j_uri", default=None, required=False, metavar="URI",
                   help="Bolt URI, e.g. bolt://127.0.0.1:7687 or neo4j+s://xxxx.databases.neo4j.io (env NEO4J_URI)")
    p.add_argument(f"--{prefix}user", dest="neo4j_user", default=None, metavar="USER",
                   help="user name (env NEO4J_USER); without one the driver connects without authentication")
    p.add_argument(f"--{prefix}password-env", dest="neo4j_password_env", default="NEO4J_PASSWORD", metavar="VAR",
                   help="name of the environment variable holding the password (default NEO4J_PASSWORD)")
    p.add_argument(f"--{prefix}database", dest="neo4j_database", default=None, metavar="DB",
                   help="database name (env NEO4J_DATABASE; default: the server's default database)")
    if batch_size:
        p.add_argument(f"--{prefix}batch-size", dest="neo4j_batch_size", type=int, default=None, metavar="N",
                       help="rows per UNWIND statement (default 1000; falkordb 200, further cut to its 4 KB statement limit)")
    p.add_argument(f"--{prefix}dialect", dest="neo4j_dialect", default=None, choices=("neo4j", "falkordb"),
                   help="Cypher dialect of the server (env NEO4J_DIALECT; default neo4j)")
    p.add_argument(f"--{prefix}timeout", dest="neo4j_timeout", type=float, default=10.0, metavar="SECONDS",
                   help="connection timeout in seconds (default 10)")


def _open_store(args: argparse.Namespace, **store_options):
    """A store from the options and the NEO4J_* environment (raises StoreError);
    ``store_options`` go to :func:`graph.store.neo4j.connect`."""
    from graph.core.errors import StoreUnavailable
    from graph.store.neo4j import connect

    uri = args.neo4j_uri or os.environ.get("NEO4J_URI")
    if not uri:
        raise StoreUnavailable("no Neo4j URI: pass --uri or set NEO4J_URI")
    user = args.neo4j_user or os.environ.get("NEO4J_USER") or None
    password = os.environ.get(args.neo4j_password_env or "NEO4J_PASSWORD") if user else None
    return connect(uri, user=user, password=password,
                   database=args.neo4j_database or os.environ.get("NEO4J_DATABASE") or None,
                   dialect=args.neo4j_dialect or os.environ.get("NEO4J_DIALECT") or None,
                   batch_size=getattr(args, "neo4j_batch_size", None), timeout=args.neo4j_timeout, **store_options)


def _add_neo4j(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("neo4j", help="push a dataset's graph to Neo4j, or pull it back into canonical CSV tables")
    actions = p.add_subparsers(dest="neo4j_command", metavar="ACTION", required=True)
    push = actions.add_parser("push", help="write the graph to Neo4j (idempotent; removes what an earlier push wrote and DATA no longer holds)")
    push.add_argument("data", nargs="+", metavar="DATA", help="dataset(s): folder of CSV files, .xlsx")
    pull = actions.add_parser("pull", help="read the graph back from Neo4j and write the canonical CSV tables")
    pull.add_argument("--out", required=True, metavar="DIR", help="folder for the CSV tables")
    for q in (push, pull):
        _add_neo4j_options(q)
        q.add_argument("--no-progress", action="store_true", help="no progress bar")
        q.add_argument("--no-contacts", action="store_true",
                       help="leave out every contact (push: none are written, and earlier pushed ones are removed; pull: none are written to DIR)")
        q.add_argument("--audit-log", metavar="FILE",
                       default=os.environ.get("PARTNERNETZ_AUDIT_LOG", "partnernetz-audit.jsonl"),
                       help="JSON-lines audit log recording the contacts written (default partnernetz-audit.jsonl, or $PARTNERNETZ_AUDIT_LOG)")
    p.set_defaults(func=cmd_neo4j)


def _cli_audit_sink(audit_log: str):
    """The audit sinks of a command: the JSON-lines file, plus the audit
    table of the workspace ($PARTNERNETZ_WORKSPACE or the default one) when it exists."""
    from loaders.audit import AuditSink
    from loaders.workspace.audit_trail import AuditTrail
    from loaders.workspace.location import resolve_path

    trail = None
    path = resolve_path(None)
    if path.is_file():
        try:
            trail = AuditTrail(path)
        except Exception as exc:  # an unusable workspace must not stop the command; the file sink stays
            print(f"partnernetz: audit table in {path} not usable ({exc}); recording in {audit_log} only", file=sys.stderr)
    return AuditSink(audit_log, trail)


def _progress_bar(args: argparse.Namespace, desc: str):
    from tqdm import tqdm

    return tqdm(total=0, desc=desc, unit="rows", file=sys.stderr, disable=args.no_progress, leave=False)


def cmd_neo4j(args: argparse.Namespace) -> int:
    import getpass

    from graph.core.errors import LoadError, StoreError
    from loaders import egress

    # Neo4j is the owner's own store (query mode masks contacts without consent when it reads them):
    # push and pull copy every contact, unless --no-contacts; every one is recorded
    rule = egress.rule_for(no_contacts=args.no_contacts, user_rule="all")
    try:
        store = _open_store(args)
    except StoreError as exc:
        return _fail(str(exc), EXIT_STORE)
    try:
        with store:
            store.ping()  # fail with one clear message before any progress bar appears
            if args.neo4j_command == "push":
                from loaders import load

                try:
                    result = load(*args.data)
                except LoadError as exc:
                    return _fail(str(exc))
                if not result.report.ok:
                    print(f"partnernetz: pushing without {len(result.report.errors)} rejected row(s); run `check` for details", file=sys.stderr)
                before = store.push_status()
                if before is not None and before.interrupted:
                    print(f"partnernetz: the last push to {store.uri} (started {before.started_at}) did not "
                          "complete; this push repairs it", file=sys.stderr)
                # every contact pushed (none with --no-contacts) is recorded before the push
                # starts, and the outcome after it: completed, failed or interrupted (Ctrl-C, SIGTERM)
                payload = egress.GraphPayload(result.graph, "neo4j", what=f"neo4j push {' '.join(args.data)} to {store.uri}")
                with egress.transfer(payload, user=getpass.getuser(), audit=_cli_audit_sink(args.audit_log), rule=rule,
                                     target=store.uri) as decision:
                    with _progress_bar(args, "push") as bar:
                        pushed = store.push(payload.restricted(decision), progress=bar)
                print(f"partnernetz: {len(decision.allowed)} contact(s) written; recorded in {args.audit_log}", file=sys.stderr)
                print(f"pushed {pushed.nodes} nodes and {pushed.edges} relationships to {store.uri} "
                      f"in {pushed.seconds:.2f} s ({pushed.rows_per_second:,.0f} rows/s); "
                      f"removed {pushed.deleted_nodes} stale nodes and {pushed.deleted_edges} stale relationships; "
                      f"id index: {pushed.index}")
            else:
                with _progress_bar(args, "pull") as bar:
                    pulled = store.pull(progress=bar)
                for problem in pulled.problems:
                    print(f"partnernetz: skipped {problem}", file=sys.stderr)
                payload = egress.GraphPayload(pulled.graph, "csv", what=f"neo4j pull from {store.uri} to {args.out}")
                with egress.transfer(payload, user=getpass.getuser(), audit=_cli_audit_sink(args.audit_log), rule=rule,
                                     target=str(args.out)) as decision:
                    released = egress.Released(*payload.render(decision), tuple(sorted(decision.allowed)),
                                               len(decision.withheld), None)
                    written = egress.write_released(released, args.out, unpack=True)
                print(f"partnernetz: {len(decision.allowed)} contact(s) written; recorded in {args.audit_log}", file=sys.stderr)
                print(f"pulled {pulled.nodes} nodes and {pulled.edges} relationships from {store.uri} "
                      f"in {pulled.seconds:.2f} s ({pulled.rows_per_second:,.0f} rows/s); "
                      f"wrote {len(written)} tables to {args.out}")
                status = store.push_status()
                if status is not None and status.interrupted:
                    print(f"partnernetz: WARNING: the last push to {store.uri} (started {status.started_at}) did not "
                          "complete: the pulled data are partly old, partly new. Push again to repair, then pull.",
                          file=sys.stderr)
                    return EXIT_INCOMPLETE
    except StoreError as exc:
        return _fail(str(exc), EXIT_STORE)
    return EXIT_OK


def _add_workspace(sub: argparse._SubParsersAction) -> None:
    from loaders.workspace.cli import add_parser

    # query mode: the Neo4j options and connection are the ones `neo4j` and `serve` use
    add_parser(sub, neo4j_options=lambda p: _add_neo4j_options(p, prefix="neo4j-", batch_size=False),
               open_store=_open_store)


def _add_user(sub: argparse._SubParsersAction) -> None:
    from loaders.workspace.users_cli import add_parser

    add_parser(sub)


#: Subcommands; further issues add theirs here.
SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_serve, _add_check, _add_export, _add_match, _add_generate, _add_neo4j, _add_hash_password, _add_workspace, _add_user,
]


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
        argv = ["serve", "--default-workspace", *argv]  # `python app.py`: the default workspace
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
