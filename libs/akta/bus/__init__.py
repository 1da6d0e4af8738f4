"""The event bus on kombu: transactional outbox, confirming relay, idempotent consumers."""
