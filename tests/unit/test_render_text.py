"""Terminal text: what a user sees for each kind of plan (snapshots) and key lines."""

from __future__ import annotations

import pytest
from test_render_plans import all_plans, check_snapshot

from planner.render.text import render_text

PLANS = all_plans()


@pytest.mark.parametrize("name", sorted(PLANS))
def test_text_snapshot(name: str) -> None:
    check_snapshot(f"{name}.txt", render_text(PLANS[name], color=False))


def test_diff_only_snapshot() -> None:
    check_snapshot("workspace.diff", render_text(PLANS["workspace"], color=False, diff_only=True))


def test_image_change_headline_symbols_and_summary() -> None:
    out = render_text(PLANS["image_change"], color=False)
    assert "# service my-cluster/myservice will be updated in-place" in out
    assert "    + register task definition myservice" in out
    assert "    ~ update service my-cluster/myservice" in out
    assert "   <= wait for the rollout" in out
    assert (
        '-       "image": "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/myservice:v1.2.3",'
        in out
    )
    assert (
        '+       "image": "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/myservice:v1.2.4",'
        in out
    )
    assert "# (29 unchanged lines hidden)" in out
    assert out.rstrip().splitlines()[-1] == (
        "Plan: 1 to register, 1 to update, 0 to create, 0 unchanged."
    )


def test_no_changes() -> None:
    out = render_text(PLANS["no_changes"], color=False)
    assert out.rstrip().endswith("No changes. Live services match the configuration.")
    assert "# service my-cluster/stable has no changes" in out
    assert render_text(PLANS["no_changes"], color=False, diff_only=True) == ""


def test_new_service_is_created() -> None:
    out = render_text(PLANS["new_service"], color=False)
    assert "# service my-cluster/newservice will be created" in out
    assert "Plan: 1 to register, 0 to update, 1 to create, 0 unchanged." in out


def test_codedeploy_shows_appspec_and_counts_the_deployment() -> None:
    out = render_text(PLANS["codedeploy"], color=False)
    assert "AppSpec:" in out
    assert '"ContainerName": "app"' in out
    assert "1 CodeDeploy deployment" in out


def test_scaling_changes_listed() -> None:
    out = render_text(PLANS["scaling"], color=False)
    assert "MinCapacity: 2 -> 4" in out
    assert "3 auto scaling changes" in out
    assert "Warning: desiredCount is managed by auto scaling" in out


def test_color_adds_ansi_only_when_asked() -> None:
    plain = render_text(PLANS["image_change"], color=False)
    colored = render_text(PLANS["image_change"], color=True)
    assert "\x1b[" not in plain
    assert "\x1b[31m" in colored and "\x1b[32m" in colored


def test_diff_only_has_markers_in_column_zero() -> None:
    out = render_text(PLANS["count_only"], color=False, diff_only=True)
    lines = out.splitlines()
    assert lines[0] == "--- my-cluster/worker service (live)"
    assert lines[1] == "+++ my-cluster/worker service (desired)"
    assert '-   "desiredCount": 2,' in lines
    assert '+   "desiredCount": 5,' in lines
    assert "Plan:" not in out
