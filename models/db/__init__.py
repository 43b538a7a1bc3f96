"""Storage: typed tables, engine set-up and migrations."""
# Every table module registers its tables on the one metadata when imported. Any import of a module of this
# package runs this first, so the metadata is always complete (relationships name classes of other modules,
# and migrations compare against all of it); the table modules import ``tables`` for the classes they refer
# to, never the other way round.
import models.db.tables  # noqa: F401
import models.db.tables_casework  # noqa: F401  (casework tables on the same metadata)
import models.db.tables_inspections  # noqa: F401  (inspection roster and draws)
import models.db.tables_exchange  # noqa: F401  (exchange tables on the same metadata)
import models.db.tables_subject_list  # noqa: F401  (indexes for subject lists)
import models.db.tables_notices  # noqa: F401  (notice register, steps, deliveries, certificates)
import models.db.tables_program  # noqa: F401  (program versions that opened the file)
import models.db.tables_integrity  # noqa: F401  (the hash chain over rows with legal weight)
import models.db.tables_warnings  # noqa: F401  (credit warnings and their rules)
import models.db.tables_institutions  # noqa: F401  (line objections, yearly ratings, risk, outcomes)
import models.db.tables_appeals  # noqa: F401  (appeals, 济医保发〔2025〕6号 四（八）)
