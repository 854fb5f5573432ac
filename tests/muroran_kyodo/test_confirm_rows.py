"""confirm_rows: an unanswered optional choice reads 「—」, never 「選択してください」."""

from django import forms

from muroran_kyodo.lib.confirm import confirm_rows


class Sample(forms.Form):
    frequency = forms.ChoiceField(
        label="Frequency",
        choices=[("", "選択してください"), ("weekly", "毎週"), ("monthly", "毎月")],
        required=False,
    )
    colours = forms.MultipleChoiceField(
        label="Colours", choices=[("r", "赤"), ("g", "緑")], required=False
    )
    note = forms.CharField(label="Note", required=False)
    ok = forms.BooleanField(label="OK", required=False)


def rows(data):
    form = Sample(data)
    assert form.is_valid(), form.errors
    return dict(confirm_rows(form))


def test_an_unanswered_choice_reads_as_a_dash_not_as_the_empty_option():
    result = rows({"frequency": ""})
    assert result["Frequency"] == "—"
    assert "選択してください" not in result.values()
    assert result["Colours"] == "—"
    assert result["Note"] == "—"


def test_an_answered_choice_reads_as_its_label():
    result = rows({"frequency": "weekly", "colours": ["r", "g"], "note": "x", "ok": "on"})
    assert result["Frequency"] == "毎週"
    assert result["Colours"] == "赤、緑"
    assert result["Note"] == "x"
    assert result["OK"] in ("Yes", "はい")
