"""Write endpoints of the scoring pages for the global permission-matrix test.

Each case: url name, a callable building the URL kwargs (creating the assessment it needs through the
services, as the system actor), a callable building valid POST data, and the roles allowed. The unit
reporter of the `users` fixture belongs to Sở Tư pháp (STP), so the self-assessment endpoints act on a
department template for STP; the appraisal endpoints act on district H01 (in the officer's province).
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

DEPARTMENT_YAML = """\
code: par-dept-matrix
name: Chỉ số CCHC cấp sở (ma trận quyền)
year: 2022
unit_kind: so_nganh
bands:
  - {min: 80, label: Tốt}
  - {min: 0, label: Yếu}
criteria:
  - code: "1"
    name: Công tác chỉ đạo, điều hành CCHC
    children:
      - {code: "1.1", name: "Kế hoạch CCHC", max: 2}
      - {code: "1.2", name: "Báo cáo CCHC", max: 1}
"""

DISTRICT_YAML = DEPARTMENT_YAML.replace("par-dept-matrix", "par-district-matrix").replace(
    "unit_kind: so_nganh", "unit_kind: huyen"
)


def _template(text: str) -> Any:
    from cchc.scoring import services

    return services.load_template_text(text)[0]


def _stp_assessment(tree: Any) -> Any:
    from cchc.scoring import services

    return services.get_or_create_assessment(_template(DEPARTMENT_YAML), tree["stp"], 2022, services.SYSTEM)


def _h01_submitted(tree: Any, appraised: bool = False) -> Any:
    from cchc.scoring import services

    actor = services.SYSTEM
    assessment = services.get_or_create_assessment(_template(DISTRICT_YAML), tree["district_a"], 2022, actor)
    services.save_self_scores(assessment, actor, {"1.1": ("2", ""), "1.2": ("1", "")}, assessment.version)
    services.submit(assessment, actor)
    if appraised:
        services.save_appraisal(assessment, actor, {"1.2": ("0,5", "Trễ hạn")})
    return assessment


def _version_of(unit_code: str) -> int:
    from cchc.scoring.models import Assessment

    return Assessment.objects.get(unit__code=unit_code, year=2022).version


def _start_kwargs(tree: Any) -> dict[str, Any]:
    _template(DEPARTMENT_YAML)
    return {"code": "par-dept-matrix", "unit_code": tree["stp"].code, "year": 2022}


def _save_data(tree: Any) -> dict[str, Any]:
    return {
        "version": _version_of("STP"),
        "points-1.1": "1,5",
        "comment-1.1": "Đã ban hành",
        "points-1.2": "1",
    }


def _upload_data(tree: Any) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("ke-hoach.pdf", PDF, content_type="application/pdf")}


def _evidence_kwargs(tree: Any) -> dict[str, Any]:
    from cchc.scoring import services

    assessment = _stp_assessment(tree)
    leaf = assessment.leaves.get(code="1.1")
    evidence = services.add_evidence(leaf, SimpleUploadedFile("a.pdf", PDF), services.SYSTEM)
    return {"pk": evidence.pk}


def _appraise_data(tree: Any) -> dict[str, Any]:
    return {"version": _version_of("H01"), "appraised-1.1": "1,75", "acomment-1.1": "Thiếu tài liệu"}


def _publish_kwargs(tree: Any) -> dict[str, Any]:
    _h01_submitted(tree, appraised=True)
    return {"code": "par-district-matrix", "year": 2022}


def _remediation_data(tree: Any) -> dict[str, Any]:
    return {"note-1.1": "Ban hành kế hoạch đúng hạn", "responsible-1.1": tree["stp"].code}


def _nothing(tree: Any) -> dict[str, Any]:
    return {}


CASES: list[dict[str, Any]] = [
    {
        "url_name": "scoring:start",
        "kwargs": _start_kwargs,
        "data": _nothing,
        "allowed": {"admin", "reporter"},
    },
    {
        "url_name": "scoring:save",
        "kwargs": lambda tree: {"pk": _stp_assessment(tree).pk},
        "data": _save_data,
        "allowed": {"admin", "reporter"},
    },
    {
        "url_name": "scoring:upload",
        "kwargs": lambda tree: {"pk": _stp_assessment(tree).pk, "code": "1.1"},
        "data": _upload_data,
        "allowed": {"admin", "reporter"},
    },
    {
        "url_name": "scoring:delete_evidence",
        "kwargs": _evidence_kwargs,
        "data": _nothing,
        "allowed": {"admin", "reporter"},
    },
    {
        "url_name": "scoring:appraise",
        "kwargs": lambda tree: {"pk": _h01_submitted(tree).pk},
        "data": _appraise_data,
        "allowed": {"admin", "officer"},
    },
    {
        "url_name": "scoring:return",
        "kwargs": lambda tree: {"pk": _h01_submitted(tree).pk},
        "data": lambda tree: {"reason": "Thiếu tài liệu kiểm chứng"},
        "allowed": {"admin", "officer"},
    },
    {
        "url_name": "scoring:publish",
        "kwargs": _publish_kwargs,
        "data": _nothing,
        "allowed": {"admin", "officer"},
    },
    {
        "url_name": "scoring:remediation",
        "kwargs": lambda tree: {"pk": _stp_assessment(tree).pk},
        "data": _remediation_data,
        "allowed": {"admin", "officer", "reporter"},
    },
    {
        "url_name": "scoring:compute_auto",
        "kwargs": lambda tree: {"pk": _stp_assessment(tree).pk},
        "data": _nothing,
        "allowed": {"admin", "officer", "reporter"},
    },
]
