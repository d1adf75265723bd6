"""Applying for legal aid and claiming an application filed on one's behalf, and the form's vocabulary
(routes declared on legal aid's blueprint, `blueprint.py`)."""
from __future__ import annotations

from chalicelib.platform import web
from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.web import PUBLIC, endpoint, parse
from plugins.legal_aid import service
from plugins.legal_aid.answers import LegalAidCodeLabel, LegalAidCriterionInfo, LegalAidMatterInfo, LegalAidVocabulary
from plugins.legal_aid.blueprint import APPLICANTS, TAGS, bp, seen
from plugins.legal_aid.bodies import LegalAidApplicationIn, LegalAidClaimIn
from plugins.legal_aid.models import (
    AGRICULTURAL_MATTERS,
    IN_SCOPE,
    Application,
    Category,
    LegalAidApplicationOut,
    MatterType,
)


@bp.route("/criteria", methods=["GET"])
@endpoint("法律援助条件范围清单", who=PUBLIC, response=LegalAidVocabulary, tags=TAGS,
          description="审查依据的各项条件、事项范围和可申报的情形（申请表的选项）。")
def vocabulary():
    from plugins.legal_aid import criteria

    return LegalAidVocabulary(
        criteria=[LegalAidCriterionInfo(code=c.code, title=c.title)
                  for c in (*criteria.ELIGIBILITY, *criteria.ROUTING)],
        matter_types=[LegalAidMatterInfo(code=m.value, label=m.label, in_scope=m in IN_SCOPE,
                                 agricultural=m in AGRICULTURAL_MATTERS) for m in MatterType],
        categories=[LegalAidCodeLabel(code=c.value, label=c.label) for c in Category])


@bp.route("/applications", methods=["POST"], authorizer=jwt_auth)
@endpoint("申请法律援助", who=APPLICANTS, body=LegalAidApplicationIn, response=LegalAidApplicationOut, status=201,
          tags=TAGS,
          description="居民本人申请；网格员或法律援助工作人员可为辖区居民代为申请（返回一次性查询码交给申请人）。"
                      "立即按申请日生效的标准审查资格，逐项给出理由。",
          replay=lambda item: _submitted(Application.from_item(item)),
          over_floor="the eligibility, routing and first deadline stored with the application are decided before "
                     "the write by the means standards and rules in force at the applicant's area that day (the "
                     "policy domain's items with the area's record, one BatchGetItem; attached files one more)")
def submit_application():
    return _submitted(*service.submit(web.caller(), parse(LegalAidApplicationIn)))


def _submitted(app, code=None):
    """The new application as its filer sees it. A replay (same Idempotency-Key) shows it again without the
    one-time tracking code: only its hash is kept."""
    return web.respond(service.seen(web.caller(), app, tracking_code=code), status=201,
                       headers={"Location": f"/v1/legal-aid/applications/{app.id}"})


@bp.route("/claims", methods=["POST"], authorizer=jwt_auth)
@endpoint("认领代为提交的申请", who={"resident"}, body=LegalAidClaimIn, response=LegalAidApplicationOut, tags=TAGS,
          description="网格员或法律援助工作人员代为申请后，申请人凭拿到的查询码和本人身份证号认领（身份证号须与本人实名登记的一致），"
                      "之后可随时查看进度。查询码或身份证号任一不符均为 404 application_not_found；"
                      "每个账号每小时最多尝试 10 次（超过 429 too_many_attempts），未成功的尝试记入审计。",
          over_floor="the caller's real-name record and the claim ticket keyed by code and ID number are one "
                     "BatchGetItem, but the attempt is counted in its own UpdateItem (failed attempts count too) "
                     "before the ticket is used, and the application it names (its owner and version) is read "
                     "before the write")
def claim_application():
    return seen(service.claim(web.caller(), parse(LegalAidClaimIn)))
