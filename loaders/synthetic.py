"""Reproducible synthetic datasets in the canonical format, at any size.

The generator writes what the loaders read (a folder of canonical CSV files),
so benchmarks and scale tests exercise the real load path. The data is
invented (every row ``illustrative=true``) but shaped like the programme:

* the 16 Länder and real partner countries (ISO codes), real themes;
* institutions with the sector mix and Land skew of ``data/sample``
  (public administration and science dominate; Sachsen, Baden-Württemberg
  and Niedersachsen lead), a third of them abroad;
* projects with 2–8 participants, 1–2 partner countries, 1–3 themes,
  co-financing by 0–2 Länder, some linked to a federal programme;
* contacts at institutions, events with attendance.

Degrees are heavy-tailed, not uniform: participants and attendees are drawn
by preferential attachment (the chance to be picked grows with what a node
already has), so a few hubs meet many small actors. Attendance fills the edge
budget so that the graph has about ``edges_per_node`` edges per node (from
about 1,000 nodes on; smaller datasets have too few events and contacts and
fall short; the structural edges alone are about 5 per node, a floor).

The same ``nodes``/``seed``/``edges_per_node`` give byte-identical files.

>>> tables = generate_tables(nodes=400, seed=1)
>>> sorted(tables) == sorted(TABLE_NAMES)
True
>>> predicted_counts(tables)["nodes"]
400
"""

from __future__ import annotations

import csv
import random
from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Sequence

from graph.core.kinds import AttendanceRole, CofinanceKind, EventKind, Role, Sector
from graph.core.reference import LAENDER, country_by_alpha3
from graph.core.text import slugify
from loaders.schema import TABLE_ORDER, TABLES

__all__ = ["TABLE_NAMES", "MIN_NODES", "generate_tables", "predicted_counts", "write_tables", "generate"]

TABLE_NAMES = TABLE_ORDER
#: Smallest supported size (fixed nodes: Länder, countries, themes).
MIN_NODES = 150

# --------------------------------------------------------------- vocabulary
# Themes of the sample (ids and names) plus further development-cooperation themes.
_THEMES: tuple[tuple[str, str, str], ...] = (
    ("economic_development", "Nachhaltige Wirtschaftsentwicklung", "Sustainable economic development"),
    ("vocational_training", "Berufliche Bildung", "Vocational education and training"),
    ("governance", "Governance", "Governance"),
    ("climate_environment", "Umwelt und Klima", "Environment and climate"),
    ("energy", "Energie", "Energy"),
    ("water", "Wasser", "Water"),
    ("health", "Gesundheit", "Health"),
    ("pandemic_resilience", "Pandemieresilienz", "Pandemic resilience"),
    ("mining", "Bergbau", "Mining"),
    ("agriculture", "Landwirtschaft", "Agriculture"),
    ("digitalisation", "Digitalisierung", "Digitalisation"),
    ("urban_development", "Stadtentwicklung", "Urban development"),
    ("mobility", "Mobilität", "Mobility"),
    ("gender", "Geschlechtergerechtigkeit", "Gender equality"),
    ("waste_management", "Kreislaufwirtschaft", "Circular economy"),
    ("higher_education", "Hochschulbildung", "Higher education"),
    ("food_security", "Ernährungssicherung", "Food security"),
    ("migration", "Migration und Entwicklung", "Migration and development"),
)
# Topic words per theme: (German field for names, English field for names).
_FIELDS: dict[str, tuple[str, str]] = {
    "economic_development": ("Wirtschaftsförderung", "Economic Development"),
    "vocational_training": ("Berufsbildung", "Vocational Training"),
    "governance": ("Verwaltungsmodernisierung", "Public Administration"),
    "climate_environment": ("Umwelt und Klimaschutz", "Environment and Climate"),
    "energy": ("Erneuerbare Energien", "Renewable Energy"),
    "water": ("Wasserwirtschaft", "Water Management"),
    "health": ("Gesundheit", "Health"),
    "pandemic_resilience": ("Infektionsschutz", "Public Health"),
    "mining": ("Rohstoffe und Bergbau", "Mining"),
    "agriculture": ("Landwirtschaft", "Agriculture"),
    "digitalisation": ("Digitalisierung", "Digital Innovation"),
    "urban_development": ("Stadtentwicklung", "Urban Development"),
    "mobility": ("Mobilität", "Transport"),
    "gender": ("Gleichstellung", "Gender Equality"),
    "waste_management": ("Abfallwirtschaft", "Waste Management"),
    "higher_education": ("Hochschulkooperation", "Higher Education"),
    "food_security": ("Ernährung", "Food Security"),
    "migration": ("Migration", "Migration"),
}

# Land weights: institutions per Land in data/sample, smoothed by +2 so every Land occurs.
_SAMPLE_LAND_COUNTS = {"DE-SN": 12, "DE-BW": 12, "DE-NI": 10, "DE-HB": 6, "DE-HH": 4, "DE-HE": 3, "DE-BB": 2, "DE-NW": 1}
_LAND_WEIGHTS = [(land.code, _SAMPLE_LAND_COUNTS.get(land.code, 0) + 2) for land in LAENDER]

_CITIES_DE: dict[str, tuple[str, ...]] = {
    "DE-BW": ("Stuttgart", "Karlsruhe", "Freiburg im Breisgau", "Heidelberg", "Ulm", "Tübingen"),
    "DE-BY": ("München", "Nürnberg", "Augsburg", "Würzburg", "Regensburg"),
    "DE-BE": ("Berlin",),
    "DE-BB": ("Potsdam", "Cottbus", "Frankfurt (Oder)", "Eberswalde"),
    "DE-HB": ("Bremen", "Bremerhaven"),
    "DE-HH": ("Hamburg",),
    "DE-HE": ("Wiesbaden", "Frankfurt am Main", "Darmstadt", "Kassel", "Gießen", "Groß-Gerau"),
    "DE-MV": ("Schwerin", "Rostock", "Greifswald"),
    "DE-NI": ("Hannover", "Braunschweig", "Göttingen", "Oldenburg", "Osnabrück", "Celle"),
    "DE-NW": ("Düsseldorf", "Köln", "Bonn", "Münster", "Aachen", "Dortmund"),
    "DE-RP": ("Mainz", "Koblenz", "Trier", "Kaiserslautern"),
    "DE-SL": ("Saarbrücken", "Homburg"),
    "DE-SN": ("Dresden", "Leipzig", "Chemnitz", "Freiberg", "Zwickau"),
    "DE-ST": ("Magdeburg", "Halle (Saale)", "Dessau-Roßlau"),
    "DE-SH": ("Kiel", "Lübeck", "Flensburg"),
    "DE-TH": ("Erfurt", "Jena", "Weimar", "Ilmenau"),
}
# Partner countries (ISO alpha-3) in falling order of weight, with a major city.
_PARTNERS: tuple[tuple[str, str], ...] = (
    ("ZAF", "Pretoria"), ("TZA", "Dodoma"), ("RWA", "Kigali"), ("NAM", "Windhoek"), ("MOZ", "Maputo"),
    ("ETH", "Addis Abeba"), ("UGA", "Kampala"), ("KEN", "Nairobi"), ("GHA", "Accra"), ("TUN", "Tunis"),
    ("MAR", "Rabat"), ("SEN", "Dakar"), ("BFA", "Ouagadougou"), ("BDI", "Gitega"), ("CMR", "Yaoundé"),
    ("NGA", "Abuja"), ("ZMB", "Lusaka"), ("MWI", "Lilongwe"), ("BEN", "Cotonou"), ("TGO", "Lomé"),
    ("PER", "Lima"), ("IND", "Neu-Delhi"), ("VNM", "Hanoi"), ("IDN", "Jakarta"), ("JOR", "Amman"),
    ("EGY", "Kairo"), ("MLI", "Bamako"), ("LBN", "Beirut"), ("PHL", "Manila"), ("KHM", "Phnom Penh"),
    ("MNG", "Ulaanbaatar"), ("UZB", "Taschkent"), ("UKR", "Kyjiw"), ("MDA", "Chișinău"), ("GEO", "Tiflis"),
    ("ARM", "Jerewan"), ("BOL", "La Paz"), ("ECU", "Quito"), ("COL", "Bogotá"), ("BRA", "Brasília"),
    ("MEX", "Mexiko-Stadt"), ("GTM", "Guatemala-Stadt"), ("NIC", "Managua"), ("CRI", "San José"),
    ("CHL", "Santiago de Chile"), ("PAK", "Islamabad"), ("BGD", "Dhaka"), ("NPL", "Kathmandu"),
    ("LAO", "Vientiane"), ("KAZ", "Astana"),
)
_FRENCH = {"TUN", "MAR", "SEN", "BFA", "BDI", "CMR", "BEN", "TGO", "MLI", "RWA"}
_SPANISH = {"PER", "BOL", "ECU", "COL", "MEX", "GTM", "NIC", "CRI", "CHL"}
_PORTUGUESE = {"MOZ", "BRA"}

# Sector mix of data/sample (empty = source does not say).
_SECTOR_WEIGHTS = (
    (Sector.PUBLIC_ADMINISTRATION.value, 50), (Sector.SCIENCE.value, 20), (Sector.BUSINESS.value, 12),
    (Sector.CIVIL_SOCIETY.value, 7), (Sector.IMPLEMENTING_AGENCY.value, 5), (Sector.OTHER.value, 2), ("", 4),
)
# Head start in preferential attachment: implementing agencies are the programme's hubs.
_FITNESS = {Sector.IMPLEMENTING_AGENCY.value: 12, Sector.PUBLIC_ADMINISTRATION.value: 2}

_DE_TEMPLATES = {
    "public_administration": ("Ministerium für {field} {land}", "Landesamt für {field} {land}",
                              "Stadt {city}, Amt für {field}", "Landkreis {city}, Fachbereich {field}"),
    "science": ("Universität {city}, Institut für {field}", "Hochschule {city}, Fachgebiet {field}",
                "Forschungszentrum {field} {city}"),
    "business": ("{surname} {field} GmbH", "Handwerkskammer {city}", "Industrie- und Handelskammer {city}",
                 "Stadtwerke {city}"),
    "civil_society": ("Eine-Welt-Netzwerk {land} e.V.", "Verein für {field} {city} e.V.", "Partnerschaftsverein {city} e.V."),
    "implementing_agency": ("GIZ Landesbüro {land}", "GIZ Regionalbüro {city}", "Engagement Global, Außenstelle {city}"),
    "other": ("Stiftung {field} {city}", "Landesnetzwerk {field} {land}"),
    "": ("Kompetenzzentrum {field} {city}", "Arbeitsgemeinschaft {field} {land}"),
}
_FOREIGN_TEMPLATES = {
    "public_administration": ("Ministry of {field}, {country}", "{city} City Council, Department of {field}",
                              "National Agency for {field}, {country}"),
    "science": ("University of {city}, School of {field}", "{city} Institute of {field}", "{country} Polytechnic, {field}"),
    "business": ("{city} {field} Ltd.", "{country} Chamber of Commerce, {city}", "{surname} {field} Company"),
    "civil_society": ("{city} {field} Association", "{country} {field} Network"),
    "implementing_agency": ("GIZ Office {country}", "{country} Development Agency, {city}"),
    "other": ("{city} {field} Foundation",),
    "": ("{city} Centre for {field}",),
}
_SURNAMES = ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
             "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
             "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Krause", "Meier", "Lehmann",
             "Mwangi", "Okafor", "Nkosi", "Mensah", "Diallo", "Uwimana", "Banda", "Mutua", "Haddad", "Nguyen",
             "Tran", "Sharma", "Singh", "García", "Rodríguez", "Quispe", "Silva", "Santos", "Kowalenko", "Beridze")
_FIRST_NAMES = ("Anna", "Jana", "Katrin", "Sabine", "Julia", "Lena", "Miriam", "Petra", "Claudia", "Sophie",
                "Thomas", "Michael", "Jürgen", "Jörg", "Stefan", "Andreas", "Markus", "Tobias", "Felix", "Lukas",
                "Amina", "Grace", "Fatou", "Aisha", "Chiara", "Lucía", "Mai", "Priya", "Olena", "Nino",
                "Kwame", "Jean-Pierre", "Tendai", "Samuel", "Omar", "Carlos", "Diego", "Rahul", "Minh", "Giorgi")
_ROLES = ("Referentin", "Referent", "Projektleiterin", "Projektleiter", "Abteilungsleiterin", "Abteilungsleiter",
          "Wissenschaftliche Mitarbeiterin", "Wissenschaftlicher Mitarbeiter", "Koordinatorin",
          "Programme Officer", "Director", "Head of Department", "Lecturer", "Geschäftsführerin")
_PROJECT_ACTIONS = ("Stärkung", "Qualifizierung", "Aufbau", "Förderung", "Modernisierung", "Partnerschaft",
                    "Kapazitätsentwicklung", "Wissenstransfer", "Innovation", "Netzwerk")
_EVENT_TITLES = {
    EventKind.NETWORK_MEETING.value: "Netzwerktreffen {field} {year}",
    EventKind.CONFERENCE.value: "Fachkonferenz {field} {year}",
    EventKind.WORKSHOP.value: "Workshop {field} in {city}",
    EventKind.TRAINING.value: "Training: {field} für Fachkräfte",
    EventKind.LAB.value: "Innovationslabor {field} {year}",
    EventKind.OTHER.value: "Austausch {field} {year}",
}
_PARTICIPANT_WEIGHTS = ((2, 20), (3, 24), (4, 20), (5, 14), (6, 10), (7, 7), (8, 5))
_COFIN_KIND_WEIGHTS = ((CofinanceKind.MONEY.value, 50), (CofinanceKind.STAFF.value, 20), (CofinanceKind.ROOMS.value, 8),
                       (CofinanceKind.SCHOLARSHIPS.value, 8), (CofinanceKind.TRAINING_PLACES.value, 8),
                       (CofinanceKind.OTHER.value, 6))
_EVENT_KIND_WEIGHTS = tuple((k.value, w) for k, w in zip(EventKind, (25, 15, 25, 20, 10, 5)))

# Share of the free node budget per kind (the rest are Länder, countries, themes, programmes).
_SHARES = {"institutions": 0.18, "projects": 0.38, "contacts": 0.37, "events": 0.07}


# ------------------------------------------------------------------ helpers
class _Weighted:
    """Fast repeated weighted choice from a fixed list."""

    def __init__(self, items: Sequence[tuple[object, float]]):
        self.values = [v for v, _ in items]
        self.cum = list(accumulate(w for _, w in items))

    def __call__(self, rng: random.Random):
        return self.values[bisect(self.cum, rng.random() * self.cum[-1])]


class _Urn:
    """Preferential attachment on a growing population (Barabási–Albert style).

    Items enter in index order as the process advances (:meth:`grow`); a
    newcomer waits in :attr:`pending` until it gets its first link. Drawing
    picks an active item with probability proportional to its fitness plus
    the links it already has, so early and fit items become hubs.
    """

    def __init__(self, fitness: Sequence[int]):
        self.fitness = fitness
        self.balls: list[int] = []
        self.active = 0
        self.pending: list[int] = []

    def grow(self, upto: int) -> None:
        """Activate items up to index ``upto`` (exclusive)."""
        upto = min(upto, len(self.fitness))
        for item in range(self.active, upto):
            self.balls.extend([item] * self.fitness[item])
            self.pending.append(item)
        self.active = max(self.active, upto)

    def take_pending(self, k: int, exclude: set[int]) -> list[int]:
        out = []
        while self.pending and len(out) < k:
            item = self.pending.pop(0)
            if item in exclude:
                self.pending.append(item)
                break
            out.append(item)
        self.balls.extend(out)
        return out

    def draw_distinct(self, rng: random.Random, k: int, exclude: set[int] | None = None) -> list[int]:
        chosen: list[int] = []
        seen = set(exclude or ())
        balls = self.balls
        if not balls:
            return chosen
        for _ in range(50 * k + 50):
            if len(chosen) == k:
                break
            item = balls[int(rng.random() * len(balls))]
            if item not in seen:
                seen.add(item)
                chosen.append(item)
        balls.extend(chosen)
        return chosen


@dataclass
class _Inst:
    id: str
    land: str
    country: str
    sector: str
    city: str
    field_theme: str


@dataclass
class _State:
    rng: random.Random
    tables: dict[str, list[list[str]]] = field(default_factory=dict)
    edges: int = 0


def _plan(nodes: int, n_countries: int, n_programmes: int) -> dict[str, int]:
    fixed = len(LAENDER) + n_countries + len(_THEMES) + n_programmes
    free = nodes - fixed
    plan = {name: max(1, int(free * share)) for name, share in _SHARES.items()}
    plan["contacts"] += free - sum(plan.values())
    return plan


# ---------------------------------------------------------------- generator
def generate_tables(*, nodes: int, seed: int = 0, edges_per_node: float = 10.0) -> dict[str, list[list[str]]]:
    """Generate a dataset of ``nodes`` graph nodes as canonical tables.

    Returns ``{table name: rows}`` with the header as the first row. Loading
    the tables gives exactly ``nodes`` nodes and about ``edges_per_node *
    nodes`` edges. Raises ``ValueError`` for ``nodes < MIN_NODES``.

    >>> t = generate_tables(nodes=300, seed=7)
    >>> t["participations"][0]
    ['project', 'institution', 'role', 'illustrative']
    """
    if nodes < MIN_NODES:
        raise ValueError(f"nodes must be at least {MIN_NODES}")
    if edges_per_node <= 0:
        raise ValueError("edges_per_node must be positive")
    rng = random.Random(seed)
    st = _State(rng)
    # Partner countries: all for large sizes, fewer for small ones. Germany is one more country node.
    n_partner = min(len(_PARTNERS), max(8, nodes // 40))
    partners = _PARTNERS[:n_partner]
    n_programmes = max(2, nodes // 2500)
    plan = _plan(nodes, n_partner + 1, n_programmes)

    country_pick = _Weighted([(code, 1.0 / (rank + 2)) for rank, (code, _) in enumerate(partners)])
    city_of = dict(partners)
    names = {code: country_by_alpha3(code) for code, _ in partners}

    _themes(st)
    programmes = _programmes(st, n_programmes, partners, names)
    insts = _institutions(st, plan["institutions"], partners, country_pick, city_of, names)
    _projects(st, plan["projects"], insts, programmes, partners, country_pick, names)
    _partnerships(st, partners)
    contacts = _contacts(st, plan["contacts"], insts)
    events = _events(st, plan["events"], partners, country_pick, city_of)
    _attendance(st, events, contacts, budget=round(edges_per_node * nodes) - st.edges)
    return st.tables


def _table(st: _State, name: str, columns: Sequence[str]) -> list[list[str]]:
    assert set(columns) <= set(TABLES[name].column_names), (name, columns)
    rows = [list(columns)]
    st.tables[name] = rows
    return rows


def _pick_themes(rng: random.Random, first: str | None, k_max: int) -> list[str]:
    k = 1 + int(rng.random() ** 2 * k_max)  # mostly one or two
    chosen = [first] if first else []
    while len(chosen) < k:
        theme = _THEMES[int(rng.random() ** 1.6 * len(_THEMES))][0]  # the sample's first themes are the common ones
        if theme not in chosen:
            chosen.append(theme)
    return chosen


def _themes(st: _State) -> None:
    rows = _table(st, "themes", ("id", "name_de", "name_en", "illustrative"))
    for tid, de, en in _THEMES:
        rows.append([tid, de, en, "true"])


def _programmes(st, n, partners, names) -> list[str]:
    rows = _table(st, "programmes", ("id", "name", "country", "illustrative"))
    ids = []
    for i in range(n):
        code = partners[i % len(partners)][0]
        theme = _THEMES[i % len(_THEMES)][0]
        pid = f"prog-{i + 1:04d}"
        rows.append([pid, f"TZ-Programm {_FIELDS[theme][1]} {names[code].name_de}", code, "true"])
        st.edges += 1
        ids.append(pid)
    return ids


def _institutions(st, n, partners, country_pick, city_of, names) -> list[_Inst]:
    rng = st.rng
    rows = _table(st, "institutions", ("id", "name", "sector", "sector_detail", "land", "country", "city",
                                       "themes", "website", "illustrative"))
    land_pick = _Weighted(_LAND_WEIGHTS)
    sector_pick = _Weighted(_SECTOR_WEIGHTS)
    land_names = {land.code: land.name_de for land in LAENDER}
    used: dict[str, int] = {}
    insts = []
    for i in range(n):
        r = rng.random()
        # 62 % in a Land, 4 % federal (Germany, no Land), 34 % abroad; the last ones are one per
        # partner country, so that small datasets still have partners everywhere.
        if i >= n - len(partners):
            land, country = "", partners[n - 1 - i][0]
        elif r < 0.62:
            land, country = land_pick(rng), "DEU"
        elif r < 0.66:
            land, country = "", "DEU"
        else:
            land, country = "", country_pick(rng)
        sector = sector_pick(rng)
        if sector == Sector.IMPLEMENTING_AGENCY.value and rng.random() < 0.5:
            sector = Sector.PUBLIC_ADMINISTRATION.value  # agencies are few: halve them
        field_theme = _THEMES[int(rng.random() ** 1.4 * len(_THEMES))][0]
        f_de, f_en = _FIELDS[field_theme]
        surname = rng.choice(_SURNAMES)
        if country == "DEU":
            city = rng.choice(_CITIES_DE[land]) if land else "Bonn"
            template = rng.choice(_DE_TEMPLATES[sector])
            name = template.format(field=f_de, land=land_names.get(land, "Deutschland"), city=city, surname=surname)
        else:
            city = city_of[country]
            template = rng.choice(_FOREIGN_TEMPLATES[sector])
            name = template.format(field=f_en, country=names[country].name_en, city=city, surname=surname)
        seen = used.get(name, 0)
        used[name] = seen + 1
        if seen:
            name = f"{name} ({seen + 1})"
        iid = f"inst-{i + 1:06d}"
        themes = _pick_themes(rng, field_theme, 3)
        website = f"https://{slugify(iid)}.example.org/" if rng.random() < 0.3 else ""
        rows.append([iid, name, sector, f_de if sector else "", land, country if not land or rng.random() < 0.5 else "",
                     city, ";".join(themes), website, "true"])
        st.edges += 1 + len(themes)  # located_in + works_on
        insts.append(_Inst(iid, land, country, sector, city, field_theme))
    return insts


def _projects(st, n, insts, programmes, partners, country_pick, names) -> None:
    rng = st.rng
    rows = _table(st, "projects", ("id", "title", "countries", "region", "themes", "start", "end", "phase",
                                   "programme", "description", "illustrative"))
    prows = _table(st, "participations", ("project", "institution", "role", "illustrative"))
    crows = _table(st, "cofinancing", ("project", "land", "kind", "amount_eur", "illustrative"))
    # Institutions enter over time (in index order); early and fit ones become hubs.
    urn = _Urn([_FITNESS.get(inst.sector, 1) for inst in insts])
    start_pool = max(10, len(insts) // 20)
    urn.grow(start_pool)
    by_country: dict[str, list[int]] = {}
    for idx, inst in enumerate(insts):
        if inst.country != "DEU":
            by_country.setdefault(inst.country, []).append(idx)
    size_pick = _Weighted(_PARTICIPANT_WEIGHTS)
    cofin_pick = _Weighted(_COFIN_KIND_WEIGHTS)
    role_pick = _Weighted(((Role.PARTNER.value, 50), (Role.IMPLEMENTING.value, 25), (Role.FUNDING.value, 10),
                           (Role.ASSOCIATED.value, 15)))
    land_pick = _Weighted(_LAND_WEIGHTS)
    year_pick = _Weighted([(y, w) for y, w in zip(range(2015, 2027), (2, 3, 4, 5, 6, 7, 8, 8, 9, 9, 8, 6))])
    for i in range(n):
        pid = f"SYN-{i + 1:06d}"
        countries = [partners[i][0]] if i < len(partners) else [country_pick(rng)]
        if rng.random() < 0.25:
            extra = country_pick(rng)
            if extra not in countries:
                countries.append(extra)
        themes = _pick_themes(rng, None, 3)
        start_year = year_pick(rng)
        start = f"{start_year}-{rng.randint(1, 12):02d}" if rng.random() < 0.8 else str(start_year)
        end = str(start_year + rng.randint(1, 4)) if rng.random() < 0.75 else ""
        phase = "pilot" if start_year < 2019 else ("II" if start_year < 2023 else "III")
        programme = rng.choice(programmes) if rng.random() < 0.2 else ""
        f_de = _FIELDS[themes[0]][0]
        country_de = names[countries[0]].name_de
        title = f"{rng.choice(_PROJECT_ACTIONS)}: {f_de} in {country_de}"
        region = ""
        rows.append([pid, title, ";".join(countries), region, ";".join(themes), start, end, phase, programme,
                     f"Gemeinsames Vorhaben zu {f_de} mit Partnern in {country_de}.", "true"])
        st.edges += len(countries) + len(themes) + (1 if programme else 0)
        # participants: a German lead (preferential), newcomers, partners from the project's
        # country, further partners drawn preferentially
        urn.grow(start_pool + -(-(len(insts) - start_pool) * (i + 1) // n))
        k = size_pick(rng)
        members = []
        for _ in range(100):
            cand = urn.balls[int(rng.random() * len(urn.balls))]
            if insts[cand].country == "DEU":
                members.append(cand)
                urn.balls.append(cand)
                break
        members += urn.take_pending(k - len(members), set(members))
        while len(members) < k:
            local = by_country.get(countries[0])
            if local and rng.random() < 0.35:
                cand = local[int(rng.random() * len(local))]
                if cand not in members:
                    members.append(cand)
                    urn.balls.append(cand)
                    continue
            drawn = urn.draw_distinct(rng, 1, exclude=set(members))
            if not drawn:
                break
            members += drawn
        for pos, idx in enumerate(members):
            prows.append([pid, insts[idx].id, Role.LEAD.value if pos == 0 else role_pick(rng), "true"])
        st.edges += len(members)
        # co-financing: mostly the Land of the lead
        r = rng.random()
        n_cofin = 0 if r < 0.3 else (1 if r < 0.8 else 2)
        laender: list[str] = []
        lead_land = insts[members[0]].land
        while len(laender) < n_cofin:
            land = lead_land if (not laender and lead_land) else land_pick(rng)
            if land not in laender:
                laender.append(land)
        for land in laender:
            kind = cofin_pick(rng)
            amount = str(rng.randint(1, 60) * 5000) if kind == CofinanceKind.MONEY.value and rng.random() < 0.7 else ""
            crows.append([pid, land, kind, amount, "true"])
        st.edges += len(laender)


def _partnerships(st, partners) -> None:
    rng = st.rng
    rows = _table(st, "partnerships", ("land", "country", "type", "since", "illustrative"))
    for land in LAENDER:
        k = rng.randint(1, 3)
        for code in rng.sample([c for c, _ in partners], min(k, len(partners))):
            rows.append([land.code, code, rng.choice(("Länderpartnerschaft", "Regionalpartnerschaft")),
                         str(rng.randint(1975, 2020)), "true"])
            st.edges += 1


def _contacts(st, n, insts) -> list[str]:
    rng = st.rng
    rows = _table(st, "contacts", ("id", "name", "institution", "role", "email", "languages", "themes",
                                   "consent", "illustrative"))
    # Institutions active in many projects have more staff in the network.
    active = [0] * len(insts)
    index = {inst.id: idx for idx, inst in enumerate(insts)}
    for row in st.tables["participations"][1:]:
        active[index[row[1]]] += 1
    inst_pick = _Weighted([(idx, 1 + _FITNESS.get(inst.sector, 1) + active[idx]) for idx, inst in enumerate(insts)])
    ids = []
    for i in range(n):
        idx = inst_pick(rng)
        inst = insts[idx]
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_SURNAMES)
        cid = f"c{i + 1:06d}"
        langs = ["de"] if inst.country == "DEU" else []
        if rng.random() < 0.85 or not langs:
            langs.append("en")
        if inst.country in _FRENCH or rng.random() < 0.08:
            langs.append("fr")
        if inst.country in _SPANISH or rng.random() < 0.05:
            langs.append("es")
        if inst.country in _PORTUGUESE:
            langs.append("pt")
        themes = _pick_themes(rng, inst.field_theme, 2)
        consent = "true" if rng.random() < 0.9 else "false"
        email = f"{slugify(first)}.{slugify(last)}.{i + 1}@example.org"
        rows.append([cid, f"{first} {last}", inst.id, rng.choice(_ROLES), email, ";".join(dict.fromkeys(langs)),
                     ";".join(themes), consent, "true"])
        st.edges += 1 + len(themes)  # works_at + works_on
        ids.append(cid)
    return ids


def _events(st, n, partners, country_pick, city_of) -> list[str]:
    rng = st.rng
    rows = _table(st, "events", ("id", "title", "kind", "date", "country", "city", "themes", "illustrative"))
    kind_pick = _Weighted(_EVENT_KIND_WEIGHTS)
    ids = []
    for i in range(n):
        eid = f"e{i + 1:06d}"
        kind = kind_pick(rng)
        year = rng.randint(2016, 2026)
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if i == 0 or rng.random() < 0.6:
            country = "DEU"
            land = rng.choice(LAENDER).code
            city = rng.choice(_CITIES_DE[land])
        else:
            country = country_pick(rng)
            city = city_of[country]
        themes = _pick_themes(rng, None, 2)
        title = _EVENT_TITLES[kind].format(field=_FIELDS[themes[0]][0], year=year, city=city)
        rows.append([eid, title, kind, date, country, city if rng.random() < 0.9 else "", ";".join(themes), "true"])
        st.edges += 1 + len(themes)  # held_in + about
        ids.append(eid)
    return ids


def _attendance(st, events, contacts, *, budget: int) -> None:
    rng = st.rng
    rows = _table(st, "attendance", ("event", "contact", "role", "illustrative"))
    if budget <= 0 or not events or not contacts:
        return
    # Event sizes: heavy-tailed (Pareto), scaled to the budget, at least 2, at most half of all contacts.
    cap = max(2, len(contacts) // 2)
    weights = [rng.paretovariate(1.6) for _ in events]
    scale = budget / sum(weights)
    sizes = [min(cap, max(2, int(w * scale))) for w in weights]
    short = budget - sum(sizes)
    while short > 0:
        room = [j for j, size in enumerate(sizes) if size < cap]
        if not room:
            break
        for j in room[:short]:
            sizes[j] += 1
        short = budget - sum(sizes)
    # Contacts enter over time; newcomers attend first, the rest is drawn preferentially.
    urn = _Urn([1] * len(contacts))
    start_pool = max(2, len(contacts) // 20)
    urn.grow(start_pool)
    carry = 0
    for e, (eid, size) in enumerate(zip(events, sizes)):
        urn.grow(start_pool + -(-(len(contacts) - start_pool) * (e + 1) // len(events)))
        # an event cannot be bigger than half the contacts active so far: defer the excess
        size += carry
        fitting = max(2, min(size, urn.active // 2))
        carry, size = size - fitting, fitting
        members = urn.take_pending(size, set())
        members += urn.draw_distinct(rng, size - len(members), exclude=set(members))
        for pos, idx in enumerate(members):
            role = (AttendanceRole.ORGANISER.value if pos == 0 else
                    AttendanceRole.SPEAKER.value if pos <= 2 else AttendanceRole.PARTICIPANT.value)
            rows.append([eid, contacts[idx], role, "true"])
            st.edges += 1


# ------------------------------------------------------------------ output
def predicted_counts(tables: dict[str, list[list[str]]]) -> dict[str, int]:
    """Nodes and edges the generated tables give when loaded.

    Counts from the rows alone (every row of the generator is valid and
    produces no duplicate), so tests can compare them with the loaded graph.
    """
    col = {name: {c: i for i, c in enumerate(rows[0])} for name, rows in tables.items()}

    def multi(name: str, column: str) -> int:
        i = col[name][column]
        return sum(len([x for x in r[i].split(";") if x]) for r in tables[name][1:])

    countries = {r[col["institutions"]["country"]] for r in tables["institutions"][1:]
                 if not r[col["institutions"]["land"]]}
    for name, column in (("projects", "countries"), ("programmes", "country"), ("events", "country"),
                         ("partnerships", "country")):
        i = col[name][column]
        for r in tables[name][1:]:
            countries.update(x for x in r[i].split(";") if x)
    nodes = len(LAENDER) + len(countries) + sum(len(tables[t]) - 1 for t in
                                                ("themes", "programmes", "institutions", "projects", "contacts", "events"))
    rows = {name: len(r) - 1 for name, r in tables.items()}
    edges = (rows["programmes"] + rows["institutions"] + multi("institutions", "themes")
             + multi("projects", "countries") + multi("projects", "themes")
             + sum(1 for r in tables["projects"][1:] if r[col["projects"]["programme"]])
             + rows["participations"] + rows["cofinancing"] + rows["partnerships"]
             + rows["contacts"] + multi("contacts", "themes")
             + rows["events"] + multi("events", "themes") + rows["attendance"])
    return {"nodes": nodes, "edges": edges, "rows": sum(rows.values())}


def write_tables(tables: dict[str, list[list[str]]], out_dir: str | Path) -> list[Path]:
    """Write tables as UTF-8 CSV files ``out_dir/<table>.csv``; return the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TABLE_ORDER:
        path = out / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh, lineterminator="\n").writerows(tables[name])
        written.append(path)
    return written


def generate(out_dir: str | Path, *, nodes: int, seed: int = 0, edges_per_node: float = 10.0) -> dict[str, int]:
    """Generate a dataset into ``out_dir``; return its predicted node/edge/row counts."""
    tables = generate_tables(nodes=nodes, seed=seed, edges_per_node=edges_per_node)
    write_tables(tables, out_dir)
    return predicted_counts(tables)
