"""Every form the fuzz tests post to.

Site forms (every public and signed-in page with a <form method=post>, allauth's included) are
listed in SITE_FORMS: the page that shows the form, who opens it, and the URL name the form
posts to. `post_handling_urls()` reads the URL conf for every view that takes a POST;
tests/fuzz/test_forms.py fails when one of them is neither in SITE_FORMS nor in EXCLUDED (with
the reason), so a new form cannot be forgotten.

Admin forms are found in admin.site._registry at collection time, so a new app's ModelAdmins are
fuzzed without a line here: each add form (when the superuser may add), each change form and the
forms its change page shows (the transition buttons the apps add), each changelist action of
_get_base_actions(), and each page of the ModelAdmin's own get_urls() (attendance, assignment…).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver
from django.views.generic import RedirectView


@dataclass(frozen=True)
class SiteForm:
    page: str  # the access world's URL key (tests/access/urls.py) of the page showing the form
    role: str  # who opens it (tests/fuzz/world.py ROLE_USERS)
    action: str | None = None  # URL name the form posts to; None: the page itself


# key: a readable name -> where the form is. A form seen by anonymous visitors and by people
# signed in is fuzzed as both when the two see different forms.
SITE_FORMS: dict[str, SiteForm] = {
    # -- the site and accounts --
    "set_language": SiteForm("home", "anonymous", "set_language"),
    "account_logout": SiteForm("mypage", "member", "account_logout"),
    "profile_edit": SiteForm("profile_edit", "member"),
    # -- allauth --
    "account_login": SiteForm("account_login", "anonymous"),
    "account_signup": SiteForm("account_signup", "anonymous"),
    "account_reset_password": SiteForm("account_reset_password", "anonymous"),
    "account_reset_password_from_key": SiteForm("account_reset_password_from_key", "anonymous"),
    "account_confirm_email": SiteForm("account_confirm_email", "anonymous"),
    "account_email": SiteForm("account_email", "member_fresh"),
    "account_change_password": SiteForm("account_change_password", "member_fresh"),
    "account_set_password": SiteForm("account_set_password", "no_password"),
    "account_reauthenticate": SiteForm("account_reauthenticate", "member"),
    "mfa_authenticate": SiteForm("mfa_authenticate", "staff_mid_login"),
    "mfa_reauthenticate": SiteForm("mfa_reauthenticate", "staff"),
    "mfa_activate_totp": SiteForm("mfa_activate_totp", "member_fresh"),
    "mfa_deactivate_totp": SiteForm("mfa_deactivate_totp", "staff_fresh"),
    "mfa_generate_recovery_codes": SiteForm("mfa_generate_recovery_codes", "staff_fresh"),
    "usersessions_list": SiteForm("usersessions_list", "member_two_browsers"),
    # -- organizations --
    "organizations:register": SiteForm("organizations:register", "resident"),
    "organizations:edit": SiteForm("organizations:edit", "representative"),
    "organizations:invite": SiteForm(
        "organizations:manage", "representative", "organizations:invite"
    ),
    "organizations:invitation_revoke": SiteForm(
        "organizations:manage", "representative", "organizations:invitation_revoke"
    ),
    "organizations:member_remove": SiteForm(
        "organizations:manage", "representative", "organizations:member_remove"
    ),
    "organizations:invitation": SiteForm("organizations:invitation", "resident"),
    # -- partners --
    "partners:register": SiteForm("partners:register", "resident"),
    "partners:registration_edit": SiteForm("partners:registration_edit[applied]", "member"),
    "partners:contact_edit": SiteForm("partners:contact_edit", "member"),
    "partners:registration_status": SiteForm(
        "partners:registration_detail", "member", "partners:registration_status"
    ),
    "partners:report_create": SiteForm("partners:report_create", "member"),
    "partners:pickup_new": SiteForm("partners:pickup_new", "member"),
    "partners:supplies_new": SiteForm("partners:supplies_new", "member"),
    "partners:loan_new": SiteForm("partners:loan_new", "member"),
    "partners:request_cancel": SiteForm(
        "partners:request_list", "member", "partners:request_cancel"
    ),
    "partners:opportunity_signup": SiteForm(
        "partners:opportunity_detail", "member", "partners:opportunity_signup"
    ),
    "partners:opportunity_signup_cancel": SiteForm(
        "partners:opportunity_detail", "member", "partners:opportunity_signup_cancel"
    ),
    # -- subsidies --
    "subsidies:apply": SiteForm("subsidies:apply", "member"),
    "subsidies:application_edit": SiteForm("subsidies:application_edit", "member"),
    "subsidies:application_documents": SiteForm("subsidies:application_documents", "member"),
    "subsidies:attachment_delete": SiteForm(
        "subsidies:application_documents", "member", "subsidies:attachment_delete"
    ),
    "subsidies:application_confirm": SiteForm("subsidies:application_confirm", "member"),
    "subsidies:application_withdraw": SiteForm("subsidies:application_withdraw", "member"),
    "subsidies:application_stop": SiteForm("subsidies:application_stop", "member"),
    "subsidies:consultation_book": SiteForm("subsidies:consultation_book", "member"),
    "subsidies:change_request": SiteForm("subsidies:change_request", "member"),
    "subsidies:report": SiteForm("subsidies:report", "member"),
    "subsidies:review_detail": SiteForm("subsidies:review_detail", "reviewer"),
    # -- publiccomment --
    "publiccomment:submit": SiteForm("publiccomment:submit", "anonymous"),
    "publiccomment:submit[signed in]": SiteForm("publiccomment:submit", "member"),
    # -- entalk --
    "entalk:request_new": SiteForm("entalk:request_new", "member"),
    "entalk:request_answer": SiteForm("entalk:request_detail", "member", "entalk:request_answer"),
    "entalk:request_cancel": SiteForm("entalk:request_cancel", "member"),
    "entalk:calendar_feed_new": SiteForm(
        "entalk:request_detail", "member", "entalk:calendar_feed_new"
    ),
    # -- councils --
    "councils:signup": SiteForm("councils:signup", "anonymous"),
    "councils:signup[signed in]": SiteForm("councils:signup", "resident"),
    "councils:signup[training]": SiteForm("councils:signup[training]", "resident"),
    "councils:signup_confirm": SiteForm("councils:signup_confirm", "anonymous"),
    "councils:guest_cancel": SiteForm(
        "councils:guest_signup", "anonymous", "councils:guest_cancel"
    ),
    "councils:signup_cancel": SiteForm(
        "councils:signup_detail", "member", "councils:signup_cancel"
    ),
    "councils:pool_leave": SiteForm("councils:pool_leave", "member"),
}

# Forms that save what was typed correctly even when they come back with errors, by design: the
# tables they may write on a 200 (every other table must stay as it was), and why.
SAVES_WHAT_IS_VALID: dict[str, tuple[set[str], str]] = {
    "subsidies:application_edit": (
        {
            "subsidies_application",
            "subsidies_application_partner_organizations",
            "subsidies_incomeline",
            "subsidies_expenseline",
        },
        "the plan of a draft application keeps every field typed correctly and says which are "
        "not (a draft, submitted only from the confirmation page)",
    ),
}

ALLAUTH_OFF = "allauth's sign-in by e-mailed code, which the portal does not switch on"
# URL names whose view takes a POST but that have no form to fuzz here, with the reason.
EXCLUDED: dict[str, str] = {
    "account_confirm_login_code": ALLAUTH_OFF,
    "account_request_reauthentication_code": ALLAUTH_OFF,
    "account_confirm_reauthentication_code": ALLAUTH_OFF,
    "mfa_download_recovery_codes": "allauth: a download, its POST is not a form of the portal",
    "mfa_view_recovery_codes": "allauth: shows the codes, no form",
    "mfa_index": "allauth: the list of second factors, no form",
    "account_inactive": "allauth: a page that says the account is off, no form",
    "account_email_verification_sent": "allauth: a page that says the mail went, no form",
    "account_reset_password_done": "allauth: a page that says the mail went, no form",
    "account_reset_password_from_key_done": "allauth: a page that says it is done, no form",
    "signed_out": "the page after signing out: no form (refuses a POST: tests/access)",
    "bench_baseline": "benchmark harness only (settings.BENCH_BASELINE)",
    "csp_report": (
        "a browser's JSON report, no form: bad JSON 400, too large 413, rate-limited, no "
        "database write (tests/muroran_kyodo/test_csp.py)"
    ),
    # allauth's passkey ceremonies post the credential the browser's authenticator made (JSON
    # from WebAuthn), which generated form fields cannot produce; tests/e2e/test_passkeys.py
    # runs them in Chromium with a virtual authenticator, tests/accounts/test_passkeys.py with
    # one in Python, and posts malformed credentials to adding, confirming and signing in.
    **dict.fromkeys(
        (
            "mfa_add_webauthn",
            "mfa_edit_webauthn",
            "mfa_login_webauthn",
            "mfa_reauthenticate_webauthn",
            "mfa_remove_webauthn",
        ),
        "allauth: a WebAuthn ceremony (tests/e2e/test_passkeys.py, tests/accounts/test_passkeys.py)",
    ),
    # Short forms of the one-time links and of ending a session (a button, or one address);
    # their refusals (another's session, a used, expired or foreign link) are tested in
    # tests/accounts/test_staff_enrolment.py, test_lockout.py and test_sessions.py.
    "staff_enrolment": "one button (send a new link): tests/accounts/test_staff_enrolment.py",
    "staff_enrolment_link": "a one-time link: tests/accounts/test_staff_enrolment.py",
    "login_unlock": (
        "the locked address (hidden on the sign-in page, typed on its own page): one answer "
        "whatever is typed, rate-limited; tests/accounts/test_lockout.py"
    ),
    "login_unlock_link": "a one-time link: tests/accounts/test_lockout.py",
    "usersession_end": "one button per session: tests/accounts/test_sessions.py",
    "personal_data": (
        "staff only (accounts.disclose_personal_data), its export and correction forms appear "
        "after a search (GET): empty, over-long and refused values, 403 and 405 in "
        "tests/muroran_kyodo/test_personal_data.py, the journey in tests/e2e/test_personal_data.py"
    ),
}


def site_action(key: str) -> str:
    form = SITE_FORMS[key]
    return (form.action or form.page).split("[", 1)[0]


def url_patterns(patterns=None, namespace=None):
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from url_patterns(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield name, pattern.callback


def takes_post(callback) -> bool:
    """Whether a view handles POST: a class-based view with post() that allows it, or a function
    view whose code (decorators included) speaks of POST."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        if issubclass(view_class, RedirectView):
            return False
        allowed = getattr(callback, "view_initkwargs", {}).get(
            "http_method_names", view_class.http_method_names
        )
        return hasattr(view_class, "post") and "post" in allowed
    try:
        source = inspect.getsource(inspect.unwrap(callback))
    except (OSError, TypeError):
        return True  # unknown: it must be listed or excluded
    return "POST" in source


def post_handling_urls() -> set[str]:
    """URL names (outside the admin, which is discovered) whose view takes a POST."""
    return {
        name
        for name, callback in url_patterns()
        if name and not name.startswith("admin:") and takes_post(callback)
    }


# --- the admin --------------------------------------------------------------------------------

STANDARD_ADMIN_URLS = ("changelist", "add", "history", "delete", "change")


@dataclass(frozen=True)
class AdminTarget:
    kind: str  # add, change, action, page
    label: str  # app_label.ModelName
    name: str = ""  # the action's name, or the page's URL name

    @property
    def id(self) -> str:
        return f"admin:{self.label}:{self.kind}" + (f":{self.name}" if self.name else "")


def admin_targets() -> list[AdminTarget]:
    targets = []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        targets.append(AdminTarget("add", label))
        targets.append(AdminTarget("change", label))
        for _function, name, _description in model_admin._get_base_actions():
            targets.append(AdminTarget("action", label, name))
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        for url in model_admin.get_urls():
            name = url.name or ""
            suffix = name.removeprefix(prefix)
            if name and suffix not in STANDARD_ADMIN_URLS:
                targets.append(AdminTarget("page", label, name))
    return targets
