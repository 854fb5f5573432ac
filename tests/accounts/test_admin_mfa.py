from allauth.mfa.models import Authenticator


def test_staff_with_second_factor_opens_admin(staff_client):
    response = staff_client.get("/admin/")
    assert response.status_code == 200


def test_staff_without_totp_is_sent_to_the_enrolment_page(client, staff):
    """It says to use the e-mailed link (accounts.staff_enrolment), not to enrol right away."""
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/staff-enrolment/"


def test_staff_with_totp_but_password_only_session_must_pass_it(client, staff):
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(staff)
    response = client.get("/admin/organizations/organization/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/")


def test_resident_gets_403_in_admin(client, resident):
    client.force_login(resident)
    assert client.get("/admin/").status_code == 403


def test_admin_login_form_is_replaced_by_site_login(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
