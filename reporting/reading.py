"""Where a workstream's latest update can be read on its own page, for someone allowed to see
it (ics_portal/reading.py: asked after the published reports, which packs offers)."""

from django.db.models import Prefetch
from django.urls import reverse

from ics_portal.models import User
from ics_portal.permissions import Perm, has_permission
from ics_portal.reading import ReadingLink

from .models import WorkstreamUpdate


def workstream_update_pages(user, workstream_ids) -> dict[int, ReadingLink]:
    """For each workstream, the page of its newest update `user` may see (Perm.UPDATE_VIEW:
    governance any, its leads their own, board members approved ones). Three queries, however
    many workstreams and quarters."""
    ids = set(workstream_ids)
    if not ids:
        return {}
    updates = (
        WorkstreamUpdate.objects.filter(workstream_id__in=ids)
        .select_related("cycle", "workstream")
        .prefetch_related(
            Prefetch("workstream__leads", queryset=User.objects.only("pk")),
            Prefetch("workstream__deputies", queryset=User.objects.only("pk")),
        )
        .order_by("-cycle__fy_start_year", "-cycle__quarter")
    )
    links: dict[int, ReadingLink] = {}
    for update in updates:  # newest quarter first
        if update.workstream_id in links or not has_permission(user, Perm.UPDATE_VIEW, update):
            continue
        links[update.workstream_id] = ReadingLink(
            url=reverse("reporting:update_detail", kwargs={"kind": "workstream", "pk": update.pk}),
            description=f"{update.cycle.label} update ({update.get_state_display().lower()})",
        )
    return links
