"""A seeded history of many cases over two years, written straight into the store, that knows the truth.

The generator walks each case through its own process definition (the shipped TOML files): decisions
are drawn from the stage's allowed decisions, stages are entered and left on working days, due days
come from the working-day calendar, conditional stages are skipped by the definition's own rule,
rounds go up on a return, approvals of an older version are voided when a new version arrives, and a
case whose next decision would fall after ``cutoff`` stays open at that stage with its task open.

It bypasses the services for speed (no audit events, no attachments or blobs) but writes the rows the
services would: cases, versions, stage entries, tasks, decisions (with the voided ones), findings.
``Truth`` keeps what happened, independently of the store, for the KPI tests to count from.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text

from reviewkit.domain.calendar import WorkCalendar
from reviewkit.domain.process import ProcessDefinition, load_definition
from reviewkit.rules.model import CATEGORIES
from reviewkit.settings import get_settings
from reviewkit.store.db import require_schema, session_scope
from reviewkit.store.models import Case, Decision, DocumentVersion, Finding, HumanTask, StageEntry, User

TZ = ZoneInfo("Asia/Shanghai")
AUTHORING = {"drafter", "unit_head"}
PEOPLE = {
    "drafter": ["d_wang", "d_li", "d_zhao", "d_sun"],
    "unit_head": ["h_qian", "h_zhou"],
    "legality_reviewer": ["c_wu", "c_zheng", "c_feng"],  # the 审核机构 (legal review 2026-12, P4)
    "counsel": ["o_he"],
    "fair_competition_reviewer": ["f_chen"],
    "leader": ["l_chu", "l_wei"],
    "filing_clerk": ["k_jiang", "k_shen"],
}
REASONS = {
    "应当予以修改": [
        "设定行政许可条件缺乏法律依据",
        "减损公民、法人权利缺乏上位法依据",
        "引用已废止的法律法规",
        "罚则超出上位法规定的幅度",
        "文号、施行日期等形式不规范",
    ],
    "材料不全，退回补充": ["缺少起草说明", "缺少征求意见采纳情况"],
    "不符合": ["限定经营、购买特定经营者的商品"],
    "退回修改": ["审议意见：条款表述需进一步完善"],
    "需要修改": ["风险防控措施不足"],
    "风险较高，调整草案": ["风险防控措施不足"],
}
TOPICS = [
    "财政专项资金",
    "政府采购代理机构",
    "行政事业单位国有资产",
    "乡镇财政资金",
    "财政投资评审",
    "农村综合改革资金",
    "政府购买服务",
    "会计人员继续教育",
    "非税收入",
    "惠民惠农补贴",
]
SUFFIXES = ["管理办法", "管理办法", "管理暂行办法", "实施细则", "管理试行办法", "监督管理规定"]


@dataclass
class TruthVisit:
    stage: str
    round: int
    entered: date
    left: date | None
    due: date | None
    decision: str | None = None
    outcome: str | None = None
    actor: str | None = None
    opinion: str = ""
    working_days: int = 0  # from entry to the decision (human stages)


@dataclass
class TruthCase:
    number: str
    kind: str
    title: str
    created: date
    flags: frozenset[str]
    visits: list[TruthVisit] = field(default_factory=list)
    published: date | None = None
    doc_number: str | None = None
    findings: list[tuple[str, str, date]] = field(default_factory=list)  # category, severity, day


@dataclass
class Truth:
    cases: list[TruthCase]
    cutoff: date


@cache
def _is_workday(cal: WorkCalendar, d: date) -> bool:
    return cal.is_workday(d)


def _add_working(cal: WorkCalendar, start: date, n: int) -> date:
    d, counted = start, 0
    while counted < n:
        d += timedelta(days=1)
        counted += _is_workday(cal, d)
    return d


def _next_workday(cal: WorkCalendar, d: date) -> date:
    while not _is_workday(cal, d):
        d += timedelta(days=1)
    return d


def _due(
    cal: WorkCalendar, spec_deadline: object, entered: date, events: dict[str, date], created: date
) -> date | None:
    """The due day as ``WorkCalendar.add`` gives it (same rules, memoised workdays for speed)."""
    if spec_deadline is None:
        return None
    counted_from = spec_deadline.counted_from
    trigger = {"stage_entered": entered, "case_started": created}.get(counted_from, events.get(counted_from))
    if trigger is None:
        return None
    days = spec_deadline.days
    if spec_deadline.unit == "working":
        return _add_working(cal, trigger, days)
    return _next_workday(cal, trigger + timedelta(days=days))


def _moment(d: date, minute: int) -> datetime:
    return datetime.combine(d, time(9, 0), TZ).astimezone(UTC) + timedelta(minutes=minute)


class _Walker:
    def __init__(self, rng: random.Random, cal: WorkCalendar, cutoff: date, late_share: float) -> None:
        self.rng, self.cal, self.cutoff, self.late_share = rng, cal, cutoff, late_share

    def pick(self, stage_id: str, labels: list[tuple[str, str]], round_: int) -> tuple[str, str]:
        rng = self.rng
        passing = [x for x in labels if x[1] == "pass"]
        if stage_id == "revision":
            return next(x for x in labels if x[0] == "提交修改稿")
        if stage_id == "filing":
            return labels[0] if rng.random() < 0.85 else labels[1]
        if round_ >= 3 or len(labels) == 1:
            return passing[0]
        weights = {
            "pass": 0.72 if stage_id in ("legality_review", "legal_review") else 0.9,
            "revise": 0.2,
            "reject": 0.03,
        }
        return rng.choices(
            labels, [weights[o] / max(1, sum(1 for x in labels if x[1] == o)) for _, o in labels]
        )[0]

    def duration(self, stage_id: str, due_working: int | None) -> int:
        rng = self.rng
        if stage_id == "consultation":
            return rng.randint(23, 30)  # ≥ 30 calendar days: business documents need it
        if due_working is None:
            return rng.randint(1, 12)
        if rng.random() < self.late_share:
            return due_working + rng.randint(1, 8)
        return rng.randint(max(1, due_working // 3), due_working)

    def walk(self, case: TruthCase, definition: ProcessDefinition, rows: _Rows) -> None:
        rng, cal = self.rng, self.cal
        stage = definition.first_stage(case.flags)
        day, round_, events = case.created, 1, {"case_started": case.created}
        minute = 0
        version = rows.version(case, 1, day, minute)
        while True:
            spec = definition.stage(stage)
            due = _due(cal, spec.deadline, day, events, case.created)
            visit = TruthVisit(stage, round_, day, None, due)
            case.visits.append(visit)
            minute += 1
            entry = rows.entry(case, visit, minute)
            if spec.kind == "end":
                visit.left = day
                entry["left_at"] = _moment(day, minute)
                return
            if spec.kind == "auto":  # pre-review of the current version, once per version
                rows.prereview(case, version, day, minute, rng)
                visit.left, visit.decision, visit.outcome, visit.actor = day, "完成", "pass", "system"
                entry.update(left_at=_moment(day, minute), outcome="完成", actor="system")
                assert spec.next is not None
                stage = definition.resolve(spec.next, case.flags)
                continue
            task = rows.task(case, visit, version, minute, list(spec.roles))
            label, outcome = self.pick(stage, [(d.label, d.outcome) for d in spec.decisions], round_)
            if spec.deadline is not None and spec.deadline.unit == "calendar":
                late = rng.random() < self.late_share
                span = spec.deadline.days + rng.randint(3, 15) if late else rng.randint(1, spec.deadline.days)
                decided = max(_next_workday(cal, day + timedelta(days=span)), _add_working(cal, day, 1))
                k = sum(_is_workday(cal, day + timedelta(days=i)) for i in range(1, (decided - day).days + 1))
            else:
                k = self.duration(stage, spec.deadline.days if spec.deadline else None)
                decided = _add_working(cal, day, k)
            if decided > self.cutoff:
                return  # still open at the cutoff: the task waits
            chosen = spec.decision(label)
            actor = self.actor(case, spec.roles)
            opinion = rng.choice(REASONS.get(label, [""])) if outcome == "revise" else ""
            minute += 1
            visit.left, visit.decision, visit.outcome, visit.actor = decided, label, outcome, actor
            visit.opinion, visit.working_days = opinion, k
            entry.update(left_at=_moment(decided, minute), outcome=label, actor=actor)
            facts = self.facts(stage, case, day, decided)
            signers = (
                spec.approval.signers if spec.approval and spec.approval.mode in ("all", "sequential") else []
            )
            for role in signers[:-1] if outcome == "pass" else []:
                rows.decision(
                    case,
                    task,
                    visit,
                    version,
                    self.actor(case, [role]),
                    role,
                    label,
                    outcome,
                    "",
                    True,
                    minute,
                )
            rows.decision(
                case,
                task,
                visit,
                version,
                actor,
                spec.roles[0],
                label,
                outcome,
                opinion,
                False,
                minute,
                facts,
            )
            task.update(status="decided", decided_at=_moment(decided, minute))
            for e in chosen.clears:
                events.pop(e, None)
            if chosen.emits:
                events[chosen.emits] = decided
            if spec.assigns_number and outcome == "pass":
                case.published = decided
            if outcome == "revise":
                round_ += 1
            if stage == "revision":  # a new version: approvals of the old one are void
                version = rows.version(case, version["seq"] + 1, decided, minute)
                rows.void_old(case, version, definition)
            day, stage = decided, definition.resolve(chosen.target, case.flags)

    def actor(self, case: TruthCase, roles: list[str]) -> str:
        role = roles[0]
        if role == "drafter":
            return case_drafter(case)
        return self.rng.choice(PEOPLE[role])

    def facts(self, stage: str, case: TruthCase, entered: date, decided: date) -> dict[str, str]:
        if stage != "consultation":
            return {}
        facts = {
            "consultation_start": (entered + timedelta(days=1)).isoformat(),
            "consultation_end": decided.isoformat(),
        }
        if "touches_business" in case.flags:
            facts["market_players_consulted"] = "书面征求经营主体和行业协会意见"
        return facts


def case_drafter(case: TruthCase) -> str:
    return PEOPLE["drafter"][int(hashlib.sha1(case.number.encode()).hexdigest(), 16) % len(PEOPLE["drafter"])]


class _Rows:
    """The rows of every case as plain dicts with ids assigned here; inserted with executemany."""

    def __init__(self, first_ids: dict[str, int]) -> None:
        self.next = dict(first_ids)
        self.cases: dict[str, dict[str, Any]] = {}
        self.versions: list[dict[str, Any]] = []
        self.entries: list[dict[str, Any]] = []
        self.tasks: list[dict[str, Any]] = []
        self.decisions: list[dict[str, Any]] = []
        self.findings: list[dict[str, Any]] = []
        self.reviewed: set[int] = set()

    def _id(self, table: str) -> int:
        self.next[table] += 1
        return self.next[table]

    def case(self, number: str, **values: Any) -> dict[str, Any]:
        row = {
            "id": self._id("cases"),
            "number": number,
            "round": 1,
            "status": "open",
            "facts": {},
            "current_version_id": None,
            "doc_number": None,
            "published_on": None,
            "flow_run_id": None,
            **values,
        }
        self.cases[number] = row
        return row

    def version(self, case: TruthCase, seq: int, day: date, minute: int) -> dict[str, Any]:
        row = {
            "id": self._id("document_versions"),
            "case_id": self.cases[case.number]["id"],
            "seq": seq,
            "filename": f"v{seq}.docx",
            "sha256": hashlib.sha256(f"{case.number}-{seq}".encode()).hexdigest(),
            "size": 1000 + seq,
            "submitted_by": case_drafter(case),
            "note": "初稿" if seq == 1 else "修改稿",
            "created_at": _moment(day, minute),
            "prereviewed_at": None,
        }
        self.versions.append(row)
        self.cases[case.number]["current_version_id"] = row["id"]
        return row

    def entry(self, case: TruthCase, visit: TruthVisit, minute: int) -> dict[str, Any]:
        row = {
            "id": self._id("stage_entries"),
            "case_id": self.cases[case.number]["id"],
            "stage": visit.stage,
            "round": visit.round,
            "entered_at": _moment(visit.entered, minute),
            "left_at": None,
            "due_on": visit.due,
            "due_complete": True,
            "outcome": None,
            "actor": None,
        }
        self.entries.append(row)
        return row

    def task(
        self, case: TruthCase, visit: TruthVisit, version: dict[str, Any], minute: int, roles: list[str]
    ) -> dict[str, Any]:
        row = {
            "id": self._id("human_tasks"),
            "case_id": self.cases[case.number]["id"],
            "stage": visit.stage,
            "round": visit.round,
            "candidate_roles": roles,
            "assignee": None,
            "due_on": visit.due,
            "version_id": version["id"],
            "version_sha256": version["sha256"],
            "status": "open",
            "created_at": _moment(visit.entered, minute),
            "decided_at": None,
            "resumed_at": None,
        }
        self.tasks.append(row)
        return row

    def decision(
        self,
        case: TruthCase,
        task: dict[str, Any],
        visit: TruthVisit,
        version: dict[str, Any],
        actor: str,
        role: str,
        label: str,
        outcome: str,
        opinion: str,
        signature_only: bool,
        minute: int,
        facts: dict[str, str] | None = None,
    ) -> None:
        self.decisions.append(
            {
                "id": self._id("decisions"),
                "case_id": self.cases[case.number]["id"],
                "task_id": task["id"],
                "stage": visit.stage,
                "round": visit.round,
                "decision": label,
                "facts": facts or {},
                "signature_only": signature_only,
                "outcome": outcome,
                "opinion": opinion,
                "actor": actor,
                "role": role,
                "channel": "cli",
                "version_sha256": version["sha256"],
                "on_behalf_of": None,
                "voided_at": None,
                "voided_reason": None,
                "created_at": _moment(visit.left or visit.entered, minute),
            }
        )

    def void_old(self, case: TruthCase, version: dict[str, Any], definition: ProcessDefinition) -> None:
        reviewing = {s.id for s in definition.stages if s.kind == "human" and not set(s.roles) <= AUTHORING}
        case_id = self.cases[case.number]["id"]
        for d in reversed(self.decisions):
            if d["case_id"] != case_id:
                break
            if (
                d["outcome"] == "pass"
                and d["voided_at"] is None
                and d["stage"] in reviewing
                and d["version_sha256"] != version["sha256"]
            ):
                d["voided_at"], d["voided_reason"] = (
                    version["created_at"],
                    f"文稿已更新为第 {version['seq']} 稿",
                )

    def prereview(
        self, case: TruthCase, version: dict[str, Any], day: date, minute: int, rng: random.Random
    ) -> None:
        if version["id"] in self.reviewed:
            return
        self.reviewed.add(version["id"])
        version["prereviewed_at"] = _moment(day, minute)
        for _ in range(rng.choices([0, 1, 2, 3, 4], [0.35, 0.3, 0.2, 0.1, 0.05])[0]):
            category = rng.choice(CATEGORIES)
            severity = rng.choice(["error", "warning", "info"])
            case.findings.append((category, severity, day))
            self.findings.append(
                {
                    "id": self._id("findings"),
                    "case_id": self.cases[case.number]["id"],
                    "version_id": version["id"],
                    "rule_id": f"GEN-{category.upper()}",
                    "category": category,
                    "severity": severity,
                    "paragraph": None,
                    "text": "",
                    "message": "生成的预审发现",
                    "basis": "",
                    "suggestion": "",
                }
            )


def generate(
    n_cases: int = 1100,
    *,
    seed: int = 20230630,
    first: date = date(2022, 1, 1),
    last: date = date(2023, 12, 31),
    cutoff: date = date(2024, 1, 15),
    late_share: float = 0.12,
) -> Truth:
    """Write ``n_cases`` cases started between ``first`` and ``last`` into the configured store."""
    require_schema()
    rng = random.Random(seed)
    settings = get_settings()
    cal = WorkCalendar(settings.templates_dir / "calendar")
    procs = settings.templates_dir / "processes"
    definitions = {k: load_definition(k, procs) for k in ("normative_document", "major_contract")}
    span = (last - first).days
    workdays = [
        first + timedelta(days=i) for i in range(span + 1) if _is_workday(cal, first + timedelta(days=i))
    ]
    starts = sorted(rng.choice(workdays) for _ in range(n_cases))
    rows, truth, per_year = _Rows(_max_ids()), [], {}
    walker = _Walker(rng, cal, cutoff, late_share)
    for created in starts:
        kind = "normative_document" if rng.random() < 0.8 else "major_contract"
        d = definitions[kind]
        per_year[created.year] = per_year.get(created.year, 0) + 1
        number = f"RK-{created.year}-{per_year[created.year]:04d}"
        flags = (
            frozenset(f for f, p in (("touches_business", 0.4), ("risk_flagged", 0.2)) if rng.random() < p)
            if kind == "normative_document"
            else frozenset()
        )
        title = (
            f"某县{rng.choice(TOPICS)}{rng.choice(SUFFIXES)}"
            if kind == "normative_document"
            else f"某县{rng.choice(TOPICS)}委托服务合同"
        )
        tc = TruthCase(number, kind, title, created, flags)
        rows.case(
            number,
            kind=kind,
            process_version=d.version,
            process_fingerprint=d.fingerprint,
            process_snapshot=d.source,
            title=title,
            drafting_unit="预算股",
            drafter=case_drafter(tc),
            stage=d.start,
            flags=sorted(flags),
            created_at=_moment(created, 0),
            updated_at=_moment(created, 0),
        )
        walker.walk(tc, d, rows)
        truth.append(tc)
    _number_documents(truth, settings.issuer_code)
    _write(rows, truth)
    return Truth(truth, cutoff)


def _number_documents(cases: list[TruthCase], issuer: str) -> None:
    serial: dict[int, int] = {}
    for c in sorted((c for c in cases if c.published), key=lambda c: (c.published, c.number)):
        assert c.published is not None
        serial[c.published.year] = serial.get(c.published.year, 0) + 1
        c.doc_number = f"{issuer}〔{c.published.year}〕{serial[c.published.year]}号"


TABLES = {
    "cases": Case,
    "document_versions": DocumentVersion,
    "stage_entries": StageEntry,
    "human_tasks": HumanTask,
    "decisions": Decision,
    "findings": Finding,
}


def _max_ids() -> dict[str, int]:
    with session_scope() as session:
        return {
            name: int(session.execute(select(func.max(model.id))).scalar() or 0)  # type: ignore[attr-defined]
            for name, model in TABLES.items()
        }


def _write(rows: _Rows, truth: list[TruthCase]) -> None:
    for tc in truth:
        case = rows.cases[tc.number]
        last = tc.visits[-1]
        case["stage"], case["round"] = last.stage, last.round
        case["status"] = "closed" if last.left is not None and last.decision is None else "open"
        case["published_on"], case["doc_number"] = tc.published, tc.doc_number
    with session_scope(write=True) as session:
        for role, names in PEOPLE.items():
            for name in names:
                session.add(
                    User(username=name, display_name=f"{name}（{role}）", unit="某县财政局", roles=[role])
                )
        batches = [
            ("cases", list(rows.cases.values())),
            ("document_versions", rows.versions),
            ("stage_entries", rows.entries),
            ("human_tasks", rows.tasks),
            ("decisions", rows.decisions),
            ("findings", rows.findings),
        ]
        for name, batch in batches:
            if batch:
                session.connection().execute(insert(TABLES[name].__table__), batch)  # type: ignore[attr-defined]
        if session.get_bind().dialect.name == "postgresql":
            for name in TABLES:
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"
                    )
                )
