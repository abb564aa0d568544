"""Background jobs: an outbox table written with the change, run by the embedded loop or SAQ."""
