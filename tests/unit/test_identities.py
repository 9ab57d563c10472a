"""Several accounts and regions in one workspace (issue 21), without AWS: how each service's
region, profile and role are resolved (entry > config > global flags / env), the child AWS
contexts per identity, state keys, the plan's identity in files and views, and apply's
refusal of a plan made for another identity."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from test_render_plans import PRODUCTION, STAGING, image_change_service, plan_of, two_accounts_plan

from planner.aws.clients import AwsContext
from planner.config.model import Placement, ServiceConfig
from planner.errors import EcsplanError
from planner.plan.codec import plan_from_data, plan_to_data, service_to_data
from planner.plan.inputs import LiveService
from planner.plan.model import Identity, Plan, PlanOptions, Principal, state_key_of
from planner.plan.secrets import Secrets
from planner.render.json_out import render_json
from planner.render.markdown import render_markdown
from planner.render.text import render_text
from planner.workspace.entry import ServiceEntry, ref_of
from planner.workspace.identity import needs_identities, state_keys_of
from planner.workspace.planning import inputs_digest, plan_for
from planner.workspace.rederive import PlanMismatch, rederive
from planner.workspace.selection import SelectSpec, select

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas"
SINGLE = ROOT / "examples" / "single-service" / "ecspresso.yml"
ROLE_A = "arn:aws:iam::111111111111:role/deploy"
ROLE_B = "arn:aws:iam::222222222222:role/deploy"
ROLE_G = "arn:aws:iam::999999999999:role/ci"


def entry(
    key: str = "web",
    *,
    at: Placement | None = None,
    config: Placement | None = None,
    env_region: str | None = None,
    cluster: str = "my-cluster",
) -> ServiceEntry:
    """A service whose workspace entry names ``at`` and whose config names ``config`` (its
    ``region`` as loaded falls back to AWS_REGION, ``env_region``, as the loader does)."""
    at, config = at or Placement(), config or Placement()
    extras = {"profile": config.profile, "assume_role_arn": config.assume_role_arn}
    cfg = ServiceConfig(
        path=Path(f"{key}/ecspresso.yml"),
        region=config.region or env_region,
        cluster=cluster,
        service="web",
        extras={k: v for k, v in extras.items() if v},
        named_region=config.region,
    )
    return ServiceEntry(key, cfg, (), at)


# (entry names, config names, --region/--profile/--assume-role-arn, AWS_REGION)
#   -> (region, profile, role the calls use, own state key)
RESOLUTION = [
    pytest.param(
        Placement(), Placement(), Placement(), "ap-northeast-1",
        ("ap-northeast-1", None, None, False), id="nothing named: AWS_REGION, default creds",
    ),
    pytest.param(
        Placement(), Placement(), Placement("eu-west-1", "ci", ROLE_G), "ap-northeast-1",
        ("eu-west-1", "ci", ROLE_G, False), id="global flags over the environment",
    ),
    pytest.param(
        Placement(), Placement("us-east-1", "prod", ROLE_A), Placement("eu-west-1", "ci", ROLE_G),
        "ap-northeast-1", ("us-east-1", "prod", ROLE_A, True), id="config over global flags",
    ),
    pytest.param(
        Placement("us-west-2", "stg", ROLE_B), Placement("us-east-1", "prod", ROLE_A),
        Placement("eu-west-1", "ci", ROLE_G), None,
        ("us-west-2", "stg", ROLE_B, True), id="entry over config over global",
    ),
    pytest.param(
        Placement(assume_role_arn=ROLE_B), Placement("us-east-1", "prod", None),
        Placement(None, "ci", ROLE_G), None,
        ("us-east-1", "prod", ROLE_B, True), id="each key on its own: entry role, config profile",
    ),
    pytest.param(
        Placement(), Placement(profile="prod"), Placement(None, None, ROLE_G), "eu-west-1",
        ("eu-west-1", "prod", ROLE_G, True), id="config profile, global role assumed from it",
    ),
    pytest.param(
        Placement(region="us-west-2"), Placement(region="us-east-1"), Placement(), None,
        ("us-west-2", None, None, True), id="entry region alone: own state key",
    ),
    pytest.param(
        Placement(), Placement(region="us-east-1"), Placement(region="eu-west-1"), None,
        ("us-east-1", None, None, False), id="config region over --region: legacy key",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("at", "config", "flags", "env_region", "expected"), RESOLUTION)
def test_each_key_resolves_entry_over_config_over_global(
    at: Placement, config: Placement, flags: Placement, env_region: str | None, expected: Any
) -> None:
    aws = AwsContext(region=flags.region, profile=flags.profile)
    aws.assume_role_arn = flags.assume_role_arn
    e = entry(at=at, config=config, env_region=env_region)
    ref = ref_of(e, aws)
    calls = aws.scoped(ref.principal)  # no credentials are fetched to decide this
    assert (ref.region, calls.profile, calls.assume_role_arn, e.scoped) == expected


def test_one_child_context_per_identity_sharing_the_invocations_settings() -> None:
    root = AwsContext(region="ap-northeast-1", endpoint_url="http://127.0.0.1:1", debug=True)
    root.max_attempts = 3
    got: list[AwsContext] = []
    threads = [
        threading.Thread(target=lambda: got.append(root.scoped(Principal(None, ROLE_A))))
        for _ in range(16)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    child = got[0]
    assert all(c is child for c in got)  # one per identity, even when asked at once
    assert child is not root and child.assume_role_arn == ROLE_A
    assert (child.endpoint_url, child.debug, child.max_attempts) == ("http://127.0.0.1:1", True, 3)
    assert root.scoped(None) is root and child.scoped(None) is root
    assert child.scoped(Principal(None, ROLE_A)) is child
    assert root.scoped(Principal(None, ROLE_B)) is not child
    assert root.scoped(Principal()) is root  # naming nothing is the invocation's identity
    child.count_retry()
    child.count_retry()
    assert root.retries == 2  # the run's retry count covers every identity


def test_state_keys_hold_account_and_region_only_for_services_with_their_own_identity() -> None:
    scoped = Identity("111111111111", None, ROLE_A, scoped=True)
    inherited = Identity("123456789012")
    assert state_key_of("c", "web", "us-east-1", None) == "c/web"
    assert state_key_of("c", "web", "us-east-1", inherited) == "c/web"
    assert state_key_of("c", "web", "us-east-1", scoped) == "111111111111/us-east-1/c/web"
    sp = replace(image_change_service("web"), identity=scoped)
    assert sp.state_key == "111111111111/ap-northeast-1/my-cluster/web"
    assert sp.principal == Principal(None, ROLE_A)


def test_two_services_with_one_state_key_are_refused() -> None:
    aws = AwsContext(region="ap-northeast-1")
    a, b = entry("a"), entry("b")
    refs = {e.key: ref_of(e, aws) for e in (a, b)}
    with pytest.raises(EcsplanError, match="services a and b share the state key my-cluster/web"):
        state_keys_of([a, b], refs, {})
    ids = {
        "a": Identity("111111111111", None, ROLE_A, True),
        "b": Identity("222222222222", None, ROLE_B, True),
    }
    assert state_keys_of([a, b], refs, ids) == {
        "a": "111111111111/ap-northeast-1/my-cluster/web",
        "b": "222222222222/ap-northeast-1/my-cluster/web",
    }


def test_accounts_are_looked_up_only_for_identities_or_several_regions() -> None:
    aws = AwsContext(region="ap-northeast-1")
    plain = [entry("a", cluster="a"), entry("b", cluster="b")]
    refs = {e.key: ref_of(e, aws) for e in plain}
    assert not needs_identities(plain, refs)  # a single-identity plan: no STS call at all
    west = entry("w", config=Placement(region="us-west-2"), cluster="w")
    refs = {e.key: ref_of(e, aws) for e in (*plain, west)}
    assert needs_identities([*plain, west], refs)
    roled = entry("r", config=Placement(assume_role_arn=ROLE_A))
    assert needs_identities([roled], {"r": ref_of(roled, aws)})


def test_the_entrys_names_are_inputs_of_the_plan() -> None:
    plain = entry()
    moved = entry(at=Placement(assume_role_arn=ROLE_B))
    assert inputs_digest([plain]) != inputs_digest([moved])
    assert inputs_digest([plain]) == inputs_digest([entry()])


# --- the plan file and the views ---------------------------------------------------------


def test_identity_survives_the_plan_file_and_is_absent_without_one() -> None:
    plan = two_accounts_plan()
    data = plan_to_data(plan)
    assert data["services"][0]["identity"] == {
        "account": STAGING,
        "profile": None,
        "role_arn": "arn:aws:iam::111111111111:role/deploy",
        "scoped": True,
    }
    assert plan_from_data(json.loads(json.dumps(data))) == plan
    schema = json.loads((SCHEMAS / "plan.schema.json").read_text())
    assert list(Draft202012Validator(schema).iter_errors(data)) == []
    single = image_change_service()
    assert "identity" not in plan_to_data(plan_of(single))["services"][0]
    assert "identity" not in service_to_data(single)  # journals keep their old form


def test_text_and_markdown_head_each_account_and_region_and_single_plans_have_none() -> None:
    text = render_text(two_accounts_plan(), color=False)
    headings = [line for line in text.splitlines() if line.startswith("===")]
    assert headings == [
        f"=== {STAGING} / ap-northeast-1 ===",
        f"=== {PRODUCTION} / ap-northeast-1 ===",
        f"=== {PRODUCTION} / us-west-2 ===",
    ]
    (md,) = render_markdown(two_accounts_plan())
    assert [line for line in md.splitlines() if line.startswith("###")] == [
        f"### {STAGING} / ap-northeast-1",
        f"### {PRODUCTION} / ap-northeast-1",
        f"### {PRODUCTION} / us-west-2",
    ]
    one = plan_of(replace(image_change_service(), identity=Identity(STAGING, None, ROLE_A, True)))
    assert "===" not in render_text(one, color=False)
    assert "###" not in render_markdown(one)[0]


def test_json_names_each_services_identity_and_the_groups() -> None:
    data = render_json(two_accounts_plan())
    assert data["groups"] == [
        {"heading": f"{STAGING} / ap-northeast-1", "account": STAGING,
         "region": "ap-northeast-1", "services": ["web-staging"]},
        {"heading": f"{PRODUCTION} / ap-northeast-1", "account": PRODUCTION,
         "region": "ap-northeast-1", "services": ["web-production"]},
        {"heading": f"{PRODUCTION} / us-west-2", "account": PRODUCTION,
         "region": "us-west-2", "services": ["worker-production"]},
    ]  # fmt: skip
    assert data["services"][1]["identity"] == {
        "account": PRODUCTION,
        "profile": None,
        "role_arn": "arn:aws:iam::222222222222:role/deploy",
        "state_key": f"{PRODUCTION}/ap-northeast-1/my-cluster/web",
    }
    single = render_json(plan_of(image_change_service()))
    assert "groups" not in single and "identity" not in single["services"][0]


# --- apply refuses a plan made as another identity ----------------------------------------


def test_apply_refuses_a_plan_whose_identity_the_configs_do_not_give() -> None:
    aws = AwsContext(region="ap-northeast-1")
    (loaded,) = select(SelectSpec(configs=(str(SINGLE),)), aws).entries
    e = replace(loaded, placement=Placement(assume_role_arn=ROLE_A))
    made_as = {e.key: Identity("111111111111", None, ROLE_A, True)}
    options = PlanOptions(timeout_seconds=600.0)
    sp = plan_for(e, "ap-northeast-1", LiveService(), None, (), options, Secrets())
    plan = Plan(
        services=(replace(sp, identity=made_as[e.key]),),
        options=options,
        tool_version="0",
        inputs_digest=inputs_digest([e]),
    )
    data = plan_to_data(plan)
    regions = {e.key: "ap-northeast-1"}
    same = rederive("plan.json", data, [e], regions, options, Secrets(), made_as)
    assert same.services[0].identity == made_as[e.key]
    elsewhere = {e.key: Identity("333333333333", None, ROLE_A, True)}
    with pytest.raises(PlanMismatch) as err:
        rederive("plan.json", data, [e], regions, options, Secrets(), elsewhere)
    assert err.value.message == (
        f"plan.json: {e.key}: the plan acts as account 111111111111, role {ROLE_A} in "
        f"ap-northeast-1, these configs and credentials give account 333333333333, role "
        f"{ROLE_A} in ap-northeast-1; nothing was applied"
    )
    with pytest.raises(PlanMismatch, match="the plan acts as account 111111111111"):
        rederive("plan.json", data, [e], regions, options, Secrets(), {})


def test_each_config_keeps_its_own_region_in_one_invocation(tmp_path: Path) -> None:
    """The first config's region is only the default of clients no service names a region
    for: a second config in another region is read and written there."""
    from planner.cli.context import Globals

    paths = []
    for name, region in (("tokyo", "ap-northeast-1"), ("oregon", "us-west-2")):
        d = tmp_path / name
        d.mkdir()
        for f in ("ecs-service-def.json", "ecs-task-def.json"):
            (d / f).write_text((SINGLE.parent / f).read_text())
        text = SINGLE.read_text().replace("service: myservice", f"service: {name}")
        (d / "ecspresso.yml").write_text(
            text.replace("region: ap-northeast-1", f"region: {region}")
        )
        paths.append(str(d / "ecspresso.yml"))
    session = Globals(configs=tuple(paths)).session()
    assert {k: r.region for k, r in session.refs().items()} == {
        "tokyo": "ap-northeast-1",
        "oregon": "us-west-2",
    }
    assert session.aws.region is None and session.aws.default_region == "ap-northeast-1"
    flagged = Globals(configs=tuple(paths), region="eu-west-1").session()
    assert {r.region for r in flagged.refs().values()} == {"ap-northeast-1", "us-west-2"}


def test_a_profile_that_does_not_exist_is_one_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from planner.errors import AwsError

    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    child = AwsContext(region="ap-northeast-1").scoped(Principal("production", None))
    with pytest.raises(AwsError, match="AWS profile 'production' is not in the AWS config"):
        child.client("ecs")


def test_an_identity_that_cannot_be_used_names_the_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The profile (or role) is the entry's: the one error line says which service it is."""
    from planner.errors import AwsError
    from planner.workspace.identity import identities_of

    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    aws = AwsContext(region="ap-northeast-1")
    prod = entry("web-production", at=Placement(profile="production"))
    with pytest.raises(AwsError, match=r"^web-production: AWS profile 'production' is not in"):
        identities_of([prod], {prod.key: ref_of(prod, aws)}, aws)
