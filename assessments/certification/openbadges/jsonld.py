"""JSON-LD without a network: vendored contexts, a document loader that serves only them, canonical N-Quads.

Signing a credential canonicalises it (RDF Dataset Canonicalization), which needs every ``@context`` the
credential names. Those are vendored in ``contexts/`` (``index.json`` maps each URL to its file), copied
unchanged from the published documents (the W3C VC 2.0 context and the 1EdTech Open Badges 3.0.3
context). The same files serve the Node verifier in ``tools/credential-verifier``, so both sides expand
terms identically.

Any other URL is refused with :class:`ContextNotVendored`: a credential is never canonicalised against a
context fetched at signing or verification time (a changed remote context would change what was signed).

Canonicalisation is strict: a property the contexts do not define would be dropped silently by JSON-LD
expansion, i.e. left unsigned, so :func:`canonize` raises :class:`UndefinedTerm` instead (jsonld.js's
"safe mode", which the Digital Bazaar signers use too).

Control characters other than tab, line feed and carriage return are refused too
(:class:`UnsupportedCharacter`): RDFC-1.0 writes them as ``\\uXXXX``/``\\b``/``\\f`` escapes, pyld 3.3 writes
them raw, so a credential containing one would sign here and fail in every other verifier.
"""

import json
import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld

CONTEXTS_DIR = Path(__file__).parent / "contexts"

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

DocumentLoader = Callable[[str, dict], dict]
# The characters pyld does not escape as RDFC-1.0's canonical N-Quads do (it escapes only \t \n \r " \\).
MISESCAPED_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ContextNotVendored(LookupError):
    """A JSON-LD document asked for a context that is not vendored (there is no network to fetch it)."""


class UndefinedTerm(ValueError):
    """A property or type is not defined by the document's contexts, so it would not be signed."""


class UnsupportedCharacter(ValueError):
    """A string holds a control character that pyld would canonicalise differently from RDFC-1.0."""


@cache
def vendored_contexts() -> Mapping[str, Any]:
    """{context URL: parsed context document} for every file listed in ``contexts/index.json``."""
    index = json.loads((CONTEXTS_DIR / "index.json").read_text(encoding="utf-8"))
    return {url: json.loads((CONTEXTS_DIR / name).read_text(encoding="utf-8")) for url, name in index.items()}


def document_loader(extra: Mapping[str, Any] | None = None) -> DocumentLoader:
    """A pyld document loader serving the vendored contexts (plus ``extra``, {URL: document}) and no other."""
    documents = {**vendored_contexts(), **(extra or {})}

    def load(url: str, options: dict | None = None) -> dict:
        if url not in documents:
            raise ContextNotVendored(
                f"JSON-LD context {url} is not vendored in {CONTEXTS_DIR}; contexts are never fetched"
            )
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": documents[url],
        }

    return load


def _refuse_dropped(expanded_property: str | None) -> None:
    raise UndefinedTerm(
        f"property {expanded_property!r} is not defined by the document's JSON-LD contexts"
        if expanded_property
        else "a property is not defined by the document's JSON-LD contexts (it would be left unsigned)"
    )


def _check_characters(value: Any) -> None:
    if isinstance(value, str):
        if found := MISESCAPED_CHARACTERS.search(value):
            raise UnsupportedCharacter(f"control character U+{ord(found.group()):04X} in {value!r}")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _check_characters(key)
            _check_characters(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_characters(item)


def canonize(document: Mapping[str, Any], *, loader: DocumentLoader | None = None) -> str:
    """The document's RDF dataset as canonical N-Quads (URDNA2015, the algorithm RDFC-1.0 standardised)."""
    _check_characters(document)
    processor = jsonld.JsonLdProcessor(on_property_dropped=_refuse_dropped)
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": loader or document_loader(),
    }
    try:
        return processor.normalize(dict(document), options)
    except jsonld.JsonLdError as error:
        # pyld wraps what the loader raises in several JsonLdErrors; surface ours unwrapped.
        cause: BaseException | None = error
        while cause is not None and not isinstance(cause, ContextNotVendored):
            cause = cause.__cause__ or cause.__context__
        if cause is not None:
            raise cause from error
        raise
