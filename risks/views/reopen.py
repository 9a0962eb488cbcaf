"""Governance unblocks a risk review after the cycle closes (docs/adr/0006): a late-submission
extension for one not yet submitted, or an accepted review sent back to its owner. The same
rules and reason page as updates (reporting.views.reopen)."""

from django.http import HttpRequest, HttpResponse
from django.utils import formats

from ics_portal.permissions import Perm
from ics_portal.views_support import requires
from ics_portal.workflow import actions as workflow
from ics_portal.workflow.forms import ExtensionForm, ReopenUpdateForm, default_until
from ics_portal.workflow.views import act_on_form, reason_page

from ..models import RiskReview
from ._access import load_review


def _context(review: RiskReview, form, **extra) -> dict:
    return {
        "form": form,
        "caption": f"{review.cycle.label} risk review · {review.state_label}",
        "back_url": review.get_absolute_url(),
        "back_label": "Back to the risk review",
        **extra,
    }


@requires(Perm.UPDATE_EXTEND, load=load_review)
def review_extend(request: HttpRequest, review: RiskReview) -> HttpResponse:
    form = ExtensionForm(
        request.POST or None,
        who="the owner",
        initial={"extended_until": default_until(review)},
    )
    done = act_on_form(
        request,
        form,
        review,
        lambda data: workflow.extend(
            update=review, by=request.user, until=data["extended_until"], reason=data["reason"]
        ),
        lambda extended: (
            f"The review of risk {review.risk.reference} has an extension to "
            f"{formats.date_format(extended.extended_until, 'j F Y')}. Its owner has been emailed."
        ),
    )
    if done:
        return done
    return reason_page(
        request,
        _context(
            review,
            form,
            heading=f"Give the review of risk {review.risk.reference} an extension",
            intro=[
                f"The {review.cycle.label} cycle is closed. An extension lets the risk's owner "
                "change and submit this review until the date you give, while the cycle stays "
                "closed for everyone else. They are emailed your reason.",
            ],
            button="Give the extension",
        ),
    )


@requires(Perm.UPDATE_REOPEN, load=load_review)
def review_reopen(request: HttpRequest, review: RiskReview) -> HttpResponse:
    closed = review.cycle.is_closed
    form = ReopenUpdateForm(
        request.POST or None,
        cycle_closed=closed,
        who="the owner",
        initial={"extended_until": default_until(review)},
    )
    done = act_on_form(
        request,
        form,
        review,
        lambda data: workflow.reopen(
            update=review,
            by=request.user,
            reason=data["reason"],
            extended_until=data.get("extended_until"),
        ),
        lambda _: (
            f"The review of risk {review.risk.reference} is reopened and back with its "
            "owner, with your reason as the comments."
        ),
    )
    if done:
        return done
    intro = [
        f"Reopening takes the acceptance off this review and returns it to the risk's owner "
        f"with your reason. Risk {review.risk.reference} keeps the scores it took from this "
        "review until a review is accepted again.",
    ]
    if closed:
        intro.append(
            f"The {review.cycle.label} cycle is closed, so give the owner a date to submit it "
            "again by."
        )
    return reason_page(
        request,
        _context(
            review,
            form,
            heading=f"Reopen the review of risk {review.risk.reference}",
            intro=intro,
            button="Reopen the review",
        ),
    )
