"""Where a webhook may be sent: no server-side request forgery (S6.5).

A target URL is `https` (plain `http` only in development and test), and every address
its host resolves to must be public: loopback, private, link-local, shared (CGNAT),
reserved, multicast and unspecified addresses are refused, IPv4 and IPv6 alike, and an
IPv4-mapped IPv6 address counts as the IPv4 address it maps. An organisation that sets
`webhooks_allow_private_targets` may target its own network (multicast and unspecified
addresses stay refused: they are never a receiver).

The check runs when a subscription is saved and again before every attempt, because DNS
answers change. The attempt then connects to the very address that was checked (the URL's
host is kept for the `Host` header and TLS), so a second DNS answer cannot slip in.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from typing import Any

import httpx

from clocktower.config import Settings
from clocktower.models import Organization

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
ALLOW_PRIVATE_SETTING = "webhooks_allow_private_targets"


class TargetRefused(Exception):
    """A URL a webhook may not be sent to; the message says why."""


@dataclass(frozen=True)
class Target:
    url: httpx.URL
    address: IpAddress

    def request_arguments(self) -> dict[str, Any]:
        """`url`, `headers` and `extensions` that reach the checked address under the
        URL's own name (Host header, TLS server name and certificate check)."""
        return {
            "url": self.url.copy_with(host=str(self.address)),
            "headers": {"Host": self.url.netloc.decode("ascii")},
            "extensions": {"sni_hostname": self.url.host},
        }


@dataclass(frozen=True)
class TargetPolicy:
    require_https: bool
    allow_private: bool

    @classmethod
    def of(cls, settings: Settings, organization: Organization) -> TargetPolicy:
        # The typed setting (setting.schemas) sits above this package; it validates the
        # stored value as a boolean, so the raw JSON is read as it was written.
        allow = (organization.settings or {}).get(ALLOW_PRIVATE_SETTING) is True
        return cls(require_https=settings.environment == "production", allow_private=allow)


def parse_url(url: str) -> httpx.URL:
    """The URL's syntax: http(s), a host, no fragment. Raises TargetRefused."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as error:
        raise TargetRefused(f"Not a valid URL: {error}") from error
    if parsed.scheme not in ("http", "https"):
        raise TargetRefused("The URL must start with https:// (or http:// in development)")
    if not parsed.host:
        raise TargetRefused("The URL needs a host")
    if parsed.fragment:
        raise TargetRefused("The URL may not have a #fragment")
    return parsed


async def resolve_target(url: str, policy: TargetPolicy) -> Target:
    """The URL and the checked address to connect to. Raises TargetRefused."""
    parsed = parse_url(url)
    if policy.require_https and parsed.scheme != "https":
        raise TargetRefused("Webhook URLs must use https")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    addresses = await _resolve(parsed.host, port)
    for address in addresses:
        reason = _refusal(address, allow_private=policy.allow_private)
        if reason is not None:
            raise TargetRefused(
                f"{parsed.host} resolves to {address}, a {reason} address; webhooks may only "
                "go to public addresses unless the organisation allows private targets"
            )
    return Target(parsed, addresses[0])


async def _resolve(host: str, port: int) -> list[IpAddress]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise TargetRefused(f"The host {host} does not resolve") from error
    addresses: list[IpAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise TargetRefused(f"The host {host} does not resolve")
    return addresses


def _refusal(address: IpAddress, *, allow_private: bool) -> str | None:
    """Why `address` cannot be a target, or None when it can."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_unspecified:
        return "unspecified"
    if address.is_multicast:
        return "multicast"
    if allow_private:
        return None
    for reason, flag in (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
    ):
        if flag:
            return reason
    if not address.is_global:
        return "non-public"
    return None
