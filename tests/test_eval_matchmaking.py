"""The offline evaluation runs on the sample and the full model beats the popularity baseline."""

from benchmarks.eval_matchmaking import evaluate, format_table


def test_leave_one_out_full_model_beats_popularity(sample_graph):
    results = {r.model: r for r in evaluate(sample_graph)}
    full, base = results["full model"], results["popularity baseline"]
    assert full.n == base.n == 102  # one case per participation: 83 + 19 from the December 2026 additions
    assert full.hit_rate > base.hit_rate and full.mrr > base.mrr
    assert set(results) >= {f"{f} only" for f in ("theme", "country", "land", "network", "sector", "recency")}
    assert "| full model |" in format_table(list(results.values()))
