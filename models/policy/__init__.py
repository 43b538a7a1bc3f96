"""Policy engine (政策规则引擎): pure functions from facts to results. No DB, no Qt.

Work in progress — see docs/policy-packs.md. Entry points so far:
    load_packs(directory=None) -> PackSet
    load_profile(name, packs=None, directory=None) -> Profile
    catalogue(profile) -> list[KindSpec];  catalogue_json(profile) -> list[dict]
"""
from models.policy.catalogue import KindSpec, catalogue, catalogue_all, catalogue_json
from models.policy.errors import PolicyError
from models.policy.packs import PackSet, Profile, load_packs, load_profile
