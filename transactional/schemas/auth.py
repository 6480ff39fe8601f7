"""Login and identity bodies."""

from __future__ import annotations

from pydantic import BaseModel, Field


class TokenPublic(BaseModel):
    """An OAuth2 bearer token."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int


class PrincipalPublic(BaseModel):
    """Who the presented credentials act as."""

    user_id: int
    username: str | None
    role: str
    business_unit: str | None
    supplier_id: str | None


class TokenScoped(TokenPublic):
    """A bearer token, and what it may do: ``full``, or ``mfa_enrol`` (only the MFA
    enrolment endpoints accept it: the user's role needs MFA and it is not set up yet)."""

    scope: str = "full"
    refresh_token: str | None = None  # POST /auth/refresh trades it for a new access token
    refresh_expires_in: int | None = None


class RefreshIn(BaseModel):
    """A refresh token from a login."""

    refresh_token: str = Field(min_length=1, max_length=4096)


class MfaEnrolmentPublic(BaseModel):
    """A new TOTP secret: add it to an authenticator app (shown once)."""

    secret: str
    otpauth_uri: str


class MfaCodeIn(BaseModel):
    """A code from the authenticator app."""

    code: str = Field(min_length=6, max_length=8, pattern=r"^[0-9]{6,8}$")


class MfaRecoveryCodesPublic(BaseModel):
    """One-time recovery codes (shown once; each logs in once instead of a TOTP code)."""

    recovery_codes: list[str]
