"""What the review workflow tells the layers above it, without importing them."""

from django.dispatch import Signal

# Sent (with `cycle=`) inside the transaction that reopens approved work: whatever was built
# from that cycle's approved work (a generated board pack) is now stale. Each receiver returns
# how many such documents it discarded; the reopen's audit row records the total.
approved_work_reopened = Signal()
