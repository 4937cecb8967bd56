"""imsmanifest.xml validated against our own copy of ADL's and IMS's XSDs (courses/scorm/schemas/): the
independent packager's packages pass, a manifest breaking the schema is refused naming the line and the
element, extensions in other namespaces pass (the schemas' wildcards), and neither a DTD, an entity nor
a schema location makes the validator read a file or the network."""

import io
import zipfile

import pytest
from lxml import etree

from courses.scorm import manifest_schema
from courses.scorm.manifest_schema import ManifestInvalid, manifest_validate
from courses.scorm.package import PackageRefused, package_read
from tests.scorm.test_upload_and_commit import MANIFEST


def _zip(manifest: bytes) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("imsmanifest.xml", manifest)
        archive.writestr("index.html", b"<p>x</p>")
    buffer.seek(0)
    return buffer


def _manifest(zip_bytes: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        return archive.read("imsmanifest.xml")


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_the_independent_packager_s_manifests_pass(scorm_zips, version):
    manifest_validate(_manifest(scorm_zips[version]))
    assert package_read(io.BytesIO(scorm_zips[version])).version == version


def test_the_packager_s_misplaced_metadata_is_the_one_thing_tolerated(scorm_zips):
    # simple-scorm-packager 0.2.7 puts <metadata> after an item's imsss:sequencing and inside <resources>,
    # where IMS CP 1.1.4 has none; the rest of such a manifest is still validated
    manifest = _manifest(scorm_zips["2004"]).replace(b"<resources>", b"<resources><bogus/>", 1)
    with pytest.raises(ManifestInvalid, match="bogus 要素"):
        manifest_validate(manifest)


def test_an_unknown_element_of_the_cp_namespace_is_refused_naming_line_and_element():
    manifest = MANIFEST.replace(b"<resources>", b"<resources>\n<unknown/>", 1)
    line = manifest[: manifest.index(b"<unknown")].count(b"\n") + 1
    with pytest.raises(PackageRefused) as refused:
        package_read(_zip(manifest))
    message = str(refused.value)
    assert "スキーマ(scorm12)に合いません" in message and f"{line} 行目 unknown 要素" in message, message


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_an_item_without_its_required_identifier_is_refused(scorm_zips, version):
    manifest = _manifest(scorm_zips[version])
    item_start = manifest.index(b"<item identifier=")
    line = manifest[:item_start].count(b"\n") + 1
    broken = manifest.replace(b'<item identifier="', b'<item data="', 1)
    with pytest.raises(ManifestInvalid) as refused:
        manifest_validate(broken)
    assert f"{line} 行目 item 要素" in str(refused.value)
    assert "'identifier' is required but missing" in str(refused.value)


def test_a_manifest_of_no_content_packaging_namespace_is_refused():
    manifest = MANIFEST.replace(b"http://www.imsproject.org/xsd/imscp_rootv1p1p2", b"urn:not-ims", 1)
    with pytest.raises(ManifestInvalid, match="IMS Content Packaging"):
        manifest_validate(manifest)


FOREIGN = (
    b'<ext:tracking xmlns:ext="urn:vendor:authoring-tool" ext:version="3"><ext:x>1</ext:x></ext:tracking>'
)


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_extensions_in_other_namespaces_pass(scorm_zips, version):
    manifest = _manifest(scorm_zips[version])
    manifest = manifest.replace(b"</organization>", FOREIGN + b"</organization>", 1)
    manifest = manifest.replace(b"<item ", b'<item xmlns:v="urn:vendor:x" v:hint="a" ', 1)
    manifest_validate(manifest)


def test_extensions_do_not_hide_errors_in_the_scorm_namespaces(scorm_zips):
    manifest = _manifest(scorm_zips["2004"]).replace(
        b'<imsss:controlMode choice="true" flow="true"/>', b'<imsss:controlMode choice="maybe"/>', 1
    )
    with pytest.raises(ManifestInvalid, match="controlMode 要素の属性 choice"):
        manifest_validate(manifest)


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE manifest [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2">
 <organizations default="o"><organization identifier="o"><title>&xxe;</title></organization></organizations>
 <resources/>
</manifest>"""


def test_an_external_entity_is_refused_and_no_file_is_read(monkeypatch):
    opened = []
    real_open = open

    def spy(path, *args, **kwargs):
        opened.append(str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", spy)
    with pytest.raises(PackageRefused, match="DTD"):
        package_read(_zip(XXE))
    assert "/etc/passwd" not in opened
    # the schema layer's own parser does not expand it either (and never loads a DTD)
    document = etree.fromstring(XXE, manifest_schema._parser())
    assert "root:" not in etree.tostring(document, encoding="unicode")


def test_the_schemas_are_read_from_our_copy_only_never_from_a_url(tmp_path):
    remote = tmp_path / "remote.xsd"
    remote.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<xs:import namespace="urn:x" schemaLocation="http://127.0.0.1:9/x.xsd"/>'
        '<xs:import namespace="urn:y" schemaLocation="/etc/passwd"/></xs:schema>'
    )
    resolver = manifest_schema._LocalOnly()
    with pytest.raises(etree.XMLSchemaParseError, match="only the vendored schemas"):
        resolver.resolve("http://127.0.0.1:9/x.xsd", None, None)
    with pytest.raises(etree.XMLSchemaParseError, match="only the vendored schemas"):
        resolver.resolve("/etc/passwd", None, None)
    with pytest.raises(etree.XMLSchemaParseError):
        etree.XMLSchema(etree.parse(str(remote), manifest_schema._parser()))


def test_the_package_s_own_schema_location_is_ignored():
    # a package pointing at its own (permissive) copy of the schema is still held to ours
    manifest = MANIFEST.replace(
        b'identifier="m"',
        b'identifier="m" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        b'xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 http://127.0.0.1:9/lax.xsd"',
        1,
    ).replace(b"<resources>", b"<resources><unknown/>", 1)
    with pytest.raises(ManifestInvalid, match="unknown 要素"):
        manifest_validate(manifest)
