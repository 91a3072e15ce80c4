"""API tokens: shown once, stored only as a hash.

Tokens are 256-bit random strings, so a fast SHA-256 is the right hash here: a slow
password hash (argon2, bcrypt) protects guessable secrets, and would cost every request.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "psl_"


def new_token() -> str:
    """Return a fresh random API token."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Return the stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
