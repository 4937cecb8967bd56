"""W3C Bitstring Status List: encoding (GZIP, multibase base64url, first index = most significant bit),
the spec's minimum length, index allocation (a keyed permutation), and the JSON of entry and list."""

import base64
import gzip
from datetime import UTC, datetime

import pytest

from assessments.certification.openbadges import ob3, status
from tests.openbadges import ISSUER_DID, ISSUER_KEY, ISSUER_METHOD

LIST_URL = "https://dx.city.wakaba.example.lg.jp/certificates/status-lists/0f3e.json"


def test_an_empty_list_is_131072_zero_bits_gzipped_in_multibase_base64url():
    encoded = status.encode_list([])

    assert encoded.startswith("u") and "=" not in encoded and "+" not in encoded and "/" not in encoded
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert raw == bytes(16_384)


def test_index_zero_is_the_most_significant_bit_of_the_first_byte():
    bits = status.decode_list(status.encode_list([0, 9, 131_071]))

    assert bits[0] == 0x80 and bits[1] == 0x40 and bits[-1] == 0x01
    assert [i for i in (0, 1, 9, 131_070, 131_071) if status.is_set(bits, i)] == [0, 9, 131_071]


@pytest.mark.parametrize(("indexes", "length"), [([131_072], 131_072), ([], 1024), ([-1], 131_072)])
def test_out_of_range_indexes_and_short_lists_are_refused(indexes, length):
    with pytest.raises(ValueError):
        status.encode_list(indexes, length=length)


def test_indices_are_a_permutation_of_the_list_and_depend_on_the_secret():
    secret = b"\x01" * 32
    indices = [status.list_index(n, secret=secret) for n in range(status.MIN_LENGTH)]

    assert sorted(indices) == list(range(status.MIN_LENGTH))  # unique, and the list fills completely
    assert indices[:8] != list(range(8))
    assert [status.list_index(n, secret=b"\x02" * 32) for n in range(8)] != indices[:8]
    with pytest.raises(ValueError):
        status.list_index(status.MIN_LENGTH, secret=secret)


def test_entry_and_signed_list_verify_with_our_verifier():
    entry = status.status_entry(list_url=LIST_URL, index=4711)
    assert entry == {
        "id": f"{LIST_URL}#4711",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "4711",
        "statusListCredential": LIST_URL,
    }
    unsigned = status.status_list_credential(
        list_url=LIST_URL,
        issuer=ISSUER_DID,
        encoded_list=status.encode_list([4711]),
        valid_from=datetime(2026, 12, 1, 9, tzinfo=UTC),
    )
    assert unsigned["validFrom"] == "2026-12-01T09:00:00Z"
    signed = ob3.sign(unsigned, ISSUER_KEY, ISSUER_METHOD)  # every term is defined: it canonicalises
    assert ob3.verify(signed).verified
    tampered = {
        **signed,
        "credentialSubject": {**signed["credentialSubject"], "encodedList": status.encode_list([])},
    }
    assert not ob3.verify(tampered).verified
