"""The archive plan (journalplan / klassifikasjonssystem) and case templates (sagsskabeloner)."""
