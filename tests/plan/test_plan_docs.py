"""docs/activities.md is generated from the catalogue; this fails when it is stale."""

from __future__ import annotations

from neuroseq.plan.docs import DOCS_PATH, render_activities_markdown


def test_activities_markdown_is_up_to_date() -> None:
    expected = render_activities_markdown()
    assert DOCS_PATH.exists(), "run neuroseq.plan.docs.write_activities_markdown()"
    assert DOCS_PATH.read_text(encoding="utf-8") == expected, (
        "docs/activities.md is stale: run "
        'python -c "from neuroseq.plan.docs import write_activities_markdown; '
        'write_activities_markdown()"'
    )


def test_markdown_lists_every_activity_and_the_disclaimer() -> None:
    text = render_activities_markdown()
    assert text.count("\n### ") >= 40
    assert "not the proprietary Neurosequential Model of Therapeutics" in text
