"""Secrets never reach an output; the plan file round-trips them exactly."""

from __future__ import annotations

import json

import pytest
from test_render_plans import DB_PASSWORD, SECURE_STRING, secret_plan

from planner.errors import EcsplanError
from planner.plan.codec import plan_from_data, plan_to_data
from planner.plan.secrets import Secrets, looks_secret, restore_values, sensitive_values
from planner.render.json_out import render_json
from planner.render.markdown import render_markdown
from planner.render.secrets import mask
from planner.render.text import render_text

PLANTED = (SECURE_STRING, DB_PASSWORD, "old-" + DB_PASSWORD)
KEYED = Secrets(key_source=b"k" * 32)


def mask_for_file(data: object, values: object) -> object:
    return KEYED.mask(data, values)


def unmask_from_file(data: object, values: object) -> object:
    return KEYED.unmask(data, values)


def value_hash(value: str) -> str:
    return KEYED.placeholder(value)[11:23]


@pytest.mark.parametrize(
    "name",
    [
        "DB_PASSWORD",
        "MYSQL_PASSWD",
        "API_KEY",
        "apiKey",
        "AWS_SECRET_ACCESS_KEY",
        "GITHUB_TOKEN",
        "PRIVATE_KEY",
        "STRIPE_APIKEY",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "AUTH_HEADER",
        "SENTRY_DSN",
        "DB_PASS",
    ],
)
def test_secret_names(name: str) -> None:
    assert looks_secret(name)


@pytest.mark.parametrize(
    "name", ["MONKEY", "KEYBOARD_LAYOUT", "PUBLIC_KEY", "AWS_ACCESS_KEY_ID", "LOG_LEVEL", "PWD"]
)
def test_plain_names(name: str) -> None:
    assert not looks_secret(name)


def test_sensitive_values_collects_marked_named_and_related() -> None:
    values = sensitive_values(secret_plan(), [SECURE_STRING, "x"])
    assert set(PLANTED) <= values
    assert "x" not in values  # too short to mask
    assert "abc" not in values  # SHORT_TOKEN's value: too short
    assert "production" not in values


def _outputs() -> dict[str, str]:
    plan = secret_plan()
    values = sensitive_values(plan, [SECURE_STRING])
    return {
        "text": render_text(plan, sensitive=values, color=False),
        "text-color": render_text(plan, sensitive=values, color=True),
        "diff": render_text(plan, sensitive=values, color=False, diff_only=True),
        "markdown": "".join(render_markdown(plan, sensitive=values)),
        "json": json.dumps(render_json(plan, sensitive=values)),
        "plan file": json.dumps(mask_for_file(plan_to_data(plan), values)),
    }


@pytest.mark.parametrize("kind", sorted(_outputs()))
def test_planted_secrets_never_appear(kind: str) -> None:
    out = _outputs()[kind]
    for secret in PLANTED:
        assert secret not in out, f"{secret!r} leaked into {kind}"
    assert "sensitive" in out


def test_display_shows_sensitive_and_names_changed_secret() -> None:
    plan = secret_plan()
    values = sensitive_values(plan, [SECURE_STRING])
    text = render_text(plan, sensitive=values, color=False)
    assert "(sensitive value of app/DB_PASSWORD changed)" in text
    md = render_markdown(plan, sensitive=values)[0]
    assert "The sensitive value of `app/DB_PASSWORD` changes." in md


def test_plan_file_round_trip_is_exact() -> None:
    plan = secret_plan()
    values = sensitive_values(plan, [SECURE_STRING])
    data = plan_to_data(plan)
    masked = json.loads(json.dumps(mask_for_file(data, values)))
    assert f"(sensitive:{value_hash(DB_PASSWORD)})" in json.dumps(masked)
    restored = unmask_from_file(masked, restore_values(data, [SECURE_STRING]))
    assert restored == data
    assert plan_from_data(restored) == plan


def test_unmask_names_missing_hashes() -> None:
    plan = secret_plan()
    values = sensitive_values(plan, [SECURE_STRING])
    masked = mask_for_file(plan_to_data(plan), values)
    with pytest.raises(EcsplanError) as e:
        unmask_from_file(masked, restore_values(plan, [SECURE_STRING]) - {DB_PASSWORD})
    assert f"(sensitive:{value_hash(DB_PASSWORD)})" in str(e.value)


def test_file_placeholders_display_as_sensitive() -> None:
    plan = secret_plan()
    values = sensitive_values(plan, [SECURE_STRING])
    from_file = plan_from_data(mask_for_file(plan_to_data(plan), values))
    assert "(sensitive)" in json.dumps(render_json(from_file))
    for out in (json.dumps(render_json(from_file)), "".join(render_markdown(from_file))):
        assert "(sensitive:" not in out


def test_mask_overlapping_values_in_one_pass() -> None:
    values = ["abcdefgh", "sens", "cdef"]
    data = {"k": "x-abcdefgh-y-cdef", "sens": ["sensible"]}
    assert mask(data, values) == {
        "k": "x-(sensitive)-y-(sensitive)",
        "(sensitive)": ["(sensitive)ible"],
    }
    plain = {"k": "x-abcdefgh-y-cdef", "l": ["sensible"]}
    assert unmask_from_file(mask_for_file(plain, values), values) == plain


def test_placeholders_are_keyed_so_a_plan_file_alone_cannot_test_a_guess() -> None:
    """(sensitive:...) is an HMAC under the state's key: the unsalted sha256 of the secret
    appears nowhere, and another state's key names the same secret differently."""
    import hashlib

    plan = secret_plan()
    values = sensitive_values(plan, [SECURE_STRING])
    text = json.dumps(mask_for_file(plan_to_data(plan), values))
    for secret in (DB_PASSWORD, SECURE_STRING):
        assert hashlib.sha256(secret.encode()).hexdigest()[:12] not in text
        assert f"(sensitive:{value_hash(secret)})" in text or secret == SECURE_STRING
    other = Secrets(key_source=b"o" * 32)
    assert other.placeholder(DB_PASSWORD) != KEYED.placeholder(DB_PASSWORD)
    with pytest.raises(EcsplanError):  # another state's key cannot restore them
        other.unmask(json.loads(text), values)


@pytest.mark.parametrize(
    "value",
    [
        "postgres://app:hunter2@db.internal:5432/app",
        "redis://:pw@cache:6379/0",
        "amqp://guest:s3cr3t%40x@mq/vhost",
    ],
)
def test_a_password_inside_a_url_is_masked_whatever_the_name(value: str) -> None:
    password = value.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    doc = {"containerDefinitions": [{"environment": [{"name": "DATABASE_URL", "value": value}]}]}
    masked = json.dumps(KEYED.mask(doc))
    assert password not in masked and "@" in masked  # the host stays readable
    assert password not in json.dumps(mask(doc, sensitive_values_of(doc)))
    blinded = json.dumps(KEYED.blind(doc))
    assert password not in blinded
    assert KEYED.unmask(json.loads(masked), restore_values(doc)) == doc


def sensitive_values_of(doc: object) -> frozenset[str]:
    from planner.plan.secrets import secret_values_in

    return secret_values_in(doc)
