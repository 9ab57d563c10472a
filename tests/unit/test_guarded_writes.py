"""send_once: a write is never sent again after a lost answer without looking first.

Table-driven over the answers AWS gives, one per attempt: "ok", "throttle" (refused before
doing anything), "503" / "timeout" (the write may have happened), "404" (gone), "400" (an
answer: refused). ``found_after`` says from which look on AWS shows the write as done.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from planner.aws.guarded import send_once
from planner.errors import AwsError


def _error(code: str, status: int) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "RegisterTaskDefinition",
    )


ANSWERS = {
    "throttle": lambda: _error("ThrottlingException", 400),
    "503": lambda: _error("ServiceUnavailableException", 503),
    "timeout": lambda: ReadTimeoutError(endpoint_url="http://aws"),
    "404": lambda: _error("ObjectNotFoundException", 400),
    "400": lambda: _error("InvalidParameterException", 400),
}

CASES = [
    # answers, found_after (None: never found), expected result, sends, looks
    (["ok"], None, "sent", 1, 0),
    (["throttle", "throttle", "ok"], None, "sent", 3, 0),  # throttled: resent, no look
    (["503"], 1, "found", 1, 1),  # lost, and it happened: adopted, not sent again
    (["timeout"], 1, "found", 1, 1),
    (["503", "ok"], None, "sent", 2, 1),  # lost, did not happen: sent again
    (["503", "503"], 2, "found", 2, 2),
    (["503", "404"], None, None, 2, 1),  # deleting what the lost call deleted: done
    (["400"], None, AwsError, 1, 0),  # an answer: not retried
    (["404"], None, AwsError, 1, 0),  # gone without a lost answer first: an error
    (["503", "503", "503"], None, AwsError, 3, 3),  # attempts used up, never found
]


@pytest.mark.parametrize(("answers", "found_after", "expected", "sends", "looks"), CASES)
def test_send_once(
    answers: list[str], found_after: int | None, expected: object, sends: int, looks: int
) -> None:
    calls = {"send": 0, "look": 0}

    def send() -> str:
        answer = answers[calls["send"]]
        calls["send"] += 1
        if answer == "ok":
            return "sent"
        raise ANSWERS[answer]()

    def look() -> str | None:
        calls["look"] += 1
        return "found" if found_after is not None and calls["look"] >= found_after else None

    def run() -> object:
        return send_once(
            "ecs:RegisterTaskDefinition web",
            send,
            look,
            attempts=len(answers),
            gone=("ObjectNotFoundException",),
            sleep=lambda _s: None,
        )

    if isinstance(expected, type):
        with pytest.raises(expected) as e:
            run()
        assert str(e.value).startswith("ecs:RegisterTaskDefinition web: ")
    else:
        assert run() == expected
    assert calls == {"send": sends, "look": looks}
