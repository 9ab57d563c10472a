"""planner/render/gojson.py: the JSON of ecspresso v2.6.0 (json.go MarshalJSONForAPI) and of
ecsta v0.4.5 (format.go MarshalJSONForAPI), on plain data."""

from __future__ import annotations

import datetime as dt
import json

from planner.render.gojson import (
    ecsta_marshal,
    go_indent,
    go_struct,
    marshal_for_api,
    rfc3339nano,
)


def test_marshal_for_api_no_transform_case() -> None:
    """ecspresso v2.6.0 json_test.go TestMarshalJSONForAPI "no transform": Go field names
    lower-first except the keys of an Options map; json.Indent two spaces plus a newline."""
    value = {"FooBarBaz": "foo", "Options": {"Foo": "xxx"}, "Nested": {"FooBar": "foobar"}}
    want = json.dumps(
        {"fooBarBaz": "foo", "nested": {"fooBar": "foobar"}, "options": {"Foo": "xxx"}},
        indent=2,
    )
    assert marshal_for_api(value) == want + "\n"


def test_marshal_for_api_drops_nulls_and_empty_arrays_only() -> None:
    """ecspresso v2.6.0 json.go walkMap: nil values and empty arrays are deleted; "", 0,
    false and {} stay; maps inside arrays are walked; dockerLabels keys are kept as written."""
    value = {
        "a": None,
        "b": [],
        "c": "",
        "d": 0,
        "e": False,
        "f": {},
        "g": [{"X": None, "Y": 1}],
        "dockerLabels": {"Com.Example": "v"},
    }
    assert json.loads(marshal_for_api(value)) == {
        "c": "",
        "d": 0,
        "e": False,
        "f": {},
        "g": [{"y": 1}],
        "dockerLabels": {"Com.Example": "v"},
    }


def test_ecsta_marshal_keeps_everything_and_lowers_every_key() -> None:
    """ecsta v0.4.5 format.go walkMap: no exception for options maps, nothing dropped, no
    trailing newline (the formatter adds one)."""
    value = {"Tags": [], "Options": {"Foo": "x"}, "Stopped": None}
    assert ecsta_marshal(value) == (
        '{\n  "options": {\n    "foo": "x"\n  },\n  "stopped": null,\n  "tags": []\n}'
    )


def test_go_encoding_of_strings_and_numbers() -> None:
    """encoding/json: HTML-safe escapes, UTF-8 kept as is, sorted keys, float64 numbers."""
    assert go_indent({"b": "<a&b>", "a": "日本"}) == (
        '{\n  "a": "日本",\n  "b": "\\u003ca\\u0026b\\u003e"\n}'
    )
    assert go_indent([1.0, 0.5, 1e-05, 1e21, 2**53 + 1, "\u2028\x01\n"]) == (
        '[\n  1,\n  0.5,\n  0.00001,\n  1e+21,\n  9007199254740992,\n  "\\u2028\\u0001\\n"\n]'
    )
    assert go_indent({}) == "{}" and go_indent([]) == "[]"


def test_go_struct_fills_the_sdk_fields_aws_did_not_send() -> None:
    """aws-sdk-go-v2 service/ecs v1.60.1 types: an unset *string is null, an enum "", an
    int32 0, a bool false; members the SDK does not know are gone; times in UTC."""
    registered = dt.datetime(
        2025, 7, 24, 23, 56, 51, 123456, tzinfo=dt.timezone(dt.timedelta(hours=9))
    )
    td = go_struct(
        {
            "family": "app",
            "revision": 3,
            "registeredAt": registered,
            "containerDefinitions": [{"name": "web", "unknownMember": 1}],
            "futureField": "x",
        },
        "TaskDefinition",
    )
    assert td["family"] == "app" and td["revision"] == 3
    assert td["ipcMode"] == "" and td["networkMode"] == "" and td["taskRoleArn"] is None
    assert td["registeredAt"] == "2025-07-24T14:56:51.123Z"
    assert "futureField" not in td
    [web] = td["containerDefinitions"]
    assert web["cpu"] == 0 and web["essential"] is None and "unknownMember" not in web
    assert json.loads(marshal_for_api(td)) == {
        "containerDefinitions": [{"cpu": 0, "name": "web", "versionConsistency": ""}],
        "family": "app",
        "ipcMode": "",
        "networkMode": "",
        "pidMode": "",
        "registeredAt": "2025-07-24T14:56:51.123Z",
        "revision": 3,
        "status": "",
    }


def test_rfc3339nano_trims_zeros() -> None:
    """time.Time's MarshalJSON (RFC3339Nano): trailing zeros of the fraction go, and the
    fraction with them when it is zero."""
    utc = dt.timezone.utc
    assert rfc3339nano(dt.datetime(2024, 1, 19, 14, 41, 40, tzinfo=utc)) == "2024-01-19T14:41:40Z"
    assert rfc3339nano(dt.datetime(2024, 1, 19, 14, 41, 40, 100000, tzinfo=utc)) == (
        "2024-01-19T14:41:40.1Z"
    )
