import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The shared `users` fixture hashes four passwords per test; argon2 makes that the slowest part."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
