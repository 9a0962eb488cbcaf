from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from reporting import presenters
from reporting.packs.views import visible_published

from .permissions import has_permission
from .roles import BOARD_MEMBER, SYSTEM_LEAD, has_role, is_governance

HOME_REPORTS = 5


@login_required
def home(request):
    """One page, a panel per role the person holds: what I owe, cycle progress, reports."""
    user = request.user
    context = {"is_lead": has_role(user, SYSTEM_LEAD), "is_governance": is_governance(user)}
    context["is_board"] = has_role(user, BOARD_MEMBER)
    if context["is_lead"]:
        context["owed"] = presenters.my_updates(user)
    if context["is_governance"]:
        cycle = presenters.current_cycle()
        context["progress"] = presenters.cycle_progress(cycle) if cycle else None
    if has_permission(user, "pack.view_published"):
        reports = visible_published(user).order_by("-pack__date_of_meeting", "-published_at")
        context["reports"] = list(reports[:HOME_REPORTS])
    context["has_role"] = any(context[k] for k in ("is_lead", "is_governance", "is_board"))
    return render(request, "home.html", context)


def accessibility(request):
    return render(request, "accessibility.html")


password_reset = auth_views.PasswordResetView.as_view()
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view()


def csrf_failure(request, reason=""):
    return render(request, "errors/csrf.html", {"reason": reason}, status=403)
