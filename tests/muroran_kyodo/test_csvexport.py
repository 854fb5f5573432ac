import csv
import io

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
    body = response.getvalue().decode("utf-8")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="x.csv"' in response["Content-Disposition"]
    assert body.startswith("\ufeffa,b\r\n")
    assert "'=1,室蘭" in body


def test_full_width_formula_signs_are_quoted():
    assert safe_cell('＝HYPERLINK("x")') == '\'＝HYPERLINK("x")'
    assert safe_cell("＋81") == "'＋81"
    assert safe_cell("－1+2") == "'－1+2"
    assert safe_cell("＠SUM(A1)") == "'＠SUM(A1)"


def test_formula_after_leading_blanks_is_quoted():
    for blank in (" ", "  ", "\t", "\u3000", "\r\n", "\n", " \u3000\t"):
        for sign in ("=", "+", "-", "@", "＝", "＠"):
            cell = f"{blank}{sign}1+1"
            assert safe_cell(cell) == "'" + cell, repr(cell)
    assert safe_cell("\tSUM") == "'\tSUM"  # a leading tab or CR as before
    assert safe_cell("\rx") == "'\rx"


def test_text_with_inner_signs_or_only_blanks_is_kept():
    assert safe_cell(" 室蘭=1") == " 室蘭=1"
    assert safe_cell("\u3000輪西") == "\u3000輪西"
    assert safe_cell("   ") == "   "
    assert safe_cell("") == ""


def test_response_streams_in_chunks_with_the_bytes_of_one_file():
    rows = [[n, "＝1+1" if n == 0 else f"室蘭{n}"] for n in range(20_000)]
    response = csv_response("x.csv", ["a", "b"], iter(rows))
    assert response.streaming
    chunks = list(response.streaming_content)
    assert len(chunks) > 1  # sent as it is written, not as one file
    buffer = io.StringIO(newline="")
    buffer.write("\ufeff")
    csv.writer(buffer).writerows([["a", "b"], ["0", "'＝1+1"], *rows[1:]])
    assert b"".join(chunks) == buffer.getvalue().encode("utf-8")
