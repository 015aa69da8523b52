"""The API tests' token fixture, for the crash suite's clients."""

from tests.api.conftest import api_token

__all__ = ["api_token"]
