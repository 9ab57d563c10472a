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
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from pathlib import Path
from typing import Any

import botocore
import botocore.session
from botocore.model import ServiceModel, Shape

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_DIR = ROOT / "schemas"
ID_BASE = "https://ecsplan.dev/schemas/"
DRAFT = "https://json-schema.org/draft/2020-12/schema"
MAX_DESCRIPTION = 240

Json = dict[str, Any]


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
            if "min" in meta:
                out["minLength"] = int(meta["min"])
            if "max" in meta:
                out["maxLength"] = int(meta["max"])
        elif kind in ("integer", "long", "double", "float"):
            out = {"type": "integer" if kind in ("integer", "long") else "number"}
            if "min" in meta:
                out["minimum"] = meta["min"]
            if "max" in meta:
                out["maximum"] = meta["max"]
        elif kind == "boolean":
            out = {"type": "boolean"}
        elif kind == "timestamp":
            out = {"type": ["string", "number"]}
        elif kind == "list":
            out = {"type": "array", "items": self.node(shape.member)}
            if "min" in meta:
                out["minItems"] = int(meta["min"])
            if "max" in meta:
                out["maxItems"] = int(meta["max"])
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
        required = [key for key in shape.required_members if key not in drop]
        if required:
            out["required"] = required
        return out


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


def task_definition_schema(model: ServiceModel) -> Json:
    builder = Builder(model)
    body = "RegisterTaskDefinitionRequest"
    root = builder.structure(body)
    add_read_only(builder, root, "TaskDefinition")
    for key in ("cpu", "memory"):
        root["properties"][key]["type"] = ["string", "integer"]
    container = builder.defs["ContainerDefinition"]
    container["required"] = sorted({*container.get("required", []), "name", "image"})
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
    return document(builder, "ECS task definition", "task-definition.schema.json", body, wrapper)


def service_definition_schema(model: ServiceModel) -> Json:
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
    return document(
        builder, "ECS service definition", "service-definition.schema.json", body, wrapper
    )


def dump(schema: Json) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generate() -> dict[str, str]:
    """File name -> exact text the installed botocore produces."""
    model = botocore.session.get_session().get_service_model("ecs")
    return {
        "task-definition.schema.json": dump(task_definition_schema(model)),
        "service-definition.schema.json": dump(service_definition_schema(model)),
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
