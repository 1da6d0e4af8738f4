"""The notifier: a loop in the worker process that sends pending notification e-mails every few
seconds and makes deadline reminders every few minutes. Nothing here runs inside a request."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import structlog

from akta.service import Service
from akta_cases.tasks import deadlines, mail
from akta_cases.tasks.handlers import today_of

log = structlog.get_logger("akta.cases.notifier")


def run_once(service: Service, now: datetime | None = None, reminders: bool = True) -> mail.SendReport:
    now = now or datetime.now(UTC)
    if reminders:
        created = deadlines.remind(service.unit_of_work, today_of(now), now)
        if created:
            log.info("deadline reminders", created=created)
    return mail.send_pending(service.database, service.settings, now)


def notifier(service: Service, stop: threading.Event) -> None:
    """Until `stop` is set. A failing pass (database or SMTP server away) is logged and the
    next one tries again; pending e-mails wait in their rows meanwhile."""
    settings = service.settings
    next_reminders = 0.0
    log.info("notifier started", e_mail=bool(settings.smtp_host))
    while not stop.is_set():
        reminders = time.monotonic() >= next_reminders
        try:
            run_once(service, reminders=reminders)
            if reminders:
                next_reminders = time.monotonic() + settings.deadline_check_seconds
        except Exception as error:  # any failure: log it and try again next round
            log.warning("notifier pass failed; trying again", error=repr(error))
        stop.wait(settings.notifier_interval_seconds)
    log.info("notifier stopped")
