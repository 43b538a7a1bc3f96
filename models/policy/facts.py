"""Facts the engine reads. The DB side builds these from its rows; nothing here touches a DB."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from models.policy.boundaries import to_decimal
from models.policy.errors import PolicyError

RESPONSIBILITIES = ("一般", "重要", "主要")
DECISION_TYPES = ("行政处罚", "协议处理", "刑事")


@dataclass(frozen=True)
class SubjectFacts:
    uuid: str
    type: str  # practitioner | insured | institution
    name: str
    id_number: str | None = None  # 身份证号 (practitioner, insured)
    credit_code: str | None = None  # 统一社会信用代码 (institution)
    since: date | None = None  # file opened / insured since; None = before any rule matters
    institution_kind: str | None = None  # institutions: hospital / clinic / pharmacy (which indicator tree)


@dataclass(frozen=True)
class RecordFact:
    uuid: str
    kind: str
    decision_date: date
    amount: Decimal | None = None  # fund loss in 元
    responsibility: str | None = None  # 主要 / 重要 / 一般
    decision_type: str | None = None  # 行政处罚 / 协议处理 / 刑事
    decision_id: str | None = None  # same decision = same finding (“一次性记满12分”)
    repaired_on: date | None = None  # date the repair decision took effect
    points_reduction: int = 0  # 减免记分 decided under 济医保发〔2025〕6号四（七）
    corrected_on: date | None = None  # corrected, effects removed, repair commitment made (鲁 第十二条)
    source: str | None = None  # where the information came from (鲁医保发〔2024〕25号 第六条)

    @property
    def label(self) -> str:
        """How documents and explanations name the record: by its case number, not an internal number."""
        if self.decision_id and self.decision_id != self.uuid:
            return f"案件编号{self.decision_id}的记录"
        return f"记录 {self.uuid}"

    def __post_init__(self) -> None:
        if self.amount is not None:
            amount = to_decimal(self.amount)
            if amount < 0:
                raise PolicyError(f"记录 {self.uuid}：损失金额不能为负数")
            object.__setattr__(self, "amount", amount)
        if self.responsibility not in (None, *RESPONSIBILITIES):
            raise PolicyError(f"记录 {self.uuid}：责任程度“{self.responsibility}”应为 一般/重要/主要")
        if self.decision_type not in (None, *DECISION_TYPES):
            raise PolicyError(f"记录 {self.uuid}：决定类型“{self.decision_type}”应为 行政处罚/协议处理/刑事")
        if self.points_reduction < 0:
            raise PolicyError(f"记录 {self.uuid}：减免记分不能为负数")


@dataclass(frozen=True)
class MeasureChoice:
    """The handler's choice inside an allowed range, with the reason the law asks for."""

    ref: str  # record uuid that triggered the measure
    months: int
    reason: str
    start: date | None = None  # defaults to the triggering decision date

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise PolicyError(f"记录 {self.ref}：选择处理期限必须写明理由")


@dataclass(frozen=True)
class YearGrade:
    """A yearly grade already fixed (正式评价结果), for the red list run (磐 第二十一条)."""

    year: int
    grade: str
    decided_on: date | None = None
