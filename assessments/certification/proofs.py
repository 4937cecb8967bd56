"""What a proof upload may be: PDF, PNG or JPEG, at most 5 MB, recognised by its content. Pure.

The type is decided by the file's first bytes (its "magic number"), never by its name or the browser's
``Content-Type``; the stored file gets the extension of the detected type.
"""

MAX_BYTES = 5 * 1024 * 1024
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)
HEAD_BYTES = max(len(magic) for magic, _, _ in SIGNATURES)


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a file starting with ``head``, or None if it is not allowed."""
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None
