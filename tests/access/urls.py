"""How each URL name of the matrix is filled in from the world: name -> (kwargs builder)."""

from __future__ import annotations

from subsidies.models import DECLARATIONS


def _pk(key):
    return lambda w: {"pk": getattr(w, key).pk}


def _year(w):
    return {"year": w.programme.fiscal_year}


def _calendar_token(w):
    return {"token": w.entalk_feed.token}


def _token(key):
    return lambda w: {"token": getattr(w, key).token}


ARGS = {
    # accounts
    "staff_enrolment_link": lambda w: {"token": "not-a-token"},
    "login_unlock_link": lambda w: {"token": "not-a-token"},
    "usersession_end": lambda w: {"pk": 999_999},
    # councils
    "councils:council_detail": _pk("councils_council"),
    "councils:council_detail[draft]": _pk("councils_draft_council"),
    "councils:material": _pk("councils_material"),
    "councils:session_detail": _pk("councils_workshop"),
    "councils:session_detail[held]": _pk("councils_held"),
    "councils:session_detail[draft]": _pk("councils_draft_session"),
    "councils:session_detail[training]": _pk("councils_training"),
    "councils:photo": _pk("councils_photo"),
    "councils:photo[pending]": _pk("councils_pending_photo"),
    "councils:session_ics": _pk("councils_workshop"),
    "councils:session_ics[draft]": _pk("councils_draft_session"),
    "councils:signup": _pk("councils_workshop"),
    "councils:signup[training]": _pk("councils_training"),
    "councils:signup[draft]": _pk("councils_draft_session"),
    "councils:signup_sent": _pk("councils_workshop"),
    "councils:signup_confirm": _token("councils_unconfirmed"),
    "councils:signup_confirm[bad]": lambda w: {"token": "not-a-token"},
    "councils:guest_signup": _token("councils_guest_signup"),
    "councils:guest_signup[bad]": lambda w: {"token": "not-a-token"},
    "councils:guest_cancel": _token("councils_guest_signup"),
    "councils:signup_detail": _pk("councils_signup"),
    "councils:signup_cancel": _pk("councils_signup"),
    "councils:signup_print": _pk("councils_signup"),
    # entalk
    "entalk:session_detail": _pk("entalk_session"),
    "entalk:session_detail[confirmed]": _pk("entalk_confirmed"),
    "entalk:session_detail[proposed]": _pk("entalk_request"),
    "entalk:photo": _pk("entalk_photo"),
    "entalk:photo[pending]": _pk("entalk_pending_photo"),
    "entalk:group_calendar_ics": _calendar_token,
    "entalk:group_calendar_ics[bad]": lambda w: {"token": "not-a-token"},
    "entalk:request_detail": _pk("entalk_request"),
    "entalk:request_answer": _pk("entalk_request"),
    "entalk:request_answer[accept]": _pk("entalk_request"),
    "entalk:request_cancel": _pk("entalk_request"),
    "entalk:request_cancel[send]": _pk("entalk_request"),
    "entalk:request_receipt": _pk("entalk_request"),
    # organizations
    "organizations:detail": _pk("organization"),
    "organizations:detail[pending]": _pk("pending_organization"),
    "organizations:registered": _pk("organization"),
    "organizations:manage": _pk("organization"),
    "organizations:receipt": _pk("organization"),
    "organizations:edit": _pk("organization"),
    "organizations:invite": _pk("organization"),
    "organizations:invitation_revoke": lambda w: {
        "pk": w.organization.pk,
        "invitation_pk": w.invitation.pk,
    },
    "organizations:member_remove": lambda w: {
        "pk": w.organization.pk,
        "membership_pk": w.membership.pk,
    },
    "organizations:invitation": lambda w: {"token": w.invitation.token},
    "organizations:project_detail": _pk("project"),
    # partners
    "partners:registration_detail": _pk("registration"),
    "partners:registration_detail[organisation]": _pk("organisation_registration"),
    "partners:registered": _pk("registration"),
    "partners:registration_edit": _pk("registration"),
    "partners:registration_edit[applied]": _pk("applied_registration"),
    "partners:contact_edit": _pk("registration"),
    "partners:registration_status": _pk("registration"),
    "partners:certificate": _pk("registration"),
    "partners:registration_receipt": _pk("registration"),
    "partners:report_receipt": lambda w: {"report_pk": w.report.pk},
    "partners:request_receipt": lambda w: {"kind": "pickup", "request_pk": w.pickup.pk},
    "partners:request_receipt[supplies]": lambda w: {
        "kind": "supplies",
        "request_pk": w.supply_request.pk,
    },
    "partners:programme_detail": lambda w: {"programme": "magokoro"},
    "partners:register": lambda w: {"programme": "pika"},
    "partners:terms": lambda w: {"programme": "pika"},
    "partners:report_create": _pk("registration"),
    "partners:report_list": _pk("registration"),
    "partners:report_photo": lambda w: {"report_pk": w.report.pk},
    "partners:request_list": _pk("registration"),
    "partners:pickup_new": _pk("registration"),
    "partners:supplies_new": _pk("registration"),
    "partners:loan_new": _pk("registration"),
    "partners:request_cancel": lambda w: {
        "pk": w.registration.pk,
        "kind": "pickup",
        "request_pk": w.pickup.pk,
    },
    "partners:opportunity_detail": _pk("opportunity"),
    "partners:opportunity_signup": _pk("shift"),
    "partners:opportunity_signup_cancel": _pk("signup"),
    "partners:signup_receipt": _pk("signup"),
    # subsidies
    "subsidies:programme_detail": _pk("programme"),
    "subsidies:adopted_year": _year,
    "subsidies:adopted_csv": _year,
    "subsidies:adopted_json": _year,
    "subsidies:adopted_detail": _pk("granted"),
    "subsidies:meeting_detail": _year,
    "subsidies:application_detail": _pk("submitted"),
    "subsidies:application_edit": _pk("draft"),
    "subsidies:application_documents": _pk("draft"),
    "subsidies:attachment_delete": lambda w: {
        "pk": w.draft.pk,
        "attachment_pk": w.draft_document.pk,
    },
    "subsidies:application_confirm": _pk("draft"),
    "subsidies:application_submitted": _pk("submitted"),
    "subsidies:application_withdraw": _pk("submitted"),
    "subsidies:application_stop": _pk("granted"),
    "subsidies:attachment": _pk("submitted_document"),
    "subsidies:apply": _pk("programme"),
    "subsidies:consultation_book": _pk("programme"),
    "subsidies:notice_decision": _pk("granted"),
    "subsidies:notice_confirmation": _pk("confirmed"),
    "subsidies:change_request": _pk("granted"),
    "subsidies:report": _pk("granted"),
    "subsidies:application_receipt": _pk("submitted"),
    "subsidies:application_receipt[draft]": _pk("draft"),
    "subsidies:report_receipt": _pk("confirmed"),
    "subsidies:report_receipt[not_reported]": _pk("granted"),
    "subsidies:change_receipt": _pk("change"),
    "subsidies:consultation_receipt": _pk("consultation"),
    "subsidies:change_notice": _pk("approved_change"),
    "subsidies:change_notice[refused]": _pk("change"),
    "subsidies:review_detail": _pk("assignment"),
    # publiccomment
    "publiccomment:case_detail": _pk("comment_case"),
    "publiccomment:case_detail[result]": _pk("comment_result"),
    "publiccomment:case_detail[draft]": _pk("comment_draft"),
    "publiccomment:case_result": _pk("comment_result"),
    "publiccomment:case_result[open]": _pk("comment_case"),
    "publiccomment:case_opinions": _pk("comment_result"),
    "publiccomment:case_opinions[open]": _pk("comment_case"),
    "publiccomment:result_csv": _pk("comment_result"),
    "publiccomment:result_csv[open]": _pk("comment_case"),
    "publiccomment:document": lambda w: {
        "pk": w.comment_case.pk,
        "document_pk": w.comment_document.pk,
    },
    "publiccomment:document[draft]": lambda w: {
        "pk": w.comment_draft.pk,
        "document_pk": w.comment_draft_document.pk,
    },
    "publiccomment:blank_form": _pk("comment_case"),
    "publiccomment:blank_form[draft]": _pk("comment_draft"),
    # publiccomment (sending an opinion)
    "publiccomment:submit": _pk("comment_open_case"),
    "publiccomment:submit[send]": _pk("comment_open_case"),
    "publiccomment:submit[closed]": _pk("comment_closed_case"),
    "publiccomment:submit[draft]": _pk("comment_draft_case"),
    "publiccomment:submission_receipt": _pk("comment_submission"),
}


# A minimal POST body where an empty one would prove nothing: it names the member's objects,
# so a refusal shows that nobody else may act on them.
POST_DATA = {
    # the group accepts the proposed date, or cancels with a reason: lands on its request page
    "entalk:request_answer[accept]": lambda w: {"action": "accept"},
    "entalk:request_cancel[send]": lambda w: {"reason": "会場が使えなくなったため"},
    "entalk:calendar_feed_new": lambda w: {"request": str(w.entalk_request.pk)},
    "organizations:invite": lambda w: {"email": "new-member@example.jp", "role": "member"},
    "partners:registration_status": lambda w: {"status": "suspended"},
    "partners:opportunity_signup": lambda w: {"registration": str(w.registration.pk)},
    "subsidies:application_withdraw": lambda w: {"reason": "日程が合わなくなったため"},
    "subsidies:application_stop": lambda w: {"reason": "会場が使えなくなったため"},
    # the submit button with every declaration ticked (an empty POST is refused on the form)
    "subsidies:application_confirm": lambda w: {
        "_submit": "1",
        **{name: "on" for name, _statement in DECLARATIONS},
    },
    "subsidies:apply": lambda w: {
        "organization": str(w.organization.pk),
        "category": str(w.programme.categories.first().pk),
        "title": "輪西の花壇づくり",
    },
    # a form missing its name: the form comes back, nothing is written
    "publiccomment:submit": lambda w: {"opinion1_text": "意見です。"},
    # a whole form at the send step: anyone may send, and lands on the receipt
    "publiccomment:submit[send]": lambda w: {
        "kind": "individual",
        "name": "室蘭 太郎",
        "address": "室蘭市幸町1番2号",
        "eligibility": "resident",
        "opinion1_text": "意見です。",
        "_submit": "1",
    },
    "publiccomment:submit[draft]": lambda w: {"opinion1_text": "意見です。"},
}


def url_name(key: str) -> str:
    """`name[variant]` -> name."""
    return key.split("[", 1)[0]


def kwargs_for(key, world) -> dict:
    builder = ARGS.get(key)
    return builder(world) if builder else {}


def post_data(key, world) -> dict:
    builder = POST_DATA.get(key)
    return builder(world) if builder else {}
