"""The offline JSON-LD document loader: vendored contexts only, strict canonicalisation."""

import pytest

from assessments.certification.openbadges import jsonld


def test_loader_serves_the_vendored_contexts():
    load = jsonld.document_loader()

    for url in (jsonld.CREDENTIALS_V2, jsonld.OB_V3P0):
        remote = load(url, {})
        assert remote["documentUrl"] == url
        assert "@context" in remote["document"]


@pytest.mark.parametrize(
    "url", ["https://w3id.org/openbadges/v2", "https://www.w3.org/2018/credentials/v1", "file:///etc/passwd"]
)
def test_loader_refuses_any_other_url(url):
    with pytest.raises(jsonld.ContextNotVendored, match="never fetched"):
        jsonld.document_loader()(url, {})


def test_canonize_surfaces_the_refusal_of_an_unknown_context():
    document = {"@context": "https://example.org/unknown", "@id": "urn:x", "name": "x"}

    with pytest.raises(jsonld.ContextNotVendored, match=r"example\.org/unknown"):
        jsonld.canonize(document)


def test_canonize_refuses_a_property_no_context_defines():
    defined = {"@context": [jsonld.CREDENTIALS_V2], "id": "urn:x", "name": "名前"}

    assert jsonld.canonize(defined) == '<urn:x> <https://schema.org/name> "名前" .\n'
    with pytest.raises(jsonld.UndefinedTerm):
        jsonld.canonize({**defined, "nickname": "x"})


def test_canonize_is_independent_of_key_order():
    one = {"@context": [jsonld.CREDENTIALS_V2], "id": "urn:x", "name": "a", "description": "b"}
    other = {"description": "b", "name": "a", "id": "urn:x", "@context": [jsonld.CREDENTIALS_V2]}

    assert jsonld.canonize(one) == jsonld.canonize(other)
