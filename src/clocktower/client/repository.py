"""Queries of clients."""

from __future__ import annotations

from clocktower.kit.repository import TenantRepository
from clocktower.models import Client


class ClientRepository(TenantRepository[Client]):
    model = Client
