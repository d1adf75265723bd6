"""The HTTP surface of mediation: each route declares who may call it and its models (`@endpoint`), parses
its input, calls the service with the caller, and returns an output model. No storage here."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.model import Page
from chalicelib.platform.timeutil import today_shanghai
from chalicelib.platform.web import SIGNED_IN, PageQuery, caller, endpoint, expected_version, parse, parse_query
from chalicelib.domain.files.service import FileOut
from plugins.mediation import document, rates, roster, service
from plugins.mediation.models import (
    ConfirmationIn, Contacts, DisputeIn, DisputeOut, DisputeSummary, DisputeTransferIn, ExpertOut, ExpertQuery,
    FollowUpIn, ListQuery, MediatorIn, MediatorOut, OutcomeIn, PartiesUpdateIn, Recommendations,
    ResidentDisputeOut, SessionIn, TrainingIn, TrainingOut, dispute_out,
)

bp = Blueprint(__name__)
TAGS = ("mediation",)
STAFF = service.STAFF


def _out(dispute) -> DisputeOut:
    return dispute_out(dispute, today_shanghai())


def _replayed(item) -> DisputeOut:
    """A retried session or follow-up (same Idempotency-Key): the dispute it was recorded on, as it is now."""
    return _out(service.Dispute.from_item(item))


@bp.route("/disputes", methods=["POST"], authorizer=jwt_auth)
@endpoint("登记矛盾纠纷（起始层级按规则判定并说明理由）", who=STAFF, body=DisputeIn, response=DisputeOut, status=201,
          tags=TAGS, replay=lambda item: _out(service.Dispute.from_item(item)),
          over_floor="the starting tier is decided by the parameters in force at the grid and its holder named "
                     "(the recording mediator's roster entry or the committee by its area) before the write: one "
                     "BatchGetItem of them all, then the transaction")
def open_dispute():
    return _out(service.open_dispute(caller(), parse(DisputeIn)))


@bp.route("/disputes", methods=["GET"], authorizer=jwt_auth)
@endpoint("辖区矛盾纠纷列表", who=STAFF, query=ListQuery, response=Page[DisputeSummary], tags=TAGS)
def list_disputes():
    q = parse_query(ListQuery)
    return service.listing(caller(), q.area, limit=q.limit, cursor=q.cursor)


@bp.route("/my-disputes", methods=["GET"], authorizer=jwt_auth)
@endpoint("我的矛盾纠纷（当事人本人：进展、承办人、下一步、协议书下载、司法确认提示）", who=SIGNED_IN, query=PageQuery,
          response=Page[ResidentDisputeOut], tags=TAGS)
def my_disputes():
    q = parse_query(PageQuery)
    return service.mine(caller(), limit=q.limit, cursor=q.cursor)


@bp.route("/disputes/{dispute_id}", methods=["GET"], authorizer=jwt_auth)
@endpoint("查看一件纠纷（承办地区工作人员或当事人本人）", who=SIGNED_IN, response=DisputeOut, tags=TAGS)
def get_dispute(dispute_id):
    return _out(service.get(caller(), dispute_id))


@bp.route("/disputes/{dispute_id}/contacts", methods=["GET"], authorizer=jwt_auth)
@endpoint("当事人完整联系方式（仅承办调解员，留痕）", who={"mediator"}, response=Contacts, tags=TAGS)
def get_contacts(dispute_id):
    return service.contacts(caller(), dispute_id)


@bp.route("/disputes/{dispute_id}/parties", methods=["PUT"], authorizer=jwt_auth)
@endpoint("补录当事人（受理台转来的纠纷）", who=STAFF, body=PartiesUpdateIn, response=DisputeOut, tags=TAGS)
def record_parties(dispute_id):
    data = parse(PartiesUpdateIn)
    return _out(service.record_parties(caller(), dispute_id, data, expected_version=expected_version(data.version)))


@bp.route("/disputes/{dispute_id}/transfers", methods=["POST"], authorizer=jwt_auth)
@endpoint("上移、下移或移交纠纷（须说明理由）", who=STAFF, body=DisputeTransferIn, response=DisputeOut, tags=TAGS)
def transfer(dispute_id):
    data = parse(DisputeTransferIn)
    return _out(service.transfer(caller(), dispute_id, data, expected_version=expected_version(data.version)))


@bp.route("/disputes/{dispute_id}/sessions", methods=["POST"], authorizer=jwt_auth)
@endpoint("记录一次调解", who=STAFF, body=SessionIn, response=DisputeOut, status=201, tags=TAGS,
          replay=_replayed,
          over_floor="the answer is the whole dispute with its new session, which no transaction returns, so the "
                     "dispute is read (its holder, state, intake day and number of sessions checked) and written "
                     "on the version read")
def add_session(dispute_id):
    data = parse(SessionIn)
    return _out(service.add_session(caller(), dispute_id, data, expected_version=expected_version(data.version)))


@bp.route("/disputes/{dispute_id}/outcome", methods=["PUT"], authorizer=jwt_auth)
@endpoint("记录调解结果并结案", who=STAFF, body=OutcomeIn, response=DisputeOut, tags=TAGS)
def record_outcome(dispute_id):
    data = parse(OutcomeIn)
    return _out(service.record_outcome(caller(), dispute_id, data, expected_version=expected_version(data.version)))


@bp.route("/disputes/{dispute_id}/recommendations", methods=["GET"], authorizer=jwt_auth)
@endpoint("推荐调解员（就近、有同类经验、承办量可承受，附理由）", who=STAFF, response=Recommendations, tags=TAGS,
          over_floor="the district's roster, whose entries carry each mediator's load tally, is one Query that no "
                     "BatchGetItem can hold; the dispute is read with the load limit in force at the grid its id names")
def recommendations(dispute_id):
    return roster.recommend(caller(), dispute_id)


@bp.route("/mediators", methods=["POST"], authorizer=jwt_auth)
@endpoint("调解员列入名册", who={"mediator"}, body=MediatorIn, response=MediatorOut, status=201, tags=TAGS)
def enrol_mediator():
    return MediatorOut.of(roster.enrol(caller(), parse(MediatorIn)))


@bp.route("/mediators", methods=["GET"], authorizer=jwt_auth)
@endpoint("调解员名册", who=STAFF, query=ListQuery, response=Page[MediatorOut], tags=TAGS)
def list_mediators():
    q = parse_query(ListQuery)
    return roster.roster(caller(), q.area, limit=q.limit, cursor=q.cursor)


@bp.route("/mediators/{mediator_id}/trainings", methods=["POST"], authorizer=jwt_auth)
@endpoint("记录调解员参加培训（课程、时长、日期、举办单位；计入年度培训时长）", who={"mediator"}, body=TrainingIn,
          response=TrainingOut, status=201, tags=TAGS)
def record_training(mediator_id):
    return TrainingOut.of(roster.record_training(caller(), mediator_id, parse(TrainingIn)))


@bp.route("/mediators/{mediator_id}/trainings", methods=["GET"], authorizer=jwt_auth)
@endpoint("调解员培训记录（新近在前）", who=STAFF, query=PageQuery, response=Page[TrainingOut], tags=TAGS,
          over_floor="only for an empty page or a caller below the area a training was recorded under: the access "
                     "check then reads the roster entry, which shares the trainings' partition but sorts before them "
                     "while the list is newest first")
def list_trainings(mediator_id):
    q = parse_query(PageQuery)
    return roster.trainings(caller(), mediator_id, limit=q.limit, cursor=q.cursor)


@bp.route("/rates", methods=["GET"], authorizer=jwt_auth)
@endpoint("调解成功率与基层化解率（按区域、月份；调解员、网格员及辖区管理员）", who=rates.READERS, query=rates.RatesQuery, response=rates.RatesOut, tags=TAGS)
def get_rates():
    q = parse_query(rates.RatesQuery)
    start, end = q.period(today_shanghai())
    return rates.rates(caller(), q.area, start, end)


@bp.route("/disputes/{dispute_id}/agreement-document", methods=["POST"], authorizer=jwt_auth)
@endpoint("生成人民调解协议书（DOCX，存为纠纷附件，当事人和调委会可下载）", who=STAFF, response=FileOut, status=201,
          tags=TAGS,
          over_floor="the document is rendered from the dispute, so the dispute is read (its holder decides "
                     "access) before the one transaction that writes the file, its audit entry and the agreement "
                     "naming it")
def generate_agreement_document(dispute_id):
    who = caller()
    return FileOut.of(document.generate(who, dispute_id), who)


@bp.route("/experts", methods=["GET"], authorizer=jwt_auth)
@endpoint("网格公示的调解专家库（按纠纷类型）", who=SIGNED_IN, query=ExpertQuery, response=Page[ExpertOut], tags=TAGS)
def list_experts():
    return roster.experts(parse_query(ExpertQuery))


@bp.route("/disputes/{dispute_id}/follow-ups", methods=["POST"], authorizer=jwt_auth)
@endpoint("记录调解协议履行回访", who=STAFF, body=FollowUpIn, response=DisputeOut, status=201, tags=TAGS,
          replay=_replayed,
          over_floor="the answer is the whole dispute with its new follow-up, which no transaction returns, so the "
                     "dispute is read (its holder, agreement and number of follow-ups checked) and written on the "
                     "version read")
def add_follow_up(dispute_id):
    data = parse(FollowUpIn)
    return _out(service.follow_up(caller(), dispute_id, data, expected_version=expected_version(data.version)))


@bp.route("/disputes/{dispute_id}/confirmation", methods=["PUT"], authorizer=jwt_auth)
@endpoint("记录当事人申请司法确认及法院裁定（人民调解法第三十三条）", who=STAFF, body=ConfirmationIn, response=DisputeOut,
          tags=TAGS)
def record_confirmation(dispute_id):
    data = parse(ConfirmationIn)
    return _out(service.record_confirmation(caller(), dispute_id, data,
                                            expected_version=expected_version(data.version)))
