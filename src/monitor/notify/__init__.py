"""Pushing to other pipelines (SPEC section 8): webhooks and email digests.

    item stored ──(same transaction)──▶ webhook_deliveries (the outbox)
    WebhookDeliverer.deliver_due: claim due rows | sign (Standard Webhooks) | POST
      2xx: delivered · 410: endpoint disabled · else: retried with backoff + jitter
    daily at [email].schedule: email_digests row | EmailSender.send_due (SMTP)

``install_outbox`` makes a store write the outbox; ``add_notify_jobs`` adds
the daemon's jobs. Both do nothing when nothing is configured. Modules are
imported where used (``monitor --help`` should not load SMTP and HTTP clients).
"""
