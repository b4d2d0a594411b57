"""docs/activities.md is generated from the catalogue; this fails when it is stale."""

from __future__ import annotations

from neuroseq.plan.docs import (
    DOCS_PATH,
    PLAN_DOCS_PATH,
    RULES_END,
    RULES_START,
    render_activities_markdown,
    render_rules_markdown,
)


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


def test_plan_md_shows_the_rules_file_as_it_is() -> None:
    text = PLAN_DOCS_PATH.read_text(encoding="utf-8")
    section = text.split(RULES_START, 1)[1].split(RULES_END, 1)[0]
    assert section == "\n" + render_rules_markdown(), "docs/plan.md is stale: run make docs"
