"""The drift issue's text (planner/render/drift.py): title, introduction, closing note."""

from __future__ import annotations

from dataclasses import replace

from test_render_plans import (
    SECURE_STRING,
    count_only_service,
    image_change_service,
    plan_of,
    secret_plan,
    unchanged_service,
)
from test_render_secrets import PLANTED

from planner.plan.secrets import sensitive_values
from planner.render.drift import drift_issue_text, drift_title, resolved_note
from planner.render.markdown import render_markdown

RUN = "https://github.com/acme/deploys/actions/runs/7"


def test_title_names_one_service_or_counts_them() -> None:
    one = plan_of(image_change_service("api"), unchanged_service("db"))
    assert drift_title(one, "workspace.yml") == "Drift: my-cluster/api differs from workspace.yml"
    two = plan_of(image_change_service("api"), count_only_service("web"), unchanged_service("db"))
    assert drift_title(two, "workspace.yml") == "Drift: 2 of 3 services differ from workspace.yml"
    assert "\n" not in drift_title(one, "evil\nname.yml")


def test_issue_is_the_intro_then_the_plan_as_the_pr_comment_shows_it() -> None:
    plan = plan_of(image_change_service("api"), unchanged_service("db"))
    text = drift_issue_text(
        plan, source="workspace.yml", apply_command="ecsplan -w workspace.yml apply", run_url=RUN
    )
    (body,) = text.parts
    assert body.startswith(
        "## ecsplan drift check\n\n**Live AWS differs from `workspace.yml`** for "
        f"`my-cluster/api` (checked at 2025-01-02T03:04:05Z by [this run]({RUN})).\n\n"
        "Either apply the configuration to put AWS back (`ecsplan -w workspace.yml apply`)"
    )
    comment = render_markdown(plan, apply_command="ecsplan -w workspace.yml apply")[0]
    plan_part = comment.split("\n", 2)[2]  # without the PR comment's own heading
    assert body.endswith(plan_part)


def test_many_drifted_services_are_named_up_to_ten() -> None:
    plan = plan_of(*(image_change_service(f"svc-{i:02d}") for i in range(13)))
    (body, *_) = drift_issue_text(plan, source="ws.yml").parts
    intro = body.split("\n")[2]
    assert "`my-cluster/svc-09` and 3 more (checked at" in intro
    assert "svc-10`" not in intro


def test_no_secret_reaches_the_issue() -> None:
    plan = secret_plan()
    values = sensitive_values(plan, [SECURE_STRING])
    text = drift_issue_text(plan, source="ws.yml", sensitive=values)
    shown = text.title + "".join(text.parts)
    assert "The sensitive value of `app/DB_PASSWORD` changes." in shown
    for secret in PLANTED:
        assert secret not in shown


def test_long_plans_split_like_the_comments() -> None:
    plan = plan_of(*(replace(image_change_service(f"svc-{i:02d}")) for i in range(40)))
    text = drift_issue_text(plan, source="ws.yml", limit=8_000)
    assert len(text.parts) > 1
    assert text.parts[0].startswith("## ecsplan drift check (part 1 of")
    assert all(len(p) <= 8_000 for p in text.parts)


def test_resolved_note() -> None:
    note = resolved_note(plan_of(unchanged_service("db")), "workspace.yml", RUN)
    assert note == (
        "No drift: live AWS matches `workspace.yml` again (checked at 2025-01-02T03:04:05Z by "
        f"[this run]({RUN})). Closing this issue."
    )
    assert "by [this run]" not in resolved_note(plan_of(), "ws.yml", None)
