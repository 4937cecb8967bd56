"""Reading an uploaded SCORM package (a zip) without trusting it: no ORM, no storage.

``package_read`` checks the whole archive before anything is stored and returns what the site needs (the
version, the launch file, the members to store) or raises ``PackageRefused`` naming the first problem:
not a zip; a member whose path leaves the package (``../``, an absolute or drive path, a backslash); a
symbolic link; a server-side executable; too many files, a file or a total too large, or a member
compressed more than ``MAX_RATIO`` times (a zip bomb); no ``imsmanifest.xml`` at the root; a manifest
that is not well-formed XML (DTDs and entities refused, defusedxml), or of neither SCORM 1.2 nor SCORM
2004, or that breaks the schemas of its version (``manifest_schema``, our own copy of ADL's and IMS's
XSDs); no SCO resource reachable from the default organisation; a launch file missing from the archive.
It also reads the default organisation's table of contents (items, nested, and the file each launches).
"""

import posixpath
import stat
import zipfile
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException
from django.utils.translation import gettext as _

from courses.scorm.manifest_schema import ManifestInvalid, manifest_validate

MAX_FILES = 2_000
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_TOTAL_BYTES = 300 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, per member larger than RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
MAX_MANIFEST_BYTES = 2 * 1024 * 1024
MAX_IDENTIFIER = 255  # an item's identifier, which keys the learner's record of its SCO
MAX_ITEMS = 500

# Files a web server might run instead of serving (we serve packages as static files, but an operator's
# server in front of the media or a mistaken configuration must never meet one), and native programs.
REFUSED_EXTENSIONS = frozenset(
    {
        ".php", ".php3", ".php4", ".php5", ".phtml", ".phar", ".asp", ".aspx", ".ashx", ".asmx", ".jsp",
        ".jspx", ".cgi", ".pl", ".py", ".pyc", ".rb", ".sh", ".bash", ".ps1", ".bat", ".cmd", ".com",
        ".exe", ".dll", ".so", ".dylib", ".msi", ".scr", ".vbs", ".wsf", ".jar", ".war", ".htaccess",
        ".shtml", ".lnk",
    }
)  # fmt: skip

SCORM_12 = "1.2"
SCORM_2004 = "2004"
ADLCP_12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
ADLCP_2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"


class PackageRefused(ValueError):
    """The package cannot be used; the message says why, for the person who uploaded it."""


@dataclass(frozen=True)
class Member:
    name: str  # the normalised path inside the package
    info: zipfile.ZipInfo


@dataclass(frozen=True)
class ScormPackageContents:
    version: str  # SCORM_12 or SCORM_2004
    title: str
    launch: str  # path of the launch file inside the package, with its query string if any
    items: list  # the default organisation's table of contents, see ``_items``
    members: tuple[Member, ...]
    total_bytes: int


def package_read(archive) -> ScormPackageContents:
    """Check the zip ``archive`` (a path or a binary file) whole; raise ``PackageRefused`` on any problem."""
    try:
        zip_file = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, EOFError):
        raise PackageRefused(
            _("ZIP 形式のファイルではありません。SCORM パッケージ(.zip)を選んでください。")
        ) from None
    with zip_file:
        members = _members(zip_file)
        by_name = {member.name: member for member in members}
        manifest = by_name.get("imsmanifest.xml")
        if manifest is None:
            raise PackageRefused(_("パッケージの最上位に imsmanifest.xml がありません。"))
        if manifest.info.file_size > MAX_MANIFEST_BYTES:
            raise PackageRefused(_("imsmanifest.xml が大きすぎます。"))
        text = zip_file.read(manifest.info)
        root = _manifest_root(text)
    version = _version(root)
    try:
        manifest_validate(text)
    except ManifestInvalid as error:
        raise PackageRefused(str(error)) from None
    title, items = _organisation(root)
    launches = [item["launch"] for item in items_flat(items) if item["launch"]]
    first_sco = next((item["launch"] for item in items_flat(items) if item["sco"]), None)
    if first_sco is None:
        raise PackageRefused(_("imsmanifest.xml に起動できる SCO(href のある resource)がありません。"))
    for launch in launches:
        if posixpath.normpath(launch.split("?", 1)[0]) not in by_name:
            raise PackageRefused(
                _("起動ファイル「%(launch)s」がパッケージの中にありません。") % {"launch": launch}
            )
    total = sum(member.info.file_size for member in members)
    return ScormPackageContents(version, title, first_sco, items, tuple(members), total)


def items_flat(items: list) -> list[dict]:
    """The items of a table of contents (``ScormPackageContents.items``) in the organisation's order:
    depth first, a parent before its children (the order SCORM's flow follows)."""
    flat = []
    for item in items:
        flat.append(item)
        flat.extend(items_flat(item["children"]))
    return flat


def _safe_path(name: str) -> str:
    """The member's path inside the package, or ``PackageRefused`` when it could leave the package."""
    if "\\" in name or "\x00" in name:
        raise PackageRefused(_("ファイル名「%(name)s」に使えない文字があります。") % {"name": name})
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise PackageRefused(
            _("ファイル「%(name)s」が絶対パスです。パッケージ内の相対パスにしてください。") % {"name": name}
        )
    normal = posixpath.normpath(name)
    if normal == ".." or normal.startswith("../") or ".." in name.split("/"):
        raise PackageRefused(
            _("ファイル「%(name)s」のパスがパッケージの外を指しています(../)。") % {"name": name}
        )
    return normal


def _members(zip_file: zipfile.ZipFile) -> list[Member]:
    infos = zip_file.infolist()
    if len(infos) > MAX_FILES:
        raise PackageRefused(
            _("ファイルが多すぎます(%(count)d 個。上限は %(limit)d 個)。")
            % {"count": len(infos), "limit": MAX_FILES}
        )
    members, total = [], 0
    for info in infos:
        name = _safe_path(info.filename)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise PackageRefused(
                _("ファイル「%(name)s」はシンボリックリンクです。") % {"name": info.filename}
            )
        if info.is_dir():
            continue
        extension = posixpath.splitext(name)[1].lower()
        if extension in REFUSED_EXTENSIONS or posixpath.basename(name).lower() == ".htaccess":
            raise PackageRefused(
                _(
                    "ファイル「%(name)s」は実行ファイル・サーバー側スクリプト(%(extension)s)のため受け付けません。"
                )
                % {"name": info.filename, "extension": extension or posixpath.basename(name)}
            )
        if info.file_size > MAX_FILE_BYTES:
            raise PackageRefused(
                _("ファイル「%(name)s」が大きすぎます(上限 %(limit)d MB)。")
                % {"name": info.filename, "limit": MAX_FILE_BYTES // 2**20}
            )
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise PackageRefused(
                _("ファイル「%(name)s」の圧縮率が異常に高いため受け付けません(ZIP 爆弾の疑い)。")
                % {"name": info.filename}
            )
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise PackageRefused(
                _("展開後の合計サイズが上限(%(limit)d MB)を超えます。") % {"limit": MAX_TOTAL_BYTES // 2**20}
            )
        members.append(Member(name, info))
    return members


def _manifest_root(text: bytes) -> Element:
    try:
        return SafeElementTree.fromstring(text, forbid_dtd=True)
    except DefusedXmlException:
        raise PackageRefused(
            _("imsmanifest.xml に DTD や実体宣言が含まれているため受け付けません。")
        ) from None
    except SafeElementTree.ParseError as error:
        raise PackageRefused(
            _("imsmanifest.xml が正しい XML ではありません(%(error)s)。") % {"error": error}
        ) from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _version(root: Element) -> str:
    if _local(root.tag) != "manifest":
        raise PackageRefused(_("imsmanifest.xml の最上位の要素が manifest ではありません。"))
    declared = ""
    for metadata in _children(root, "metadata"):
        for element in _children(metadata, "schemaversion"):
            declared = (element.text or "").strip()
    namespaces = {_attribute_namespace(name) for element in root.iter() for name in element.attrib}
    namespaces |= {element.tag[1:].split("}", 1)[0] for element in root.iter() if element.tag.startswith("{")}
    if declared == "1.2" or (not declared and ADLCP_12 in namespaces):
        return SCORM_12
    if declared.startswith("2004") or declared == "CAM 1.3" or (not declared and ADLCP_2004 in namespaces):
        return SCORM_2004
    raise PackageRefused(
        _("SCORM 1.2 または SCORM 2004 のパッケージではありません(schemaversion: 「%(version)s」)。")
        % {"version": declared or "—"}
    )


def _attribute_namespace(name: str) -> str:
    return name[1:].split("}", 1)[0] if name.startswith("{") else ""


def _attribute(element: Element, local_name: str) -> str:
    for name, value in element.attrib.items():
        if _local(name).lower() == local_name.lower():
            return value
    return ""


def _organisation(root: Element) -> tuple[str, list]:
    """The title and the table of contents of the default organisation (the first when none is named):
    a list of items, each ``{"identifier", "title", "launch", "sco", "children"}``, where ``launch`` is
    the path of the item's resource inside the package ("" for an item that only groups others) and
    ``sco`` tells a SCO (it reports to the runtime) from an asset (SCORM 1.2's ``scormtype="asset"``)."""
    organizations = next(iter(_children(root, "organizations")), None)
    resources = next(iter(_children(root, "resources")), None)
    if organizations is None or resources is None:
        raise PackageRefused(_("imsmanifest.xml に organizations または resources がありません。"))
    by_id = {_attribute(r, "identifier"): r for r in _children(resources, "resource")}
    if not by_id:
        raise PackageRefused(_("imsmanifest.xml に resource が一つもありません。"))
    candidates = _children(organizations, "organization")
    if not candidates:
        raise PackageRefused(_("imsmanifest.xml に organization がありません。"))
    default = organizations.get("default", "")
    candidates.sort(key=lambda org: _attribute(org, "identifier") != default)
    organization = candidates[0]
    title = next((t.text or "" for t in _children(organization, "title")), "").strip()
    counter = [0]
    return title, _items(organization, resources, by_id, counter)


def _items(parent: Element, resources: Element, by_id: dict, counter: list) -> list:
    items = []
    for item in _children(parent, "item"):
        counter[0] += 1
        if counter[0] > MAX_ITEMS:
            raise PackageRefused(_("項目(item)が多すぎます(上限 %(limit)d 個)。") % {"limit": MAX_ITEMS})
        identifier = item.get("identifier", "")
        if not identifier or len(identifier) > MAX_IDENTIFIER:
            raise PackageRefused(
                _("項目(item)の identifier は 1〜%(limit)d 文字にしてください(「%(identifier)s」)。")
                % {"limit": MAX_IDENTIFIER, "identifier": identifier[:40]}
            )
        launch, sco = "", False
        reference = item.get("identifierref", "")
        if reference:
            resource = by_id.get(reference)
            if resource is None:
                raise PackageRefused(
                    _("項目が存在しない resource「%(ref)s」を指しています。") % {"ref": reference}
                )
            if resource.get("href"):
                launch = _launch_path(resources, resource, item)
                sco = _attribute(resource, "scormtype").lower() in {"sco", ""}
        title = next((t.text or "" for t in _children(item, "title")), "").strip()
        items.append(
            {
                "identifier": identifier,
                "title": title[:200] or identifier,
                "launch": launch,
                "sco": sco,
                "children": _items(item, resources, by_id, counter),
            }
        )
    return items


def _launch_path(resources: Element, resource: Element, item: Element) -> str:
    base = _attribute(resources, "base") + _attribute(resource, "base")
    href = resource.get("href", "")
    if "://" in href or href.startswith("//"):
        raise PackageRefused(_("起動ファイル「%(href)s」がパッケージの外にあります。") % {"href": href})
    path, _sep, query = href.partition("?")
    launch = _safe_path(posixpath.join(base, path)) if base else _safe_path(path)
    parameters = "&".join(part for part in (query, item.get("parameters", "").lstrip("?")) if part)
    return f"{launch}?{parameters}" if parameters else launch
