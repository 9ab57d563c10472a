"""The pure parts of the GitHub comment support: markers, keys, environment, links, part order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.cli.comment_cmd import part_order
from planner.errors import EcsplanError
from planner.github.client import GitHubClient, GitHubError, next_link
from planner.github.comments import (
    comment_key,
    default_key,
    marker,
    parse_marker,
    target_from_env,
    token_from_env,
    with_marker,
)
from planner.github.issues import drift_marker, parse_drift_marker, run_url_from_env


def test_marker_round_trips_and_is_the_first_line() -> None:
    body = with_marker("## ecsplan plan\n\nPlan: 1 to change.\n", "workspace.yml", 2)
    assert body.startswith("<!-- ecsplan:plan:workspace.yml:part2 -->\n## ecsplan plan")
    assert parse_marker(body) == ("workspace.yml", 2)


@pytest.mark.parametrize(
    "body",
    [
        "LGTM",
        "> quoted\n<!-- ecsplan:plan:k:part1 -->",  # the marker not on the first line
        "<!-- ecsplan:plan:k:part0 -->\nx",
        "<!-- ecsplan:plan:k -->\nx",
        "<!-- tfcmt:plan -->\nx",
        "",
    ],
)
def test_other_comments_carry_no_marker(body: str) -> None:
    assert parse_marker(body) is None


def test_keys_are_safe_inside_an_html_comment() -> None:
    key = comment_key("services/a b.yml --> <script>")
    assert " " not in key and ">" not in key and "--" not in key
    assert parse_marker(marker(key, 1)) == (key, 1)


def test_long_keys_stay_short_and_distinct() -> None:
    a = comment_key("x/" * 100 + "a.yml")
    b = comment_key("x/" * 100 + "b.yml")
    assert len(a) <= 80 and len(b) <= 80 and a != b


def test_default_key_is_the_workspace_or_the_configs() -> None:
    assert default_key("deploy/workspace.yml", ["ignored.yml"]) == "deploy/workspace.yml"
    assert default_key(None, ["a/ecspresso.yml", "b/ecspresso.yml"]) == (
        "a/ecspresso.yml,b/ecspresso.yml"
    )


def test_a_targeted_plan_has_its_own_key() -> None:
    """`plan --target api --github-issue` must not update (or close) the whole plan's issue."""
    whole = default_key("workspace.yml", [])
    assert default_key("workspace.yml", [], ("api",)) == "workspace.yml:target=api"
    assert default_key("workspace.yml", [], ("b", "a", "b")) == "workspace.yml:target=a,b"
    assert whole != default_key("workspace.yml", [], ("api",))


def test_next_link_reads_the_link_header() -> None:
    header = (
        '<https://api.github.com/repositories/1/issues/7/comments?page=2>; rel="next", '
        '<https://api.github.com/repositories/1/issues/7/comments?page=5>; rel="last"'
    )
    assert next_link(header) == "https://api.github.com/repositories/1/issues/7/comments?page=2"
    assert next_link('<https://x/?page=1>; rel="prev"') is None
    assert next_link(None) is None


def test_the_client_never_follows_a_page_link_to_another_host() -> None:
    client = GitHubClient("secret-token", "https://ghe.example.com/api/v3")
    with pytest.raises(GitHubError, match=r"outside https://ghe\.example\.com/api/v3") as e:
        client._url("https://elsewhere.example.com/api/v3/repos/a/b/issues/1/comments?page=2")
    assert "secret-token" not in str(e.value)


def test_the_api_url_must_be_http() -> None:
    with pytest.raises(GitHubError, match="GITHUB_API_URL must be an http"):
        GitHubClient("t", "file:///etc/passwd")


def test_pr_number_comes_from_the_event_or_the_option(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 42}}))
    env = {"GITHUB_REPOSITORY": "acme/app", "GITHUB_EVENT_PATH": str(event)}
    assert target_from_env(env).pr == 42
    assert target_from_env(env, pr=5).pr == 5

    comment_event = tmp_path / "issue_comment.json"
    comment_event.write_text(json.dumps({"issue": {"number": 9, "pull_request": {"url": "u"}}}))
    assert target_from_env({**env, "GITHUB_EVENT_PATH": str(comment_event)}).pr == 9


def test_unreadable_event_file_names_it(tmp_path: Path) -> None:
    bad = tmp_path / "event.json"
    bad.write_text("{not json")
    env = {"GITHUB_REPOSITORY": "acme/app", "GITHUB_EVENT_PATH": str(bad)}
    with pytest.raises(EcsplanError, match=r"cannot read the GitHub event file .*event\.json"):
        target_from_env(env)


def test_token_falls_back_to_gh_token_and_is_required() -> None:
    assert token_from_env({"GH_TOKEN": "abc"}) == "abc"
    with pytest.raises(EcsplanError, match="GITHUB_TOKEN is not set"):
        token_from_env({"GITHUB_TOKEN": "  "})


def test_part_files_are_posted_in_part_order() -> None:
    given = ("out/plan.md", "out/plan.part10.md", "out/plan.part2.md", "notes.md")
    assert part_order(given) == [
        "out/plan.md",
        "out/plan.part2.md",
        "out/plan.part10.md",
        "notes.md",
    ]
    assert part_order(("b.md", "a.md")) == ["b.md", "a.md"]  # unrelated files keep their order


# --- the drift issue ----------------------------------------------------------------------------


def test_drift_marker_round_trips_on_the_first_line_only() -> None:
    assert parse_drift_marker(f"{drift_marker('workspace.yml')}\n## ecsplan drift check") == (
        "workspace.yml"
    )
    assert parse_drift_marker(f"> quoted\n{drift_marker('workspace.yml')}") is None
    assert parse_drift_marker(marker("workspace.yml", 1)) is None  # a PR comment's marker
    assert parse_drift_marker("") is None


@pytest.mark.parametrize(
    ("env", "url"),
    [
        (
            {
                "GITHUB_SERVER_URL": "https://github.example.com/",
                "GITHUB_REPOSITORY": "acme/deploys",
                "GITHUB_RUN_ID": "4242",
            },
            "https://github.example.com/acme/deploys/actions/runs/4242",
        ),
        ({"GITHUB_REPOSITORY": "acme/deploys", "GITHUB_RUN_ID": "4242"}, None),
        ({"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "a/b"}, None),
        (
            {
                "GITHUB_SERVER_URL": "https://github.com",
                "GITHUB_REPOSITORY": "a/b",
                "GITHUB_RUN_ID": "x)",
            },
            None,
        ),
    ],
)
def test_run_url_only_when_actions_names_the_run(env: dict[str, str], url: str | None) -> None:
    assert run_url_from_env(env) == url
