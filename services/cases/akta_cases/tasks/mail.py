"""Notification e-mails through the configured SMTP server, sent after the fact by the notifier:
a pending row is claimed, sent, then marked sent, retried later with backoff, or failed with the
reason. The e-mail names the case number only; what the task is about stays behind sign-in,
since a screened case's title does not belong on mail servers."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import structlog
from sqlalchemy import and_, select

from akta.db.database import Database
from akta_cases.settings import CasesSettings
from akta_cases.tasks.orm import notifications

log = structlog.get_logger("akta.cases.mail")

CLAIM_SECONDS = 300
MAX_RETRY_WAIT = timedelta(hours=6)

SUBJECTS = {
    "da": {
        "task_assigned": "Du har fået en opgave",
        "task_reassigned": "Din opgave er givet videre",
        "workflow_step": "En godkendelse venter på dig",
        "workflow_finished": "Et godkendelsesforløb er afsluttet",
        "deadline_tomorrow": "En opgave har frist i morgen",
        "deadline_passed": "En opgaves frist er overskredet",
    },
    "nb": {
        "task_assigned": "Du har fått en oppgave",
        "task_reassigned": "Oppgaven din er gitt videre",
        "workflow_step": "En godkjenning venter på deg",
        "workflow_finished": "En dokumentflyt er avsluttet",
        "deadline_tomorrow": "En oppgave har frist i morgen",
        "deadline_passed": "Fristen for en oppgave er overskredet",
    },
    "en": {
        "task_assigned": "A task was assigned to you",
        "task_reassigned": "Your task was given to someone else",
        "workflow_step": "An approval awaits you",
        "workflow_finished": "An approval workflow has ended",
        "deadline_tomorrow": "A task is due tomorrow",
        "deadline_passed": "A task is overdue",
    },
}
CASE_WORD = {"da": "sag", "nb": "sak", "en": "case"}
BODIES = {
    "da": "{subject} i sag {case_number}.\n\nLog ind i Akta for at se den. Af hensyn til fortroligheden "
          "står sagens indhold ikke i denne e-mail.\n",
    "nb": "{subject} i sak {case_number}.\n\nLogg inn i Akta for å se den. Av hensyn til taushetsplikten "
          "står ikke sakens innhold i denne e-posten.\n",
    "en": "{subject} in case {case_number}.\n\nSign in to Akta to see it. For confidentiality, the case's "
          "content is not in this e-mail.\n",
}


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


def build_message(row, settings: CasesSettings) -> EmailMessage:
    language = settings.mail_language
    subject = SUBJECTS[language][row["kind"]]
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = row["email_to"]
    message["Subject"] = f"Akta: {subject} ({CASE_WORD[language]} {row['case_number']})"
    message["Date"] = format_datetime(datetime.now(UTC))
    # The same id on every attempt, so a server that got it twice can tell.
    message["Message-ID"] = f"<{row['id']}@akta.notifications>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(BODIES[language].format(subject=subject, case_number=row["case_number"]))
    return message


def open_smtp(settings: CasesSettings) -> smtplib.SMTP:
    timeout = settings.smtp_timeout_seconds
    if settings.smtp_port == 465:
        connection: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=timeout, context=ssl.create_default_context())
    else:
        connection = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
        if settings.smtp_starttls:
            connection.starttls(context=ssl.create_default_context())
    if settings.smtp_username:
        connection.login(settings.smtp_username, settings.smtp_password.get_secret_value())
    return connection


def send_pending(database: Database, settings: CasesSettings, now: datetime | None = None, limit: int = 100) -> SendReport:
    """Send what is due now; safe with several notifiers at once (each row is claimed first)."""
    now = now or datetime.now(UTC)
    report = SendReport()
    if not settings.smtp_host:
        report.skipped = _skip_all(database)
        return report
    claimed = _claim(database, now, limit)
    if not claimed:
        return report
    connection = None
    try:
        for position, row in enumerate(claimed):
            if connection is None:
                try:
                    connection = open_smtp(settings)
                except (smtplib.SMTPException, OSError) as error:
                    # The server is unreachable or refuses us: no message is at fault, all wait.
                    reason = f"SMTP server {settings.smtp_host}:{settings.smtp_port}: {type(error).__name__}: {error}"
                    for waiting in claimed[position:]:
                        _settle(database, waiting, settings, now, reason, permanent=False, report=report)
                    break
            try:
                connection.send_message(build_message(row, settings))
            except smtplib.SMTPRecipientsRefused as error:
                code, text = next(iter(error.recipients.values()))
                _settle(database, row, settings, now, f"{code} {_text(text)}", permanent=code >= 500, report=report)
            except smtplib.SMTPResponseException as error:
                _settle(database, row, settings, now, f"{error.smtp_code} {_text(error.smtp_error)}", permanent=error.smtp_code >= 500, report=report)
                if error.smtp_code == 421:
                    connection = _close(connection)
            except (smtplib.SMTPException, OSError) as error:
                _settle(database, row, settings, now, f"{type(error).__name__}: {error}", permanent=False, report=report)
                connection = _close(connection)
            else:
                _mark(database, row, email_status="sent", email_sent_at=now, email_attempts=row["email_attempts"] + 1,
                      email_error=None, email_claimed_until=None)
                report.sent += 1
    finally:
        _close(connection)
    if report.sent or report.failed or report.retried:
        log.info("notification e-mails", sent=report.sent, retried=report.retried, failed=report.failed)
    return report


def _claim(database: Database, now: datetime, limit: int) -> list[dict]:
    table = notifications
    with database.session() as session, session.begin():
        # A notifier that died while sending leaves its claim; it lapses and the row is due again.
        session.execute(
            table.update()
            .where(table.c.email_status == "sending", table.c.email_claimed_until < now)
            .values(email_status="pending", email_claimed_until=None)
        )
        due = session.execute(
            select(table.c.id)
            .where(table.c.email_status == "pending", table.c.email_next_attempt_at <= now)
            .order_by(table.c.email_next_attempt_at, table.c.id)
            .limit(limit)
        ).scalars().all()
        mine = []
        for notification_id in due:
            taken = session.execute(
                table.update()
                .where(table.c.id == notification_id, table.c.email_status == "pending")
                .values(email_status="sending", email_claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
            )
            if taken.rowcount == 1:
                mine.append(notification_id)
        if not mine:
            return []
        rows = session.execute(
            select(table.c.id, table.c.kind, table.c.case_number, table.c.email_to, table.c.email_attempts).where(table.c.id.in_(mine))
        ).mappings().all()
    return [dict(row) for row in rows]


def _settle(database: Database, row: dict, settings: CasesSettings, now: datetime, reason: str, permanent: bool, report: SendReport) -> None:
    attempts = row["email_attempts"] + 1
    reason = reason[:1000]
    report.errors.append(reason)
    if permanent or attempts >= settings.mail_max_attempts:
        _mark(database, row, email_status="failed", email_attempts=attempts, email_error=reason, email_claimed_until=None)
        report.failed += 1
        log.warning("notification e-mail failed", notification_id=row["id"], attempts=attempts, reason=reason)
        return
    wait = min(timedelta(seconds=settings.mail_retry_seconds * 2 ** (attempts - 1)), MAX_RETRY_WAIT)
    _mark(database, row, email_status="pending", email_attempts=attempts, email_error=reason,
          email_next_attempt_at=now + wait, email_claimed_until=None)
    report.retried += 1


def _mark(database: Database, row: dict, **values) -> None:
    with database.session() as session, session.begin():
        session.execute(
            notifications.update()
            .where(and_(notifications.c.id == row["id"], notifications.c.email_status == "sending"))
            .values(**values)
        )


def _skip_all(database: Database) -> int:
    with database.session() as session, session.begin():
        return session.execute(
            notifications.update()
            .where(notifications.c.email_status.in_(("pending", "sending")))
            .values(email_status="skipped", email_error="e-mail is off: no SMTP server is configured (AKTA_CASES_SMTP_HOST)",
                    email_claimed_until=None)
        ).rowcount


def _text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _close(connection):
    if connection is not None:
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()
    return None
