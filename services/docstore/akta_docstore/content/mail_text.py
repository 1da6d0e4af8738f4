"""The text of e-mail messages, RFC 5322 (EML) and Outlook (MSG): who, to whom, when, about
what, the body, and the names of the attachments."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from akta_docstore.content.extracted import ExtractedText, TextBuffer
from akta_docstore.content.html_text import html_to_text
from akta_docstore.content.text_encoding import text_encoding

HEADER_FIELDS = ("From", "To", "Cc", "Date", "Subject")


def eml_text(path: Path, max_characters: int) -> ExtractedText:
    with path.open("rb") as file:
        message = BytesParser(policy=policy.default).parse(file)
    buffer = TextBuffer(max_characters)
    for field in HEADER_FIELDS:
        value = message.get(field)
        if value:
            buffer.add_line(f"{field}: {value}")
    buffer.add_line("")
    body = message.get_body(preferencelist=("plain", "html"))
    if body is not None:
        buffer.add_line(_part_text(body).strip())
    _add_attachment_names(buffer, [_attachment_name(part) for part in message.iter_attachments()])
    return buffer.result()


def msg_text(path: Path, max_characters: int) -> ExtractedText:
    # Imported here: it takes a quarter of a second, and only the workers read MSG files.
    import extract_msg

    message = extract_msg.openMsg(str(path), strict=False)
    try:
        buffer = TextBuffer(max_characters)
        # Appointments, tasks and other Outlook items have only some of a message's fields.
        fields = {
            "From": getattr(message, "sender", None),
            "To": getattr(message, "to", None),
            "Cc": getattr(message, "cc", None),
            "Date": getattr(message, "date", None),
            "Subject": getattr(message, "subject", None),
        }
        for field, value in fields.items():
            if value:
                buffer.add_line(f"{field}: {value}")
        buffer.add_line("")
        buffer.add_line(_outlook_body(message).strip())
        attachments = getattr(message, "attachments", ())
        _add_attachment_names(buffer, [_outlook_attachment_name(attachment) for attachment in attachments])
    finally:
        message.close()
    return buffer.result()


def _part_text(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, ValueError):
        # An unknown or misspelt charset: read the bytes as UTF-8, whatever cannot be is lost.
        content = (part.get_payload(decode=True) or b"").decode("utf-8", errors="replace")
    if part.get_content_subtype() == "html":
        return html_to_text(content)
    return content


def _attachment_name(part: EmailMessage) -> str | None:
    name = part.get_filename()
    if name:
        return name
    if part.get_content_type() == "message/rfc822":
        attached = part.get_payload(0) if part.is_multipart() else None
        subject = attached.get("Subject") if attached is not None else None
        return f"{subject} (attached message)" if subject else "attached message"
    return None


def _outlook_body(message) -> str:
    body = getattr(message, "body", None)
    if body:
        return body
    html = getattr(message, "htmlBody", None)
    if not html:
        return ""
    if isinstance(html, bytes):
        html = html.decode(text_encoding(html, complete=True) or "utf-8", errors="replace")
    return html_to_text(html)


def _outlook_attachment_name(attachment) -> str | None:
    for attribute in ("longFilename", "shortFilename", "displayName"):
        name = getattr(attachment, attribute, None)
        if name:
            return name
    return None


def _add_attachment_names(buffer: TextBuffer, names: list[str | None]) -> None:
    names = [name for name in names if name]
    if names:
        buffer.add_line("")
        buffer.add_line("Attachments:")
        for name in names:
            buffer.add_line(name)
