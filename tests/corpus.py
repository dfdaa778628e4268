"""A corpus of bad and messy input: CSV folders, .xlsx workbooks and IATI files.

Each :class:`Case` builds its input in a folder, and says what loading it must
give: per table ``(read, accepted, rejected)`` and the problems that must be
reported (level, row, column and a piece of the message or value), or the
:class:`LoadError` it must raise. ``tests/test_bad_input_corpus.py`` runs
them all; ``tests/bench_hostile.py`` reuses the builders for large inputs.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

__all__ = ["Case", "CASES", "INSTITUTIONS", "PROJECTS", "csv_folder", "xlsx_book", "iati_file"]

INSTITUTIONS = "id,name\nu1,Universität Eins\n"
PROJECTS = "id,title\nP1,Projekt Eins\n"


@dataclass
class Case:
    name: str
    build: Callable[[Path], Path]
    counts: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    problems: list[tuple[str, int | None, str | None, str]] = field(default_factory=list)
    raises: str | None = None
    check: Callable[[object], None] | None = None  # further assertions on the LoadResult
    #: no problem may show any of these texts (personal data of unconsented contacts)
    hidden: tuple[str, ...] = ()


def csv_folder(files: dict[str, str | bytes], *, base: bool = True) -> Callable[[Path], Path]:
    """A builder writing ``files`` (name → text, UTF-8, or bytes) into a folder,
    with the minimal institutions and projects tables unless given."""
    def build(tmp: Path) -> Path:
        folder = tmp / "data"
        folder.mkdir()
        all_files = ({"institutions.csv": INSTITUTIONS, "projects.csv": PROJECTS} if base else {}) | files
        for name, content in all_files.items():
            path = folder / name
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8", newline="")
        return folder
    return build


def xlsx_book(sheets: dict[str, list[list[object]]], *, post: Callable[[Path], None] | None = None,
              merge: dict[str, str] | None = None) -> Callable[[Path], Path]:
    """A builder writing a workbook with ``sheets`` (title → rows); ``post``
    may rewrite the saved file (e.g. a stale dimension)."""
    def build(tmp: Path) -> Path:
        import openpyxl

        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for title, rows in sheets.items():
            ws = wb.create_sheet(title)
            for row in rows:
                ws.append(row)
            if merge and title in merge:
                ws.merge_cells(merge[title])
        path = tmp / "book.xlsx"
        wb.save(path)
        if post:
            post(path)
        return path
    return build


def rewrite_zip_member(path: Path, member: str, change: Callable[[bytes], bytes]) -> None:
    """Rewrite one part of a zip file (an .xlsx) in place."""
    with zipfile.ZipFile(path) as zin:
        parts = [(info, zin.read(info)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in parts:
            zout.writestr(info.filename, change(data) if info.filename == member else data)


def stale_dimension(path: Path) -> None:
    rewrite_zip_member(path, "xl/worksheets/sheet1.xml",
                       lambda data: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:B3"', data))


def iati_file(body: str, *, header: str = '<?xml version="1.0" encoding="UTF-8"?>\n') -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        path = tmp / "activities.xml"
        path.write_text(header + body, encoding="utf-8")
        return path
    return build


def _activity(identifier: str = "XM-DAC-1-1", extra: str = "", org: str = "Verein e.V.", role: str = "4") -> str:
    ident = f"<iati-identifier>{identifier}</iati-identifier>" if identifier is not None else ""
    return (f'<iati-activity version="2.03" default-currency="EUR">{ident}'
            f'<reporting-org ref="XM-DAC-5-1" type="10"><narrative>BMZ</narrative></reporting-org>'
            f'<title><narrative xml:lang="de">Projekt {identifier}</narrative></title>'
            f'<participating-org role="{role}" type="22"><narrative>{org}</narrative></participating-org>'
            f"{extra}</iati-activity>")


def _activities(*acts: str) -> str:
    return '<iati-activities version="2.03">' + "".join(acts) + "</iati-activities>"


def _node(result, nid: str) -> dict:
    return result.graph.node(nid)


def _attr(nid: str, key: str, want: object) -> Callable[[object], None]:
    def check(result) -> None:
        got = _node(result, nid).get(key)
        assert got == want, f"{nid}.{key}: {got!r} != {want!r}"
    return check


def _edge_attr(kind: str, key: str, want: object) -> Callable[[object], None]:
    def check(result) -> None:
        values = [d.get(key) for _, _, d in result.graph.edges(kind)]
        assert want in values, f"{kind}.{key}: {values!r} has no {want!r}"
    return check


def _no_edge(kind: str) -> Callable[[object], None]:
    def check(result) -> None:
        assert not list(result.graph.edges(kind)), kind
    return check


OK1 = {"institutions": (1, 1, 0), "projects": (1, 1, 0)}


def _projects(header: str, *rows: str) -> dict[str, str]:
    return {"projects.csv": header + "\n" + "\n".join(rows) + "\n"}


_BIG = "x" * 200_000  # above the csv module's default 128 KB field limit, below ours

CASES: list[Case] = [
    # ------------------------------------------------------------- German as written
    Case("phase BLP II", csv_folder(_projects("id,title,phase", "P1,T,BLP II")), OK1, [], check=_attr("project:P1", "phase", "II")),
    Case("phase Phase 2", csv_folder(_projects("id,title,phase", "P1,T,Phase 2")), OK1, [], check=_attr("project:P1", "phase", "II")),
    Case("phase Pilotphase", csv_folder(_projects("id,title,phase", "P1,T,Pilotphase")), OK1, [], check=_attr("project:P1", "phase", "pilot")),
    Case("status laufend", csv_folder(_projects("id,title,status", "P1,T,laufend")), OK1, [], check=_attr("project:P1", "status", "active")),
    Case("status abgeschlossen", csv_folder(_projects("id,title,status", "P1,T,abgeschlossen")), OK1, [], check=_attr("project:P1", "status", "completed")),
    Case("start 2019/20", csv_folder(_projects("id,title,start", "P1,T,2019/20")), OK1, [],
         check=lambda r: (_attr("project:P1", "start", "2019")(r), _attr("project:P1", "end", "2020")(r))),
    Case("start ca. 2018", csv_folder(_projects("id,title,start", "P1,T,ca. 2018")), OK1,
         [("warning", 2, "start", "approximate")], check=_attr("project:P1", "start", "2018")),
    Case("start Q3 2019", csv_folder(_projects("id,title,start", "P1,T,Q3 2019")), OK1,
         [("warning", 2, "start", "quarter")], check=_attr("project:P1", "start", "2019-07")),
    Case("start Okt 2019", csv_folder(_projects("id,title,start", "P1,T,Okt 2019")), OK1, [], check=_attr("project:P1", "start", "2019-10")),
    Case("start Excel serial in text", csv_folder(_projects("id,title,start", "P1,T,43466")), OK1,
         [("warning", 2, "start", "Excel serial")], check=_attr("project:P1", "start", "2019-01-01")),
    Case("German headers and values", csv_folder({"projects.csv": "ID;Titel;Beginn;Ende;Partnerland;Phase\nP1;Wasser;Okt 2019;2022;Ruanda;BLP II\n"}),
         OK1, [], check=_attr("project:P1", "phase", "II")),
    Case("Land Bayern (Freistaat)", csv_folder({"institutions.csv": "id,name,Bundesland\nu1,Uni,Bayern (Freistaat)\n"}), OK1, [],
         check=_attr("institution:u1", "land", "DE-BY")),
    Case("Land NRW", csv_folder({"institutions.csv": "id,name,land\nu1,Uni,NRW\n"}), OK1, [], check=_attr("institution:u1", "land", "DE-NW")),
    Case("sector NGO", csv_folder({"institutions.csv": "id,name,sector\nu1,Verein,NGO\n"}), OK1, [], check=_attr("institution:u1", "sector", "civil_society")),
    Case("sector Wissenschaft (UI label)", csv_folder({"institutions.csv": "id,name,Sektor\nu1,Uni,Wissenschaft\n"}), OK1, [],
         check=_attr("institution:u1", "sector", "science")),
    Case("role Leitung", csv_folder({"participations.csv": "Projekt,Institution,Rolle\nP1,u1,Leitung\n"}),
         OK1 | {"participations": (1, 1, 0)}, [], check=_edge_attr("participates_in", "role", "lead")),
    Case("kind Geld and amount 140.000 €", csv_folder({"cofinancing.csv": "project;land;Art;Betrag\nP1;Hessen;Geld;140.000 €\n"}),
         OK1 | {"cofinancing": (1, 1, 0)}, [], check=lambda r: (_edge_attr("cofinances", "contribution", "money")(r),
                                                                 _edge_attr("cofinances", "amount_eur", 140000.0)(r))),
    Case("consent ja, schriftlich", csv_folder({"contacts.csv": "id,name,institution,consent\nc1,Anna A,u1,\"ja, schriftlich\"\n"}),
         OK1 | {"contacts": (1, 1, 0)}, [], check=_attr("contact:c1", "consent", True)),
    Case("partnership seit 1982", csv_folder({"partnerships.csv": "land,country,since\nRheinland-Pfalz,Ruanda,seit 1982\n"}),
         OK1 | {"partnerships": (1, 1, 0)}, [], check=_edge_attr("partners_with", "since", 1982)),
    Case("since as words kept in since_note", csv_folder({"partnerships.csv": "land,country,since\nBaden-Württemberg,Burundi,Mitte der 1980er Jahre\n"}),
         OK1 | {"partnerships": (1, 1, 0)}, [("warning", 2, "since", "kept in 'since_note'")],
         check=_edge_attr("partners_with", "since_note", "Mitte der 1980er Jahre")),
    Case("event kind Tagung, attendance Referentin", csv_folder({
        "contacts.csv": "id,name,institution,consent\nc1,Anna A,u1,ja\n",
        "events.csv": "id,title,Art,Datum\ne1,Treffen,Tagung,Okt 2023\n",
        "Teilnahmen.csv": "Veranstaltung,Kontakt,Rolle\ne1,c1,Referentin\n"}),
        OK1 | {"contacts": (1, 1, 0), "events": (1, 1, 0), "attendance": (1, 1, 0)}, [],
        check=lambda r: (_attr("event:e1", "event_kind", "conference")(r), _edge_attr("attended", "role", "speaker")(r))),
    # ------------------------------------------------------------- optional means optional
    Case("unknown phase: warning, row loads", csv_folder(_projects("id,title,phase", "P1,T,Phase X")), OK1,
         [("warning", 2, "phase", "loaded without it")], check=_attr("project:P1", "phase", None)),
    Case("unknown sector: warning", csv_folder({"institutions.csv": "id,name,sector\nu1,Uni,Raumfahrt\n"}), OK1,
         [("warning", 2, "sector", "Raumfahrt")]),
    Case("bad date: warning", csv_folder(_projects("id,title,start,end", "P1,T,Frühjahr,nie")), OK1,
         [("warning", 2, "start", "not a date"), ("warning", 2, "end", "not a date")]),
    Case("unknown programme: link dropped", csv_folder(_projects("id,title,programme", "P1,T,provet-xyz")), OK1,
         [("warning", 2, "programme", "link is left out")], check=_no_edge("linked_to")),
    Case("partly unknown countries", csv_folder(_projects("id,title,countries", "P1,T,RWA;Narnia")), OK1,
         [("warning", 2, "countries", "Narnia")], check=lambda r: r.graph.neighbours("project:P1") >= {"country:RWA"} or (_ for _ in ()).throw(AssertionError)),
    Case("unknown optional Land", csv_folder({"institutions.csv": "id,name,land\nu1,Uni,Preußen\n"}), OK1, [("warning", 2, "land", "Preußen")]),
    Case("amount inf", csv_folder({"cofinancing.csv": "project,land,kind,amount_eur\nP1,Hessen,money,inf\n"}),
         OK1 | {"cofinancing": (1, 1, 0)}, [("warning", 2, "amount_eur", "not a finite number")], check=_edge_attr("cofinances", "amount_eur", None)),
    Case("amount nan", csv_folder({"cofinancing.csv": "project,land,kind,amount_eur\nP1,Hessen,money,nan\n"}),
         OK1 | {"cofinancing": (1, 1, 0)}, [("warning", 2, "amount_eur", "not a finite number")]),
    Case("amount 1e300", csv_folder({"cofinancing.csv": "project,land,kind,amount_eur\nP1,Hessen,money,1e300\n"}),
         OK1 | {"cofinancing": (1, 1, 0)}, [("warning", 2, "amount_eur", "implausibly large")]),
    Case("amount negative", csv_folder({"cofinancing.csv": "project,land,kind,amount_eur\nP1,Hessen,money,-5\n"}),
         OK1 | {"cofinancing": (1, 1, 0)}, [("warning", 2, "amount_eur", "negative")]),
    Case("illustrative vielleicht", csv_folder(_projects("id,title,illustrative", "P1,T,vielleicht")), OK1,
         [("warning", 2, "illustrative", "yes/no")]),
    Case("consent unreadable: masked", csv_folder({"contacts.csv": "id,name,institution,consent\nc1,Anna Geheim,u1,vielleicht\n"}),
         OK1 | {"contacts": (1, 1, 0)}, [("warning", 2, "consent", "no consent")], check=_attr("contact:c1", "consent", False),
         hidden=("vielleicht",)),
    # ------------------------------------------------------------- what rejects, and dependants
    Case("missing id", csv_folder({"institutions.csv": "id,name\n,Ohne Id\nu1,Uni\n"}), {"institutions": (2, 1, 1)},
         [("error", 2, "id", "required value 'id' is empty")]),
    Case("duplicate id", csv_folder({"institutions.csv": "id,name\nu1,Uni\nu1,Andere\n"}), {"institutions": (2, 1, 1)},
         [("error", 3, "id", "duplicate id")]),
    Case("missing required column", csv_folder({"institutions.csv": "id,Ort\nu1,Bonn\n"}), {"institutions": (1, 0, 1)},
         [("error", 1, "name", "required column 'name' is missing")]),
    Case("unknown required reference", csv_folder({"participations.csv": "project,institution\nP9,u1\n"}),
         OK1 | {"participations": (1, 0, 1)}, [("error", 2, "project", "unknown projects id 'P9'")]),
    Case("dependants name the root cause", csv_folder({
        "projects.csv": "id,title\nP1,Eins\nP2,\n", "participations.csv": "project,institution\nP2,u1\nP1,u1\n"}),
        {"projects": (2, 1, 1), "participations": (2, 1, 1)},
        [("error", 3, "title", "required value 'title' is empty"),
         ("error", 2, "project", "which was rejected (see projects row 3, column 'title': required value 'title' is empty)")]),
    Case("dependants in a chain", csv_folder({
        "contacts.csv": "id,name,institution,consent\nc1,Anna A,u9,ja\n", "events.csv": "id,title\ne1,Treffen\n",
        "attendance.csv": "event,contact\ne1,c1\n"}),
        OK1 | {"contacts": (1, 0, 1), "events": (1, 1, 0), "attendance": (1, 0, 1)},
        [("error", 2, "institution", "unknown institutions id 'u9'"), ("error", 2, "contact", "unknown institutions id 'u9'")]),
    Case("required country list all unknown", csv_folder({"partnerships.csv": "land,country\nHessen,Narnia\n"}),
         OK1 | {"partnerships": (1, 0, 1)}, [("error", 2, "country", "Narnia")]),
    Case("required Land unknown", csv_folder({"cofinancing.csv": "project,land\nP1,Preußen\n"}),
         OK1 | {"cofinancing": (1, 0, 1)}, [("error", 2, "land", "Preußen")]),
    Case("missing projects table", csv_folder({"institutions.csv": INSTITUTIONS}, base=False), {"institutions": (1, 1, 0)},
         [("error", None, None, "required table 'projects' is missing")]),
    # ------------------------------------------------------------- every row accounted for
    Case("unclosed quote at end of file", csv_folder({"institutions.csv": 'id,name\nu1,Uni\nu2,"Verein\nu3,Firma\nu4,Amt\n'}),
         {"institutions": (4, 4, 0)}, [("warning", 3, None, "quote opened on line 3")],
         check=lambda r: all(f"institution:u{i}" in r.graph for i in (1, 2, 3, 4)) or (_ for _ in ()).throw(AssertionError)),
    Case("unbalanced quote closed later", csv_folder({"projects.csv": 'id,title,region\nP1,"Eins,R1\nP2,Zwei,R2\nP3,Drei",R3\nP4,Vier,R4\n'}),
         {"institutions": (1, 1, 0)}, [("warning", 2, None, "quote opened on line 2")],
         check=lambda r: all(f"project:P{i}" in r.graph for i in (2, 4)) or (_ for _ in ()).throw(AssertionError)),
    Case("legit quoted newline stays one row", csv_folder({"institutions.csv": 'id,name\nu1,"Zeile 1\nZeile 2"\nu2,B\n'}),
         {"institutions": (2, 2, 0)}, [], check=_attr("institution:u1", "label", "Zeile 1\nZeile 2")),
    Case("variant file names", csv_folder({"Institutions.csv": "id,name\nu9,Andere\n"}),
         {"institutions": (2, 1, 1)}, [("error", None, None, "two files for table 'institutions'")]),
    Case("German file names", lambda tmp: _german_files(tmp), OK1, [], check=_attr("institution:u1", "sector", "science")),
    Case("unused file", csv_folder({"notes.csv": "a,b\n1,2\n"}), OK1, [("warning", None, None, "file 'notes.csv' not used")]),
    Case("extra cells (unquoted comma)", csv_folder({"institutions.csv": "id,name,city\nu1,Müller, Meier & Co,Bonn\n"}), OK1,
         [("warning", 2, None, "extra cell")]),
    Case("duplicate column: first wins", csv_folder({"institutions.csv": "id,name,city,city\nu1,Uni,Bonn,Köln\n"}), OK1,
         [("warning", 1, "city", "the first (C) is used")], check=_attr("institution:u1", "city", "Bonn")),
    Case("unknown column", csv_folder({"institutions.csv": "id,name,Bemerkung\nu1,Uni,x\n"}), OK1, [("warning", 1, "Bemerkung", "unknown column")]),
    Case("blank lines and spaces", csv_folder({"institutions.csv": "\n id , name \n\n u1 , Uni \n , \n"}), OK1, []),
    Case("header only", csv_folder({"participations.csv": "project,institution,role\n"}), OK1 | {"participations": (0, 0, 0)}, []),
    Case("empty file", csv_folder({"participations.csv": ""}), OK1, []),
    # ------------------------------------------------------------- encodings and delimiters
    Case("Windows-1252 file", csv_folder({"institutions.csv": "id;name\nu1;Universität Würzburg\n".encode("cp1252")}), OK1, [],
         check=_attr("institution:u1", "label", "Universität Würzburg")),
    Case("one cp1252 line in UTF-8", csv_folder({"institutions.csv": "id,name\nu1,Universität\nu2,Gießen\n".encode() + "u3,Müller GmbH\n".encode("cp1252")}),
         {"institutions": (3, 3, 0)}, [("warning", None, None, "line(s) 4")],
         check=lambda r: (_attr("institution:u1", "label", "Universität")(r), _attr("institution:u3", "label", "Müller GmbH")(r))),
    Case("UTF-16 with BOM, tab-separated", csv_folder({"institutions.csv": "id\tname\nu1\tUniversität\n".encode("utf-16")}), OK1, [],
         check=_attr("institution:u1", "label", "Universität")),
    Case("UTF-16 LE without BOM", csv_folder({"institutions.csv": "id,name\nu1,Universität\n".encode("utf-16-le")}), OK1, [],
         check=_attr("institution:u1", "label", "Universität")),
    Case("UTF-8 with BOM", csv_folder({"institutions.csv": "id,name\nu1,Universität\n".encode("utf-8-sig")}), OK1, []),
    Case("tab-separated", csv_folder({"institutions.csv": "id\tname\tcity\nu1\tUni, Bonn\tBonn\n"}), OK1, [], check=_attr("institution:u1", "label", "Uni, Bonn")),
    Case("pipe-separated", csv_folder({"institutions.csv": "id|name\nu1|Uni; Bonn\n"}), OK1, [], check=_attr("institution:u1", "label", "Uni; Bonn")),
    Case("semicolon with CRLF", csv_folder({"institutions.csv": 'id;name\r\nu1;"Uni\r\nBonn"\r\n'}), OK1, [], check=_attr("institution:u1", "label", "Uni\nBonn")),
    Case("no delimiter fits", csv_folder({"institutions.csv": "foo#bar\n1#2\n"}), {"institutions": (1, 0, 1)},
         [("warning", 1, None, "tried the delimiters"), ("error", 1, "id", "required column")]),
    # ------------------------------------------------------------- hostile text
    Case("vertical tab in a name", csv_folder({"institutions.csv": "id,name\nu1,Stadt\x0bwerke\n"}), OK1,
         [("warning", 2, "name", "control characters removed")], check=_attr("institution:u1", "label", "Stadtwerke")),
    Case("NUL and escape bytes", csv_folder({"institutions.csv": "id,name\nu1,A\x00B\x1bC\n"}), OK1,
         [("warning", 2, "name", "control characters")], check=_attr("institution:u1", "label", "ABC")),
    Case("only control characters in a required cell", csv_folder({"institutions.csv": "id,name\nu1,\x01\x02\n"}), {"institutions": (1, 0, 1)},
         [("error", 2, "name", "required value 'name' is empty")]),
    Case("cell of 200 KB loads", csv_folder(_projects("id,title,description", f"P1,T,{_BIG}")), OK1, [],
         check=lambda r: len(_node(r, "project:P1")["description"]) == len(_BIG) or (_ for _ in ()).throw(AssertionError)),
    Case("name over 1,000 characters cut", csv_folder({"institutions.csv": f"id,name\nu1,{'N' * 5000}\n"}), OK1,
         [("warning", 2, "name", "cut to 1,000")], check=lambda r: len(_node(r, "institution:u1")["label"]) == 1000 or (_ for _ in ()).throw(AssertionError)),
    Case("id over 200 characters rejected", csv_folder({"institutions.csv": f"id,name\nu1,Uni\n{'i' * 300},Lang\n"}),
         {"institutions": (2, 1, 1)}, [("error", 3, "id", "at most 200")]),
    Case("cell over 1 MB rejects its row", csv_folder({"institutions.csv": "id,name,sector_detail\nu1,Uni,x\nu2,Big," + "y" * 1_000_001 + "\n"}),
         {"institutions": (2, 1, 1)}, [("error", 3, "sector_detail", "more than the limit")]),
    Case("neutralised formula read back", csv_folder({"institutions.csv": "id,name,city\nu1,'=HYPERLINK(\"x\"),'@SUM(A1)\n"}), OK1, [],
         check=lambda r: (_attr("institution:u1", "label", '=HYPERLINK("x")')(r), _attr("institution:u1", "city", "@SUM(A1)")(r))),
    Case("plain apostrophe kept", csv_folder({"institutions.csv": "id,name\nu1,'s Hertogenbosch\n"}), OK1, [],
         check=_attr("institution:u1", "label", "'s Hertogenbosch")),
    Case("unconsented contact's e-mail never shown", csv_folder({"contacts.csv": "id,name,institution,email\nc1,Erika Geheim,u1,erika.geheim(at)privat\n"}),
         OK1 | {"contacts": (1, 1, 0)}, [("warning", 2, "email", "e-mail")], hidden=("erika.geheim(at)privat", "Erika Geheim")),
    Case("unconsented contact's name with control char never shown", csv_folder({"contacts.csv": "id,name,institution\nc1,Max\x0bMuster,u1\n"}),
         OK1 | {"contacts": (1, 1, 0)}, [("warning", 2, "name", "control characters")], hidden=("MaxMuster", "Muster")),
    # the report is shown to every visitor: no contact's data in it, consent or not (only the id)
    Case("consented contact's bad e-mail is hidden too", csv_folder({"contacts.csv": "id,name,institution,email,consent\nc1,Anna A,u1,anna(at)x,ja\n"}),
         OK1 | {"contacts": (1, 1, 0)}, [("warning", 2, "email", "e-mail")], hidden=("anna(at)x", "Anna A")),
    Case("contact id stays in a finding", csv_folder({"contacts.csv": "id,name,institution,email\nc1,Erika Geheim,u1,erika(at)x\nc1,Erika Zwei,u1,\n"}),
         OK1 | {"contacts": (2, 1, 1)}, [("error", 3, "id", "c1")], hidden=("Erika", "erika(at)x")),
    # ------------------------------------------------------------- .xlsx
    Case("xlsx stale dimension reads all rows", xlsx_book({"institutions": [["id", "name"]] + [[f"u{i}", f"Inst {i}"] for i in range(80)],
                                                           "projects": [["id", "title"], ["P1", "T"]]}, post=stale_dimension),
         {"institutions": (80, 80, 0), "projects": (1, 1, 0)}, []),
    Case("xlsx sheet name variants", xlsx_book({"institutions": [["id", "name"], ["u1", "A"]], "Institutions ": [["id", "name"], ["u2", "B"]],
                                                "projects": [["id", "title"], ["P1", "T"]]}),
         {"institutions": (2, 1, 1), "projects": (1, 1, 0)}, [("error", None, None, "two sheets for table 'institutions'")]),
    Case("xlsx German sheet names", xlsx_book({"Institutionen": [["ID", "Name", "Bundesland"], ["u1", "A", "NRW"]],
                                               "Projekte": [["ID", "Titel", "Phase"], ["P1", "T", "BLP II"]]}), OK1, []),
    Case("xlsx unused sheet", xlsx_book({"institutions": [["id", "name"], ["u1", "A"]], "projects": [["id", "title"], ["P1", "T"]],
                                         "Notizen": [["irgendwas"]]}), OK1, [("warning", None, None, "sheet 'Notizen' not used")]),
    Case("xlsx merged cells", xlsx_book({"institutions": [["id", "name", "city"], ["u1", "A", "Bonn"], ["u2", "B", None]],
                                         "projects": [["id", "title"], ["P1", "T"]]}, merge={"institutions": "C2:C3"}),
         {"institutions": (2, 2, 0), "projects": (1, 1, 0)}, [("warning", 2, None, "merged cells C2:C3")]),
    Case("xlsx date cell and serial in General cell", xlsx_book({"institutions": [["id", "name"], ["u1", "A"]],
                                                                "projects": [["id", "title", "start", "end"], ["P1", "T", __import__("datetime").datetime(2019, 10, 31), 44926]]}),
         OK1, [("warning", 2, "end", "Excel serial")], check=lambda r: (_attr("project:P1", "start", "2019-10-31")(r), _attr("project:P1", "end", "2022-12-31")(r))),
    Case("xlsx numeric ids", xlsx_book({"institutions": [["id", "name"], [1.0, "A"]], "projects": [["id", "title"], [2, "T"]],
                                        "participations": [["project", "institution"], [2, 1]]}),
         OK1 | {"participations": (1, 1, 0)}, []),
    Case("xlsx DEL character", xlsx_book({"institutions": [["id", "name"], ["u1", "Stadt\x7fwerke"]], "projects": [["id", "title"], ["P1", "T"]]}),
         OK1, [("warning", 2, "name", "control characters removed")], check=_attr("institution:u1", "label", "Stadtwerke")),
    Case("xlsx header not in row 1", xlsx_book({"institutions": [[None], ["id", "name"], ["u1", "A"]], "projects": [["id", "title"], ["P1", "T"]]}),
         OK1, []),
    Case("xlsx amount as text and inf", xlsx_book({"institutions": [["id", "name"], ["u1", "A"]], "projects": [["id", "title"], ["P1", "T"]],
                                                   "Kofinanzierung": [["Projekt", "Bundesland", "Art", "Betrag"], ["P1", "Bayern", "Geld", "inf"], ["P1", "Sachsen", "Geld", 5000]]}),
         OK1 | {"cofinancing": (2, 2, 0)}, [("warning", 2, "amount_eur", "not a finite number")]),
    Case("xlsx not a zip", lambda tmp: (tmp / "x.xlsx").write_bytes(b"PK not really") and tmp / "x.xlsx", raises="not a readable .xlsx"),
    Case("xlsx no table sheet", xlsx_book({"Tabelle1": [["a"]]}), raises="no sheet named like a table"),
    # ------------------------------------------------------------- IATI
    Case("IATI two activities", iati_file(_activities(_activity("XM-1"), _activity("XM-2"))), {"iati-activity": (2, 2, 0)}, []),
    Case("IATI missing identifier", iati_file(_activities(_activity(None), _activity("XM-2"))), {"iati-activity": (2, 1, 1)},
         [("error", None, "iati-identifier", "without iati-identifier")]),
    Case("IATI duplicate identifier", iati_file(_activities(_activity("XM-1"), _activity("XM-1"))), {"iati-activity": (2, 1, 1)},
         [("error", None, "iati-identifier", "duplicate")]),
    Case("IATI malformed XML", iati_file("<iati-activities><iati-activity>"), raises="malformed XML"),
    Case("IATI control character reference", iati_file(_activities(_activity("XM-1", org="Stadt&#11;werke"))), raises="malformed XML"),
    Case("IATI DEL character removed", iati_file(_activities(_activity("XM-1", org="Stadt\x7fwerke"))), {"iati-activity": (1, 1, 0)}, [],
         check=lambda r: any(d.get("label") == "Stadtwerke" for _, d in r.graph.nx.nodes(data=True)) or (_ for _ in ()).throw(AssertionError)),
    Case("IATI entity expansion refused", iati_file(
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        + _activities(_activity("XM-1", org="&lol2;"))), {"iati-activity": (1, 1, 0)}, [],
        check=lambda r: not any("lollol" in str(d.get("label")) for _, d in r.graph.nx.nodes(data=True)) or (_ for _ in ()).throw(AssertionError)),
    Case("IATI bad percentage", iati_file(_activities(_activity("XM-1", extra='<recipient-country code="RW" percentage="inf"/>'))),
         {"iati-activity": (1, 1, 0)}, [("warning", None, None, "percentage")]),
    Case("IATI not an activity file", iati_file("<iati-organisations/>"), raises="not an IATI activity file"),
]


def _german_files(tmp: Path) -> Path:
    folder = tmp / "data"
    folder.mkdir()
    (folder / "Institutionen.csv").write_text("ID;Name;Sektor\nu1;Uni;Hochschule\n", encoding="utf-8")
    (folder / "Projekte.csv").write_text("ID;Titel\nP1;T\n", encoding="utf-8")
    return folder


#: Text that has broken something somewhere: formulas, markup, XML's forbidden
#: characters, bidi overrides, BOMs, apostrophes before formulas, a 200 KB cell.
NASTY_VALUES = (
    '=HYPERLINK("http://example.invalid/x","klick")', "@SUM(1+1)", "+49 30 1234", "-5 Punkte", "'=schon neutralisiert",
    "''@doppelt", "<script>alert('x')</script>", "A & B <c> \"d\" ]]>", "Stadt\x0bwerke\x00\x1b", "Del\x7fC1\x85\x9f",
    "\u202eRTL-Override\u202c", "Null\u200bBreite", "\ufeffBOM innen", "Emoji 🌍👩🏽‍🔬", "Zeile 1\nZeile 2\r\nZeile 3",
    "\\N{x} %s {0} $(id)", "a" * 200_000,
)


def nasty_dataset(folder: Path, *, base: Path | None = None) -> Path:
    """A copy of the sample (or ``base``) plus institutions, a project, a
    consented contact and an event whose every text cell holds one of
    :data:`NASTY_VALUES`; all rows load (the values are optional text or
    names), so every page and download shows them."""
    import csv as _csv
    import shutil

    from loaders import SAMPLE_PATH

    base = base or SAMPLE_PATH
    shutil.copytree(base, folder)

    def append(name: str, rows: list[dict[str, str]]) -> None:
        path = folder / f"{name}.csv"
        with path.open(encoding="utf-8", newline="") as fh:
            header = next(_csv.reader(fh))
        with path.open("a", encoding="utf-8", newline="") as fh:
            writer = _csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
            writer.writerows(rows)

    nasty = list(NASTY_VALUES)
    append("institutions", [{"id": f"nasty-{i}", "name": v, "sector": "science", "sector_detail": v, "land": "Hessen",
                             "city": v[:50], "themes": "water", "website": v, "source": v} for i, v in enumerate(nasty)])
    append("projects", [{"id": f"NASTY-{i}", "title": v, "countries": "RWA", "region": v, "themes": "water",
                         "start": "2020", "phase": "II", "description": v, "source": v} for i, v in enumerate(nasty)])
    append("participations", [{"project": f"NASTY-{i}", "institution": f"nasty-{i}", "role": "lead"} for i in range(len(nasty))]
           + [{"project": "BLP-01", "institution": f"nasty-{i}", "role": "partner"} for i in range(3)])
    append("contacts", [{"id": f"cn{i}", "name": v, "institution": f"nasty-{i}", "role": v, "email": f"n{i}@example.org",
                         "languages": "de", "themes": "water", "consent": "true", "illustrative": "true"}
                        for i, v in enumerate(nasty)])
    append("events", [{"id": "en1", "title": nasty[0], "kind": "workshop", "date": "2024-05-01", "country": "DEU",
                       "city": nasty[6], "themes": "water", "illustrative": "true"}])
    append("attendance", [{"event": "en1", "contact": f"cn{i}", "role": "participant", "illustrative": "true"}
                          for i in range(len(nasty))])
    return folder
