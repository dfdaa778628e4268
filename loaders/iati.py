"""Load IATI activity XML (versions 1.0x and 2.0x) into the partner graph.

Streaming: :func:`iter_activities` reads the file with ``lxml.etree.iterparse``
and frees every ``iati-activity`` once it is read, so memory does not grow
with the file (only the graph does); large files show a tqdm progress bar.
It finds activities under any root (``iati-activities``, Datastore API
``<result>`` wrappers) and decides the version per activity
(``iati-activity/@version``, ``@iati-extra:version``, the enclosing
``iati-activities/@version``, else detected from ``<narrative>``), so files
mixing 1.0x and 2.0x activities load.

Mapping onto the canonical model (see README, section IATI):

- ``iati-activity`` → ``project`` (key = ``iati-identifier``); title and
  description German first, then English, then the first language; status
  from ``activity-status``; start/end = actual date, else planned date;
  ``recipient-region`` → the project's ``region`` attribute;
- ``reporting-org``/``participating-org`` → ``institution`` (one node per
  organisation: see :mod:`loaders.organisations`), sector from the IATI
  organisation type or, when missing, inferred from the name
  (``sector_inferred=True``);
- ``participating-org/@role`` → ``participates_in`` with ``role``:
  1 Funding → ``funding``; 2 Accountable → ``associated`` (oversight, often a
  partner ministry: not the organisation running the project, so not
  ``lead``); 3 Extending → ``partner`` (manages funds on the funder's behalf:
  neither the source of the money nor the implementer); 4 Implementing →
  ``implementing``. The raw role is kept as ``iati_role``/``iati_role_name``.
  A reporting org without a role in its own activity gets ``associated`` with
  ``iati_role="reporting"``;
- ``recipient-country`` → ``implemented_in`` with ``percentage``;
- ``sector`` (DAC 5-digit rolled up to the DAC 3-digit category; DAC 3-digit;
  other vocabularies kept by vocabulary and code) → ``theme`` + ``addresses``.

Every node and edge carries ``source`` = ``<file>, activity <id>, line <n>``.
Bad data (unknown codes, empty names, malformed dates, invalid percentages)
becomes a load-report problem naming the activity and line; malformed XML
raises :class:`graph.core.errors.LoadError` with the line number.

>>> from loaders.iati import parse_activity
>>> from lxml import etree
>>> act = parse_activity(etree.fromstring(
...     '<iati-activity version="2.03"><iati-identifier>XM-1</iati-identifier>'
...     '<participating-org role="4" type="22"><narrative>Verein e.V.</narrative></participating-org>'
...     '</iati-activity>'))
>>> act.identifier, act.orgs[0].role, act.orgs[0].name
('XM-1', '4', 'Verein e.V.')
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterator

from lxml import etree

from graph.core.errors import LoadError
from graph.core.kinds import EdgeKind, NodeKind, ProjectStatus, Role, node_id
from graph.core.model import PartnerGraph
from graph.core.reference import resolve_country
from graph.core.text import slugify
from loaders.iati_codelists import (
    CODELIST_SOURCE,
    codelist,
    is_country_code,
    is_region_code,
    sector_category_name_de,
)
from loaders.organisations import (
    CITY_SOURCE,
    KnownOrganisation,
    RefInfo,
    classify_ref,
    german_location,
    infer_sector,
    is_placeholder_name,
    known_organisation,
    normalise_name,
    sector_for_type,
)
from loaders.report import LoadReport
from loaders.tabular import LoadResult

__all__ = [
    "OrgMention",
    "Activity",
    "parse_activity",
    "iter_activities",
    "load_iati",
    "ROLE_MAP",
    "normalise_role",
    "normalise_date_type",
    "normalise_sector_vocabulary",
]

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DATASTORE_NS = "http://datastore.iatistandard.org/ns"

#: Files from this size on show a progress bar (when ``progress`` is left to ``None``).
PROGRESS_THRESHOLD_BYTES = 20 * 1024 * 1024

#: IATI organisation role code → our participation role (see the module docstring).
ROLE_MAP: dict[str, Role] = {
    "1": Role.FUNDING,
    "2": Role.ASSOCIATED,
    "3": Role.PARTNER,
    "4": Role.IMPLEMENTING,
}
_ROLE_TEXT = {"funding": "1", "accountable": "2", "extending": "3", "implementing": "4"}
_DATE_TEXT = {"start-planned": "1", "start-actual": "2", "end-planned": "3", "end-actual": "4"}
_VOCAB_TEXT = {"": "1", "dac": "1", "dac-3": "2"}
_COUNTRY_ALIASES = {"KV": "XK"}  # Kosovo: the Canada file's KV; IATI uses XK
#: Alpha-3 keys for IATI countries pycountry does not carry.
_EXTRA_ALPHA3 = {"XK": "XKX"}
#: IATI activity status → our project status (5 cancelled / 6 suspended say nothing about the phase).
_STATUS_MAP = {
    "1": ProjectStatus.PLANNED, "2": ProjectStatus.ACTIVE, "3": ProjectStatus.COMPLETED,
    "4": ProjectStatus.COMPLETED, "5": ProjectStatus.UNKNOWN, "6": ProjectStatus.UNKNOWN,
}
#: 1.0x activity-status text (no @code) → code; the 1.0x names for 3 and 4 differ from 2.0x.
_STATUS_TEXT = {
    "pipeline/identification": "1", "pipeline": "1", "implementation": "2", "completion": "3",
    "finalisation": "3", "post-completion": "4", "closed": "4", "cancelled": "5", "suspended": "6",
}
_WS = re.compile(r"\s+")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


# ------------------------------------------------------------------ records
@dataclass
class OrgMention:
    """One ``reporting-org`` or ``participating-org`` as written in the file."""

    element: str
    line: int | None
    name: str | None
    ref: str | None
    type: str | None
    role: str | None = None  # normalised 2.0x code "1".."4", or the raw text when unknown
    role_raw: str | None = None


@dataclass
class Activity:
    """The parts of one ``iati-activity`` the graph needs, version-normalised."""

    identifier: str | None
    line: int | None
    version: str
    titles: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    status: str | None = None
    dates: dict[str, tuple[str | None, int | None]] = field(default_factory=dict)  # type code -> (raw date, line)
    reporting_org: OrgMention | None = None
    orgs: list[OrgMention] = field(default_factory=list)
    countries: list[tuple[str, str | None, int | None]] = field(default_factory=list)  # code, percentage, line
    regions: list[tuple[str, str, str | None, int | None]] = field(default_factory=list)  # code, vocab, pct, line
    sectors: list[tuple[str, str, str | None, int | None, str | None]] = field(default_factory=list)
    sectors_from_transactions: bool = False
    other_identifier: str | None = None
    hierarchy: str | None = None
    website: str | None = None


# ------------------------------------------------------------ normalisation
def normalise_role(raw: str | None) -> str | None:
    """2.0x role code from a 2.0x code or a 1.0x text role; ``None`` when unknown.

    >>> normalise_role("Implementing"), normalise_role(" 1 "), normalise_role("Donor")
    ('4', '1', None)
    """
    text = (raw or "").strip()
    if text in ROLE_MAP:
        return text
    return _ROLE_TEXT.get(text.casefold())


def normalise_date_type(raw: str | None) -> str | None:
    """2.0x activity-date type code from a code or a 1.0x text type.

    >>> normalise_date_type("start-actual"), normalise_date_type("3"), normalise_date_type("x")
    ('2', '3', None)
    """
    text = (raw or "").strip()
    if text in ("1", "2", "3", "4"):
        return text
    return _DATE_TEXT.get(text.casefold())


def normalise_sector_vocabulary(raw: str | None) -> str:
    """2.0x sector vocabulary: missing or ``DAC`` → ``1``, ``DAC-3`` → ``2``, others unchanged.

    >>> normalise_sector_vocabulary(None), normalise_sector_vocabulary("DAC-3"), normalise_sector_vocabulary("99")
    ('1', '2', '99')
    """
    text = (raw or "").strip()
    return _VOCAB_TEXT.get(text.casefold(), text)


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")


def _clean(text: str | None) -> str:
    """Whitespace collapsed; control characters (legal in XML as DEL and C1, never in our exports) removed."""
    text = _WS.sub(" ", text or "").strip()
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


def _lang(elem: etree._Element, default: str | None) -> str | None:
    value = elem.get(XML_LANG)
    return value.strip().lower() if value and value.strip() else default


def _texts(elems: list[etree._Element], default_lang: str | None) -> dict[str, str]:
    """Language → text of human-readable elements, 2.0x ``<narrative>`` or 1.0x text content.

    Text without a language goes under ``""``; the first text per language wins.
    """
    out: dict[str, str] = {}
    for elem in elems:
        own_lang = _lang(elem, default_lang)
        narratives = elem.findall("narrative")
        parts = [(n, _lang(n, own_lang)) for n in narratives] if narratives else [(elem, own_lang)]
        for node, lang in parts:
            text = _clean("".join(node.itertext()) if narratives else (node.text or ""))
            if text:
                out.setdefault(lang or "", text)
    return out


def _pick(texts: dict[str, str], *prefer: str) -> str | None:
    for lang in prefer or ("de", "en"):
        if texts.get(lang):
            return texts[lang]
    return next(iter(texts.values()), None)


def _org(elem: etree._Element, default_lang: str | None) -> OrgMention:
    texts = _texts([elem], default_lang)
    raw_role = elem.get("role")
    return OrgMention(
        element=elem.tag, line=elem.sourceline, name=_pick(texts), ref=elem.get("ref"),
        type=(elem.get("type") or "").strip() or None,
        role=normalise_role(raw_role) if raw_role is not None else None, role_raw=raw_role,
    )


def _version(elem: etree._Element, default: str | None) -> str:
    for value in (elem.get("version"), elem.get(f"{{{DATASTORE_NS}}}version"), default):
        if value and value.strip():
            return value.strip()
    return "2 (detected)" if elem.find(".//narrative") is not None else "1 (detected)"


def parse_activity(elem: etree._Element, *, default_version: str | None = None) -> Activity:
    """Read one ``iati-activity`` element (either version) into an :class:`Activity`."""
    lang = _lang(elem, None)
    ident = elem.find("iati-identifier")
    act = Activity(
        identifier=_clean(ident.text) if ident is not None and ident.text else None,
        line=elem.sourceline,
        version=_version(elem, default_version),
        hierarchy=elem.get("hierarchy"),
    )
    act.titles = _texts(elem.findall("title"), lang)
    descriptions = elem.findall("description")
    general = [d for d in descriptions if (d.get("type") or "1").strip() == "1"]
    act.descriptions = _texts(general or descriptions, lang)
    status = elem.find("activity-status")
    if status is not None:
        act.status = (status.get("code") or "").strip() or _clean(status.text) or None
    for date in elem.findall("activity-date"):
        code = normalise_date_type(date.get("type")) or f"?{date.get('type')}"
        value = date.get("iso-date") or _clean(date.text) or None
        act.dates.setdefault(code, (value, date.sourceline))
    reporting = elem.find("reporting-org")
    if reporting is not None:
        act.reporting_org = _org(reporting, lang)
    act.orgs = [_org(p, lang) for p in elem.findall("participating-org")]
    act.countries = [((c.get("code") or "").strip(), c.get("percentage"), c.sourceline)
                     for c in elem.findall("recipient-country")]
    act.regions = [((r.get("code") or "").strip(), (r.get("vocabulary") or "1").strip() or "1",
                    r.get("percentage"), r.sourceline) for r in elem.findall("recipient-region")]
    sectors = elem.findall("sector")
    if not sectors:
        sectors = elem.findall("transaction/sector")
        act.sectors_from_transactions = bool(sectors)
    act.sectors = [((s.get("code") or "").strip(), normalise_sector_vocabulary(s.get("vocabulary")),
                    s.get("percentage"), s.sourceline, _pick(_texts([s], lang), "en", "de"))
                   for s in sectors]
    other = elem.find("other-identifier")
    if other is not None:
        act.other_identifier = _clean(other.get("ref") or other.text) or None
    website = elem.find("activity-website")
    if website is not None and website.text:
        act.website = website.text.strip()
    return act


# ---------------------------------------------------------------- streaming
class _CountingReader:
    """File wrapper that advances a tqdm bar by the bytes read."""

    def __init__(self, fh: IO[bytes], bar: Any):
        self._fh, self._bar = fh, bar

    def read(self, size: int = -1) -> bytes:
        data = self._fh.read(size)
        self._bar.update(len(data))
        return data


def iter_activities(path: str | Path, *, progress: bool | None = None) -> Iterator[Activity]:
    """Yield every activity of an IATI file, streaming with bounded memory.

    ``progress``: show a tqdm bar on stderr (``None``: only for files of
    :data:`PROGRESS_THRESHOLD_BYTES` and more). Raises :class:`LoadError`
    for a missing file, malformed XML (with the line number) or a file that
    is not an IATI activity file.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        fh = path.open("rb")
    except OSError as exc:
        raise LoadError(f"{path}: cannot read file ({exc.strerror})") from exc
    from tqdm import tqdm

    show = size >= PROGRESS_THRESHOLD_BYTES if progress is None else progress
    bar = tqdm(total=size, unit="B", unit_scale=True, desc=path.name, disable=not show, leave=False)
    versions: list[str | None] = []
    found = False
    context = etree.iterparse(
        _CountingReader(fh, bar), events=("start", "end"), tag=("iati-activities", "iati-activity"),
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
        remove_comments=True, remove_pis=True,
    )
    try:
        for event, elem in context:
            if elem.tag == "iati-activities":
                found = True
                if event == "start":
                    versions.append(elem.get("version") or elem.get(f"{{{DATASTORE_NS}}}version"))
                else:
                    versions.pop()
                continue
            if event == "start":
                continue
            found = True
            yield parse_activity(elem, default_version=versions[-1] if versions else None)
            elem.clear(keep_tail=True)
            parent = elem.getparent()
            if parent is not None:
                while elem.getprevious() is not None:
                    del parent[0]
        if not found:
            root = getattr(context, "root", None)
            tag = root.tag if root is not None else "?"
            what = "an IATI organisation file" if tag == "iati-organisations" else f"root <{tag}>"
            raise LoadError(f"{path}: not an IATI activity file (no iati-activity element; {what})")
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else "?"
        raise LoadError(f"{path}: malformed XML at line {line}: {exc.msg}") from None
    finally:
        bar.close()
        fh.close()


# ------------------------------------------------------------------ mapping
@dataclass
class _Org:
    nid: str
    refs: list[str] = field(default_factory=list)
    ref_countries: Counter = field(default_factory=Counter)
    names: Counter = field(default_factory=Counter)
    types: Counter = field(default_factory=Counter)
    known: KnownOrganisation | None = None
    publisher: bool = False
    source: str = ""


def _ref_group(ref: str) -> str:
    return ref.split("-", 1)[0].casefold()


class _OrgIndex:
    """One node per organisation: by known actor, by real identifier, else by normalised name."""

    def __init__(self, graph: PartnerGraph):
        self.graph = graph
        self.orgs: dict[str, _Org] = {}
        self.by_ref: dict[str, _Org] = {}
        self.by_name: dict[str, _Org | None] = {}  # None: the name belongs to several identified orgs

    def resolve(self, name: str | None, ref: RefInfo, source: str) -> _Org:
        norm = normalise_name(name or "")
        known = known_organisation(ref=ref.ref) if ref.ref else None
        known = known or (known_organisation(name=name) if name else None)
        org: _Org | None = None
        if known is not None:
            org = self.orgs.get(node_id(NodeKind.INSTITUTION, known.key))
            key = known.key
        elif ref.kind == "id" and ref.ref:
            org = self.by_ref.get(ref.ref.casefold())
            if org is None and norm:
                candidate = self.by_name.get(norm)
                if candidate is not None and not candidate.refs:
                    org = candidate  # a name-only node gets its identifier
            key = ref.ref
        else:
            org = self.by_name.get(norm) if norm else None
            key = "iati-" + (slugify(norm) or "unnamed")
        if org is None:
            org = self.orgs.get(node_id(NodeKind.INSTITUTION, key))
        if org is None:
            nid = self.graph.add_node(NodeKind.INSTITUTION, key, label=name or ref.ref or key, source=source)
            org = _Org(nid, known=known, source=source)
            self.orgs[nid] = org
        if ref.kind == "id" and ref.ref and ref.ref not in org.refs:
            org.refs.append(ref.ref)
            self.by_ref.setdefault(ref.ref.casefold(), org)
        if ref.country:
            org.ref_countries[ref.country] += 1
        if norm:
            current = self.by_name.get(norm, org)
            if current is not org and current is not None and current.refs and org.refs and not (
                    {_ref_group(r) for r in current.refs} & {_ref_group(r) for r in org.refs}):
                self.by_name[norm] = None  # same name, different countries' identifiers: ambiguous
            else:
                self.by_name.setdefault(norm, org)
        if name:
            org.names[name] += 1
        return org

    def finalise(self) -> None:
        """Decide each organisation's label, sector and location from all its mentions."""
        g = self.graph
        for org in self.orgs.values():
            attrs: dict[str, Any] = {}
            names = [n for n, _ in org.names.most_common()]
            label = org.known.name if org.known else (names[0] if names else g.node(org.nid)["label"])
            typed = [(t, c) for t, c in org.types.most_common() if sector_for_type(t)]
            if org.known:
                attrs.update(sector=org.known.sector, sector_detail=org.known.sector_detail,
                             label_en=org.known.name_en)
            elif typed:
                sector, flag = sector_for_type(typed[0][0])  # type: ignore[misc]
                attrs.update(sector=sector, sector_flag=flag,
                             sector_detail=codelist("OrganisationType")[typed[0][0]].name)
            else:
                inferred = infer_sector(label)
                if inferred:
                    attrs.update(sector=inferred, sector_inferred=True)
            if org.types:
                attrs["iati_org_type"] = org.types.most_common(1)[0][0]
            attrs.update(names=names[:20] if len(names) > 1 else None, iati_refs=org.refs or None,
                         iati_ref=org.refs[0] if org.refs else None, iati_publisher=org.publisher or None)
            ref_country = org.ref_countries.most_common(1)[0][0] if org.ref_countries else None
            where = german_location(label if org.known else " / ".join(names) or label, known=org.known,
                                    ref=RefInfo("id", country=ref_country) if ref_country else None)
            if org.known and org.known.city:
                attrs["city"] = org.known.city
            if where.german:
                attrs.update(country="DEU", land=where.land, city=attrs.get("city") or where.city)
                if where.land:
                    attrs["location_source"] = org.known.source if org.known else CITY_SOURCE
                    g.add_edge(org.nid, node_id(NodeKind.LAND, where.land), EdgeKind.LOCATED_IN,
                               source=attrs["location_source"], inferred=True)
                else:
                    g.add_edge(org.nid, g.add_country("DEU"), EdgeKind.LOCATED_IN, source=org.source,
                               inferred=True)
            else:
                country = resolve_country(ref_country) if ref_country else None
                if country is None and attrs.get("sector") == "public_administration":
                    country = resolve_country(label)  # "Sierra Leone" (type 10): its government
                if country is not None:
                    attrs["country"] = country.alpha3
                    g.add_edge(org.nid, g.add_country(country.alpha3), EdgeKind.LOCATED_IN,
                               source=org.source, inferred=True)
            g.add_node(NodeKind.INSTITUTION, org.nid.split(":", 1)[1], label=label, **attrs)


class _Builder:
    """Maps activities onto one graph and fills the load report."""

    def __init__(self, path: Path, *, today: dt.date, max_problems: int):
        self.file = str(path)
        self.name = path.name
        self.graph = PartnerGraph()
        self.report = LoadReport(source=str(path))
        self.orgs = _OrgIndex(self.graph)
        self.today = today
        self.max_problems = max_problems
        self.seen: dict[str, int | None] = {}
        self.problem_counts: Counter = Counter()
        for table in ("iati-activity", "iati-org", "iati-country", "iati-region", "iati-sector"):
            self.report.table(table)

    # -------------------------------------------------------------- report
    def problem(self, level: str, line: int | None, column: str, value: Any, activity: str | None,
                message: str, *, kind_of: str | None = None) -> None:
        """Report a problem; ``kind_of`` names its kind for the cap when ``message`` varies."""
        kind = (level, column, kind_of or message)
        self.problem_counts[kind] += 1
        if self.problem_counts[kind] > self.max_problems:
            return
        text = f"activity {activity}: {message}" if activity else message
        getattr(self.report, level)(self.file, line, column, value, text)

    def finish(self) -> LoadResult:
        self.orgs.finalise()
        for (level, column, message), count in self.problem_counts.items():
            if count > self.max_problems:
                getattr(self.report, level)(self.file, None, column, None,
                                            f"{count - self.max_problems} more like this not listed: {message}")
        self.report.nodes = self.graph.counts_by_kind()
        self.report.edges = self.graph.edge_counts_by_kind()
        self.graph.meta.update(source=self.file, report=self.report)
        return LoadResult(self.graph, self.report)

    def source(self, act: Activity, line: int | None = None) -> str:
        return f"{self.name}, activity {act.identifier}, line {line or act.line}"

    # ------------------------------------------------------------ activity
    def add(self, act: Activity) -> None:
        table = self.report.table("iati-activity")
        table.read += 1
        if not act.identifier:
            table.rejected += 1
            self.problem("error", act.line, "iati-identifier", None, None,
                         "activity without iati-identifier rejected")
            return
        if act.identifier in self.seen:
            table.rejected += 1
            self.problem("error", act.line, "iati-identifier", act.identifier, act.identifier,
                         f"duplicate iati-identifier (first at line {self.seen[act.identifier]}); rejected",
                         kind_of="duplicate iati-identifier; rejected")
            return
        self.seen[act.identifier] = act.line
        project = self._project(act)
        reporter = self._orgs(act, project)
        self._countries_and_regions(act, project)
        self._sectors(act, project, reporter)
        table.accepted += 1

    def _date(self, act: Activity, *codes: str) -> tuple[str | None, bool]:
        for planned, code in ((False, codes[0]), (True, codes[1])):
            raw, line = act.dates.get(code, (None, None))
            if raw is None:
                continue
            m = _ISO_DATE.match(raw.strip())
            try:
                if not m:
                    raise ValueError
                return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat(), planned
            except ValueError:
                self.problem("warning", line, "activity-date/@iso-date", raw, act.identifier,
                             "malformed or missing date ignored (expected iso-date YYYY-MM-DD)")
        return None, False

    def _project(self, act: Activity) -> str:
        for code, (raw, line) in act.dates.items():
            if code.startswith("?"):
                self.problem("warning", line, "activity-date/@type", code[1:], act.identifier,
                             "unknown activity-date type ignored")
        start, start_planned = self._date(act, "2", "1")
        end, end_planned = self._date(act, "4", "3")
        if start and end and end < start:
            self.problem("warning", act.line, "activity-date", f"{start} – {end}", act.identifier,
                         "activity ends before it starts")
        status, iati_status, derived = None, None, None
        if act.status:
            item = codelist("ActivityStatus").get(_STATUS_TEXT.get(act.status.casefold(), act.status))
            if item is None:
                self.problem("warning", act.line, "activity-status/@code", act.status, act.identifier,
                             "unknown activity status (derived from the dates instead)")
            else:
                status, iati_status = _STATUS_MAP[item.code].value, item.name
        if status is None:
            status, derived = _derive_status(start, end, self.today), True
        title = _pick(act.titles)
        if not title:
            self.problem("warning", act.line, "title", None, act.identifier,
                         "activity has no title; its identifier is shown instead")
        title_en = act.titles.get("en")
        return self.graph.add_node(
            NodeKind.PROJECT, act.identifier, label=title or act.identifier,
            label_en=title_en if title_en and title_en != title else None,
            description=_pick(act.descriptions),
            description_en=act.descriptions.get("en") if act.descriptions.get("en") != _pick(act.descriptions) else None,
            start=start, end=end, start_year=int(start[:4]) if start else None,
            end_year=int(end[:4]) if end else None, start_planned=start_planned or None,
            end_planned=end_planned or None, status=status, status_derived=derived, iati_status=iati_status,
            iati_version=act.version, iati_hierarchy=act.hierarchy, other_identifier=act.other_identifier,
            website=act.website, source=self.source(act),
        )

    # ------------------------------------------------------------- orgs
    def _orgs(self, act: Activity, project: str) -> _Org | None:
        reporter = None
        if act.reporting_org is not None:
            reporter = self._org(act, act.reporting_org)
            if reporter is not None:
                reporter.publisher = True
                self.graph.set_node_attrs(project, reporting_org=reporter.nid)
        table = self.report.table("iati-org")
        for mention in act.orgs:
            org = self._org(act, mention)
            if org is None:
                continue
            code = mention.role
            role = ROLE_MAP.get(code) if code else None
            if role is None:
                self.problem("warning", mention.line, "participating-org/@role", mention.role_raw, act.identifier,
                             "unknown or missing organisation role; linked without a role")
            name = codelist("OrganisationRole")[code].name if role else None
            self.graph.add_edge(
                org.nid, project, EdgeKind.PARTICIPATES_IN,
                discriminator=role.value if role else "iati-unknown-role",
                role=role.value if role else None, iati_role=code if role else mention.role_raw,
                iati_role_name=name, iati_org_type=mention.type, source=self.source(act, mention.line),
            )
            table.accepted += 1
        if reporter is not None:
            if not self.graph.nx.has_edge(reporter.nid, project):
                self.graph.add_edge(reporter.nid, project, EdgeKind.PARTICIPATES_IN,
                                    discriminator=Role.ASSOCIATED.value, role=Role.ASSOCIATED.value,
                                    iati_role="reporting", iati_role_name="Reporting organisation",
                                    iati_org_type=act.reporting_org.type,  # type: ignore[union-attr]
                                    source=self.source(act, act.reporting_org.line))  # type: ignore[union-attr]
            table.accepted += 1
        return reporter

    def _org(self, act: Activity, m: OrgMention) -> _Org | None:
        table = self.report.table("iati-org")
        table.read += 1
        ref = classify_ref(m.ref)
        if ref.kind == "invalid":
            self.problem("warning", m.line, f"{m.element}/@ref", m.ref, act.identifier,
                         "not an organisation identifier; matched by name")
        if not m.name and ref.kind != "id":
            table.rejected += 1
            self.problem("warning", m.line, m.element, m.ref, act.identifier,
                         "organisation without name or identifier skipped")
            return None
        if m.name and is_placeholder_name(m.name) and ref.kind != "id":
            table.rejected += 1
            self.problem("warning", m.line, m.element, m.name, act.identifier,
                         "placeholder name (a category or a redaction, not an organisation) skipped")
            return None
        if m.type and m.type not in codelist("OrganisationType"):
            self.problem("warning", m.line, f"{m.element}/@type", m.type, act.identifier,
                         "unknown organisation type ignored")
        org = self.orgs.resolve(m.name, ref, self.source(act, m.line))
        if m.type and m.type in codelist("OrganisationType"):
            org.types[m.type] += 1
        return org

    # -------------------------------------------------------- geography
    def _percentage(self, act: Activity, raw: str | None, line: int | None, column: str) -> float | None:
        if raw is None or not raw.strip():
            return None
        try:
            value = float(raw.strip())
        except ValueError:
            value = float("nan")
        if not 0 <= value <= 100:
            self.problem("warning", line, column, raw, act.identifier, "invalid percentage ignored (expected 0–100)")
            return None
        return value

    def _countries_and_regions(self, act: Activity, project: str) -> None:
        countries, regions = self.report.table("iati-country"), self.report.table("iati-region")
        shares: list[float | None] = []
        region_items: list[tuple[str, str, str | None, int | None]] = list(act.regions)
        targets: list[tuple[str, str, float | None, int | None]] = []
        for raw_code, raw_pct, line in act.countries:
            countries.read += 1
            code = _COUNTRY_ALIASES.get(raw_code.upper(), raw_code.upper())
            pct = self._percentage(act, raw_pct, line, "recipient-country/@percentage")
            if raw_code.isdigit() and is_region_code(raw_code):
                countries.rejected += 1
                self.problem("warning", line, "recipient-country/@code", raw_code, act.identifier,
                             "region code in recipient-country; kept as a region")
                region_items.append((raw_code, "1", raw_pct, line))
                continue
            if not code or not is_country_code(code):
                countries.rejected += 1
                shares.append(pct)
                self.problem("warning", line, "recipient-country/@code", raw_code, act.identifier,
                             "unknown country code skipped")
                continue
            if code != raw_code.upper():
                self.problem("warning", line, "recipient-country/@code", raw_code, act.identifier,
                             f"non-standard country code read as {code}")
            nid = self._country(code)
            shares.append(pct)
            targets.append((nid, code, pct, line))
            countries.accepted += 1
        single = len(targets) == 1 and not region_items
        for nid, code, pct, line in targets:
            self.graph.add_edge(project, nid, EdgeKind.IMPLEMENTED_IN,
                                percentage=100.0 if pct is None and single else pct,
                                percentage_assumed=True if pct is None and single else None,
                                iati_code=code, source=self.source(act, line))
        names, codes = [], []
        for code, vocab, raw_pct, line in region_items:
            regions.read += 1
            shares.append(self._percentage(act, raw_pct, line, "recipient-region/@percentage"))
            if vocab == "1":
                item = codelist("Region").get(code)
                if not code:
                    regions.rejected += 1
                    self.problem("warning", line, "recipient-region/@code", None, act.identifier,
                                 "recipient-region without code skipped")
                    continue
                if item is None:
                    regions.rejected += 1
                    self.problem("warning", line, "recipient-region/@code", code, act.identifier,
                                 "unknown DAC region code skipped")
                    continue
                names.append(item.name)
                codes.append(code)
            else:
                names.append(f"{code} (region vocabulary {vocab})")
                codes.append(f"{vocab}:{code}")
            regions.accepted += 1
        if names:
            self.graph.set_node_attrs(project, region="; ".join(names), region_codes=codes)
        given = [s for s in shares if s is not None]
        if given and len(given) == len(shares) and abs(sum(given) - 100) > 1:
            self.problem("warning", act.line, "recipient-country/@percentage", f"{sum(given):g}", act.identifier,
                         "country and region percentages do not add up to 100")

    def _country(self, code: str) -> str:
        country = resolve_country(code)
        if country is not None and country.alpha2 == code:
            return self.graph.add_country(country.alpha3)
        alpha3 = _EXTRA_ALPHA3.get(code, code)
        name = codelist("Country")[code].name
        return self.graph.add_node(NodeKind.COUNTRY, alpha3, label=name, label_en=name, name_de=name,
                                   name_en=name, iso2=code, source=CODELIST_SOURCE)

    # ---------------------------------------------------------- sectors
    def _sectors(self, act: Activity, project: str, reporter: _Org | None) -> None:
        table = self.report.table("iati-sector")
        themes: dict[str, dict[str, Any]] = {}
        for code, vocab, raw_pct, line, narrative in act.sectors:
            table.read += 1
            pct = self._percentage(act, raw_pct, line, "sector/@percentage")
            theme = self._theme(act, code, vocab, line, narrative, reporter)
            if theme is None:
                table.rejected += 1
                continue
            table.accepted += 1
            entry = themes.setdefault(theme, {"codes": [], "pct": [], "line": line, "vocab": vocab})
            entry["codes"].append(code)
            entry["pct"].append(pct)
        for theme, entry in themes.items():
            pcts = [p for p in entry["pct"] if p is not None]
            self.graph.add_edge(
                project, theme, EdgeKind.ADDRESSES,
                percentage=sum(pcts) if pcts else None, iati_codes=sorted(set(entry["codes"])),
                iati_vocabulary=entry["vocab"], from_transactions=act.sectors_from_transactions or None,
                source=self.source(act, entry["line"]),
            )

    def _theme(self, act: Activity, code: str, vocab: str, line: int | None, narrative: str | None,
               reporter: _Org | None) -> str | None:
        if not code:
            self.problem("warning", line, "sector/@code", None, act.identifier, "sector without code skipped")
            return None
        if vocab in ("1", "2"):
            category = None
            if vocab == "1":
                item = codelist("Sector").get(code)
                if item is not None:
                    category = item.category
                    if item.withdrawn:
                        self.problem("warning", line, "sector/@code", code, act.identifier,
                                     "withdrawn DAC code (still mapped)")
                elif code in codelist("SectorCategory"):
                    category = code
                    self.problem("warning", line, "sector/@code", code, act.identifier,
                                 "3-digit DAC category under the 5-digit vocabulary; read as the category")
            elif code in codelist("SectorCategory"):
                category = code
            if category is None or category not in codelist("SectorCategory"):
                self.problem("warning", line, "sector/@code", code, act.identifier,
                             f"unknown DAC sector code (vocabulary {vocab}) skipped")
                return None
            name = codelist("SectorCategory")[category].name
            name_de = sector_category_name_de(category) or name
            return self.graph.add_node(NodeKind.THEME, f"dac-{category}", label=name_de, label_en=name,
                                       name_de=name_de, name_en=name, vocabulary="DAC-3", code=category,
                                       source=CODELIST_SOURCE)
        vocab_item = codelist("SectorVocabulary").get(vocab)
        if vocab_item is None:
            self.problem("warning", line, "sector/@vocabulary", vocab, act.identifier,
                         "unknown sector vocabulary (kept as is)")
        vocab_name = vocab_item.name if vocab_item else f"vocabulary {vocab}"
        scope = ""
        if vocab in ("98", "99"):  # the publisher's own codes: "1" means something else for each publisher
            scope = "-" + slugify(reporter.nid.split(":", 1)[1] if reporter else "unknown-publisher")
        label = narrative or f"{vocab_name}: {code}"
        return self.graph.add_node(NodeKind.THEME, f"iati-v{slugify(vocab) or 'x'}{scope}-{slugify(code) or code}",
                                   label=label, label_en=label, name_en=label, vocabulary=vocab_name, code=code,
                                   source=self.source(act, line))


def _derive_status(start: str | None, end: str | None, today: dt.date) -> str:
    year = today.year
    if end and int(end[:4]) < year:
        return ProjectStatus.COMPLETED.value
    if start and int(start[:4]) > year:
        return ProjectStatus.PLANNED.value
    if start and end:
        return ProjectStatus.ACTIVE.value
    return ProjectStatus.UNKNOWN.value


def load_iati(path: str | Path, *, progress: bool | None = None, today: dt.date | None = None,
              max_problems_per_kind: int = 200) -> LoadResult:
    """Load one IATI activity file into a new graph with its load report.

    ``max_problems_per_kind`` caps how many problems of one kind (same level,
    field and message) are listed; the rest are summed up in one line, so the
    report stays small for huge files.

    Raises :class:`LoadError` for unreadable, malformed or non-IATI files.
    """
    path = Path(path)
    builder = _Builder(path, today=today or dt.date.today(), max_problems=max_problems_per_kind)
    for activity in iter_activities(path, progress=progress):
        try:
            builder.add(activity)
        except Exception as exc:  # untrusted input: one bad activity never stops the file
            builder.report.table("iati-activity").rejected += 1
            builder.problem("error", activity.line, "iati-activity", None, activity.identifier,
                            f"activity could not be mapped ({type(exc).__name__}: {exc})",
                            kind_of="activity could not be mapped")
    if not builder.seen and not builder.report.table("iati-activity").read:
        builder.problem("warning", None, "iati-activities", None, None, "the file holds no activities")
    return builder.finish()
