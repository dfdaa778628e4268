"""The one gate every export passes: what may leave, and the audit record before it does.

Every download button of the dashboard and every CLI command that writes or
pushes data hands its *payload* to :func:`release` (bytes for the user) or
:func:`transfer` (a write into another system, e.g. ``neo4j push``). The gate

1. asks the payload which contacts (personal data) it could carry and
   whether each has consent (:meth:`Payload.contacts`);
2. decides which of them may leave under the requesting user's *contact
   rule* (:func:`decide`): ``"masked"`` — only contacts with consent (the
   default; what the dashboard serves), ``"none"`` — no contact at all
   (``--no-contacts``, or a role without access to personal data),
   ``"all"`` — every contact (only a full backup by the data owner);
3. lets the payload build its bytes from the allowed contacts only
   (:meth:`Payload.render`);
4. writes the audit record (who, when, what, format, rule, the contact ids
   released, how many were withheld, outcome) *before* the bytes are handed
   back, so nothing leaves without a trace. :func:`transfer` records
   ``started`` before the write and ``completed``, ``failed`` or
   ``interrupted`` after it.

Every egress is recorded, also one without contacts (``rows`` 0): the log
shows every file that left. Ids only: the log itself holds no names.

A payload that names persons explicitly (a guest list, a picture showing
names) is *strict*: when one of its persons may not leave, the whole export
is refused with :class:`~graph.people.privacy.PrivacyError` (a person cannot
be cut out of a list the user chose, or out of a picture).

``audit`` is a path of the JSON-lines log (:func:`loaders.audit.audit_export`)
or any callable taking the same keyword arguments (``user``, ``what``,
``fmt``, ``contact_ids`` and extra fields), e.g. a workspace audit table.

>>> import tempfile, pathlib
>>> from graph.core.model import PartnerGraph
>>> from loaders.audit import read_audit
>>> g = PartnerGraph(with_laender=False)
>>> _ = g.add_node("contact", "c1", label="Erika", consent=True, illustrative=True)
>>> _ = g.add_node("contact", "c2", label="Kontakt ohne Einwilligung", consent=False, illustrative=True)
>>> log = pathlib.Path(tempfile.mkdtemp()) / "audit.jsonl"
>>> out = release(GraphPayload(g, "graphml"), user="anna", audit=log)
>>> out.filename, out.contact_ids, out.withheld, b"Erika" in out.content, b"c2" in out.content
('partnernetz.graphml', ('contact:c1',), 1, True, False)
>>> [(r["what"], r["rule"], r["contact_ids"], r["outcome"]) for r in read_audit(log)]
[('graph download', 'masked', ['contact:c1'], 'released')]
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, Mapping, Protocol, Sequence

from graph.core.kinds import NodeKind
from graph.core.model import PartnerGraph
from graph.people.privacy import PrivacyError, has_consent

__all__ = ["RULES", "DEFAULT_RULE", "Decision", "Payload", "Released", "decide", "release", "transfer",
           "rule_for", "GraphPayload", "ContactListPayload", "StaticPayload",
           "restrict_graph", "write_released", "contacts_named", "graph_contacts"]

#: Contact rules, least to most revealing (the same names as the store's rules).
RULES = ("none", "masked", "all")
DEFAULT_RULE = "masked"


def rule_for(*, no_contacts: bool = False, user_rule: str = DEFAULT_RULE) -> str:
    """The rule for one export: the stricter of the user's rule and the
    server's or command's ``--no-contacts``.

    >>> rule_for(no_contacts=True, user_rule="all"), rule_for(user_rule="masked")
    ('none', 'masked')
    """
    _check_rule(user_rule)
    return "none" if no_contacts else user_rule


def _check_rule(rule: str) -> None:
    if rule not in RULES:
        raise ValueError(f"unknown contact rule {rule!r} (rules: {', '.join(RULES)})")


@dataclass(frozen=True)
class Decision:
    """What the gate decided for one payload: the contacts that may leave
    and those that may not (both as node ids, e.g. ``contact:c1``)."""

    rule: str
    allowed: frozenset[str]
    withheld: frozenset[str]

    def may_leave(self, contact_id: str) -> bool:
        return contact_id in self.allowed


class Payload(Protocol):
    """What an export hands the gate."""

    #: What is exported, for the audit record (``"graph download"``, ``"guest list"`` …).
    what: str
    #: File format (``csv``, ``xlsx``, ``graphml``, ``png`` …).
    fmt: str
    #: Refuse the whole export when any of its contacts may not leave.
    strict: bool

    def contacts(self) -> Mapping[str, bool]:
        """Every contact the payload could carry: node id -> has consent."""

    def render(self, decision: Decision) -> tuple[bytes, str]:
        """The bytes and file name, holding no contact outside ``decision.allowed``."""


@dataclass(frozen=True)
class Released:
    """The bytes that may leave, their file name, the contacts they carry and
    the audit record written for them. A payload rendered into a folder
    (``release(…, into=folder)``) leaves as ``file``, a file in that folder
    that the caller moves on or removes; ``content`` is then empty."""

    content: bytes
    filename: str
    contact_ids: tuple[str, ...]
    withheld: int
    record: dict[str, Any] | None
    file: Path | None = None


def decide(contacts: Mapping[str, bool], rule: str = DEFAULT_RULE) -> Decision:
    """Which of ``contacts`` (id -> has consent) may leave under ``rule``.

    >>> d = decide({"contact:a": True, "contact:b": False})
    >>> sorted(d.allowed), sorted(d.withheld)
    (['contact:a'], ['contact:b'])
    >>> sorted(decide({"contact:a": True}, "none").withheld)
    ['contact:a']
    """
    _check_rule(rule)
    if rule == "all":
        allowed = set(contacts)
    elif rule == "masked":
        allowed = {c for c, consent in contacts.items() if consent is True}
    else:
        allowed = set()
    return Decision(rule, frozenset(allowed), frozenset(set(contacts) - allowed))


def _record(audit, *, user: str, what: str, fmt: str, contact_ids: Sequence[str], rule: str, outcome: str,
            withheld: int, **context: Any) -> dict[str, Any] | None:
    """Write one audit record (the only place the gate writes one)."""
    if audit is None:
        return None
    fields = dict(user=user, what=what, fmt=fmt, contact_ids=list(contact_ids), rule=rule, outcome=outcome,
                  withheld=withheld, **{k: v for k, v in context.items() if v is not None})
    if callable(audit):
        return audit(**fields)
    from loaders.audit import audit_export

    return audit_export(audit, **fields)


def _refuse_if_strict(payload: Payload, decision: Decision) -> None:
    if getattr(payload, "strict", False) and decision.withheld:
        shown = ", ".join(sorted(decision.withheld)[:5])
        raise PrivacyError(f"{len(decision.withheld)} contact(s) may not leave under the rule "
                           f"'{decision.rule}' ({shown}); nothing was exported")


def release(payload: Payload, *, user: str, audit, rule: str = DEFAULT_RULE, into: str | Path | None = None,
            **context: Any) -> Released:
    """Decide, build, audit: the bytes of ``payload`` that may leave.

    ``user`` is who asks; ``rule`` their contact rule (see :func:`rule_for`);
    ``audit`` the log (path or callable; ``None`` only in tests that check
    no log); ``context`` extra fields for the record (``dataset``,
    ``target`` …). Raises :class:`PrivacyError` for a strict payload with a
    contact that may not leave (nothing is recorded then: nothing left).
    With ``into`` (a folder), a payload that can render into a file
    (``render_file``: a whole graph, hundreds of megabytes at 300k nodes)
    is written there and never held in memory (:attr:`Released.file`).
    """
    decision = decide(payload.contacts(), rule)
    _refuse_if_strict(payload, decision)
    file = None
    if into is not None and hasattr(payload, "render_file"):
        file, filename = payload.render_file(decision, Path(into))
        content = b""
    else:
        content, filename = payload.render(decision)
    ids = tuple(sorted(decision.allowed))
    try:
        record = _record(audit, user=user, what=payload.what, fmt=payload.fmt, contact_ids=ids, rule=rule,
                         outcome="released", withheld=len(decision.withheld), **context)
    except BaseException:
        if file is not None:  # not audited: it does not leave
            file.unlink(missing_ok=True)
        raise
    return Released(content, filename, ids, len(decision.withheld), record, file)


@contextlib.contextmanager
def transfer(payload: Payload, *, user: str, audit, rule: str = DEFAULT_RULE, **context: Any) -> Iterator[Decision]:
    """Audit a write into another system (``neo4j push``, ``pull``): the record
    ``started`` (with the contact ids about to be written) before the body
    runs, then ``completed``, ``failed`` (with the error) or ``interrupted``
    (Ctrl-C, or SIGTERM, turned into ``SystemExit`` while the body runs).

    The body writes only what the yielded :class:`Decision` allows (for a
    graph: :func:`restrict_graph`).
    """
    decision = decide(payload.contacts(), rule)
    _refuse_if_strict(payload, decision)
    ids = tuple(sorted(decision.allowed))
    common = dict(user=user, what=payload.what, fmt=payload.fmt, contact_ids=ids, rule=rule,
                  withheld=len(decision.withheld), **context)
    _record(audit, outcome="started", **common)
    try:
        with _terminate_as_exit():
            yield decision
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        _record(audit, outcome="interrupted", **common)
        raise
    except BaseException as exc:
        _record(audit, outcome="failed", error=f"{type(exc).__name__}: {str(exc)[:300]}", **common)
        raise
    _record(audit, outcome="completed", **common)


@contextlib.contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """While a transfer runs, SIGTERM (``kill``, a stopping service) ends the
    process through ``SystemExit`` so that the outcome ``interrupted`` is
    recorded; only in the main thread (where Python handles signals). A
    ``kill -9`` cannot be caught: then the ``started`` record is the trace."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        yield
        return

    def stop(signum, _frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# ------------------------------------------------------------------ payloads
def graph_contacts(graph: PartnerGraph) -> dict[str, bool]:
    """Every contact of ``graph`` -> has consent."""
    return {n: has_consent(graph.nx.nodes[n]) for n in graph.nodes(NodeKind.CONTACT)}


def restrict_graph(graph: PartnerGraph, decision: Decision) -> PartnerGraph:
    """``graph`` without the contacts ``decision`` withholds (with their
    edges); ``graph`` itself when nothing is withheld. A read-only view of
    ``graph``, not a copy: at 300k nodes a copy of the graph for a download
    (kept for the next one) took ~2.5 GB beside the served graph.

    >>> g = PartnerGraph()
    >>> g.add_node("contact", "c1", label="A", consent=False, illustrative=True)
    'contact:c1'
    >>> out = restrict_graph(g, Decision(rule="none", allowed=frozenset(), withheld=frozenset({"contact:c1"})))
    >>> "contact:c1" in out.nx, len(out.nx) == len(g.nx) - 1, "contact:c1" in g.nx
    (False, True, True)
    """
    if not decision.withheld:
        return graph
    out = graph.without(decision.withheld)
    if decision.rule == "none":
        out.meta = {k: v for k, v in out.meta.items() if k != "report"}
        out.meta["contacts_removed"] = True
    return out


#: File names of whole-graph downloads; ``{stem}`` is ``partnernetz`` or the caller's.
_CSV_ARCHIVE = {"de": "{stem}-tabellen.zip", "en": "{stem}-tables.zip"}


@dataclass
class GraphPayload:
    """A whole graph as canonical CSV tables (a ZIP), GraphML or GEXF;
    ``node_attrs`` adds attributes (the Analysen metrics) to the nodes they name.

    The Daten page, the Analysen page, ``export``, and ``neo4j pull``/``push``
    all pass their graph through this one payload.
    """

    graph: PartnerGraph
    fmt: str
    what: str = "graph download"
    node_attrs: Mapping[str, Mapping[str, Any]] | None = None
    lang: str = "de"
    stem: str = "partnernetz"
    strict: bool = False
    #: Optional memo (e.g. per dataset and rule) around :func:`restrict_graph`:
    #: ``memo(decision, compute)`` returns ``compute()`` or its kept result.
    memo: Callable[[Decision, Callable[[], PartnerGraph]], PartnerGraph] | None = field(default=None, repr=False)
    _contacts: dict[str, bool] | None = field(default=None, repr=False)

    def contacts(self) -> Mapping[str, bool]:
        if self._contacts is None:
            self._contacts = graph_contacts(self.graph)
        return self._contacts

    def restricted(self, decision: Decision) -> PartnerGraph:
        compute = lambda: restrict_graph(self.graph, decision)  # noqa: E731
        return compute() if self.memo is None else self.memo(decision, compute)

    def render(self, decision: Decision) -> tuple[bytes, str]:
        with tempfile.TemporaryDirectory() as tmp:
            path, filename = self.render_file(decision, Path(tmp))
            return path.read_bytes(), filename

    def render_file(self, decision: Decision, folder: Path) -> tuple[Path, str]:
        """Write the file into ``folder`` (under a name of its own, which the
        caller moves on or removes) and return it with its download name:
        written straight to disk, never held in memory as a whole."""
        from loaders.export import write_csv_tables, write_gexf, write_graphml

        if self.fmt not in ("csv", "graphml", "gexf"):
            raise ValueError(f"unknown graph export format {self.fmt!r} (choose csv, graphml or gexf)")
        graph = self.restricted(decision)
        node_attrs = self.node_attrs
        if node_attrs and decision.withheld:  # no attribute of a withheld contact either
            node_attrs = {name: {n: v for n, v in values.items() if n not in decision.withheld}
                          for name, values in node_attrs.items()}
        handle, name = tempfile.mkstemp(dir=folder, prefix=".render-", suffix=f".{self.fmt}")
        os.close(handle)
        target = Path(name)
        try:
            if self.fmt == "csv":
                with tempfile.TemporaryDirectory(dir=folder) as tmp, \
                        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
                    for path in write_csv_tables(graph, tmp):
                        zf.write(path, arcname=path.name)
                        path.unlink()  # in the archive now
                return target, _CSV_ARCHIVE["en" if self.lang == "en" else "de"].format(stem=self.stem)
            (write_graphml if self.fmt == "graphml" else write_gexf)(graph, target, node_attrs=node_attrs)
            return target, f"{self.stem}.{self.fmt}"
        except BaseException:
            target.unlink(missing_ok=True)
            raise


@dataclass
class ContactListPayload:
    """Chosen persons (a guest list, finder results) as Excel, CSV or vCard.
    Strict: a person who may not leave refuses the whole list."""

    index: Any  # graph.people.contacts.ContactIndex
    person_ids: Sequence[str]
    fmt: str
    what: str = "guest list"
    lang: str = "de"
    delimiter: str = ";"
    basename: str | None = None
    strict: bool = True

    def contacts(self) -> Mapping[str, bool]:
        out = {}
        for pid in self.person_ids:
            person = self.index.persons.get(self.index.record_to_person.get(pid, pid))
            out[pid] = person is not None and not person.masked
        return out

    def render(self, decision: Decision) -> tuple[bytes, str]:
        from loaders.contact_export import export_contacts

        allowed = [p for p in self.person_ids if p in decision.allowed]
        content, filename, _ = export_contacts(self.index, allowed, self.fmt, lang=self.lang,
                                               delimiter=self.delimiter, basename=self.basename)
        return content, filename


@dataclass
class StaticPayload:
    """Bytes built by the caller (a chart's table, a shortlist, a picture of a
    view) that name the contacts in ``contacts`` (id -> has consent; only
    contacts shown with their name count). Strict by default: a picture or a
    table naming a person who may not leave is refused, not cut."""

    content: bytes
    filename: str
    fmt: str
    what: str
    named: Mapping[str, bool] = field(default_factory=dict)
    strict: bool = True

    def contacts(self) -> Mapping[str, bool]:
        return self.named

    def render(self, decision: Decision) -> tuple[bytes, str]:
        return self.content, self.filename


def write_released(released: Released, out: str | os.PathLike, *, unpack: bool = False) -> list[Path]:
    """Write released bytes to ``out`` (CLI): with ``unpack`` a ZIP (of CSV
    tables) is unpacked into the folder ``out``; any other file is written to
    ``out`` (a folder gets the release's file name), each through a temporary
    file so that a failure never leaves a partial file. A release rendered
    into a file (``release(…, into=folder)``: a large graph is never held in
    memory) is moved there, or unpacked from it member by member, and the
    rendered file is removed either way."""
    target = Path(out)
    source: Any = released.file if released.file is not None else io.BytesIO(released.content)
    try:
        if unpack and released.filename.endswith(".zip"):
            target.mkdir(parents=True, exist_ok=True)
            written = []
            with zipfile.ZipFile(source) as zf:
                for name in zf.namelist():
                    path = target / Path(name).name
                    with zf.open(name) as member:
                        _atomic_write(path, member)
                    written.append(path)
            return written
        if target.is_dir():
            target = target / released.filename
        if released.file is not None:
            os.replace(released.file, target)  # rendered beside the target: on the same file system
        else:
            _atomic_write(target, released.content)
        return [target]
    finally:
        if released.file is not None:
            released.file.unlink(missing_ok=True)


def _atomic_write(path: Path, data: bytes | IO[bytes]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            with tmp.open("wb") as fh:
                shutil.copyfileobj(data, fh, 1 << 20)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


_CONTACT_PREFIX = NodeKind.CONTACT.value + ":"


def contacts_named(graph: PartnerGraph, node_ids: Iterable[str]) -> dict[str, bool]:
    """The contacts among ``node_ids`` that show a name (id -> has consent);
    masked contacts (shown only as "Kontakt ohne Einwilligung") carry no
    personal data and are left out."""
    out = {}
    for n in node_ids:
        if isinstance(n, str) and n.startswith(_CONTACT_PREFIX) and n in graph.nx and not graph.nx.nodes[n].get("masked"):
            out[n] = has_consent(graph.nx.nodes[n])
    return out
