"""One place that builds boto3 clients with one retry policy.

Every client ecsplan uses comes from :class:`AwsContext`, so region, profile, endpoint
(``--endpoint-url`` / ``AWS_ENDPOINT_URL``) and the retry budget are decided once. A service
that names its own profile or role (issue 21) gets a child context per identity
(:meth:`AwsContext.scoped`) that shares all of that, so credentials are obtained once per
identity and refreshed before they expire, whatever the number of services.
"""

from __future__ import annotations

import getpass
import os
import sys
import threading
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config
from botocore.credentials import RefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError, InvalidRegionError, ProfileNotFound

from planner.errors import AwsError
from planner.plan.model import Principal

DEFAULT_MAX_ATTEMPTS = 8  # total attempts per call (botocore standard mode, jittered backoff)

_LOADER_LOCK = threading.Lock()
_LOADER: botocore.loaders.Loader | None = None


def new_session(profile: str | None) -> boto3.session.Session:
    """A boto3 session whose service models and endpoint data come from the process's one
    loader: botocore parses those JSON files once per loader, and an invocation with several
    identities (or a test suite running ecsplan in-process) would parse them per session."""
    global _LOADER
    core = botocore.session.Session()
    with _LOADER_LOCK:
        if _LOADER is None:
            _LOADER = botocore.loaders.create_loader()
        core.register_component("data_loader", _LOADER)
        session = boto3.session.Session(botocore_session=core, profile_name=profile)
        _dedupe(_LOADER.search_paths)  # boto3 appends its data path once per session
    if profile is not None:
        core.get_scoped_config()  # ProfileNotFound now, as boto3's own loader set-up raises it
    return session


def _dedupe(paths: list[str]) -> None:
    paths[:] = list(dict.fromkeys(paths))


@dataclass
class AwsContext:
    """Settings shared by all clients of one ecsplan invocation."""

    region: str | None = None  # --region (or init's own): wins over default_region
    profile: str | None = None
    endpoint_url: str | None = None
    assume_role_arn: str | None = None  # --assume-role-arn: every client acts as this role
    debug: bool = False  # --debug: one stderr line per AWS call (operation and status only)
    max_attempts: int = field(
        default_factory=lambda: int(os.environ.get("ECSPLAN_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))
    )
    _session: Any = field(default=None, init=False, repr=False)
    _clients: dict[tuple[str, str | None, bool], Any] = field(
        default_factory=dict, init=False, repr=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    retries: int = field(default=0, init=False)
    # the first config's region: for clients no service names a region for (S3 state...)
    default_region: str | None = field(default=None, init=False)
    _root: AwsContext | None = field(default=None, init=False, repr=False)
    _children: dict[tuple[str | None, str | None], AwsContext] = field(
        default_factory=dict, init=False, repr=False
    )
    _account: str | None = field(default=None, init=False, repr=False)
    _account_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def session(self) -> boto3.session.Session:
        if self._session is None:
            try:
                base = new_session(self.profile)
            except ProfileNotFound:
                raise AwsError(
                    f"AWS profile {self.profile!r} is not in the AWS config or credentials "
                    "files (~/.aws/config, ~/.aws/credentials)"
                ) from None
            self._session = self._assumed(base) if self.assume_role_arn else base
        return self._session

    def scoped(self, principal: Principal | None) -> AwsContext:
        """The context acting as ``principal``, whose None fields are this invocation's
        (--profile, --assume-role-arn); None: the invocation's own identity.

        One child per identity for the whole invocation, created once (thread-safe, as
        services apply in parallel); it shares endpoint, debug and retry settings and adds
        its retries to the invocation's count."""
        root = self._root or self
        if principal is None:
            return root
        profile = principal.profile or root.profile
        role = principal.role_arn or root.assume_role_arn
        if (profile, role) == (root.profile, root.assume_role_arn):
            return root
        with root._lock:
            child = root._children.get((profile, role))
            if child is None:
                child = AwsContext(
                    region=root.region,
                    profile=profile,
                    endpoint_url=root.endpoint_url,
                    assume_role_arn=role,
                    debug=root.debug,
                    max_attempts=root.max_attempts,
                )
                child._root = root
                root._children[(profile, role)] = child
            return child

    def account_id(self) -> str:
        """The account this context acts in: STS GetCallerIdentity, once per identity."""
        with self._account_lock:
            if self._account is None:
                sts = self.client("sts")
                try:
                    self._account = str(sts.get_caller_identity()["Account"])
                except (ClientError, BotoCoreError) as e:
                    who = self.assume_role_arn or self.profile or "the default credentials"
                    raise AwsError(f"sts:GetCallerIdentity as {who}: {e}") from e
            return self._account

    def _endpoint(self) -> str | None:
        return self.endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None

    def _assumed(self, base: boto3.session.Session) -> boto3.session.Session:
        """A session whose credentials come from AssumeRole and refresh before they expire
        (a long rollout wait outlives the default one hour)."""
        region = self.region or base.region_name or os.environ.get("AWS_REGION") or "us-east-1"
        sts = base.client("sts", region_name=region, endpoint_url=self._endpoint())
        arn = str(self.assume_role_arn)
        name = f"ecsplan-{getpass.getuser()}"[:64]

        def fetch() -> dict[str, str]:
            try:
                c = sts.assume_role(RoleArn=arn, RoleSessionName=name)["Credentials"]
            except (ClientError, BotoCoreError) as e:
                raise AwsError(f"cannot assume role {arn}: {e}") from e
            return {
                "access_key": c["AccessKeyId"],
                "secret_key": c["SecretAccessKey"],
                "token": c["SessionToken"],
                "expiry_time": c["Expiration"].isoformat(),
            }

        creds = RefreshableCredentials.create_from_metadata(
            metadata=fetch(), refresh_using=fetch, method="assume-role"
        )
        core = base._session  # botocore session: the only way to hand it refreshable creds
        core._credentials = creds
        with _LOADER_LOCK:
            session = boto3.session.Session(botocore_session=core, region_name=base.region_name)
            _dedupe(core.get_component("data_loader").search_paths)
        return session

    def resolved_region(self) -> str:
        root = self._root or self
        return (
            self.region
            or root.region
            or root.default_region
            or os.environ.get("AWS_REGION")
            or os.environ.get("AWS_DEFAULT_REGION")
            or self.session().region_name
            or "us-east-1"
        )

    def client(self, service: str, region: str | None = None, *, retries: bool = True) -> Any:
        """A cached client; thread-safe so parallel workspace runs share connections.

        ``retries=False``: one attempt per call, for writes that must not be sent twice
        blindly (planner/aws/guarded.py looks before it resends them)."""
        region = region or self.resolved_region()
        key = (service, region, retries)
        with self._lock:
            if key not in self._clients:
                attempts = self.max_attempts if retries else 1
                cfg = Config(
                    region_name=region,
                    retries={"mode": "standard", "total_max_attempts": attempts},
                    max_pool_connections=32,
                    connect_timeout=5,
                    read_timeout=30,
                )
                try:
                    client = self.session().client(
                        service, config=cfg, endpoint_url=self._endpoint()
                    )
                except InvalidRegionError:
                    # a region from AWS_REGION or a profile (config regions are validated)
                    raise AwsError(f"{region!r} is not a region name such as us-east-1") from None
                client.meta.events.register("after-call", self._count_retries)
                if self.debug:
                    client.meta.events.register("after-call", self._log_call)
                self._clients[key] = client
            return self._clients[key]

    def _log_call(
        self, model: Any = None, http_response: Any = None, context: Any = None, **_: Any
    ) -> None:
        """--debug: which call went where and how it ended; never parameters (secrets). A
        service's own identity is named (``as ROLE`` / ``as profile P``)."""
        service = getattr(getattr(model, "service_model", None), "service_name", "?")
        status = getattr(http_response, "status_code", "?")
        who = ""
        if self._root is not None:
            who = f" as {self.assume_role_arn or f'profile {self.profile}'}"
        print(
            f"debug: aws {service}.{getattr(model, 'name', '?')} -> {status}{who}",
            file=sys.stderr,
            flush=True,
        )

    def count_retry(self) -> None:
        """One more attempt made by our own resend loop (planner/aws/guarded.py)."""
        self._add_retries(1)

    def _add_retries(self, n: int) -> None:
        root = self._root or self
        with root._lock:
            root.retries += n

    def _count_retries(self, parsed: Any = None, **_: Any) -> None:
        """Sum botocore's RetryAttempts, so a run can say how many retries it needed."""
        attempts = ((parsed or {}).get("ResponseMetadata") or {}).get("RetryAttempts") or 0
        if attempts:
            self._add_retries(int(attempts))
