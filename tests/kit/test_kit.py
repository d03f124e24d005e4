"""Domain-free helpers: time, money, crypto, tokens, slugs, log redaction."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clocktower.config import DEFAULT_MASTER_KEY
from clocktower.kit.crypto import DecryptionFailed, decode_master_key, decrypt, derive_key, encrypt
from clocktower.kit.logging import redact
from clocktower.kit.money import from_cents, to_cents
from clocktower.kit.slug import slugify
from clocktower.kit.time import as_utc, day_bounds, is_valid_timezone
from clocktower.kit.tokens import random_token, sha256_hex


class TestTime:
    def test_offsets_are_converted_never_dropped(self) -> None:
        value = datetime(2024, 1, 15, 15, 30, tzinfo=timezone(timedelta(hours=1)))

        assert as_utc(value) == datetime(2024, 1, 15, 14, 30, tzinfo=UTC)

    def test_naive_is_taken_as_utc(self) -> None:
        assert as_utc(datetime(2024, 1, 15, 14, 30)).tzinfo is UTC

    def test_day_bounds_across_dst(self) -> None:
        start, end = day_bounds(date(2024, 3, 31), "Europe/Amsterdam")

        assert start == datetime(2024, 3, 30, 23, 0, tzinfo=UTC)
        assert end - start == timedelta(hours=23)  # the day the clocks go forward

    def test_timezone_names(self) -> None:
        assert is_valid_timezone("Europe/Amsterdam")
        assert not is_valid_timezone("Mars/Olympus")
        assert not is_valid_timezone("../etc/passwd")


class TestMoney:
    @given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
    def test_cents_round_trip_exactly(self, amount: Decimal) -> None:
        assert from_cents(to_cents(amount)) == amount

    def test_half_up_rounding(self) -> None:
        assert to_cents(Decimal("0.005")) == 1
        assert to_cents("12.344") == 1234


class TestCrypto:
    key = derive_key(decode_master_key(DEFAULT_MASTER_KEY), "test")

    def test_round_trip_and_binding(self) -> None:
        ciphertext = encrypt(self.key, b"hunter2", b"org:1/row:7")

        assert decrypt(self.key, ciphertext, b"org:1/row:7") == b"hunter2"
        with pytest.raises(DecryptionFailed):
            decrypt(self.key, ciphertext, b"org:2/row:7")

    def test_tampering_is_detected(self) -> None:
        ciphertext = bytearray(encrypt(self.key, b"hunter2", b"ad"))
        ciphertext[-1] ^= 1

        with pytest.raises(DecryptionFailed):
            decrypt(self.key, bytes(ciphertext), b"ad")

    def test_master_key_must_be_32_bytes(self) -> None:
        with pytest.raises(ValueError, match="32 bytes"):
            decode_master_key("c2hvcnQ=")


class TestTokens:
    def test_random_tokens_are_long_and_distinct(self) -> None:
        tokens = {random_token(32) for _ in range(100)}

        assert len(tokens) == 100
        assert all(len(t) == 32 and t.isalnum() for t in tokens)
        assert len(sha256_hex("x")) == 64


class TestSlug:
    def test_slugify(self) -> None:
        assert slugify("Acme Agency") == "acme-agency"
        assert slugify("Café Zürich!") == "cafe-zurich"
        assert slugify("!!!") == "organization"


class TestRedaction:
    def test_tokens_are_masked(self) -> None:
        line = "token tt_abcdefghijklmnopqrstuvwxyz012345 and rt_ABCDEFGH12345678"

        assert "abcdefghijkl" not in redact(line)
        assert "ABCDEFGH1234" not in redact(line)
