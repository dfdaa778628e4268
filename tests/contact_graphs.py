"""A tiny named graph for the contact tests, where every answer is obvious.

Institutions: uni-hh (science, Hamburg, in project P-TZA → Tanzania),
firma-he (business, Hessen, in project P-NAM → Namibia), amt-he (public
administration, Hessen, no project), ngo-tz (civil society, seat in Tanzania).
Persons:
  anna   Anna Adler      uni-hh   water       de;sw  attended e-old (2020-01) as speaker
  bernd  Bernd Bauer     firma-he energy      de;en  attended e-new (2026-10) as participant
  carla  Carla Conrad    amt-he   water       de     never attended
  dirk   Dirk Dorn       firma-he water       de;en  NO consent, attended e-new
  ewa    Ewa Eng         ngo-tz   governance  en;sw  never attended
  juerg1 Jürgen Müller   amt-he   —           de     attended e-old (participant)
  juerg2 Juergen Mueller amt-he   —           de     (same person, ASCII spelling)
  mail1  Maria Maier     uni-hh   —           de     maria@example.org
  mail2  M. Maier        firma-he —           de     maria@example.org (same e-mail)
"""

from __future__ import annotations

import datetime as dt

from graph.core.model import PartnerGraph

TODAY = dt.date(2026, 11, 25)


def contact_graph() -> PartnerGraph:
    g = PartnerGraph()
    add = lambda kind, key, **a: g.add_node(kind, key, illustrative=True, **a)  # noqa: E731
    edge = lambda u, v, kind, **a: g.add_edge(u, v, kind, illustrative=True, **a)  # noqa: E731
    for key, label in [("water", "Wasser"), ("energy", "Energie"), ("governance", "Governance")]:
        add("theme", key, label=label, label_en=label)
    tza, nam = g.add_country("TZA"), g.add_country("NAM")
    for key, label, sector, land, country in [
        ("uni-hh", "Uni Hamburg", "science", "DE-HH", "DEU"),
        ("firma-he", "Firma Hessen", "business", "DE-HE", "DEU"),
        ("amt-he", "Amt Hessen", "public_administration", "DE-HE", "DEU"),
        ("ngo-tz", "NGO Tansania", "civil_society", None, "TZA"),
    ]:
        inst = add("institution", key, label=label, sector=sector, land=land, country=country)
        if land:
            edge(inst, f"land:{land}", "located_in")
    for key, country, inst in [("P-TZA", tza, "uni-hh"), ("P-NAM", nam, "firma-he")]:
        p = add("project", key, label=key)
        edge(p, country, "implemented_in")
        edge(f"institution:{inst}", p, "participates_in", role="lead")
    add("event", "e-old", label="Altes Treffen", date="2020-01-15")
    add("event", "e-new", label="Neues Treffen", date="2026-10-01")
    people = [
        ("anna", "Anna Adler", "uni-hh", "Professorin", "anna@example.org", ["de", "sw"], ["water"], True, [("e-old", "speaker")]),
        ("bernd", "Bernd Bauer", "firma-he", "Ingenieur", "bernd@example.org", ["de", "en"], ["energy"], True, [("e-new", "participant")]),
        ("carla", "Carla Conrad", "amt-he", "Referentin Wasser", "carla@example.org", ["de"], ["water"], True, []),
        ("dirk", "Dirk Dorn", "firma-he", "Ingenieur Wasser", "dirk@example.org", ["de", "en"], ["water"], False, [("e-new", "participant")]),
        ("ewa", "Ewa Eng", "ngo-tz", "Koordinatorin", "ewa@example.org", ["en", "sw"], ["governance"], True, []),
        ("juerg1", "Jürgen Müller", "amt-he", "Ausbilder", "j.mueller@example.org", ["de"], [], True, [("e-old", "participant")]),
        ("juerg2", "Juergen Mueller", "amt-he", "Ausbilder", "juergen@example.org", ["de"], [], True, []),
        ("mail1", "Maria Maier", "uni-hh", "Dozentin", "maria@example.org", ["de"], [], True, []),
        ("mail2", "M. Maier", "firma-he", "Beraterin", "Maria@Example.org", ["de"], [], True, []),
    ]
    for key, name, inst, role, email, langs, themes, consent, attended in people:
        c = add("contact", key, label=name, role=role, email=email, languages=langs, consent=consent)
        edge(c, f"institution:{inst}", "works_at")
        for t in themes:
            edge(c, f"theme:{t}", "works_on")
        for event, role_ in attended:
            edge(c, f"event:{event}", "attended", role=role_)
    return g
