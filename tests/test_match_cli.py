"""`python app.py match` prints the same ranking and explanations as the library."""

from __future__ import annotations

import json

import app
from graph.analysis.matchmaking import project_target, rank


def test_match_project_json_equals_the_library_ranking(capsys, sample_graph):
    assert app.main(["match", "--project", "BLP-08", "--top", "4", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    expected = rank(sample_graph, project_target(sample_graph, "BLP-08"), top=4)
    assert [c["node"] for c in out["candidates"]] == [c.node for c in expected.candidates]
    first = out["candidates"][0]
    assert first["evidence"] and set(first["factors"]) == {"theme", "country", "land", "network", "sector", "recency"}
    assert out["laender"] and all(c["node"].startswith("land:") for c in out["laender"])


def test_match_text_output_shows_explanations_and_weights_change_the_order(capsys):
    assert app.main(["match", "--project", "BLP-01", "--top", "3"]) == 0
    text = capsys.readouterr().out
    assert "arbeitet wie das Projekt zum Thema „" in text and "Länder" in text and "Bundesland-Beziehung" in text
    app.main(["match", "--project", "BLP-01", "--top", "1", "--json"])
    default_top = json.loads(capsys.readouterr().out)["candidates"][0]["node"]
    app.main(["match", "--project", "BLP-01", "--top", "1", "--json", "--weight", "recency=0", "--weight", "sector=0", "--weight", "theme=10"])
    assert json.loads(capsys.readouterr().out)["candidates"][0]["node"] != default_top


def test_match_country_and_institution_targets(capsys):
    assert app.main(["match", "--country", "ETH", "--theme", "vocational_training", "--lang", "en", "--top", "2"]) == 0
    assert "Target: Ethiopia" in capsys.readouterr().out
    assert app.main(["match", "--institution", "hlft", "--json", "--no-diversity"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["target"]["kind"] == "institution" and "laender" not in out


def test_match_unknown_target_fails_with_a_message(capsys):
    assert app.main(["match", "--project", "nope"]) == 1
    assert "not found" in capsys.readouterr().err
    assert app.main(["match", "--project", "BLP-01", "--weight", "theme"]) == 1


def test_match_cli_require_theme_and_real_candidate_count(capsys):
    assert app.main(["match", "--country", "TZA", "--theme", "water", "--top", "5", "--json", "--require-theme"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["candidates"] and all(c["factors"]["theme"] > 0 for c in out["candidates"])
    assert "institution:dgfz" in [c["node"] for c in out["candidates"]][:3]
    assert out["total"] >= len(out["candidates"]) and all(c["factors"]["theme"] > 0 for c in out["laender"])
