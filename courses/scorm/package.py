"""Reading an uploaded SCORM package (a zip) without trusting it: no ORM, no storage.

``package_read`` checks the whole archive before anything is stored and returns what the site needs (the
version, the launch file, the members to store) or raises ``PackageRefused`` naming the first problem:
not a zip; a member whose path leaves the package (``../``, an absolute or drive path, a backslash); a
symbolic link; a server-side executable; too many files, a file or a total too large, or a member
compressed more than ``MAX_RATIO`` times (a zip bomb); no ``imsmanifest.xml`` at the root; a manifest
that is not well-formed XML (DTDs and entities refused, defusedxml), or of neither SCORM 1.2 nor SCORM
2004; no SCO resource reachable from the default organisation; a launch file missing from the archive.
"""

import posixpath
import stat
import zipfile
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException
from django.utils.translation import gettext as _

MAX_FILES = 2_000
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_TOTAL_BYTES = 300 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, per member larger than RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
MAX_MANIFEST_BYTES = 2 * 1024 * 1024

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
        root = _manifest_root(zip_file.read(manifest.info))
    version = _version(root)
    title, launch = _launch(root)
    if posixpath.normpath(launch.split("?", 1)[0]) not in by_name:
        raise PackageRefused(
            _("起動ファイル「%(launch)s」がパッケージの中にありません。") % {"launch": launch}
        )
    total = sum(member.info.file_size for member in members)
    return ScormPackageContents(version, title, launch, tuple(members), total)


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


def _launch(root: Element) -> tuple[str, str]:
    """The title and launch path of the first SCO of the default organisation (its first item that refers
    to a resource of SCORM type ``sco``, or of any type when the manifest marks none)."""
    organizations = next(iter(_children(root, "organizations")), None)
    resources = next(iter(_children(root, "resources")), None)
    if organizations is None or resources is None:
        raise PackageRefused(_("imsmanifest.xml に organizations または resources がありません。"))
    by_id = {_attribute(r, "identifier"): r for r in _children(resources, "resource")}
    if not by_id:
        raise PackageRefused(_("imsmanifest.xml に resource が一つもありません。"))
    candidates = _children(organizations, "organization")
    default = organizations.get("default", "")
    candidates.sort(key=lambda org: _attribute(org, "identifier") != default)
    for organization in candidates:
        title = next((t.text or "" for t in _children(organization, "title")), "").strip()
        for item in organization.iter():
            if _local(item.tag) != "item" or not item.get("identifierref"):
                continue
            resource = by_id.get(item.get("identifierref", ""))
            if resource is None:
                raise PackageRefused(
                    _("項目が存在しない resource「%(ref)s」を指しています。")
                    % {"ref": item.get("identifierref")}
                )
            if _attribute(resource, "scormtype").lower() not in {"sco", ""} or not resource.get("href"):
                continue
            return title, _launch_path(resources, resource, item)
    raise PackageRefused(_("imsmanifest.xml に起動できる SCO(href のある resource)がありません。"))


def _launch_path(resources: Element, resource: Element, item: Element) -> str:
    base = _attribute(resources, "base") + _attribute(resource, "base")
    href = resource.get("href", "")
    if "://" in href or href.startswith("//"):
        raise PackageRefused(_("起動ファイル「%(href)s」がパッケージの外にあります。") % {"href": href})
    path, _sep, query = href.partition("?")
    launch = _safe_path(posixpath.join(base, path)) if base else _safe_path(path)
    parameters = "&".join(part for part in (query, item.get("parameters", "").lstrip("?")) if part)
    return f"{launch}?{parameters}" if parameters else launch
