"""Django's JSON form field answered a number too long for Python's json with a server error
(found by tests/fuzz): it is an invalid input, and the form shown again keeps it."""

from django import forms


class DataForm(forms.Form):
    data = forms.JSONField()


def test_a_number_of_100000_digits_is_invalid_json_not_a_server_error():
    typed = "9" * 100_000
    form = DataForm({"data": typed})
    assert not form.is_valid()
    assert form.has_error("data", code="invalid")
    assert typed in str(form["data"])


def test_valid_json_still_reads():
    form = DataForm({"data": '{"a": 1}'})
    assert form.is_valid() and form.cleaned_data["data"] == {"a": 1}
