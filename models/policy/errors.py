"""Errors raised by the policy engine carry a Chinese message a clerk can act on."""


class PolicyError(ValueError):
    """A pack, profile, schedule file or handler choice that the rules cannot accept."""
