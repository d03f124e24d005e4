"""Single sign-on: the provider identities linked to users, and pending sign-in states."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clocktower.models.base import Base, BigId, IdMixin


class SsoIdentity(IdMixin, Base):
    """A user's account at an OpenID provider (`sub` is unique per issuer).

    Audited: a user gaining a way to sign in is an event worth a trail.
    """

    __tablename__ = "sso_identities"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column()
    last_login_at: Mapped[datetime | None] = mapped_column()


class SsoLoginState(IdMixin, Base):
    """One authorisation request in flight: spent once by its callback, within minutes.

    The state itself is kept only as SHA-256; the PKCE verifier is encrypted (AES-GCM,
    bound to the state hash) because whoever holds it can redeem the authorisation code.
    """

    __tablename__ = "sso_login_states"
    __audited__ = False
    __secret_columns__ = frozenset({"code_verifier_encrypted"})

    provider: Mapped[str] = mapped_column(String(40))
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    nonce: Mapped[str] = mapped_column(String(128))
    code_verifier_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    redirect_uri: Mapped[str] = mapped_column(String(2048))
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None] = mapped_column()
