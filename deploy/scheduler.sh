#!/bin/sh
# The portal's scheduled jobs for compose.yaml's scheduler service (a VM uses the systemd timers
# in deploy/systemd/ instead): on the hour, reminders, governance's submission digest (it sends
# once a day, from SUBMISSION_DIGEST_HOUR) and upload pruning; once a day, pruning old task
# results. A job that fails is reported and retried at the next round.
#   sh deploy/scheduler.sh            (SCHEDULER_ONCE=1: one round, then exit; for tests)
set -eu
python=${PYTHON:-python}

job() {
  echo "scheduler: $*"
  "$python" manage.py "$@" || echo "scheduler: $* failed (exit $?); next try in an hour" >&2
}

trap 'exit 0' TERM INT
last_day=""
while :; do
  job send_reminders
  job send_submission_digest
  job prune_uploads
  today=$(date +%F)
  if [ "$today" != "$last_day" ]; then
    job prune_task_results
    last_day=$today
  fi
  [ "${SCHEDULER_ONCE:-}" = 1 ] && exit 0
  # Until the next full hour; in the background so that a stop signal ends the wait at once.
  sleep $((3600 - $(date +%s) % 3600)) &
  wait $!
done
