"""The contacts page's pure builders and its layout (no browser)."""

from __future__ import annotations

import json

import plotly.utils

from dashboard.app import create_app
from dashboard.pages import contacts as page
from dashboard.settings import Settings
from graph.people.contacts import build_contact_index, find_contacts
from graph.people.privacy import mask_unconsented, without_contacts
from tests.contact_graphs import contact_graph


def index():
    return build_contact_index(contact_graph())


def test_filter_kwargs_from_controls():
    kw = page.filter_kwargs(["theme:water"], None, [], ["science"], None, ["sw"], " ref ", "", ["event:e1"], "not_recent", "6")
    assert kw["themes"] == ["theme:water"] and kw["countries"] == [] and kw["sectors"] == ["science"]
    assert kw["role"] == "ref" and kw["text"] is None and kw["not_attended_months"] == 6
    assert page.filter_kwargs(attendance_mode="never")["never_attended"] is True
    assert "not_attended_months" not in page.filter_kwargs(attendance_mode="any", months=3)


def test_rows_show_reason_institution_and_mask():
    idx = index()
    rows = {r["id"]: r for r in (page.person_row(idx, m, "de") for m in find_contacts(idx, themes=["theme:water"]))}
    assert rows["contact:anna"]["reason"] == "Thema: Wasser" and rows["contact:anna"]["institution"] == "Uni Hamburg"
    dirk = rows["contact:dirk"]
    assert dirk["name"] == "Kontakt ohne Einwilligung" and dirk["email"] == "" and dirk["languages"] == ""
    assert dirk["institution"] == "Firma Hessen" and dirk["role"] == "Ingenieur Wasser"
    assert dirk["note"] == "ohne Einwilligung: nur Institution und Funktion"
    merged = page.person_row(idx, idx.person_of("contact:juerg2"), "en")
    assert merged["note"].startswith("Merged from 2 records")


def test_institution_links_focus_the_network_on_the_persons_institution():
    idx = index()
    anna = idx.persons["contact:anna"]
    links = page.institution_links(idx, "contact:anna", "en")
    assert [link.href for link in links] == [f"/?focus={iid.replace(':', '%3A')}&lang=en" for iid in anna.institutions]
    assert links[0].children == "Show Uni Hamburg in the network"
    # a masked person's institution is shown anyway (as in the table), no name
    assert page.institution_links(idx, "contact:dirk", "de")[0].children == "Firma Hessen im Netzwerk zeigen"
    for nobody in (None, "", "contact:nobody"):
        hint = page.institution_links(idx, nobody, "de")
        assert len(hint) == 1 and hint[0].children.startswith("Eine Zeile anklicken")


def test_person_picker_never_offers_masked_people_by_name():
    idx = index()
    values = [o["value"] for o in page.person_options(idx, "", [])]
    assert "contact:dirk" not in values and "contact:anna" in values
    assert [o["value"] for o in page.person_options(idx, "ADLER", [])] == ["contact:anna"]
    assert page.person_options(idx, "dorn", []) == []
    inst = page.person_options(idx, "firma", [], institutions=True)
    assert {"label": "Firma Hessen (Institution)", "value": "institution:firma-he"} in inst


def test_url_presets_take_keys_and_drop_unknown_values():
    idx = index()
    preset = page.url_presets(idx, {"theme": "water,nope", "country": "TZA", "sector": "business", "land": "DE-HE"})
    assert preset["theme"] == ["theme:water"] and preset["country"] == ["country:TZA"]
    assert preset["sector"] == ["business"] and preset["land"] == ["land:DE-HE"] and preset["institution"] == []


def test_event_history_rows_and_counts():
    idx = index()
    rows = page.attendee_rows(idx, "event:e-new", "de")
    assert [(r["name"], r["role"]) for r in rows] == [("Bernd Bauer", "Teilnahme"), ("Kontakt ohne Einwilligung", "Teilnahme")]
    hist = page.history_rows(idx, "institution:amt-he", "en")
    assert [(r["event"], r["name"], r["role"]) for r in hist] == [("Altes Treffen", "Jürgen Müller", "Participant")]
    tables = json.dumps(page.counts_tables(idx, "event:e-new", "de"), cls=plotly.utils.PlotlyJSONEncoder)
    assert "Hessen" in tables and "Wirtschaft" in tables


def _layout_json(graph, settings=None, **query) -> str:
    app = create_app(graph, settings or Settings())
    with app.server.test_request_context("/kontakte"):
        return json.dumps(page.layout("de", **query), cls=plotly.utils.PlotlyJSONEncoder)


def test_layout_holds_no_name_of_an_unconsented_contact():
    g = contact_graph()
    mask_unconsented(g)
    text = _layout_json(g, theme="water")
    assert "Dirk" not in text and "dirk@example.org" not in text
    assert '"value": ["theme:water"]' in text


def test_layout_without_contacts_says_so_and_has_no_people():
    g = without_contacts(contact_graph())
    text = _layout_json(g, Settings(no_contacts=True))
    assert "ohne Kontaktdaten" in text and "Anna" not in text and "example.org" not in text
    assert "Altes Treffen" in text  # events remain


def test_long_grid_columns_wrap_instead_of_being_cut_off():
    from dashboard.pages.contacts import _columns
    for with_reason in (True, False):
        cols = {c["field"]: c for c in _columns("de", with_reason=with_reason)}
        for field, min_width in (("institution", 180), ("role", 150), ("sector", 120), ("email", 230)):
            assert cols[field]["wrapText"] and cols[field]["autoHeight"], field
            assert cols[field]["minWidth"] >= min_width, field
        # the e-mail sits beside the pinned name, so it is in view at 1024 px (issue 20)
        assert list(cols)[:2] == ["name", "email"]


def test_long_pickers_send_a_bounded_list_and_search_on_the_server():
    """With hundreds of institutions and events, the page carries the chosen
    ones plus the first SHOWN of each (not megabytes of options); the
    server's search finds any of them by a typed part of the name."""
    from dashboard.picker_options import SHOWN, WHOLE, bounded

    g = contact_graph()
    n = WHOLE + 40
    for i in range(n):
        inst = g.add_node("institution", f"inst-{i:04d}", label=f"Institut Nummer {i:04d}", sector="science",
                          illustrative=True)
        c = g.add_node("contact", f"p{i:04d}", label=f"Person {i:04d}", email=f"p{i}@example.org", consent=True,
                       illustrative=True)
        g.add_edge(c, inst, "works_at", illustrative=True)
        ev = g.add_node("event", f"ev-{i:04d}", label=f"Treffen {i:04d}", date="2024-05-01", illustrative=True)
        g.add_edge(c, ev, "attended", role="participant", illustrative=True)
    app = create_app(g, Settings())
    with app.server.test_request_context("/kontakte"):
        layout = json.loads(json.dumps(page.layout("de", institution="inst-0333"), cls=plotly.utils.PlotlyJSONEncoder))
        options = {}

        def walk(tree):
            if isinstance(tree, dict):
                props = tree.get("props")
                if isinstance(props, dict) and isinstance(props.get("id"), str) and "options" in props:
                    options[props["id"]] = [o["value"] for o in props["options"]]
                for v in tree.values():
                    walk(v)
            elif isinstance(tree, list):
                for v in tree:
                    walk(v)

        walk(layout)
        insts = options[page.ID.INSTITUTIONS]
        assert len(insts) == SHOWN + 1 and insts[0] == "institution:inst-0333"  # the chosen one, then the first
        for picker in (page.ID.ATTENDED, page.ID.EVENT, page.guestlist_save.ID.EVENT):
            assert len(options[picker]) <= SHOWN + 1, picker
        found = bounded(page.facet_choices("institution", "de"), "nummer 0317", None)
        assert [o["value"] for o in found] == ["institution:inst-0317"]
        assert [o["label"] for o in bounded(page.event_choices("de"), "TREFFEN 0299", None)] == ["2024-05-01 – Treffen 0299"]
        everything = page.facet_choices("institution", "de").options
        assert len(everything) == n + 4 and len(bounded(page.facet_choices("sector", "de"), "zzz", None)) >= 1


def test_person_picker_finds_what_a_scan_of_every_person_finds(tmp_path):
    """The pickers search one joined text in C (graph.core.text.Substrings):
    the same options, in the same order, as looking at every person and
    institution in turn."""
    import random

    from dashboard.i18n import t
    from graph.core.text import fold
    from graph.people.contacts import build_contact_index
    from loaders import load
    from loaders.synthetic import generate

    generate(tmp_path / "data", nodes=3000, seed=4)
    idx = build_contact_index(load(tmp_path / "data").graph)

    def scan(search, selected, institutions, lang="de"):
        key, out, seen = fold(search or ""), [], set(selected)
        for value in selected:
            if value in idx.persons:
                p = idx.persons[value]
                out.append({"label": f"{p.name} – {p.institution_labels[0] if p.institution_labels else ''}", "value": value})
        count = 0
        for pid, p in idx.persons.items():
            if count >= page.MAX_OPTIONS:
                break
            if p.masked or pid in seen:
                continue
            if not key or key in idx.personal_text.get(pid, "") or key in idx.public_text.get(pid, ""):
                out.append({"label": f"{p.name} – {p.institution_labels[0] if p.institution_labels else ''}", "value": pid})
                count += 1
        if institutions:
            added = 0
            for inst in idx.by_institution:
                if added >= page.MAX_OPTIONS // 2:
                    break
                if inst not in seen and (not key or key in fold(idx.label(inst, lang))):
                    out.append({"label": f"{idx.label(inst, lang)} ({t('contacts.institution', lang)})", "value": inst})
                    added += 1
        return out

    rng = random.Random(2)
    people = [p for p in idx.persons.values() if not p.masked]
    searches = ["", "a", "e", "zz", "qqq", "ü", "Müller", "uni", "gmbh", "@", "de"]
    searches += [fold(rng.choice(people).name)[1:5] for _ in range(15)]
    hits = 0
    for search in searches:
        for institutions in (False, True):
            selected = [rng.choice(people).id] if rng.random() < 0.5 else []
            got = page.person_options(idx, search, selected, institutions=institutions)
            assert got == scan(search, selected, institutions), search
            hits += len(got)
    assert hits > 500
