"""Single sign-on queries. Both tables are global (a user and their sign-ins are not
tenant data), so these repositories take no organisation id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update

from clocktower.kit.repository import Repository
from clocktower.models import SsoIdentity, SsoLoginState, User


@dataclass(frozen=True)
class SpentState:
    nonce: str
    code_verifier_encrypted: bytes
    redirect_uri: str


class SsoLoginStateRepository(Repository[SsoLoginState]):
    model = SsoLoginState

    async def purge_expired(self, now: datetime) -> None:
        await self.session.execute(
            delete(SsoLoginState)
            .where(SsoLoginState.expires_at < now)
            .execution_options(synchronize_session=False)
        )

    async def spend(self, provider: str, state_hash: str, now: datetime) -> SpentState | None:
        """Mark a pending state used; one conditional UPDATE, so only one callback wins."""
        result = await self.session.execute(
            update(SsoLoginState)
            .where(
                SsoLoginState.provider == provider,
                SsoLoginState.state_hash == state_hash,
                SsoLoginState.used_at.is_(None),
                SsoLoginState.expires_at > now,
            )
            .values(used_at=now)
            .returning(
                SsoLoginState.nonce,
                SsoLoginState.code_verifier_encrypted,
                SsoLoginState.redirect_uri,
            )
            .execution_options(synchronize_session=False)
        )
        row = result.one_or_none()
        if row is None:
            return None
        return SpentState(
            nonce=row.nonce,
            code_verifier_encrypted=row.code_verifier_encrypted,
            redirect_uri=row.redirect_uri,
        )


class SsoIdentityRepository(Repository[SsoIdentity]):
    model = SsoIdentity

    async def with_user(self, provider: str, subject: str) -> tuple[SsoIdentity, User] | None:
        result = await self.session.execute(
            select(SsoIdentity, User)
            .join(User, User.id == SsoIdentity.user_id)
            .where(SsoIdentity.provider == provider, SsoIdentity.subject == subject)
        )
        row = result.one_or_none()
        return (row[0], row[1]) if row is not None else None

    async def user_by_email(self, email: str) -> User | None:
        result = await self.session.execute(select(User).where(User.email == email))
        return result.scalar_one_or_none()
