from muroran_kyodo.lib.csvexport import csv_response, safe_cell


def test_cells_that_a_spreadsheet_would_run_are_quoted():
    assert safe_cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert safe_cell("+81") == "'+81"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"


def test_ordinary_cells_are_kept():
    assert safe_cell("輪西町内会") == "輪西町内会"
    assert safe_cell("0143-22-1111") == "0143-22-1111"
    assert safe_cell(-5) == -5


def test_response_has_bom_header_and_rows():
    response = csv_response("x.csv", ["a", "b"], [["=1", "室蘭"]])
    body = response.content.decode("utf-8")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="x.csv"' in response["Content-Disposition"]
    assert body.startswith("\ufeffa,b\r\n")
    assert "'=1,室蘭" in body
