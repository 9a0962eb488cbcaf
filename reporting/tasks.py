"""Background work of the reporting app, run by the task worker (`manage.py db_worker`)."""

from django_tasks import task


@task()
def generate_board_pack(pack_id: int) -> int:
    """Render a board pack's PDF; progress is written to the pack as it goes."""
    from .packs.actions import generate_now

    pack = generate_now(pack_id=pack_id)
    return pack.draft_page_count
