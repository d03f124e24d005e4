"""Single sign-on through any OpenID Connect provider (SPEC S1.3; docs/sso.md)."""
