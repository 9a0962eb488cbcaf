"""Background work of board packs, run by the task worker (`manage.py task_worker`)."""

from django_tasks import task

from .generation import generate_now
from .notifications import publication_announced


@task()
def generate_board_pack(pack_id: int) -> int:
    """Render a board pack's PDF; progress is written to the pack as it goes."""
    pack = generate_now(pack_id=pack_id)
    return pack.draft_page_count


@task()
def announce_publication(published_id: int) -> int:
    """Email the board and governance that a pack version has been published."""
    return publication_announced(published_id)
