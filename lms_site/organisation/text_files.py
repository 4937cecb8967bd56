"""Reading uploaded text files: moved to ``lms_site.imports`` (``decode_text``), re-exported here."""

from lms_site.imports import TextFileError, decode_text

decode_text_file = decode_text

__all__ = ["TextFileError", "decode_text_file"]
