"""Help pages, open to everyone (signed in or not): what a good update looks like, what each
status means, and how risk scores work. Their words about statuses come from reporting/help.py,
keyed by the enums."""

from django.shortcuts import render

from .. import help as words


def help_index(request):
    return render(request, "help/index.html")


def good_update(request):
    return render(
        request,
        "help/good_update.html",
        {"needs_explanation": words.needs_explanation_labels(), "statuses": words.delivery_rows()},
    )


def statuses(request):
    return render(
        request,
        "help/statuses.html",
        {
            "workflow": words.workflow_rows(),
            "delivery": words.delivery_rows(),
            "cycles": words.cycle_rows(),
            "risks": words.risk_rows(),
        },
    )


def risk_scores(request):
    return render(request, "help/risk_scores.html", {"scoring": words.scoring_help()})
