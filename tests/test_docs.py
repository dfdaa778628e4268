"""Docs cannot drift: the data format doc embeds the schema, the README names
every CLI subcommand and option."""

import re

import app
from tests.helpers import ROOT
from loaders.schema import schema_markdown


def test_data_readme_embeds_the_current_schema():
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    embedded = text.split("<!-- schema:start -->\n", 1)[1].split("<!-- schema:end -->", 1)[0]
    assert embedded == schema_markdown(), "run: python -m loaders.schema and paste into data/README.md"


def test_readme_documents_every_subcommand_and_option():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = app.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, subparser in sub.choices.items():
        assert f"app.py {name}" in readme, f"README does not mention `app.py {name}`"
        for action in subparser._actions:
            for opt in action.option_strings:
                if opt.startswith("--") and opt != "--help":
                    assert opt in readme, f"README does not document {name} {opt}"


def test_readme_states_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"pip install -e \. && \.venv/bin/python app\.py", readme)
    assert 'pip install -e ".[test]"' in readme and "-m pytest" in readme
