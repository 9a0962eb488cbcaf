"""What the review workflow tells the layers above it, without importing them."""

from django.dispatch import Signal

# Sent (with `cycle=`) inside the transaction that reopens approved work: whatever was built
# from that cycle's approved work (a generated board pack) is now stale. Each receiver returns
# how many such documents it discarded; the reopen's audit row records the total.
approved_work_reopened = Signal()

# Sent (with `item=`) inside the transaction that submits an item for review: the layer that
# tells governance (reporting/submissions.py) emails on commit when SUBMISSION_NOTICE is "each".
item_submitted = Signal()
