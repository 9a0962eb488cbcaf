"""`manage.py task_worker [worker options]`: run the background worker that TASK_BACKEND needs,
so service definitions name one command whichever queue is configured.

- `TASK_BACKEND=database` (default): django-tasks-db's `db_worker --backend default
  --queue-name default` (it polls the database every second; `--reload` follows DEBUG).
- `TASK_BACKEND=rq`: django-rq's `rqworker --job-class django_tasks_rq.Job --with-scheduler default` (each task in a forked
  process, killed after TASK_TIMEOUT_SECONDS).

Any other option is handed to that worker after these, so `task_worker --batch` (database) or
`task_worker --burst` (rq) work through the queue once and stop, and a repeated option wins
(`--queue-name` for the database worker). `--` before them is allowed too.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ics_portal import taskqueue


class Command(BaseCommand):
    help = (
        "Run the background task worker for the configured TASK_BACKEND: db_worker for the "
        "database queue, rqworker for Redis/RQ. Other options are passed to that worker."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        known = parser.parse_known_args

        def parse_args(args=None, namespace=None):
            # Keep Django's own options (-v, --settings, ...); everything else, in order, is
            # the worker's.
            options, rest = known(args, namespace)
            options.worker_args = rest[1:] if rest[:1] == ["--"] else rest
            return options

        parser.parse_args = parse_args
        return parser

    def handle(self, *args, worker_args=(), verbosity=1, **options):
        try:
            name, defaults = taskqueue.worker_command()
        except LookupError as error:
            raise CommandError(str(error)) from None
        arguments = [*defaults, *worker_args]
        if verbosity > 1:
            self.stdout.write(f"Starting: manage.py {name} {' '.join(arguments)}")
        call_command(name, *arguments, verbosity=verbosity)
