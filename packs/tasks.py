"""Background work of board packs, run by the task worker (`manage.py task_worker`)."""

from django_tasks import task

from .generation import generate
from .notifications import publication_announced


@task()
def generate_board_pack(pack_id: int, generation: int | None = None) -> int:
    """Render a board pack's PDF for the request numbered `generation`; progress is written to
    the pack as it goes. Returns the pages kept, or 0 when that request is no longer the
    pack's current one (a task delivered twice, or overtaken), which then changes nothing."""
    pack, kept = generate(pack_id=pack_id, generation=generation)
    return pack.draft_page_count if kept else 0


@task()
def announce_publication(published_id: int) -> int:
    """Email the board and governance that a pack version has been published."""
    return publication_announced(published_id)
