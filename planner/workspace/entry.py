"""A service of a workspace (or of a -c list), and where its AWS calls go."""

from __future__ import annotations

from dataclasses import dataclass, field

from planner.aws.clients import AwsContext
from planner.aws.reads import ServiceRef
from planner.config.model import Placement, ServiceConfig
from planner.plan.model import Principal


@dataclass(frozen=True)
class ServiceEntry:
    """One service of a workspace (or of a --config list): a unique key and its config;
    ``placement``: the region, profile and role its workspace entry names (over the
    config's)."""

    key: str
    config: ServiceConfig
    depends_on: tuple[str, ...] = ()
    placement: Placement = field(default_factory=Placement)

    @property
    def where(self) -> Placement:
        """Region, profile and role as named: the entry's, else the config's own."""
        return self.placement.over(self.config.placement)

    @property
    def scoped(self) -> bool:
        """It names its own identity, or its entry a region: its state key then holds the
        account and region (planner.plan.model.state_key_of)."""
        cfg = self.config.placement
        return self.placement.named or bool(cfg.profile or cfg.assume_role_arn)

    @property
    def principal(self) -> Principal | None:
        where = self.where
        if where.profile is None and where.assume_role_arn is None:
            return None
        return Principal(where.profile, where.assume_role_arn)


def region_of(entry: ServiceEntry, aws: AwsContext) -> str:
    """The workspace entry's region, else the config's own, else --region, else AWS_REGION
    (or the profile's region)."""
    return entry.where.region or aws.region or entry.config.region or aws.resolved_region()


def ref_of(entry: ServiceEntry, aws: AwsContext) -> ServiceRef:
    cfg = entry.config
    return ServiceRef(region_of(entry, aws), cfg.cluster, cfg.service, entry.principal)
