"""The clamd client against a fake clamd (tests/clamav.py): verdicts, the size limit, and every
way clamd can fail to scan. Runs everywhere, no ClamAV needed."""

import io

import pytest

from muroran_kyodo.lib import clamd
from tests import clamav


@pytest.fixture
def server():
    with clamav.FakeClamd() as fake:
        yield fake


def _scan(data: bytes, address: str, timeout: float = 5) -> clamd.Verdict:
    return clamd.scan(io.BytesIO(data), address=address, timeout=timeout)


def test_a_clean_file_is_ok(server):
    assert _scan(b"hello", server.address) == clamd.Verdict(infected=False)
    assert server.scanned == [b"hello"]


def test_a_virus_is_found_with_its_signature(server):
    verdict = _scan(clamav.eicar_pdf(), server.address)
    assert verdict.infected
    assert verdict.signature == "Eicar-Test-Signature"


def test_a_long_file_is_sent_whole_in_chunks_from_its_start(server):
    data = bytes(range(256)) * 1000 + clamav.EICAR  # past two chunks, the virus at the end
    file = io.BytesIO(data)
    file.seek(100)
    assert clamd.scan(file, address=server.address, timeout=5).infected
    assert server.scanned == [data]
    assert file.tell() == 100  # the caller's position is kept


def test_the_size_limit_is_not_a_verdict(server):
    server.behave("scan", stream_max=1000)
    with pytest.raises(clamd.ClamdSizeLimit, match="size limit exceeded"):
        _scan(b"x" * 300_000, server.address)


def test_a_closed_connection_is_unavailable(server):
    server.behave("close")
    with pytest.raises(clamd.ClamdUnavailable):
        _scan(b"hello", server.address)


def test_no_answer_within_the_timeout_is_unavailable(server):
    server.behave("silent", silence=3)
    with pytest.raises(clamd.ClamdUnavailable, match="did not answer in 0.5 s"):
        _scan(b"hello", server.address, timeout=0.5)


def test_an_error_answer_is_unavailable(server):
    server.behave("garbage")
    with pytest.raises(clamd.ClamdUnavailable, match="unexpected answer"):
        _scan(b"hello", server.address)


def test_nothing_listening_is_unavailable():
    address = clamav.closed_address()
    with pytest.raises(clamd.ClamdUnavailable, match="cannot connect"):
        _scan(b"hello", address)
    assert not clamd.ping(address)


def test_a_unix_socket(tmp_path):
    with clamav.FakeClamd(unix_path=str(tmp_path / "clamd.ctl")) as server:
        assert server.address.startswith("unix:///")
        assert clamd.ping(server.address)
        assert _scan(clamav.EICAR, server.address).infected


def test_ping(server):
    assert clamd.ping(server.address)


@pytest.mark.parametrize(
    "address", ["", "127.0.0.1:3310", "tcp://127.0.0.1", "http://x:1", "unix://"]
)
def test_a_bad_address_says_how_to_write_it(address):
    with pytest.raises(ValueError, match="tcp://host:port"):
        clamd.parse_address(address)
