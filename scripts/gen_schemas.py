"""Generate the task/service definition JSON Schemas from botocore's ECS service model.

Writes ``schemas/task-definition.schema.json`` and ``schemas/service-definition.schema.json``
(JSON Schema draft 2020-12) from the RegisterTaskDefinition and CreateService input shapes of
the installed botocore, so that the schemas follow the API instead of a hand-kept copy.
``--check`` writes nothing and exits 1 when the committed files differ from what the installed
botocore produces (a test runs the same comparison).

Mapping: string -> string (minLength/maxLength, enum), integer/long -> integer and
double/float -> number (minimum/maximum), boolean -> boolean, timestamp -> string or number
(ISO text or epoch seconds), list -> array (items, minItems/maxItems), structure -> object
(properties, required, additionalProperties false), map -> object (additionalProperties).
Structures and enums live in ``$defs`` under their botocore shape name; each property gets the
first sentence of its documentation, HTML stripped, as ``description`` for editor hover help.

Adjustments for ecspresso-style definition files:

- Service: ``cluster`` is removed and ``serviceName`` is not required (both come from
  ecspresso.yml); ``taskDefinition`` is not required (ecsplan fills it in).
- Definition files may be raw describe-* output: the read-only members of the ``TaskDefinition``
  and ``Service`` output shapes (taskDefinitionArn, revision, status, deployments, events, ...)
  are accepted, loosely typed and marked ``readOnly``. The wrapper forms ``{"taskDefinition": {...}, "tags": [...]}``
  (DescribeTaskDefinitionResponse) and ``{"service": {...}}`` (CreateServiceResponse) are
  accepted through ``if``/``then``/``else`` at the root, which keeps error messages precise.
- Task-level ``cpu`` and ``memory`` are strings in the API ("256", "1 vCPU", "0.5 GB") but
  ecspresso users also write integers: both are accepted.
- ``containerDefinitions[].name`` and ``image`` are required: the API rejects a container
  without them although the model does not mark them required.
- Tags use the API's ``[{"key": ..., "value": ...}]`` form, as ecspresso definitions do.

Constraints AWS enforces but botocore's model does not carry (name patterns, documented integer
ranges, image references, no control characters in names and ARNs) are added from
``RULES`` and ``NO_CONTROL_MEMBERS`` below; integers without a range get the range of
their wire type (int32, int64). Every constrained node lists where each constraint comes from
in ``x-sources``: botocore's own documentation of the member (the quoted sentence is checked
against the installed botocore by tests/unit/test_schemas.py), botocore's model, or an AWS page.
The config schema (hand-written) gets the cluster, service and region patterns the same way.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from pathlib import Path
from typing import Any, NamedTuple

import botocore
import botocore.loaders
import botocore.session
from botocore.model import ServiceModel, Shape

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_DIR = ROOT / "schemas"
ID_BASE = "https://ecsplan.dev/schemas/"
DRAFT = "https://json-schema.org/draft/2020-12/schema"
MAX_DESCRIPTION = 240

Json = dict[str, Any]

# --- constraints botocore's model does not carry -------------------------------------------

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
SMITHY_TYPES = "https://smithy.io/2.0/spec/simple-types.html"
# JSON Schema patterns run as Python ``re.search`` (jsonschema) and as ECMA-262 (editors):
# ``$`` also matches before a final newline in Python, so the end is ``(?![\s\S])``.
END = "(?![\\s\\S])"
NAME_255 = "^[A-Za-z0-9_-]{1,255}" + END
NAME_HINT = 'a name of 1-255 letters, digits, "-" and "_"'
NAME_QUOTE = "Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens"
IMAGE = "^[A-Za-z0-9_.:/#-]{1,255}(@sha256:[A-Fa-f0-9]{64})?" + END
IMAGE_HINT = (
    'an image reference (1-255 letters, digits, "-", "_", ".", ":", "/", "#", '
    "optionally @sha256:<64 hex digits>)"
)
# C0 and C1 controls, DEL, line/paragraph separators and the bidirectional formatting marks
# (Trojan Source): never part of a name, an ARN or an HTTP header.
CONTROL_CLASS = (
    "\\u0000-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069"
)
NO_CONTROL = f"^[^{CONTROL_CLASS}]*{END}"
NO_CONTROL_HINT = "free of control characters"
RFC_HEADERS = "https://www.rfc-editor.org/rfc/rfc9110#section-5.5"
NO_CONTROL_SOURCE: Json = {
    "kind": "spec",
    "ref": RFC_HEADERS,
    "quote": "Field values containing CR, LF, or NUL characters are invalid and dangerous",
}
# String members that become part of a name, an ARN or a request header (beyond those with a
# documented character set in RULES).
NO_CONTROL_MEMBERS = re.compile(
    r"(?i)(arn|name|^role|^valueFrom|^credentialsParameter|^capacityProvider"
    r"|^platformVersion|^hostname|^family|^taskDefinition|^namespace)$"
)
TCP_PORT: Json = {
    "kind": "spec",
    "ref": "https://www.rfc-editor.org/rfc/rfc9293#section-3.1",
    "quote": "Source Port:  16 bits",
}


def doc_source(shape: str, member: str, quote: str) -> Json:
    """A constraint stated in botocore's documentation of ``shape.member`` (checked by a test)."""
    return {"kind": "botocore-doc", "ref": f"{shape}.{member}", "quote": quote}


class Rule(NamedTuple):
    """Schema keywords added to ``shape.member``, and where AWS says so."""

    shape: str
    member: str
    keywords: Json
    source: Json


def name_rule(shape: str, member: str, documented_at: tuple[str, str] | None = None) -> Rule:
    """The documented name rule (1-255 of A-Z a-z 0-9 _ -); a reference to a name (a
    container's, say) cites the member where the name is defined."""
    where = documented_at or (shape, member)
    return Rule(
        shape, member, {"pattern": NAME_255, "x-hint": NAME_HINT}, doc_source(*where, NAME_QUOTE)
    )


def range_rule(shape: str, member: str, lo: int, hi: int, source: Json) -> Rule:
    return Rule(shape, member, {"minimum": lo, "maximum": hi}, source)


def doc_range(shape: str, member: str, lo: int, hi: int, quote: str) -> Rule:
    return range_rule(shape, member, lo, hi, doc_source(shape, member, quote))


def doc_minimum(shape: str, members: tuple[str, ...], lo: int, quote: str) -> tuple[Rule, ...]:
    """A documented lower bound for members of one shape (each cites its own doc)."""
    return tuple(Rule(shape, m, {"minimum": lo}, doc_source(shape, m, quote)) for m in members)


CONTAINER_NAME = ("ContainerDefinition", "name")
TASKS_PER_SERVICE = 5000
QUOTAS_PAGE = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html"
MEMORY_QUOTE = "So, don't specify less than 6 MiB of memory for your containers."
PERCENT_QUOTE = "as a percentage of the desiredCount"

RULES: tuple[Rule, ...] = (
    name_rule("RegisterTaskDefinitionRequest", "family"),
    name_rule(*CONTAINER_NAME),
    name_rule("Volume", "name"),
    name_rule("LoadBalancer", "containerName", CONTAINER_NAME),
    name_rule("ContainerDependency", "containerName", CONTAINER_NAME),
    name_rule("CreateServiceRequest", "serviceName"),
    Rule(
        "ContainerDefinition",
        "image",
        {"pattern": IMAGE, "x-hint": IMAGE_HINT},
        doc_source(
            "ContainerDefinition",
            "image",
            "up to 255 characters total are allowed, including letters (uppercase and "
            "lowercase), numbers, hyphens, underscores, colons, periods, forward slashes, and "
            "number signs (#)",
        ),
    ),
    Rule(
        "PortMapping",
        "name",
        {
            "pattern": "^[a-z0-9_][a-z0-9_-]{0,63}" + END,
            "x-hint": 'a port name of 1-64 lowercase letters, digits, "_" and "-" '
            '(not starting with "-")',
        },
        doc_source(
            "PortMapping",
            "name",
            "The characters can include lowercase letters, numbers, underscores (_), and "
            "hyphens (-). The name can't start with a hyphen.",
        ),
    ),
    range_rule("PortMapping", "containerPort", 0, 65535, TCP_PORT),
    range_rule("PortMapping", "hostPort", 0, 65535, TCP_PORT),
    range_rule("LoadBalancer", "containerPort", 0, 65535, TCP_PORT),
    doc_range("HealthCheck", "interval", 5, 300, "You may specify between 5 and 300 seconds."),
    doc_range("HealthCheck", "timeout", 2, 60, "You may specify between 2 and 60 seconds."),
    doc_range("HealthCheck", "retries", 1, 10, "You may specify between 1 and 10 retries."),
    doc_range("HealthCheck", "startPeriod", 0, 300, "You can specify between 0 and 300 seconds."),
    doc_range(
        "EphemeralStorage",
        "sizeInGiB",
        21,
        200,
        "The minimum supported value is 21 GiB and the maximum supported value is 200 GiB.",
    ),
    doc_range(
        "RegisterTaskDefinitionRequest",
        "cpu",
        128,
        196608,
        "Supported values are between 128 CPU units ( 0.125 vCPUs) and 196608 CPU units "
        "( 192 vCPUs).",
    ),
    *doc_minimum("ContainerDefinition", ("memory", "memoryReservation"), 6, MEMORY_QUOTE),
    *doc_minimum(
        "CreateServiceRequest",
        ("desiredCount",),
        0,
        "The number of instantiations of the specified task definition to place and keep "
        "running in your service.",
    ),
    range_rule(
        "CreateServiceRequest",
        "healthCheckGracePeriodSeconds",
        0,
        INT32[1],
        {
            "kind": "aws-doc",
            "ref": "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/"
            "aws-resource-ecs-service.html",
            "quote": "you can specify a health check grace period of up to 2,147,483,647 "
            "seconds (about 69 years)",
        },
    ),
    *doc_minimum(
        "DeploymentConfiguration", ("maximumPercent", "minimumHealthyPercent"), 0, PERCENT_QUOTE
    ),
)

# Per-account quotas (adjustable, so not a schema bound): the semantic checks read them from
# ``x-quota`` in the schema, so the number and its source live here only.
QUOTAS: dict[tuple[str, str], Json] = {
    ("CreateServiceRequest", "desiredCount"): {
        "name": "Tasks per service",
        "default": TASKS_PER_SERVICE,
        "source": {
            "kind": "aws-doc",
            "ref": QUOTAS_PAGE,
            "quote": "The maximum number of tasks per service (the desired count).",
        },
    },
}


def add_constraint(node: Json, keywords: Json, source: Json) -> None:
    """Add ``keywords`` to a schema node and record where they come from; a keyword set
    again (a documented range over the wire type's) is credited to the new source only."""
    keys = sorted(k for k in keywords if not k.startswith("x-"))
    sources = []
    for entry in node.get("x-sources", []):
        left = [k for k in entry["keywords"] if k not in keys]
        if left:
            sources.append({**entry, "keywords": left})
    node.update(keywords)
    node["x-sources"] = [*sources, {"keywords": keys, **source}]


def model_bounds(node: Json, shape: Shape, names: tuple[str, str]) -> None:
    """min/max from botocore's model, as ``names`` (minLength/maxLength, minimum/maximum)."""
    meta = shape.metadata
    bounds = {
        name: meta[key] for key, name in zip(("min", "max"), names, strict=True) if key in meta
    }
    if names[0] == "minLength":
        bounds = {k: int(v) for k, v in bounds.items()}
    if bounds:
        add_constraint(node, bounds, {"kind": "botocore-model", "ref": shape.name})
    wire = {"integer": INT32, "long": INT64}.get(shape.type_name)
    if wire is None:
        return
    missing = {k: v for k, v in zip(names, wire, strict=True) if k not in node}
    if missing:
        add_constraint(
            node,
            missing,
            {
                "kind": "botocore-type",
                "ref": f"{SMITHY_TYPES}#{shape.type_name}",
                "shape": shape.name,
            },
        )


def describe(doc: str | None) -> str:
    """First sentence of a botocore documentation string, as plain text."""
    if not doc:
        return ""
    text = html.unescape(re.sub(r"<[^>]+>", " ", doc))
    text = re.sub(r"\s+", " ", text).strip()
    first = re.split(r"(?<=[.!?])\s+(?=[A-Z(])", text, maxsplit=1)[0]
    if len(first) > MAX_DESCRIPTION:
        first = first[: MAX_DESCRIPTION - 3].rstrip() + "..."
    return first


class Builder:
    """Turns botocore shapes into schema nodes, collecting shared shapes in ``$defs``."""

    def __init__(self, model: ServiceModel) -> None:
        self.model = model
        self.defs: dict[str, Json] = {}
        self.applied: set[tuple[str, str]] = set()  # (shape, member) of RULES and QUOTAS used

    def ref(self, name: str) -> Json:
        return {"$ref": f"#/$defs/{name}"}

    def node(self, shape: Shape) -> Json:
        """Schema for a shape as used by a member (a $ref for structures and enums)."""
        kind = shape.type_name
        if kind == "structure":
            self.structure(shape.name)
            return self.ref(shape.name)
        if kind == "string" and shape.enum:
            if shape.name not in self.defs:
                self.defs[shape.name] = {"type": "string", "enum": list(shape.enum)}
            return self.ref(shape.name)
        meta = shape.metadata
        out: Json
        if kind in ("string", "blob"):
            out = {"type": "string"}
            model_bounds(out, shape, ("minLength", "maxLength"))
        elif kind in ("integer", "long", "double", "float"):
            out = {"type": "integer" if kind in ("integer", "long") else "number"}
            model_bounds(out, shape, ("minimum", "maximum"))
        elif kind == "boolean":
            out = {"type": "boolean"}
        elif kind == "timestamp":
            out = {"type": ["string", "number"]}
        elif kind == "list":
            out = {"type": "array", "items": self.node(shape.member)}
            if "min" in meta or "max" in meta:
                bounds = {
                    n: int(meta[k])
                    for k, n in (("min", "minItems"), ("max", "maxItems"))
                    if k in meta
                }
                add_constraint(out, bounds, {"kind": "botocore-model", "ref": shape.name})
        elif kind == "map":
            out = {"type": "object", "additionalProperties": self.node(shape.value)}
        else:
            raise ValueError(f"unsupported botocore shape type {kind!r} ({shape.name})")
        return out

    def member(self, shape: Shape) -> Json:
        """A property node with the member's own documentation as its description."""
        out = dict(self.node(shape))
        text = describe(shape.documentation)
        if text:
            out["description"] = text
        return out

    def structure(self, name: str, *, drop: tuple[str, ...] = ()) -> Json:
        """Define (once) and return the object schema of a structure shape."""
        if name in self.defs:
            return self.defs[name]
        shape = self.model.shape_for(name)
        out: Json = {"type": "object", "additionalProperties": False}
        self.defs[name] = out  # registered before recursing, so cycles terminate
        text = describe(shape.documentation)
        if text:
            out["description"] = text
        out["properties"] = {
            key: self.member(member) for key, member in shape.members.items() if key not in drop
        }
        for key, node in out["properties"].items():
            self.constrain(name, key, node)
        required = [key for key in shape.required_members if key not in drop]
        if required:
            out["required"] = required
        return out

    def constrain(self, shape: str, member: str, node: Json) -> None:
        """The RULES, quotas and the no-control-characters rule for one member's node."""
        for rule in RULES:
            if (rule.shape, rule.member) == (shape, member):
                add_constraint(node, rule.keywords, rule.source)
                self.applied.add((shape, member))
        quota = QUOTAS.get((shape, member))
        if quota is not None:
            node["x-quota"] = quota
            self.applied.add((shape, member))
        if (
            node.get("type") == "string"
            and "pattern" not in node
            and NO_CONTROL_MEMBERS.search(member)
        ):
            add_constraint(
                node, {"pattern": NO_CONTROL, "x-hint": NO_CONTROL_HINT}, NO_CONTROL_SOURCE
            )


def loose(shape: Shape) -> Json:
    """A read-only describe-output member: typed at the top level only."""
    kinds = {
        "structure": "object",
        "map": "object",
        "list": "array",
        "boolean": "boolean",
        "integer": "integer",
        "long": "integer",
        "double": "number",
        "float": "number",
    }
    out: Json = {"type": kinds.get(shape.type_name, "string"), "readOnly": True}
    if shape.type_name == "timestamp":
        out["type"] = ["string", "number"]
    text = describe(shape.documentation)
    out["description"] = f"Read-only (describe output; ignored). {text}".strip()
    return out


def add_read_only(builder: Builder, target: Json, output_shape: str) -> None:
    """Accept the members a describe-* output has beyond the API input."""
    props = target["properties"]
    for key, member in builder.model.shape_for(output_shape).members.items():
        if key not in props:
            props[key] = loose(member)


def document(builder: Builder, title: str, filename: str, body: str, wrapper: str) -> Json:
    """Root schema: the wrapper form when its key is present, the plain body otherwise."""
    key = next(iter(builder.model.shape_for(wrapper).members))
    return {
        "$schema": DRAFT,
        "$id": ID_BASE + filename,
        "title": title,
        "description": (
            f"{title} file as written for ecspresso/ecsplan, or the raw {wrapper} wrapper. "
            "Generated by scripts/gen_schemas.py; do not edit."
        ),
        "x-botocore-version": botocore.__version__,
        "type": "object",
        "if": {"required": [key]},
        "then": builder.ref(wrapper),
        "else": builder.ref(body),
        "$defs": builder.defs,
    }


def task_definition_schema(model: ServiceModel, applied: set[tuple[str, str]]) -> Json:
    builder = Builder(model)
    body = "RegisterTaskDefinitionRequest"
    root = builder.structure(body)
    add_read_only(builder, root, "TaskDefinition")
    for key in ("cpu", "memory"):
        root["properties"][key]["type"] = ["string", "integer"]
    container = builder.defs["ContainerDefinition"]
    container["required"] = sorted({*container.get("required", []), "name", "image"})
    container["x-sources"] = [
        {
            "keywords": ["required"],
            "kind": "aws-error",
            "ref": "https://github.com/aws/aws-cli/issues/5924",
            "quote": "Container.image should not be null or empty.",
        }
    ]
    wrapper = "DescribeTaskDefinitionResponse"
    builder.defs[wrapper] = {
        "type": "object",
        "additionalProperties": False,
        "description": "The raw describe-task-definition output.",
        "properties": {
            "taskDefinition": {**builder.ref(body), "description": "The task definition."},
            "tags": builder.member(model.shape_for(wrapper).members["tags"]),
        },
        "required": ["taskDefinition"],
    }
    applied.update(builder.applied)
    return document(builder, "ECS task definition", "task-definition.schema.json", body, wrapper)


def service_definition_schema(model: ServiceModel, applied: set[tuple[str, str]]) -> Json:
    builder = Builder(model)
    body = "CreateServiceRequest"
    root = builder.structure(body, drop=("cluster",))
    root.pop("required", None)  # serviceName comes from the config, taskDefinition from ecsplan
    add_read_only(builder, root, "Service")
    wrapper = "CreateServiceResponse"
    builder.defs[wrapper] = {
        "type": "object",
        "additionalProperties": False,
        "description": "A service wrapped as in create-service output.",
        "properties": {"service": {**builder.ref(body), "description": "The service."}},
        "required": ["service"],
    }
    applied.update(builder.applied)
    return document(
        builder, "ECS service definition", "service-definition.schema.json", body, wrapper
    )


GO_DURATION: Json = {
    "kind": "spec",
    "ref": "https://pkg.go.dev/time#Duration",
    "quote": "The representation limits the largest representable duration to approximately "
    "290 years.",
}
MAX_TIMEOUT_SECONDS = (2**63 - 1) // 10**9  # ecspresso's timeout is a Go time.Duration
CLUSTER_ARN = "arn:aws[A-Za-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:cluster/[A-Za-z0-9_-]{1,255}"


def region_pattern(partitions: list[Json]) -> str:
    """One pattern for every partition's ``regionRegex``, portable to ECMA-262 (``\\w`` and
    ``\\d`` as ASCII classes, as botocore's Python matching of region names reads them)."""
    parts = []
    for partition in partitions:
        body = partition["regionRegex"].removeprefix("^").removesuffix("$")
        parts.append(body.replace("\\w", "[A-Za-z0-9_]").replace("\\d", "[0-9]"))
    return "^(?:" + "|".join(parts) + ")" + END


def config_schema(base: Json, partitions: list[Json]) -> Json:
    """The hand-written config schema with the generated name, region and timeout bounds."""
    props = base["properties"]
    number = next(b for b in props["timeout"]["anyOf"] if b.get("type") == "number")
    for node in (props["cluster"], props["service"], props["region"], number):
        for key in ("pattern", "maximum", "x-hint", "x-sources", "x-known-regions"):
            node.pop(key, None)  # generated: set again below, in the same order
    cluster_source = doc_source("CreateClusterRequest", "clusterName", NAME_QUOTE)
    cluster_source["also"] = [
        doc_source(
            "CreateServiceRequest",
            "cluster",
            "The short name or full Amazon Resource Name (ARN) of the cluster",
        )
    ]
    add_constraint(
        props["cluster"],
        {
            "pattern": f"^(?:[A-Za-z0-9_-]{{1,255}}|{CLUSTER_ARN}){END}",
            "x-hint": f"a cluster ARN or {NAME_HINT}",
        },
        cluster_source,
    )
    add_constraint(
        props["service"],
        {"pattern": NAME_255, "x-hint": NAME_HINT},
        doc_source("CreateServiceRequest", "serviceName", NAME_QUOTE),
    )
    add_constraint(
        props["region"],
        {"pattern": region_pattern(partitions), "x-hint": "a region name such as us-east-1"},
        {"kind": "botocore-data", "ref": "partitions.json", "quote": "regionRegex"},
    )
    props["region"]["x-known-regions"] = sorted(
        r for p in partitions for r in p["regions"] if not r.endswith("-global")
    )
    add_constraint(number, {"maximum": MAX_TIMEOUT_SECONDS}, GO_DURATION)
    return base


def dump(schema: Json) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generate() -> dict[str, str]:
    """File name -> exact text the installed botocore produces."""
    model = botocore.session.get_session().get_service_model("ecs")
    applied: set[tuple[str, str]] = set()
    task = task_definition_schema(model, applied)
    service = service_definition_schema(model, applied)
    unused = {(r.shape, r.member) for r in RULES} | set(QUOTAS)
    unused -= applied
    if unused:  # a rule naming a member botocore does not have (renamed, or a typo)
        raise ValueError(f"constraints for unknown members: {sorted(unused)}")
    partitions = botocore.loaders.create_loader().load_data("partitions")["partitions"]
    base = json.loads((SCHEMA_DIR / "config.schema.json").read_text(encoding="utf-8"))
    return {
        "task-definition.schema.json": dump(task),
        "service-definition.schema.json": dump(service),
        # the hand-written schema keeps its own layout (key order, ASCII escapes)
        "config.schema.json": json.dumps(config_schema(base, partitions), indent=2) + "\n",
    }


def stale(directory: Path | None = None) -> list[str]:
    """Names of generated files that are missing or differ from the committed ones."""
    directory = directory or SCHEMA_DIR
    out = []
    for name, text in generate().items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            out.append(name)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the committed schemas are stale"
    )
    args = parser.parse_args(argv)
    if args.check:
        names = stale()
        if names:
            print(
                f"stale schemas (botocore {botocore.__version__}): {', '.join(names)}; "
                "run `make schemas` and commit the result",
                file=sys.stderr,
            )
            return 1
        print("schemas are up to date")
        return 0
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name, text in generate().items():
        (SCHEMA_DIR / name).write_text(text, encoding="utf-8")
        print(f"wrote schemas/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
