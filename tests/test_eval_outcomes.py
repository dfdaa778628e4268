"""The outcome evaluation (benchmarks/eval_outcomes.py): seeded synthetic outcomes, figures from the
pipeline's own functions, and a demo workspace the Pipeline page can read."""

from benchmarks.eval_outcomes import acceptance_probability, draw_outcomes, main, report, synthetic_shortlists
from graph.followup.pipeline import Status, acceptance_by_rank


def test_synthetic_outcomes_are_seeded_and_follow_the_hidden_model(sample_graph):
    lists = synthetic_shortlists(sample_graph, 8, seed=3)
    assert len(lists) == 8 and all([i.rank for i in items] == list(range(1, len(items) + 1)) for items in lists)
    first, again = draw_outcomes(lists, seed=3), draw_outcomes(synthetic_shortlists(sample_graph, 8, seed=3), seed=3)
    assert [(i.node, i.status) for i in first] == [(i.node, i.status) for i in again]
    assert {i.status for i in first} >= {Status.ACCEPTED, Status.DECLINED}
    assert all(i.reason for i in first if i.status in (Status.DECLINED, Status.DEFERRED))
    best = max((i for items in lists for i in items), key=acceptance_probability)
    worst = min((i for items in lists for i in items), key=acceptance_probability)
    assert acceptance_probability(best) > acceptance_probability(worst)
    by_rank = acceptance_by_rank(first)
    assert sum(o.decided + o.open for o in by_rank) == len(first)
    text = report(first)
    assert "| theme |" in text and "| 1 |" in text


def test_demo_workspace_holds_the_outcomes_as_pipeline_moves(tmp_path, capsys):
    path = tmp_path / "demo.sqlite"
    assert main(["--synthetic", "3", "--seed", "5", "--demo-workspace", str(path)]) == 0
    out = capsys.readouterr().out
    assert "load average" in out and "acceptance by factor" in out
    from loaders.workspace import WorkspaceFile
    from loaders.workspace.followup import FollowUp

    fu = FollowUp(WorkspaceFile(path))
    items = fu.items()
    assert len(fu.shortlists()) == 3 and items
    assert main(["--workspace", str(path)]) == 0
    assert f"{len(items)} candidates" in capsys.readouterr().out
