"""One django-import-export resource per kind of row a governance team keeps in Excel.

The library does the row loop, per-row savepoints, the dry run and the created / changed /
unchanged bookkeeping. What is ours: plain-English column names with the other names they go
by, natural keys (theme name, workstream code or name, risk reference, email), references
resolved from preloaded tables, comparison that sees an exported file as unchanged, and
saving through the apps' actions where a change has one (BAF risks, updates).

Layout: base.py (what every kind shares), people.py, plan.py, risks.py, updates.py.
"""

from .base import ROW, PlanResource
from .people import OrganisationResource, PersonResource
from .plan import (
    GoldenThreadResource,
    MilestoneResource,
    ObjectiveResource,
    ThemeResource,
    WorkstreamResource,
)
from .risks import RiskResource
from .updates import UpdateResource

RESOURCES: dict[str, type[PlanResource]] = {
    resource.kind: resource
    for resource in (
        OrganisationResource,
        PersonResource,
        ThemeResource,
        GoldenThreadResource,
        RiskResource,
        WorkstreamResource,
        ObjectiveResource,
        MilestoneResource,
        UpdateResource,
    )
}

__all__ = ["RESOURCES", "ROW", "PlanResource"]
