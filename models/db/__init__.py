"""Storage: typed tables, engine set-up and migrations."""
# Every table module registers on import; loading them here in one order keeps the area modules,
# which import one another, from being entered half-initialised.
import models.db.tables  # noqa: F401,E402
