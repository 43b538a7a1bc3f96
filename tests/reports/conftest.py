"""One demo county per session with a notice of every type issued (signed with a test certificate)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import notice_scenario  # noqa: E402


@pytest.fixture(scope="session")
def issued(tmp_path_factory):
    """The scenario after review, sign-off and issue of every draft; ``files`` maps type → issued PDF path."""
    folder = tmp_path_factory.mktemp("notices")
    sc = notice_scenario.build(folder)
    from models.services import notice_register
    from reports.issuing import preview

    sc.draft_files = {}
    for doc_type, uuid in sc.drafts.items():
        path = folder / f"{doc_type}-draft.pdf"
        path.write_bytes(preview(sc.db, notice=uuid))
        sc.draft_files[doc_type] = path
        notice_scenario.sign_through(sc, uuid)
    sc.issued = notice_scenario.issue(sc, list(sc.drafts.values()))
    sc.files = {}
    for doc_type, uuid in sc.drafts.items():
        path = folder / f"{doc_type}.pdf"
        path.write_bytes(notice_register.pdf(sc.db, notice=uuid)[1])
        sc.files[doc_type] = path
    (folder / "ca.pem").write_bytes(sc.ca_pem)
    sc.folder = folder
    yield sc
    sc.db.dispose()
