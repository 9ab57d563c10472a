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


def test_diff_is_a_unified_diff_headed_by_the_live_arn_and_the_local_file() -> None:
    """As ecspresso's `diff`: `--- <service ARN>` / `+++ <file>`, @@ hunks, markers in column 0."""
    paths = {"worker": {"service": "worker/ecs-service-def.json"}}
    out = render_text(PLANS["count_only"], color=False, diff_only=True, paths=paths)
    lines = out.splitlines()
    assert lines[0] == "--- arn:aws:ecs:ap-northeast-1:123456789012:service/my-cluster/worker"
    assert lines[1] == "+++ worker/ecs-service-def.json"
    assert lines[2].startswith("@@ -") and lines[2].endswith(" @@")
    assert '-  "desiredCount": 2,' in lines
    assert '+  "desiredCount": 5,' in lines
    assert "Plan:" not in out
    assert len(lines) < 15  # only the hunk around the change


def test_no_unified_diff_shows_the_whole_document_marked() -> None:
    full = render_text(PLANS["count_only"], color=False, diff_only=True, unified=False)
    lines = full.splitlines()
    assert lines[0].startswith("--- arn:aws:ecs:") and lines[1].startswith("+++ ")
    assert not any(line.startswith("@@") for line in lines)
    assert '-  "desiredCount": 2,' in lines and '+  "desiredCount": 5,' in lines
    body = [line for line in lines[2:] if line and not line.startswith(("-", "+"))]
    assert body[0] == " {" and body[-1] == " }"  # every unchanged line, first to last
    assert len(lines) > len(
        render_text(PLANS["count_only"], color=False, diff_only=True).splitlines()
    )


def test_diff_is_empty_without_changes() -> None:
    assert render_text(PLANS["no_changes"], color=False, diff_only=True) == ""
