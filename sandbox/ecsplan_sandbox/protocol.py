"""Which AWS operation an HTTP request is, and how that service's protocol spells an error.

Counting and fault injection happen before moto sees the request, so we derive the
"service:Operation" key ourselves: the signing scope names the service, and X-Amz-Target
(JSON protocols) or the Action parameter (query protocols) names the operation. REST
services (S3) get a small method/path heuristic.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs

Protocol = Literal["json", "query", "ec2", "rest-xml", "rest-json"]

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")
_HOST_SERVICE = re.compile(r"^([a-z0-9-]+)\.")


@dataclass(frozen=True)
class Call:
    """One identified AWS API call."""

    service: str
    operation: str
    protocol: Protocol

    @property
    def key(self) -> str:
        return f"{self.service}:{self.operation}"


def identify(environ: dict[str, object], body: bytes) -> Call:
    """Derive service, operation and protocol from a WSGI request."""
    auth = str(environ.get("HTTP_AUTHORIZATION", ""))
    m = _SCOPE.search(auth)
    if m:
        service = m.group(1)
    else:
        host = _HOST_SERVICE.match(str(environ.get("HTTP_HOST", "")))
        service = host.group(1) if host and not host.group(1)[0].isdigit() else "unknown"
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    if target:
        return Call(service, target.rsplit(".", 1)[-1], "json")
    query = parse_qs(str(environ.get("QUERY_STRING", "")))
    action = query.get("Action", [None])[0]
    ctype = str(environ.get("CONTENT_TYPE", ""))
    if action is None and "x-www-form-urlencoded" in ctype and body:
        action = parse_qs(body.decode("utf-8", "replace")).get("Action", [None])[0]
    if action:
        return Call(service, action, "ec2" if service == "ec2" else "query")
    method = str(environ.get("REQUEST_METHOD", "GET"))
    path = str(environ.get("PATH_INFO", "/"))
    if service == "s3":
        return Call(service, _s3_operation(method, path, query, environ), "rest-xml")
    return Call(service, f"{method} {path}", "rest-json")


def request_params(call: Call, environ: dict[str, object], body: bytes) -> dict[str, object]:
    """The call's parameters as sent: the JSON body, or the query/form fields (one value
    per name, lists kept where repeated). REST calls give their path and query."""
    if call.protocol == "json":
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return {"_raw": body.decode("utf-8", "replace")}
        return data if isinstance(data, dict) else {"_body": data}
    fields = parse_qs(str(environ.get("QUERY_STRING", "")))
    ctype = str(environ.get("CONTENT_TYPE", ""))
    if "x-www-form-urlencoded" in ctype and body:
        fields.update(parse_qs(body.decode("utf-8", "replace")))
    out: dict[str, object] = {k: v[0] if len(v) == 1 else v for k, v in fields.items()}
    if call.protocol.startswith("rest"):
        out["_path"] = str(environ.get("PATH_INFO", "/"))
    return out


def _s3_operation(
    method: str, path: str, query: dict[str, list[str]], environ: dict[str, object]
) -> str:
    has_key = len([p for p in path.split("/") if p]) > 1
    if "uploads" in query or "uploadId" in query:
        return {"POST": "MultipartUpload", "PUT": "UploadPart"}.get(method, "MultipartUpload")
    if "delete" in query and method == "POST":
        return "DeleteObjects"
    if not has_key:
        if method == "GET":
            return "ListObjectsV2" if query.get("list-type") == ["2"] else "ListObjects"
        return {"PUT": "CreateBucket", "HEAD": "HeadBucket", "DELETE": "DeleteBucket"}.get(
            method, f"{method}Bucket"
        )
    if method == "PUT" and environ.get("HTTP_X_AMZ_COPY_SOURCE"):
        return "CopyObject"
    return {
        "GET": "GetObject",
        "PUT": "PutObject",
        "HEAD": "HeadObject",
        "DELETE": "DeleteObject",
    }.get(method, f"{method}Object")


def error_response(
    call: Call, kind: Literal["throttle", "error", "lost"]
) -> tuple[str, list[tuple[str, str]], bytes]:
    """An HTTP status line, headers and body botocore parses as throttling / server error."""
    request_id = str(uuid.uuid4())
    if kind == "throttle":
        status = "400 Bad Request"
        code = {"ec2": "RequestLimitExceeded", "query": "Throttling"}.get(
            call.protocol, "ThrottlingException"
        )
        message = "Rate exceeded"
    else:
        status = "503 Service Unavailable"
        code = "ServiceUnavailable"
        message = "Service is unavailable (injected by the ecsplan sandbox)"
    if call.protocol == "rest-xml" and kind == "throttle":
        status, code, message = "503 Slow Down", "SlowDown", "Please reduce your request rate."
    headers = [("x-amzn-RequestId", request_id)]
    if call.protocol == "json" or call.protocol == "rest-json":
        if kind == "error":
            code = "ServiceUnavailableException"
        body = json.dumps({"__type": code, "message": message}).encode()
        headers += [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", code)]
    elif call.protocol == "ec2":
        body = (
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>"
            f"</Error></Errors><RequestID>{request_id}</RequestID></Response>"
        ).encode()
        headers.append(("Content-Type", "text/xml"))
    elif call.protocol == "query":
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
            f"<Message>{message}</Message></Error><RequestId>{request_id}</RequestId>"
            "</ErrorResponse>"
        ).encode()
        headers.append(("Content-Type", "text/xml"))
    else:
        body = (
            f"<Error><Code>{code}</Code><Message>{message}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>"
        ).encode()
        headers.append(("Content-Type", "application/xml"))
    headers.append(("Content-Length", str(len(body))))
    return status, headers, body
