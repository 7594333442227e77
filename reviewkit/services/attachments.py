"""Materials on file (起草说明, 征求意见采纳情况 …): the evidence stages require before they are left."""

from __future__ import annotations

from pathlib import Path

from reviewkit.documents.safety import read_checked
from reviewkit.domain.process import ProcessDefinition
from reviewkit.errors import DocumentError, InvalidInput, NotFound, PermissionDenied
from reviewkit.services import kernel
from reviewkit.services.actors import Actor, acting, channel_of
from reviewkit.services.kernel import get_case
from reviewkit.settings import get_settings
from reviewkit.store import audit, blobs
from reviewkit.store.db import require_schema, session_scope
from reviewkit.store.models import Attachment

ACCEPTED = (".docx", ".txt", ".md")


def evidence_names(definition: ProcessDefinition) -> list[str]:
    names: list[str] = []
    for stage in definition.stages:
        for name in (*stage.evidence, *(e for d in stage.decisions for e in d.evidence)):
            if name not in names:
                names.append(name)
    return names


def read_material(path: Path) -> bytes:
    if path.suffix.lower() not in ACCEPTED:
        raise DocumentError(f"文件《{path.name}》的类型不受支持，材料请用 .docx、.txt 或 .md")
    s = get_settings()
    return read_checked(
        path,
        max_bytes=s.max_upload_bytes,
        max_uncompressed=s.max_uncompressed_bytes,
        max_paragraphs=s.max_paragraphs,
        follow_symlinks=False,
    )  # archived: no links


def attach(case_ref: str | int, name: str, path: Path, by: Actor, *, generated: bool = False) -> Attachment:
    """Put a material on file for the case, bound to the draft version current at that moment."""
    require_schema()
    name = name.strip()
    data = read_material(path)
    stored = blobs.put_bytes(get_settings().resolved_data_dir, data)
    try:
        with session_scope(write=True) as session:
            case = get_case(session, case_ref)
            actor = acting(session, by, case)
            if case.status != "open":
                raise InvalidInput(f"案件 {case.number} 已结束，不能再补充材料")
            definition = kernel.definition_of(case)
            allowed = evidence_names(definition)
            if name not in allowed:
                raise InvalidInput(f"“{name}”不是{definition.name}流程的材料，可选：{'、'.join(allowed)}")
            stage = definition.stage(case.stage)
            if not generated and not actor.roles & set(stage.roles) and "admin" not in actor.roles:
                raise PermissionDenied(f"{actor.label}不是“{stage.name}”环节的办理人，不能补充材料")
            draft = kernel.current_version(session, case)
            item = Attachment(
                case_id=case.id or 0,
                name=name,
                filename=path.name,
                sha256=stored.sha256,
                size=stored.size,
                stage=case.stage,
                round=case.round,
                draft_sha256=draft.sha256,
                submitted_by=actor.username,
                generated=generated,
            )
            session.add(item)
            session.flush()
            audit.append(
                session,
                action="attachment.added",
                actor=actor.username,
                channel=actor.channel,
                role=",".join(sorted(actor.roles)),
                case_id=case.id,
                payload={
                    "name": name,
                    "filename": path.name,
                    "sha256": stored.sha256,
                    "size": stored.size,
                    "stage": case.stage,
                    "round": case.round,
                    "draft_sha256": draft.sha256,
                    "generated": generated,
                },
            )
    except (InvalidInput, PermissionDenied, NotFound) as err:
        blobs.discard(stored)
        kernel.record_refusal(case_ref, by, channel_of(by), "attachment.refused", str(err), {"name": name})
        raise
    except BaseException:
        blobs.discard(stored)
        raise
    return item
