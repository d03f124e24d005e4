"""Signing against the Standard Webhooks test vector, and the address rules of targets."""

from __future__ import annotations

import ipaddress

import pytest

from clocktower.webhook.signing import generate_secret, secret_key, sign
from clocktower.webhook.targets import TargetPolicy, TargetRefused, _refusal, resolve_target

STRICT = TargetPolicy(require_https=False, allow_private=False)


def test_standard_webhooks_test_vector() -> None:
    signature = sign(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        b'{"test": 2432232314}',
    )

    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_generated_secrets_are_24_bytes_or_more_and_distinct() -> None:
    first, second = generate_secret(), generate_secret()

    assert first != second
    assert len(secret_key(first)) >= 24


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("10.0.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "non-public"),
        ("0.0.0.0", "unspecified"),
        ("239.1.1.1", "multicast"),
        ("240.0.0.1", "private"),  # 240/4 is in Python's private list
        ("::1", "loopback"),
        ("fe80::1", "link-local"),
        ("fd00::1", "private"),
        ("::ffff:10.0.0.1", "private"),
        ("::", "unspecified"),
        ("93.184.215.14", None),
        ("2606:2800:220:1:248:1893:25c8:1946", None),
    ],
)
def test_address_rules(address: str, reason: str | None) -> None:
    assert _refusal(ipaddress.ip_address(address), allow_private=False) == reason


def test_private_allowed_still_refuses_multicast_and_unspecified() -> None:
    assert _refusal(ipaddress.ip_address("10.0.0.1"), allow_private=True) is None
    assert _refusal(ipaddress.ip_address("224.0.0.1"), allow_private=True) == "multicast"


async def test_https_required_when_the_policy_says_so() -> None:
    with pytest.raises(TargetRefused, match="https"):
        await resolve_target(
            "http://93.184.215.14/x", TargetPolicy(require_https=True, allow_private=False)
        )


async def test_connects_to_the_checked_address_under_the_urls_name() -> None:
    target = await resolve_target("https://93.184.215.14:8443/x?y=1", STRICT)

    arguments = target.request_arguments()
    assert str(arguments["url"]) == "https://93.184.215.14:8443/x?y=1"
    assert arguments["headers"] == {"Host": "93.184.215.14:8443"}
    assert arguments["extensions"] == {"sni_hostname": "93.184.215.14"}


async def test_localhost_resolves_to_loopback_and_is_refused() -> None:
    with pytest.raises(TargetRefused, match="loopback"):
        await resolve_target("http://localhost/x", STRICT)
