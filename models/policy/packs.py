"""Policy packs and profiles, loaded from resources/policies/ (JSON, one file per document).

A pack is one document: its number (文号), validity dates and the rules it lays down, each with
article and item. A profile is a county's ordered choice of packs; a pack may be adopted only in
part (`rules`) or as a reference from another region (`reference`), and then every basis it
produces says so, because citing a Zhejiang rule as if it bound a Shandong county would be
inventing law.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Iterator, Mapping

from models.policy.errors import PolicyError
from models.policy.indicator_trees import IndicatorSet, load_indicators

POLICY_DIR = Path(__file__).resolve().parents[2] / "resources" / "policies"
SUBJECT_TYPES = ("practitioner", "insured", "institution")


@dataclass(frozen=True)
class KindDef:
    code: str
    name: str
    subject_type: str
    good: bool
    article: str
    band: tuple[int, int] | None = None
    needs_amount: bool = False
    note: str | None = None


@dataclass(frozen=True, eq=False)
class Rule:
    id: str
    type: str
    article: str
    item: str | None
    params: Mapping[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)

    def kinds(self) -> tuple[str, ...]:
        listed = self.params.get("kinds") or ()
        single = self.params.get("kind")
        return tuple(listed) + ((single,) if single else ())


@dataclass(frozen=True, eq=False)
class Pack:
    id: str
    document_number: str | None
    cite_as: str
    title: str
    jurisdiction: str
    effective_from: date
    effective_to: date | None
    version: str
    validity_basis: str
    kinds: tuple[KindDef, ...]
    rules: tuple[Rule, ...]
    notes: tuple[str, ...] = ()

    def covers(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def period_text(self) -> str:
        end = "长期有效" if self.effective_to is None else self.effective_to.isoformat()
        return f"{self.effective_from.isoformat()} 至 {end}"

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise PolicyError(f"政策包 {self.id} 中没有规则 {rule_id}")


@dataclass(frozen=True, eq=False)
class PackSet:
    packs: Mapping[str, Pack]

    def __getitem__(self, pack_id: str) -> Pack:
        try:
            return self.packs[pack_id]
        except KeyError:
            raise PolicyError(f"未加载政策包“{pack_id}”，已加载：{', '.join(sorted(self.packs))}") from None

    def __iter__(self) -> Iterator[Pack]:
        return iter(self.packs.values())


@dataclass(frozen=True, eq=False)
class ProfileEntry:
    pack: Pack
    rule_ids: frozenset[str] | None  # None = every rule of the pack
    reference: bool = False
    note: str | None = None

    def active_rules(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.pack.rules if self.rule_ids is None or r.id in self.rule_ids)


@dataclass(frozen=True, eq=False)
class Profile:
    id: str
    name: str
    entries: tuple[ProfileEntry, ...]
    indicators: IndicatorSet | None = None
    note: str | None = None
    # Every indicator tree of the profile, each version with its own dates (practitioners, 定点医疗机构, 定点零售药店);
    # empty = only ``indicators``. models.policy.score.tree_for picks the one for a subject and a day.
    trees: tuple[IndicatorSet, ...] = ()

    @property
    def packs(self) -> tuple[Pack, ...]:
        return tuple(e.pack for e in self.entries)

    def entry(self, pack_id: str) -> ProfileEntry:
        return next(e for e in self.entries if e.pack.id == pack_id)

    def __post_init__(self) -> None:
        # Evaluations run per subject over whole counties: index the rules once, not per call.
        by_type: dict[str, list[tuple[ProfileEntry, Rule]]] = {}
        for e in self.entries:
            for r in e.active_rules():
                by_type.setdefault(r.type, []).append((e, r))
        object.__setattr__(self, "_by_type", {t: tuple(v) for t, v in by_type.items()})

    def rules(self, rule_type: str) -> list[tuple[ProfileEntry, Rule]]:
        return list(self._by_type.get(rule_type, ()))

    def rules_for_kind(self, kind: str, *types: str) -> list[tuple[ProfileEntry, Rule]]:
        return [(e, r) for t in types for e, r in self.rules(t) if kind in r.kinds()]


def basis(entry: ProfileEntry, rule: Rule | None = None, article: str | None = None) -> str:
    """“文号 第N条（项）”, prefixed 参照 when the pack is adopted from another region."""
    art = article if article is not None else rule.article + (f"（{rule.item}）" if rule.item else "")
    prefix = "参照" if entry.reference else ""
    return f"{prefix}{entry.pack.cite_as} {art}".strip()


# -- loading ---------------------------------------------------------------------------

def _date(raw: Any, where: str) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError):
        raise PolicyError(f"{where}：日期“{raw}”格式应为 YYYY-MM-DD") from None


def _kind(raw: Mapping[str, Any], where: str) -> KindDef:
    try:
        band = raw.get("band")
        kind = KindDef(
            code=raw["code"], name=raw["name"], subject_type=raw["subject_type"], good=bool(raw["good"]),
            article=raw["article"], band=None if band is None else (int(band[0]), int(band[1])),
            needs_amount=bool(raw.get("needs_amount", False)), note=raw.get("band_note"),
        )
    except (KeyError, TypeError, IndexError) as exc:
        raise PolicyError(f"{where}：记录类别定义不完整（{exc}）") from None
    if kind.subject_type not in SUBJECT_TYPES:
        raise PolicyError(f"{where}：记录类别 {kind.code} 的主体类型“{kind.subject_type}”无法识别")
    if kind.band is not None and not 1 <= kind.band[0] <= kind.band[1]:
        raise PolicyError(f"{where}：记录类别 {kind.code} 的分档 {kind.band} 不合理")
    return kind


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _rule(raw: Mapping[str, Any], where: str) -> Rule:
    try:
        params = {k: v for k, v in raw.items() if k not in ("id", "type", "article", "item")}
        return Rule(raw["id"], raw["type"], raw["article"], raw.get("item"), _freeze(params))
    except KeyError as exc:
        raise PolicyError(f"{where}：规则缺少字段 {exc}") from None


def pack_from_dict(raw: Mapping[str, Any], where: str = "政策包") -> Pack:
    try:
        pack_id = raw["id"]
        where = f"{where} {pack_id}"
        number = raw.get("document_number")
        pack = Pack(
            id=pack_id, document_number=number, cite_as=raw.get("cite_as") or number or raw["title"],
            title=raw["title"], jurisdiction=raw["jurisdiction"],
            effective_from=_date(raw["effective_from"], where), effective_to=_date(raw.get("effective_to"), where),
            version=str(raw["version"]), validity_basis=raw.get("validity_basis", ""),
            kinds=tuple(_kind(k, where) for k in raw.get("kinds", ())),
            rules=tuple(_rule(r, where) for r in raw.get("rules", ())),
            notes=tuple(raw.get("notes", ())),
        )
    except KeyError as exc:
        raise PolicyError(f"{where}：缺少字段 {exc}") from None
    if pack.effective_from is None:
        raise PolicyError(f"{where}：必须填写施行日期 effective_from")
    if pack.effective_to is not None and pack.effective_to < pack.effective_from:
        raise PolicyError(f"{where}：有效期截止日早于施行日")
    ids = [r.id for r in pack.rules]
    if len(ids) != len(set(ids)):
        raise PolicyError(f"{where}：规则编号重复")
    return pack


def load_packs(directory: str | Path | None = None) -> PackSet:
    folder = Path(directory) if directory is not None else POLICY_DIR / "packs"
    packs: dict[str, Pack] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise PolicyError(f"政策包文件 {path.name} 第{exc.lineno}行格式错误：{exc.msg}") from None
        pack = pack_from_dict(raw, f"政策包文件 {path.name}")
        if pack.id in packs:
            raise PolicyError(f"政策包编号 {pack.id} 重复（{path.name}）")
        packs[pack.id] = pack
    return PackSet(MappingProxyType(packs))


def profile_from_dict(raw: Mapping[str, Any], packs: PackSet, indicators: IndicatorSet | None = None,
                      trees: tuple[IndicatorSet, ...] = ()) -> Profile:
    entries = []
    for item in raw["packs"]:
        item = {"pack": item} if isinstance(item, str) else item
        pack = packs[item["pack"]]
        wanted = item.get("rules")
        if wanted is not None:
            unknown = set(wanted) - {r.id for r in pack.rules}
            if unknown:
                raise PolicyError(f"配置 {raw['id']}：政策包 {pack.id} 中没有规则 {', '.join(sorted(unknown))}")
        entries.append(ProfileEntry(pack, None if wanted is None else frozenset(wanted),
                                    bool(item.get("reference", False)), item.get("note")))
    return Profile(raw["id"], raw["name"], tuple(entries), indicators, raw.get("choice_note"), trees)


def indicator_names(raw: Mapping[str, Any]) -> dict[str, str]:
    """The profile's trees by subject kind. ``"indicators": "sample"`` (the form before institutions were
    evaluated) names the practitioners' tree only; the mapping form names one per kind, e.g.
    ``{"practitioner": "sample", "medical": "sample-medical", "pharmacy": "sample-pharmacy"}``."""
    named = raw.get("indicators")
    if not named:
        return {}
    return {"practitioner": named} if isinstance(named, str) else dict(named)


def load_profile(name: str, packs: PackSet | None = None, directory: str | Path | None = None) -> Profile:
    """Load profiles/<name>.json; `directory` is the policies root (packs/, profiles/, indicators/)."""
    root = Path(directory) if directory is not None else POLICY_DIR
    path = root / "profiles" / f"{name}.json"
    if not path.exists():
        raise PolicyError(f"找不到配置文件 {path.name}")
    raw = json.loads(path.read_text(encoding="utf-8"))
    packs = packs if packs is not None else load_packs(root / "packs")
    trees = tuple(load_indicators(root / "indicators" / f"{name}.json") for name in indicator_names(raw).values())
    practitioner = next((t for t in trees if "practitioner" in t.subject_types), None)
    return profile_from_dict(raw, packs, practitioner, trees)


def with_received_packs(profile: Profile, received: Iterable[tuple[Pack, str | None]]) -> Profile:
    """The profile after the packs the city sent (in the order they were installed).

    A pack with the id of one in the profile replaces it (a new version); a pack that names the pack
    it follows (``successor_of``, e.g. the document replacing 鲁医保发〔2024〕25号 after 2026-08-09)
    joins the profile right after it, adopted the same way (same rules, same reference status).
    Any other pack is kept but not applied: a county adopts a new document only through its profile.
    """
    entries = list(profile.entries)
    for pack, successor_of in received:
        ids = [e.pack.id for e in entries]
        if pack.id in ids:
            old = entries[ids.index(pack.id)]
            entries[ids.index(pack.id)] = ProfileEntry(pack, old.rule_ids, old.reference, old.note)
        elif successor_of in ids:
            old = entries[ids.index(successor_of)]
            entries.insert(ids.index(successor_of) + 1, ProfileEntry(pack, old.rule_ids, old.reference, old.note))
    for e in entries:
        missing = (e.rule_ids or frozenset()) - {r.id for r in e.pack.rules}
        if missing:
            raise PolicyError(f"政策包 {e.pack.id} 中没有配置采用的规则 {', '.join(sorted(missing))}")
    return replace(profile, entries=tuple(entries))
