"""Load an ecspresso config and its definitions, rendered and line-tracked.

Order, as in ecspresso: envfiles are exported first; YAML and JSON files are templated then
parsed; Jsonnet files are evaluated (ext vars, native functions, imports relative to the
file) and their output templated. When config values call functions a plugin defines (``cluster:
'{{ tfstate `...` }}'``), the plugins are set up from the config's ``plugins`` first and the
config is read again. Unrecoverable problems (missing file, syntax, template
errors) raise; problems the rest of the file can survive are kept in ``problems`` so that
``validate`` reports everything at once.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from planner import __version__
from planner.config.duration import MAX_DURATION_SECONDS, DurationOverflow, parse_duration
from planner.config.envfile import load_envfiles
from planner.config.functions import FunctionSet
from planner.config.jsonnet import evaluate_jsonnet
from planner.config.model import (
    DEFAULT_CLUSTER,
    DEFAULT_TIMEOUT_SECONDS,
    CodeDeployConfig,
    LoadOptions,
    Placement,
    PluginConfig,
    ServiceConfig,
)
from planner.config.source import (
    SourceDoc,
    check_depth,
    check_rendered,
    jsonish_doc,
    not_a_file,
    parse_json,
    parse_yaml,
    plain_doc,
    read_source,
    syntax_error,
)
from planner.config.sources import SourceLookupError
from planner.config.templates import TemplateFuncError, render_template, render_template_mapped
from planner.config.tfstate import TFState
from planner.config.version import ECSPRESSO_COMPAT_VERSION, check_required_version
from planner.errors import ConfigError, EcsplanError, ValidationFailed

KNOWN_KEYS = frozenset(
    {
        "region",
        "cluster",
        "service",
        "service_definition",
        "task_definition",
        "timeout",
        "required_version",
        "plugins",
        "appspec",
        "codedeploy",
        "ignore",
        "ecsplan",
        "filter_command",  # ecspresso v1 place of --filter-command
    }
)
ECSPLAN_KEYS = frozenset(
    {"state", "scaling", "alarms", "tasks_per_service", "profile", "assume_role_arn"}
)
PLUGINS = frozenset({"tfstate", "ssm", "secretsmanager", "cloudformation"})
YAML_EXT = (".yml", ".yaml")
JSON_EXT = (".json",)
JSONNET_EXT = (".jsonnet", ".libsonnet")


def load_config(path: str | Path, options: LoadOptions | None = None) -> ServiceConfig:
    """Read ``path`` and its definitions; raise ConfigError/ValidationFailed when unusable."""
    options = options or LoadOptions()
    cfg_path = Path(path)
    load_envfiles(options.envfiles)
    funcs = FunctionSet(options.sources)
    problems: list[ConfigError] = []
    doc, plugins = _read_config(cfg_path, funcs, options, problems)
    data: dict[str, Any] = doc.data
    warnings = _unknown_keys(doc, data)
    region = _str(data.get("region")) or os.environ.get("AWS_REGION") or None
    if options.sources is not None:
        funcs.bind_sources(options.sources.for_service(_placement(data, options)))
    timeout = _timeout(doc, data.get("timeout"), problems)
    required = _str(data.get("required_version"))
    if required:
        _check_version(doc, required, problems)
    if plugins is None:
        plugins = _plugins(doc, data.get("plugins"), cfg_path.parent, funcs, options, problems)
    extras = data.get("ecsplan") if isinstance(data.get("ecsplan"), dict) else {}
    ignore = data.get("ignore") if isinstance(data.get("ignore"), dict) else {}
    tags = ignore.get("tags") if isinstance(ignore.get("tags"), list) else []
    sources: dict[str, SourceDoc] = {"config": doc}
    defs = _read_definitions(doc, funcs, options, sources, problems, warnings)
    return ServiceConfig(
        path=cfg_path,
        region=region,
        cluster=_str(data.get("cluster")) or DEFAULT_CLUSTER,
        service=_str(data.get("service")) or "",
        timeout_seconds=timeout,
        required_version=required or None,
        plugins=plugins,
        appspec=data.get("appspec") if isinstance(data.get("appspec"), dict) else None,
        codedeploy=_codedeploy(data.get("codedeploy")),
        ignore_tags=tuple(t for t in tags if isinstance(t, str)),
        extras=extras,
        service_definition=defs["servicedef"][1],
        task_definition=defs["taskdef"][1],
        service_definition_path=defs["servicedef"][0],
        task_definition_path=defs["taskdef"][0],
        sources=sources,
        sensitive=frozenset(funcs.sensitive),
        filter_command=_str(data.get("filter_command")) or None,
        warnings=tuple(warnings),
        problems=tuple(problems),
        named_region=_str(data.get("region")) or None,
    )


def _placement(data: dict[str, Any], options: LoadOptions) -> Placement:
    """Where the definitions' template lookups go: the workspace entry's names, else the
    config's own ``region``, ``ecsplan.profile`` and ``ecsplan.assume_role_arn``."""
    extras = data.get("ecsplan") if isinstance(data.get("ecsplan"), dict) else {}
    own = Placement(
        _str(data.get("region")) or None,
        _str(extras.get("profile")) or None,
        _str(extras.get("assume_role_arn")) or None,
    )
    return (options.placement or Placement()).over(own)


def _read_config(
    cfg_path: Path, funcs: FunctionSet, options: LoadOptions, problems: list[ConfigError]
) -> tuple[SourceDoc, tuple[PluginConfig, ...] | None]:
    """The config document, and its plugins when they had to be set up to read it."""
    plugins: tuple[PluginConfig, ...] | None = None
    try:
        doc = read_document(cfg_path, funcs, options)
    except ConfigError as first:
        # As in ecspresso, config values may call functions that plugins define (cluster:
        # '{{ tfstate `aws_ecs_cluster.main.name` }}'): set the plugins up from the file's
        # `plugins` alone, then read the whole file again.
        early = _plugins_doc(cfg_path, funcs, options)
        if early is None:
            raise first from None
        plugins = _plugins(early, early.data["plugins"], cfg_path.parent, funcs, options, problems)
        doc = read_document(cfg_path, funcs, options)
    if not isinstance(doc.data, dict):
        raise doc.error([], "config must be a mapping of keys to values")
    return doc, plugins


def _unknown_keys(doc: SourceDoc, data: Mapping[str, Any]) -> list[str]:
    warnings = [
        f"{doc.location([key])}: {_unknown_key(key, KNOWN_KEYS)}"
        for key in data
        if key not in KNOWN_KEYS
    ]
    extras = data.get("ecsplan") if isinstance(data.get("ecsplan"), dict) else {}
    warnings.extend(
        f"{doc.location(['ecsplan', key])}: {_unknown_key(key, ECSPLAN_KEYS, 'ecsplan ')}"
        for key in extras
        if key not in ECSPLAN_KEYS
    )
    return warnings


_DEFINITIONS = (
    ("task_definition", "taskdef", ("taskDefinition",)),
    ("service_definition", "servicedef", ("service", "services")),
)


def _read_definitions(
    doc: SourceDoc,
    funcs: FunctionSet,
    options: LoadOptions,
    sources: dict[str, SourceDoc],
    problems: list[ConfigError],
    warnings: list[str],
) -> dict[str, tuple[Path | None, Mapping[str, Any] | None]]:
    """Path and data of each definition (data None when absent, missing or not read)."""
    defs: dict[str, tuple[Path | None, Mapping[str, Any] | None]] = {}
    for key, name, wrappers in _DEFINITIONS:
        rel = _str(doc.data.get(key))
        def_path = _resolve(doc.path.parent, rel) if rel else None
        defs[name] = (def_path, None)
        if def_path is None or not options.definitions:
            continue
        if not_a_file(def_path):
            problems.append(doc.error([key], missing_file_message(def_path)))
            continue
        try:
            def_doc = unwrap(read_document(def_path, funcs, options), wrappers)
        except ConfigError as e:
            failed: EcsplanError = ValidationFailed([*problems, e]) if problems else e
            failed.warnings = tuple(warnings)  # shown after the error, not lost with it
            raise failed from None
        sources[name] = def_doc
        defs[name] = (def_path, def_doc.data if isinstance(def_doc.data, dict) else None)
    return defs


def read_document(path: Path, funcs: FunctionSet, options: LoadOptions) -> SourceDoc:
    """Render and parse one file by its extension (YAML, JSON or Jsonnet)."""
    suffix = path.suffix.lower()
    if path.is_dir():
        raise syntax_error(path, 1, "is a directory, not a file")
    if suffix not in (*YAML_EXT, *JSON_EXT, *JSONNET_EXT):
        raise syntax_error(path, 1, f"unsupported file extension {suffix or '(none)'!r}")
    text = read_source(path)  # size, UTF-8 and NUL checks, also for Jsonnet files
    if suffix in JSONNET_EXT:
        text = evaluate_jsonnet(path, funcs, options.ext_str, options.ext_code)
        rendered = render_template(text, path, funcs.funcs)
        check_rendered(path, rendered)
        try:
            data = json.loads(rendered)
        except json.JSONDecodeError as e:
            raise syntax_error(path, 1, f"invalid JSON after templating: {e.msg}") from None
        except RecursionError:
            raise syntax_error(path, 1, "Jsonnet output is nested too deeply") from None
        check_depth(path, data)
        return plain_doc(path, rendered, data)
    rendered, line_map = render_template_mapped(text, path, funcs.funcs)
    check_rendered(path, rendered)
    if suffix in YAML_EXT:
        return parse_yaml(path, rendered, line_map)
    try:
        return parse_json(path, rendered, line_map)
    except ConfigError as json_error:
        if "invalid JSON" not in json_error.reason or "nested deeper" in json_error.reason:
            raise
        # ecspresso evaluates .json as Jsonnet (a superset): comments, trailing commas...
        try:
            text = evaluate_jsonnet(path, funcs, options.ext_str, options.ext_code, rendered)
            data = json.loads(text)
        except (ConfigError, json.JSONDecodeError, RecursionError):
            raise json_error from None
        return jsonish_doc(path, rendered, data, line_map)


class _AnyFunction(dict[str, Any]):
    """Template functions where an unknown name renders as an empty string (plugins pass)."""

    def get(self, name: str, default: Any = None) -> Any:
        return super().get(name) or (lambda *args: "")


def _plugins_doc(path: Path, funcs: FunctionSet, options: LoadOptions) -> SourceDoc | None:
    """The config's ``plugins`` list, read before the functions plugins define exist.

    YAML and JSON are templated with every unknown function rendering as ""; of a Jsonnet
    config only the ``plugins`` field is evaluated (its other fields are never forced).
    None when there is no such list or it cannot be read this way.
    """
    lenient = _AnyFunction(funcs.funcs)
    try:
        if path.suffix.lower() in JSONNET_EXT:
            snippet = f"(import {json.dumps(path.name)}).plugins"
            text = evaluate_jsonnet(path, funcs, options.ext_str, options.ext_code, snippet)
            doc = plain_doc(
                path, text, {"plugins": json.loads(render_template(text, path, lenient))}
            )
        else:
            rendered, line_map = render_template_mapped(read_source(path), path, lenient)
            parse = parse_yaml if path.suffix.lower() in YAML_EXT else parse_json
            doc = parse(path, rendered, line_map)
    except (ConfigError, ValueError, RecursionError):
        return None
    if not isinstance(doc.data, dict) or not isinstance(doc.data.get("plugins"), list):
        return None
    if not doc.data["plugins"]:
        return None
    return doc


def unwrap(doc: SourceDoc, wrappers: tuple[str, ...]) -> SourceDoc:
    """Accept raw describe-* output: {"taskDefinition": {...}}, {"service"|"services": ...}."""
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error([], "definition must be a JSON object")
    for key in wrappers:
        if key not in data:
            continue
        inner = data[key]
        if isinstance(inner, list):
            if len(inner) != 1:
                raise doc.error([key], f"{key} must hold exactly one entry, got {len(inner)}")
            return doc.at([key, 0])
        if isinstance(inner, dict):
            return doc.at([key])
    return doc


def _unknown_key(key: Any, known: frozenset[str], kind: str = "") -> str:
    """The warning for a key we do not use, with a suggestion for a likely typo."""
    if not isinstance(key, str):
        shown = "null" if key is None else json.dumps(key) if isinstance(key, bool) else str(key)
        return f"{kind}key {shown} is not a string and is ignored"
    hint = difflib.get_close_matches(key, sorted(known), n=1)
    tail = f"; did you mean {hint[0]!r}?" if hint else ""
    return f"unknown {kind}key {key!r} is ignored{tail}"


def missing_file_message(path: Path) -> str:
    """Why ``path`` (which is not a regular file) cannot be used, naming it."""
    return f"{not_a_file(path) or 'cannot read'}: {path}"


def _resolve(base: Path, rel: str) -> Path:
    p = Path(rel)
    return p if p.is_absolute() else base / p


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _timeout(doc: SourceDoc, value: Any, problems: list[ConfigError]) -> float:
    """Seconds; malformed values are left to the schema's message and fall back to 10m, a
    duration too long for Go (ecspresso) is a problem here."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if 0 <= value <= MAX_DURATION_SECONDS else DEFAULT_TIMEOUT_SECONDS
    if isinstance(value, str):
        try:
            return parse_duration(value)
        except DurationOverflow as e:
            problems.append(doc.error(["timeout"], str(e)))
        except ValueError:
            pass
    return DEFAULT_TIMEOUT_SECONDS


def _check_version(doc: SourceDoc, constraint: str, problems: list[ConfigError]) -> None:
    """As ecspresso's Config.Restrict/ValidateVersion (config.go), against the ecspresso
    release ecsplan follows; the message also names ecsplan's own version."""
    try:
        ok = check_required_version(constraint)
    except ValueError as e:
        problems.append(
            doc.error(["required_version"], f"required_version has invalid format: {e}")
        )
        return
    if not ok:
        problems.append(
            doc.error(
                ["required_version"],
                f"version {ECSPRESSO_COMPAT_VERSION} does not satisfy constraints "
                f"required_version: {constraint} (ecsplan {__version__} follows ecspresso "
                f"{ECSPRESSO_COMPAT_VERSION})",
            )
        )


def _plugins(
    doc: SourceDoc,
    value: Any,
    base: Path,
    funcs: FunctionSet,
    options: LoadOptions,
    problems: list[ConfigError],
) -> tuple[PluginConfig, ...]:
    if not isinstance(value, list):
        return ()
    out: list[PluginConfig] = []
    for i, entry in enumerate(value):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue  # the schema says what is wrong
        conf = entry.get("config") if isinstance(entry.get("config"), dict) else {}
        prefix = entry.get("func_prefix") if isinstance(entry.get("func_prefix"), str) else ""
        plugin = PluginConfig(entry["name"], conf, prefix)
        name = plugin.name.lower()
        if name not in PLUGINS:
            problems.append(
                doc.error(
                    ["plugins", i, "name"],
                    f"plugin {plugin.name!r} is not available (known: {', '.join(sorted(PLUGINS))})",
                )
            )
            continue
        try:
            if name == "tfstate":
                state = _tfstate(conf, base, funcs)
                if state is None:
                    problems.append(
                        doc.error(
                            ["plugins", i, "config"],
                            "tfstate plugin needs config.path or config.url",
                        )
                    )
                    continue
                funcs.add_tfstate(prefix, state)
            elif prefix:
                funcs.add_aws(prefix)
        except TemplateFuncError as e:
            problems.append(doc.error(["plugins", i], str(e)))
            continue
        out.append(plugin)
    return tuple(out)


def _tfstate(conf: Mapping[str, Any], base: Path, funcs: FunctionSet) -> TFState | None:
    loc = conf.get("path") or conf.get("url")
    if not isinstance(loc, str) or not loc:
        return None
    if re.match(r"^s3://", loc):

        def read_s3() -> bytes:
            try:
                return funcs.sources().read_s3(loc)
            except SourceLookupError as e:
                raise TemplateFuncError(str(e)) from None

        return TFState(loc, read_s3)
    local = _resolve(base, loc.removeprefix("file://"))

    def read_local() -> bytes:
        problem = not_a_file(local)
        if problem:
            raise TemplateFuncError(f"cannot read {local}: {problem}")
        try:
            return local.read_bytes()
        except OSError as e:
            raise TemplateFuncError(f"cannot read {local}: {e.strerror}") from None

    return TFState(str(local), read_local)


def _codedeploy(value: Any) -> CodeDeployConfig | None:
    if not isinstance(value, dict):
        return None

    def s(key: str) -> str | None:
        v = value.get(key)
        return v if isinstance(v, str) and v else None

    rollback = value.get("auto_rollback")
    return CodeDeployConfig(
        application_name=s("application_name"),
        deployment_group_name=s("deployment_group_name"),
        deployment_config_name=s("deployment_config_name"),
        auto_rollback=rollback if isinstance(rollback, bool) else None,
    )
