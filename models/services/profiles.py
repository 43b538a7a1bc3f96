"""The policy profiles shipped in resources/policies, by name, each loaded once per process.

Below the services that need a profile by name (the catalogue of record kinds, evaluation, inspections,
exchange): loading one needs no database.
"""
from __future__ import annotations

from functools import lru_cache

from models import policy


@lru_cache(maxsize=4)
def profile(name: str) -> policy.Profile:
    return policy.load_profile(name)
