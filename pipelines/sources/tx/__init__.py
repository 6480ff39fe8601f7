"""The transactional service's outbox as a lake source (``bronze.tx__outbox_events``)."""
