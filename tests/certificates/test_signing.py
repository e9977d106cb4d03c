"""Signed Open Badges 3.0 credentials: test vector, round trips, tampering and key handling."""

import copy
import json
import stat
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms.certificates.contexts import ContextNotBundledError
from lms.certificates.keys import (
    SigningKeyMissingError,
    issuer_document,
    key_resolver,
    load_or_create_signing_key,
    public_key_from_multibase,
    public_key_multibase,
    verification_method_id,
)
from lms.certificates.signing import (
    UndefinedTermError,
    bundled_document_loader,
    canonicalize,
    hash_data,
    sign_credential,
    verify_credential,
)
from tests.certificates.conftest import SAMPLE_BASE as BASE
from tests.certificates.conftest import sample_credential

# "Linked Data Proof Test Vector for Open Badges 3.0" from the OB 3.0 Implementation Guide.
VECTOR = Path(__file__).with_name("ob3-test-vector.json")
CREATED = "2025-06-14T09:30:00Z"
ARABIC_NAME = "فاطمة الزهراء بنعلي"


@pytest.fixture(scope="module")
def vector():
    return json.loads(VECTOR.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def key():
    return Ed25519PrivateKey.generate()


def sign(credential, key):
    return sign_credential(credential, key, verification_method_id(BASE, key.public_key()), CREATED)


def resolver_for(*keys):
    return key_resolver(BASE, [k.public_key() for k in keys])


# --- the Open Badges 3.0 implementation guide's test vector ---------------------------------


def test_hash_data_reproduces_the_test_vector(vector):
    digest = hash_data(vector["credential"], vector["proof_options"])
    assert digest.hex() == vector["expected_hash_data_hex"]


def test_proof_value_reproduces_the_test_vector(vector):
    private_key = Ed25519PrivateKey.from_private_bytes(
        bytes.fromhex(vector["private_key_seed_hex"])
    )
    options = vector["proof_options"]
    signed = sign_credential(
        vector["credential"], private_key, options["verificationMethod"], options["created"]
    )
    assert signed["proof"]["proofValue"] == vector["expected_proof_value"]
    assert "proof" not in vector["credential"]  # the input is left untouched
    assert verify_credential(signed, lambda method, created: private_key.public_key()).ok


def test_public_key_multibase_matches_the_test_vector(vector):
    private_key = Ed25519PrivateKey.from_private_bytes(
        bytes.fromhex(vector["private_key_seed_hex"])
    )
    assert public_key_multibase(private_key.public_key()) == vector["public_key_multibase"]
    decoded = public_key_from_multibase(vector["public_key_multibase"])
    assert decoded.public_bytes_raw().hex() == vector["public_key_hex"]


# --- round trips and tampering ----------------------------------------------------------------


def test_signed_credential_verifies_after_a_json_round_trip(key):
    signed = sign(sample_credential(), key)
    for text in (json.dumps(signed), json.dumps(signed, ensure_ascii=False, indent=2)):
        result = verify_credential(json.loads(text), resolver_for(key))
        assert result.ok, result.reason


def test_arabic_name_survives_signing_and_verification(key):
    signed = sign(sample_credential(ARABIC_NAME), key)
    served = json.loads(json.dumps(signed, ensure_ascii=False).encode("utf-8"))
    assert served["credentialSubject"]["identifier"][0]["identityHash"] == ARABIC_NAME
    assert verify_credential(served, resolver_for(key)).ok
    assert f'"{ARABIC_NAME}"' in canonicalize(sample_credential(ARABIC_NAME))


def test_changing_one_letter_of_the_name_breaks_the_signature(key):
    signed = sign(sample_credential("Aïcha Ouédraogo"), key)
    signed["credentialSubject"]["identifier"][0]["identityHash"] = "Aïcha Ouédraogu"
    result = verify_credential(signed, resolver_for(key))
    assert not result.ok
    assert result.reason == "signature does not match"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c["credentialSubject"]["achievement"].__setitem__("creditsAvailable", 300),
        lambda c: c.__setitem__("validFrom", "2024-06-14T00:00:00Z"),
        lambda c: c["credentialSubject"]["achievement"].__setitem__("name", "Marketing digital"),
        lambda c: c["proof"].__setitem__("created", "2026-01-01T00:00:00Z"),
    ],
    ids=["hours", "date", "workshop", "proof-date"],
)
def test_any_signed_field_change_breaks_the_signature(key, tamper):
    signed = sign(sample_credential(), key)
    tamper(signed)
    assert not verify_credential(signed, resolver_for(key)).ok


def test_names_are_signed_code_point_for_code_point(key):
    # The caller must store and sign names in NFC: the same name decomposed no longer verifies.
    signed = sign(sample_credential(unicodedata.normalize("NFC", "Aïcha Ouédraogo")), key)
    decomposed = copy.deepcopy(signed)
    identity = decomposed["credentialSubject"]["identifier"][0]
    identity["identityHash"] = unicodedata.normalize("NFD", identity["identityHash"])
    assert verify_credential(signed, resolver_for(key)).ok
    assert not verify_credential(decomposed, resolver_for(key)).ok


def test_a_key_other_than_the_signer_is_refused(key):
    signed = sign(sample_credential(), key)
    impostor = Ed25519PrivateKey.generate()
    result = verify_credential(signed, lambda method, created: impostor.public_key())
    assert (result.ok, result.reason) == (False, "signature does not match")


def test_an_unknown_verification_method_is_refused(key):
    signed = sign(sample_credential(), key)
    result = verify_credential(signed, resolver_for(Ed25519PrivateKey.generate()))
    assert (result.ok, result.reason) == (False, "unknown verification method")


def test_a_key_outside_the_issuer_is_refused(key):
    credential = sample_credential()
    signed = sign_credential(credential, key, "https://elsewhere.example/keys#k1", CREATED)
    result = verify_credential(signed, lambda method, created: key.public_key())
    assert not result.ok
    assert "issuer" in result.reason


def _malformed_variants(signed):
    def edit(change):
        variant = copy.deepcopy(signed)
        change(variant)
        return variant

    return [
        None,
        "not json",
        [signed],
        {},
        edit(lambda c: c.pop("proof")),
        edit(lambda c: c.__setitem__("proof", "zzz")),
        edit(lambda c: c.__setitem__("proof", [c["proof"]])),
        edit(lambda c: c["proof"].__setitem__("type", "Ed25519Signature2020")),
        edit(lambda c: c["proof"].__setitem__("cryptosuite", "eddsa-jcs-2022")),
        edit(lambda c: c["proof"].__setitem__("proofPurpose", "authentication")),
        edit(lambda c: c["proof"].__setitem__("created", "yesterday")),
        edit(lambda c: c["proof"].__setitem__("proofValue", "z0OIl")),
        edit(lambda c: c["proof"].__setitem__("proofValue", "uAAAA")),
        edit(lambda c: c["proof"].__setitem__("proofValue", c["proof"]["proofValue"][:40])),
        edit(lambda c: c["proof"].__setitem__("verificationMethod", 42)),
        edit(lambda c: c.pop("@context")),
        edit(lambda c: c.__setitem__("@context", "https://www.w3.org/ns/credentials/v2")),
        edit(lambda c: c["@context"].append({"name": "https://evil.example/name"})),
        edit(lambda c: c["@context"].append("https://evil.example/context.json")),
        # Bundled for the /issuer document only: credentials never use them.
        edit(lambda c: c["@context"].append("https://www.w3.org/ns/did/v1")),
        edit(lambda c: c.__setitem__("issuer", ["a", "b"])),
        edit(lambda c: c.__setitem__("credentialSubject", {"@id": {"bad": 1}})),
    ]


def test_malformed_documents_get_a_verdict_never_an_exception(key):
    signed = sign(sample_credential(), key)
    for variant in _malformed_variants(signed):
        result = verify_credential(variant, resolver_for(key))
        assert result.ok is False, variant
        assert result.reason


def test_a_failing_key_resolver_is_an_unknown_key(key):
    def broken(method, created):
        raise RuntimeError("database down")

    result = verify_credential(sign(sample_credential(), key), broken)
    assert (result.ok, result.reason) == (False, "unknown verification method")


# --- contexts and undefined terms -------------------------------------------------------------


def test_loader_refuses_contexts_that_are_not_bundled():
    with pytest.raises(ContextNotBundledError):
        bundled_document_loader("https://example.com/credentials/v2")
    document = {"@context": "https://example.com/ctx.json", "https://schema.org/name": "x"}
    with pytest.raises(Exception) as raised:
        canonicalize(document)
    chain, error = [], raised.value
    while error is not None:
        chain.append(error)
        error = error.__cause__
    assert any(isinstance(error, ContextNotBundledError) for error in chain)


def test_every_property_the_builder_writes_is_defined_and_signed():
    credential = sample_credential(ARABIC_NAME)
    nquads = canonicalize(credential)  # raises UndefinedTermError if any term were dropped
    for value in (
        ARABIC_NAME,
        "Montage vidéo",
        "Toutes les missions rendues",
        '"30"^^<https://www.w3.org/2001/XMLSchema#float>',
        '"name"',
        '"montage-video"',
        "#AchievementSubject>",
        "#IdentityObject>",
        "#Profile>",
    ):
        assert value in nquads, value


@pytest.mark.parametrize(
    "add_unknown",
    [
        lambda c: c.__setitem__("honours", "with distinction"),
        lambda c: c["credentialSubject"].__setitem__("nationality", "MA"),
        lambda c: c["credentialSubject"]["achievement"].__setitem__("hours", 30),
        lambda c: c["credentialSubject"]["achievement"].__setitem__("type", ["Course"]),
        lambda c: c["issuer"].__setitem__("id", "issuer"),  # relative IRI: dropped otherwise
    ],
    ids=["top-level", "subject", "achievement", "type", "relative-iri"],
)
def test_undefined_terms_are_refused_not_silently_left_unsigned(key, add_unknown):
    credential = sample_credential()
    add_unknown(credential)
    with pytest.raises(UndefinedTermError):
        sign(credential, key)


def test_an_unsigned_field_added_after_signing_makes_verification_fail(key):
    signed = sign(sample_credential(), key)
    signed["credentialSubject"]["achievement"]["grade"] = "A+"
    result = verify_credential(signed, resolver_for(key))
    assert not result.ok
    assert "grade" in result.reason


def test_whole_hours_given_as_float_are_signed_as_integers():
    assert sample_credential(hours=30.0) == sample_credential(hours=30)


# --- keys and the issuer document -------------------------------------------------------------


def test_signing_key_is_created_private_then_reloaded(tmp_path):
    path = tmp_path / "instance" / "keys" / "certificates.pem"
    created = load_or_create_signing_key(path, create=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    again = load_or_create_signing_key(path, create=False)
    assert public_key_multibase(again.public_key()) == public_key_multibase(created.public_key())
    assert [p.name for p in path.parent.iterdir()] == ["certificates.pem"]


def test_missing_key_in_production_is_a_clear_error(tmp_path):
    path = tmp_path / "missing.pem"
    with pytest.raises(SigningKeyMissingError, match=r"missing\.pem"):
        load_or_create_signing_key(path, create=False)
    assert not path.exists()


def test_a_key_file_of_another_type_is_refused(tmp_path):
    path = tmp_path / "ec.pem"
    path.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(ValueError, match="Ed25519"):
        load_or_create_signing_key(path, create=False)


def test_issuer_document_keeps_old_keys_so_old_certificates_still_verify(key):
    new_key = Ed25519PrivateKey.generate()
    old_certificate = sign(sample_credential(), key)
    document = issuer_document(BASE, [new_key.public_key(), key.public_key()], "Atelier", BASE)

    assert document["id"] == f"{BASE}/issuer"
    assert "Profile" in document["type"]
    methods = document["verificationMethod"]
    assert [m["id"] for m in methods] == document["assertionMethod"]
    assert {m["type"] for m in methods} == {"Multikey"}
    assert {m["controller"] for m in methods} == {f"{BASE}/issuer"}
    assert old_certificate["proof"]["verificationMethod"] in document["assertionMethod"]

    # A verifier that only has the published document resolves the key from it.
    published = {m["id"]: public_key_from_multibase(m["publicKeyMultibase"]) for m in methods}
    assert verify_credential(old_certificate, published.get).ok


@pytest.mark.parametrize(
    ("retired_at", "ok"),
    [
        (datetime(2025, 6, 14, 9, 30, 1, tzinfo=UTC), True),  # a second after the proof
        (datetime(2025, 6, 14, 9, 30, 0, tzinfo=UTC), False),
        (datetime(2025, 6, 1, tzinfo=UTC), False),
        (datetime(2025, 6, 1), False),  # naive, as SQLite returns it: UTC
    ],
)
def test_a_retired_key_proves_only_what_it_signed_before_its_retirement(key, retired_at, ok):
    """Issue 10: retired keys stayed trusted for ever, whatever date their proofs bore."""
    signed = sign(sample_credential(), key)
    resolver = key_resolver(
        BASE, [key.public_key()], {public_key_multibase(key.public_key()): retired_at}
    )
    result = verify_credential(signed, resolver)
    assert result.ok is ok
    if not ok:
        assert result.reason.startswith("the key was retired on 2025-06-")
