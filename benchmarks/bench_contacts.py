"""Benchmark of the contact finder and guest-list builder on a synthetic graph.

    python benchmarks/bench_contacts.py [N_CONTACTS]

Builds a graph with N contacts (default 100,000), N/10 institutions, N/20
projects, 400 events and ~3 attendances per contact, then times the index
build (once per graph generation) and typical per-request queries.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph.people.contacts import build_contact_index, find_contacts  # noqa: E402
from graph.people.guestlist import GuestListInfeasible, Quota, build_guest_list  # noqa: E402
from graph.core.model import PartnerGraph  # noqa: E402
from graph.core.reference import LAENDER  # noqa: E402

SECTORS = ["science", "civil_society", "business", "public_administration", "implementing_agency"]
COUNTRIES = ["TZA", "NAM", "RWA", "ETH", "ZAF", "MOZ", "PER", "UGA", "TUN", "BDI"]
THEMES = ["water", "energy", "health", "governance", "mining", "mobility", "gender", "digitalisation"]


def synthetic(n_contacts: int, seed: int = 1) -> PartnerGraph:
    rnd = random.Random(seed)
    g = PartnerGraph()
    for th in THEMES:
        g.add_node("theme", th, label=th, illustrative=True)
    countries = [g.add_country(c) for c in COUNTRIES]
    n_inst, n_proj = max(1, n_contacts // 10), max(1, n_contacts // 20)
    insts = []
    for i in range(n_inst):
        land = rnd.choice(LAENDER).code
        insts.append(g.add_node("institution", f"i{i}", label=f"Institution {i}", sector=rnd.choice(SECTORS),
                                land=land, country="DEU", illustrative=True))
    for p in range(n_proj):
        pid = g.add_node("project", f"p{p}", label=f"Projekt {p}", illustrative=True)
        g.add_edge(pid, rnd.choice(countries), "implemented_in", illustrative=True)
        for inst in rnd.sample(insts, 3):
            g.add_edge(inst, pid, "participates_in", role="partner", illustrative=True)
    events = [g.add_node("event", f"e{k}", label=f"Event {k}", date=f"{2015 + k % 11}-{1 + k % 12:02d}-01",
                         illustrative=True) for k in range(400)]
    for c in range(n_contacts):
        cid = g.add_node("contact", f"c{c}", label=f"Person {c} Nachname{c % 997}", role=rnd.choice(["Referentin", "Professor", "Berater"]),
                         email=f"p{c}@example.org", languages=rnd.sample(["de", "en", "fr", "sw", "pt"], 2),
                         consent=rnd.random() > 0.1, illustrative=True)
        g.add_edge(cid, rnd.choice(insts), "works_at", illustrative=True)
        g.add_edge(cid, f"theme:{rnd.choice(THEMES)}", "works_on", illustrative=True)
        for e in rnd.sample(events, 3):
            g.add_edge(cid, e, "attended", role="participant", illustrative=True)
    return g


def timed(label: str, fn, repeat: int = 3):
    """Best of ``repeat``: wall-clock and CPU time of this process (on a
    shared machine the CPU time is the fairer figure)."""
    best, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    print(f"| {label} | {best * 1000:,.1f} ms | {best_cpu * 1000:,.1f} ms |")
    return result


def main(n: int) -> None:
    t0 = time.perf_counter()
    g = synthetic(n)
    print(f"graph: {g} built in {time.perf_counter() - t0:.1f} s\n")
    print("| step | wall (best of 3) | CPU (best of 3) |\n|---|---|---|")
    idx = timed("build_contact_index (once per graph generation)", lambda: build_contact_index(g), repeat=1)
    timed("find: no filter (all persons)", lambda: find_contacts(idx))
    timed("find: theme water + country TZA", lambda: find_contacts(idx, themes=["theme:water"], countries=["country:TZA"]))
    timed("find: Land DE-HE + sector business + language sw", lambda: find_contacts(
        idx, laender=["land:DE-HE"], sectors=["business"], languages=["sw"]))
    timed("find: free text 'nachname42'", lambda: find_contacts(idx, text="nachname42"))
    timed("find: not attended in 24 months", lambda: find_contacts(idx, not_attended_months=24))
    pool = [m.person.id for m in find_contacts(idx, themes=["theme:water"])]
    print(f"| (guest-list pool: water, {len(pool):,} persons) | | |")
    timed("guest list 40, no quotas", lambda: build_guest_list(idx, pool, size=40))
    quotas = [Quota("sector", "business", min=8), Quota("sector", "science", min=8), Quota("land", "land:DE-HE", max=4),
              Quota("land", "land:DE-BY", min=3)]
    timed("guest list 40, 4 quotas (MILP)", lambda: build_guest_list(idx, pool, size=40, quotas=quotas))

    def infeasible():
        try:
            # Hessen: at most 4 (above) and at least 10 — only the elastic programme can say what breaks
            build_guest_list(idx, pool, size=40, quotas=quotas + [Quota("land", "land:DE-HE", min=10)])
        except GuestListInfeasible as exc:
            return exc
    exc = timed("guest list infeasible (elastic MILP diagnosis)", infeasible)
    print(f"\nmessage: {exc.messages(idx)[0] if exc else '-'}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
