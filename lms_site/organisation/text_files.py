"""Reading uploaded text files the way Japanese office software writes them. No database access.

UTF-8 (a BOM is dropped) or CP932/Shift_JIS, which HR systems and Excel export; anything else, a file
over the size limit, or binary data is refused with a message saying which.
"""

from django.utils.translation import gettext as _

ENCODINGS = ("utf-8-sig", "cp932")


class TextFileError(Exception):
    """The file as a whole cannot be read as text; the message says why."""


def decode_text_file(content: bytes, *, max_bytes: int) -> str:
    if len(content) > max_bytes:
        raise TextFileError(_("ファイルが大きすぎます(上限 %(mb)d MB)。") % {"mb": max_bytes // 1024 // 1024})
    for encoding in ENCODINGS:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            raise TextFileError(_("CSVではないファイルです(バイナリデータを含みます)。"))
        return text
    raise TextFileError(_("文字コードを判別できません。UTF-8 または Shift_JIS(CP932)で保存してください。"))
