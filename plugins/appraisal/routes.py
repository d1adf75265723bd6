"""The HTTP surface of `appraisal` (mounted at /v1/appraisal): parse, call the service with the caller, respond."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.model import Page
from chalicelib.platform.web import (
    PUBLIC, SIGNED_IN, PageQuery, caller, endpoint, expected_version, parse, parse_query, request,
)
from plugins.appraisal import service
from plugins.appraisal.models import (
    ConsultationAnswerIn, ConsultationContactOut, ConsultationIn, ConsultationOut, FeeReliefIn, LicenceIn, LicensedInstitution,
    LicensedInstitutionQuery, UnansweredQuery,
)

bp = Blueprint(__name__)
TAGS = ("appraisal",)


@bp.route("/institutions", methods=["GET"])
@endpoint("对接某网格、核准某类鉴定的司法鉴定机构（最近的在前）", who=PUBLIC, query=LicensedInstitutionQuery,
          response=Page[LicensedInstitution], tags=TAGS,
          over_floor="only where an institution linked to the grid's chain has no licence in the grid's province "
                     "registry (none registered yet, or homed in another province): the chain, its links and the "
                     "registry are one BatchGetItem, and that institution's licence, named only by the links, a "
                     "second")
def appraisal_list_institutions():
    q = parse_query(LicensedInstitutionQuery)
    return service.institutions(q.grid, q.kind, limit=q.limit, cursor=q.cursor)


@bp.route("/institutions/{institution_id}/licence", methods=["PUT"], authorizer=jwt_auth)
@endpoint("登记或修改鉴定机构的执业类别", who={"admin"}, body=LicenceIn, response=LicensedInstitution, tags=TAGS)
def appraisal_set_licence(institution_id):
    data = parse(LicenceIn)
    sent = data.version is not None or bool(request().headers.get("if-match"))
    licence, inst = service.set_licence(caller(), institution_id, data, expected_version(data.version) if sent else None)
    return LicensedInstitution(id=inst.id, name=inst.name, address=inst.address, phone=inst.phone_masked,
                               hours=inst.hours, licence_no=licence.licence_no, kinds=licence.kinds,
                               kind_titles=[service.KINDS[k] for k in licence.kinds], serves_area=inst.home_area,
                               version=licence.version)


@bp.route("/consultations", methods=["POST"], authorizer=jwt_auth)
@endpoint("咨询司法鉴定", who=SIGNED_IN, body=ConsultationIn, response=ConsultationOut, status=201, tags=TAGS,
          replay=lambda item: service.out(service.Consultation.from_item(item)),
          over_floor="the answer shows the statutory clock, whose days are parameters in force at the grid read "
                     "by the policy domain, and the creating transaction returns no values to bring them")
def appraisal_ask():
    return service.out(service.ask(caller(), parse(ConsultationIn)))


@bp.route("/consultations", methods=["GET"], authorizer=jwt_auth)
@endpoint("我的鉴定咨询", who=SIGNED_IN, query=PageQuery, response=Page[ConsultationOut], tags=TAGS)
def appraisal_my_consultations():
    q = parse_query(PageQuery)
    return service.mine(caller(), limit=q.limit, cursor=q.cursor)


@bp.route("/consultations/unanswered", methods=["GET"], authorizer=jwt_auth)
@endpoint("辖区待答复的鉴定咨询", who=service.STAFF, query=UnansweredQuery, response=Page[ConsultationOut], tags=TAGS)
def appraisal_unanswered():
    q = parse_query(UnansweredQuery)
    return service.unanswered(caller(), q.area, limit=q.limit, cursor=q.cursor)


@bp.route("/consultations/{consultation_id}", methods=["GET"], authorizer=jwt_auth)
@endpoint("查看鉴定咨询（本人或辖区工作人员）", who=SIGNED_IN, response=ConsultationOut, tags=TAGS)
def appraisal_get_consultation(consultation_id):
    return service.shown(caller(), consultation_id)


@bp.route("/consultations/{consultation_id}/contact", methods=["GET"], authorizer=jwt_auth)
@endpoint("咨询人的完整联系电话（本人，或办理该咨询的工作人员：待答复时本区及以下的鉴定人、法律援助工作人员，答复后为答复人；留痕）", who=SIGNED_IN, response=ConsultationContactOut, tags=TAGS)
def appraisal_contact(consultation_id):
    return service.contact(caller(), consultation_id)


@bp.route("/consultations/{consultation_id}/answer", methods=["POST"], authorizer=jwt_auth)
@endpoint("答复鉴定咨询并推荐机构", who=service.STAFF, body=ConsultationAnswerIn, response=ConsultationOut, tags=TAGS,
          over_floor="only where an institution linked to the grid's chain has no licence in the grid's province "
                     "registry (none registered yet, or homed in another province): its licence, named only by the "
                     "links read with the consultation, is one BatchGetItem more")
def appraisal_answer(consultation_id):
    data = parse(ConsultationAnswerIn)
    return service.out(*service.answer(caller(), consultation_id, data, expected_version(data.version)))


@bp.route("/consultations/{consultation_id}/fee-relief", methods=["POST"], authorizer=jwt_auth)
@endpoint("申请鉴定费减缓免（按条件即时决定并说明理由）", who=SIGNED_IN, body=FeeReliefIn, response=ConsultationOut,
          tags=TAGS)
def appraisal_fee_relief(consultation_id):
    data = parse(FeeReliefIn)
    return service.out(*service.request_relief(caller(), consultation_id, data, expected_version(data.version)))
