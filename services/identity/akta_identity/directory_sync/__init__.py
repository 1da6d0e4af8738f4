"""Sync from the student administrative system: classes, pupils, guardians and staff imported
from CSV or JSON exports, kept as persons the other services look up (a pupil's guardians for
dispatch); staff become users. Idempotent, all-or-nothing, with a dry run."""
