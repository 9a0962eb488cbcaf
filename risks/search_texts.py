"""The BAF's texts the search box finds: each risk as it stands, and each quarter's review
(ics_portal/search_sources.py)."""

from ics_portal.search_sources import SearchEntry, SearchSource, Visibility, plain_text

from .models import BAFRisk, RiskReview

_RISK_FIELDS = (
    "rationale",
    "controls",
    "assurances",
    "gaps_in_control",
    "gaps_in_assurance",
    "mitigating_actions",
)


def _theme_ids(risk) -> tuple[int, ...]:
    """The risk's strategic themes (prefetched)."""
    return tuple(sorted(theme.pk for theme in risk.themes.all()))


def risk_entries(risks):
    for risk in risks.prefetch_related("themes"):
        yield SearchEntry(
            kind="risk",
            object_id=risk.pk,
            title=f"BAF risk {risk.reference}: {risk.title}",
            text=plain_text(
                risk.description,
                *(getattr(risk, name) for name in _RISK_FIELDS),
                risk.risk_appetite,
                risk.closed_reason,
            ),
            url=risk.get_absolute_url(),
            subject=f"BAF risk {risk.reference}",
            risk_id=risk.pk,
            theme_ids=_theme_ids(risk),
        )


def review_entries(reviews):
    for review in reviews.select_related("risk", "cycle").prefetch_related("risk__themes"):
        risk = review.risk
        yield SearchEntry(
            kind="risk_review",
            object_id=review.pk,
            title=f"BAF risk {risk.reference} review, {review.cycle.label}: {risk.title}",
            text=plain_text(*(getattr(review, name) for name in _RISK_FIELDS)),
            url=review.get_absolute_url(),
            subject=f"BAF risk {risk.reference}",
            cycle_id=review.cycle_id,
            risk_id=risk.pk,
            theme_ids=_theme_ids(risk),
            state=review.state,
        )


SOURCES = (
    SearchSource(
        kind="risk",
        label="BAF risk",
        model=BAFRisk,
        entries=risk_entries,
        visibility=Visibility.REGISTER,
        links=(BAFRisk.themes.through,),
        order=50,
    ),
    SearchSource(
        kind="risk_review",
        label="Risk review",
        model=RiskReview,
        entries=review_entries,
        visibility=Visibility.REVIEWED,
        leads_by="risk_id",
        # A risk's new title, reference or themes show in its reviews.
        touched_by={BAFRisk: lambda risk: risk.reviews.values_list("pk", flat=True)},
        links=(BAFRisk.themes.through,),
        order=60,
    ),
)
