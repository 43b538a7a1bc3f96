"""Use cases, one module per area.

Importing any service installs the standing's hook on every unit of work (models.services.standing):
whatever path writes a subject's facts, its standing is brought up to date before the transaction commits.
"""
from models.services import standing  # noqa: F401  (installs UnitOfWork.before_commit and the ORM listener)
