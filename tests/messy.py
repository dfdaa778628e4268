"""Rewrite a share of a dataset's optional cells the way German-speaking Länder staff write them.

The sample is tidy; real spreadsheets are not. :func:`messy_copy` copies a
folder of canonical CSV files and rewrites about ``share`` of the optional
cells it knows a human form for: phases as ``BLP II`` or ``Phase 2``, statuses
as ``laufend``, dates as ``Okt 2019``, ``ca. 2018``, ``2019/20``, ``Q3 2019``
or an Excel serial number, Länder as ``Bayern (Freistaat)`` or ``NRW``,
sectors, roles and kinds as the UI's German labels or common words (``NGO``,
``Leitung``, ``Geld``), consent as ``ja, schriftlich``, years as
``seit 1982``, amounts as ``140.000 €``, headers in German. Every rewrite
means the same as the original, so a loader that understands people loses
no row and builds the same facts.

Run ``python -m tests.messy OUT [--share 0.1] [--seed 1]`` to write a messy
copy of the sample.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import re
from pathlib import Path
from typing import Callable

from graph.core.reference import resolve_land

__all__ = ["messy_copy", "REWRITES"]

_MONTHS_DE = ["Jan", "Feb", "März", "Apr", "Mai", "Juni", "Juli", "Aug", "Sept", "Okt", "Nov", "Dez"]


def _date(value: str, rnd: random.Random) -> str:
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        return rnd.choice([f"{d:02d}.{mo:02d}.{y}", str((dt.date(y, mo, d) - dt.date(1899, 12, 30)).days),
                           f"{d}.{mo}.{y}"])
    if m := re.fullmatch(r"(\d{4})-(\d{2})", value):
        y, mo = int(m[1]), int(m[2])
        forms = [f"{_MONTHS_DE[mo - 1]} {y}", f"{mo:02d}/{y}", f"{_MONTHS_DE[mo - 1]}. {y}"]
        if mo in (1, 4, 7, 10):
            forms.append(f"Q{(mo + 2) // 3} {y}")
        return rnd.choice(forms)
    if re.fullmatch(r"\d{4}", value):
        return rnd.choice([f"ca. {value}", f"{value}/{int(value[2:]) + 1:02d}" if value[2:] != "99" else f"ca. {value}"])
    return value


def _choice(mapping: dict[str, list[str]]) -> Callable[[str, random.Random], str]:
    def rewrite(value: str, rnd: random.Random) -> str:
        return rnd.choice(mapping[value]) if value in mapping else value
    return rewrite


def _land(value: str, rnd: random.Random) -> str:
    land = resolve_land(value)
    if land is None:
        return value
    forms = [f"{land.name_de} (Bundesland)", f"Land {land.name_de}", land.name_de.upper()]
    if land.code in ("DE-BY", "DE-SN", "DE-TH"):
        forms.append(f"{land.name_de} (Freistaat)")
    if land.code == "DE-NW":
        forms.append("NRW")
    return rnd.choice(forms)


def _countries(value: str, rnd: random.Random) -> str:
    from graph.core.reference import resolve_country

    names = []
    for part in value.split(";"):
        c = resolve_country(part.strip())
        names.append(rnd.choice([c.name_de, c.name_en, f"{c.name_de} (Partnerland)"]) if c else part)
    return rnd.choice(["; ".join(names), " | ".join(names)])


def _amount(value: str, rnd: random.Random) -> str:
    try:
        number = float(value)
    except ValueError:
        return value
    whole = f"{number:,.0f}".replace(",", ".")
    return rnd.choice([f"{whole} €", f"{whole},00 EUR", f"EUR {whole}"])


#: Per table and column: how a person might write the value.
REWRITES: dict[str, dict[str, Callable[[str, random.Random], str]]] = {
    "projects": {
        "phase": _choice({"II": ["BLP II", "Phase 2", "Phase II", "2. Phase"], "III": ["BLP III", "Phase 3"],
                          "pilot": ["Pilotphase", "Pilot", "BLP I"]}),
        "status": _choice({"active": ["laufend", "Laufend", "aktiv"], "completed": ["abgeschlossen", "beendet"],
                           "planned": ["geplant", "in Planung"], "unknown": ["unbekannt", "k.A."]}),
        "start": _date, "end": _date, "countries": _countries,
    },
    "institutions": {
        "sector": _choice({"science": ["Wissenschaft", "Hochschule", "Forschung"], "civil_society": ["NGO", "Zivilgesellschaft", "Verein"],
                           "business": ["Wirtschaft", "Unternehmen"], "public_administration": ["Öffentliche Verwaltung", "Verwaltung", "Behörde"],
                           "implementing_agency": ["Durchführungsorganisation"], "other": ["Sonstige"]}),
        "land": _land,
        "country": _choice({"DEU": ["Deutschland", "Germany", "DE"]}),
    },
    "participations": {
        "role": _choice({"lead": ["Leitung", "Koordination", "Federführung", "Lead"], "partner": ["Projektpartner", "Partner"],
                         "implementing": ["Durchführung", "Umsetzung"], "funding": ["Förderung", "Geldgeber", "Finanzierung"],
                         "associated": ["assoziiert", "Assoziierter Partner"]}),
    },
    "cofinancing": {
        "kind": _choice({"money": ["Geld", "Finanzmittel", "finanziell"], "staff": ["Personal"], "rooms": ["Räume"],
                         "scholarships": ["Stipendien"], "training_places": ["Ausbildungsplätze"], "other": ["Sonstiges", "Sachleistung"]}),
        "amount_eur": _amount,
    },
    "partnerships": {
        "since": lambda v, rnd: rnd.choice([f"seit {v}", f"ab {v}"]) if v else v,
        "country": _countries,
    },
    "contacts": {
        "consent": _choice({"true": ["ja, schriftlich", "Ja", "ja (mündlich)", "x"], "false": ["nein", "Nein"]}),
        "illustrative": _choice({"true": ["ja", "x", "Ja"]}),
    },
    "events": {
        "kind": _choice({"training": ["Fortbildung", "Schulung"], "conference": ["Konferenz", "Tagung"],
                         "workshop": ["Workshop"], "network_meeting": ["Netzwerktreffen", "Vernetzungstreffen"],
                         "lab": ["Labor"], "other": ["Sonstiges"]}),
        "date": _date,
        "illustrative": _choice({"true": ["ja", "x"]}),
    },
    "attendance": {
        "role": _choice({"speaker": ["Referentin", "Vortrag"], "participant": ["Teilnehmer", "Teilnahme"],
                         "organiser": ["Veranstalter", "Organisation"]}),
    },
}

#: German headers written instead of the canonical ones (a share of the tables).
GERMAN_HEADERS = {
    "projects": {"title": "Titel", "start": "Beginn", "end": "Ende", "countries": "Partnerland", "status": "Status"},
    "institutions": {"sector": "Sektor", "land": "Bundesland", "city": "Stadt"},
    "participations": {"project": "Projekt", "role": "Rolle"},
    "cofinancing": {"kind": "Art", "amount_eur": "Betrag"},
}


def messy_copy(src: str | Path, dst: str | Path, *, share: float = 0.1, seed: int = 1,
               german_headers: bool = True) -> dict[str, int]:
    """Write a messy copy of the CSV dataset ``src`` into ``dst``; returns how
    many cells were rewritten per table."""
    rnd = random.Random(seed)
    src, dst = Path(src), Path(dst)
    dst.mkdir(parents=True, exist_ok=True)
    rewritten: dict[str, int] = {}
    for path in sorted(src.glob("*.csv")):
        table = path.stem
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        header, body = rows[0], rows[1:]
        rules = REWRITES.get(table, {})
        count = 0
        for row in body:
            for i, column in enumerate(header):
                if column in rules and i < len(row) and row[i] and rnd.random() < share:
                    new = rules[column](row[i], rnd)
                    count += new != row[i]
                    row[i] = new
        if german_headers:
            header = [GERMAN_HEADERS.get(table, {}).get(c, c) for c in header]
        with (dst / path.name).open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([header, *body])
        rewritten[table] = count
    return rewritten


def main() -> None:  # pragma: no cover - a CLI for people
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--src", default=str(Path(__file__).resolve().parent.parent / "data" / "sample"))
    parser.add_argument("--share", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--canonical-headers", action="store_true", help="keep the English headers")
    args = parser.parse_args()
    counts = messy_copy(args.src, args.out, share=args.share, seed=args.seed, german_headers=not args.canonical_headers)
    print(f"rewrote {sum(counts.values())} cells: {counts}")


if __name__ == "__main__":  # pragma: no cover
    main()
