"""REFERENCE "Resident ID numbers": GB 11643-1999 checksum, real birth date, 18 digits only; masking;
encryption at rest with a lookup hash."""
from __future__ import annotations

from datetime import date

import pytest

from chalicelib.platform import pii

VALID = "11010519491231002X"  # the standard's published example


def test_the_published_example_passes_and_lowercase_x_is_stored_uppercase():
    assert pii.normalize_id_number("11010519491231002x") == VALID


@pytest.mark.parametrize("raw, reason", [
    ("110105194912310021", "校验位"), ("110105194913310021", "出生日期不存在"),
    ("110105491231002", "15 位"), ("11010519491231002", "18 位"), ("1101051949123100XX", "18 位"),
])
def test_bad_numbers_are_refused_with_a_chinese_reason(raw, reason):
    with pytest.raises(ValueError, match=reason):
        pii.normalize_id_number(raw)


def test_a_birth_date_in_the_future_is_refused():
    future = "110105" + "20990101" + "001"
    with pytest.raises(ValueError, match="不合理"):
        pii.normalize_id_number(future + pii.check_character(future), today=date(2026, 11, 24))


def test_masks_show_only_the_first_three_and_last_four():
    assert pii.mask_id_number(VALID) == "110***********002X"
    assert pii.mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize("raw, stored", [("138 1234 5678", "13812345678"), ("+8613812345678", "13812345678"),
                                         ("0519-86661234", "0519-86661234")])
def test_phone_numbers_are_normalized(raw, stored):
    assert pii.normalize_phone(raw) == stored


def test_a_bad_phone_is_refused():
    with pytest.raises(ValueError):
        pii.normalize_phone("12345")


def test_encryption_round_trips_and_is_bound_to_its_kind():
    sealed = pii.encrypt("id_number", VALID)
    assert VALID not in sealed and pii.decrypt("id_number", sealed) == VALID
    with pytest.raises(Exception):
        pii.decrypt("phone", sealed)
    assert pii.encrypt("id_number", VALID) != sealed  # fresh nonce each time


def test_numbers_are_sealed_with_cryptographys_own_aes_gcm_taken_from_its_bindings():
    """The unseal path takes AES-GCM from cryptography's compiled bindings (a lighter import than the public
    module's package): the very class the public API names, so sealing is cryptography's AES-256-GCM."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    assert pii._aesgcm() is AESGCM


def test_the_lookup_hash_is_stable_and_keyed():
    assert pii.lookup_hash("id_number", VALID) == pii.lookup_hash("id_number", VALID)
    assert pii.lookup_hash("id_number", VALID) != pii.lookup_hash("phone", VALID)


def test_full_width_digits_are_normalized_to_ascii_and_other_scripts_digits_refused():
    full_width = VALID.translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ"))
    assert pii.normalize_id_number(full_width) == VALID
    assert pii.normalize_phone("＋８６ １３８１２３４５６７８") == "13812345678"
    arabic_indic = VALID[:17].translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")) + "X"
    with pytest.raises(ValueError, match="18 位"):
        pii.normalize_id_number(arabic_indic)
    with pytest.raises(ValueError):
        pii.normalize_phone("١٣٨١٢٣٤٥٦٧٨")
    with pytest.raises(ValueError, match="18 位"):  # not mistaken for an old 15-digit number
        pii.normalize_id_number("١١٠١٠٥٤٩١٢٣١٠٠٢")


def test_a_sealed_number_stores_no_clear_text_and_reveals_only_on_purpose(aws_backend):
    """Issue 8 §3: one type for a sealed ID number or phone (ciphertext, lookup hash, mask)."""
    first17 = "32040219850715001"
    number = pii.normalize_id_number(first17 + pii.check_character(first17))
    phone = pii.normalize_phone("１３９ １２３４ ５６７８")
    sealed = pii.seal_phone(phone)
    stored = sealed.fields("phone")
    assert set(stored) == {"phone_cipher", "phone_hash", "phone_masked"} and stored["phone_masked"] == "139****5678"
    assert phone not in "".join(stored.values())
    assert stored["phone_hash"] == pii.lookup_hash("phone", phone) and sealed.reveal() == phone
    assert set(sealed.fields("phone", keep_hash=False)) == {"phone_cipher", "phone_masked"}
    id_fields = pii.seal_id_number(number).fields("id")
    assert id_fields["id_masked"] == "320" + "*" * 11 + number[-4:]
    assert number not in "".join(id_fields.values())


def test_an_id_number_field_normalises_the_number_and_names_the_reason_in_chinese():
    """CONTRACT "Identity and access": one validator for every model's ID number (`pii.IdNumber`)."""
    from pydantic import BaseModel

    from chalicelib.platform.errors import from_validation_error

    class Holder(BaseModel):
        id_number: pii.IdNumber
        other: pii.IdNumber | None = None

    assert Holder(id_number="11010519491231002x").id_number == VALID
    assert Holder(id_number=VALID, other=None).other is None
    with pytest.raises(Exception) as caught:
        Holder(id_number=VALID[:-1] + "1")
    problem = from_validation_error(caught.value, "body")
    assert [(e["loc"], e["msg"]) for e in problem.errors] == [(["body", "id_number"], "身份证号校验位不正确，请核对")]


def test_every_model_takes_its_id_number_through_the_one_validator(app):
    """No model keeps its own copy of the ID-number check: every `id_number` field a route reads is `IdNumber`."""
    from chalicelib.platform.web import openapi

    def id_number_fields(model, seen):
        if model in seen:
            return
        seen.add(model)
        for name, info in model.model_fields.items():
            if name == "id_number":
                yield model, info
            for nested in _models_in(info.annotation):
                yield from id_number_fields(nested, seen)

    seen: set = set()
    found = [(model, info) for *_, spec in openapi.routes_with_specs(app) if spec and spec.body
             for model, info in id_number_fields(spec.body, seen)]
    assert found
    for model, info in found:
        assert any(getattr(m, "func", None) is pii._id_number_field for m in info.metadata) or \
            _is_id_number(info.annotation), model.__name__


def _is_id_number(annotation) -> bool:
    import typing
    return pii.IdNumber in typing.get_args(annotation) or annotation == pii.IdNumber


def _models_in(annotation):
    import typing

    from pydantic import BaseModel
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)
