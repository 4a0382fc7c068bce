import pytest

from workerskv.errors import InvalidRequestError
from workerskv.ttl import check_ttl, format_expire_time, parse_ttl


@pytest.mark.parametrize(
    "metadata", [{"ttlInSeconds": "-1"}, {"ttlInSeconds": "0"}, {}, None]
)
def test_parse_ttl_means_no_expiry_for_minus_one_zero_and_absent(
    metadata: dict[str, str] | None,
) -> None:
    assert parse_ttl(metadata) is None


@pytest.mark.parametrize(
    "value", ["abc", "-2", "1.5", "2147483648", "", "--1", "١٢٠", " 60 "]
)
def test_parse_ttl_names_the_field_and_the_bad_value(value: str) -> None:
    with pytest.raises(InvalidRequestError, match="ttlInSeconds") as caught:
        parse_ttl({"ttlInSeconds": value})

    assert repr(value) in str(caught.value) or value in str(caught.value)


def test_parse_ttl_refuses_below_the_workers_kv_minimum() -> None:
    with pytest.raises(InvalidRequestError, match="minimum of 60 seconds"):
        parse_ttl({"ttlInSeconds": "59"})

    assert parse_ttl({"ttlInSeconds": "60"}) == 60


def test_parse_ttl_matches_the_name_case_insensitively() -> None:
    assert parse_ttl({"TTLInSeconds": "120"}) == 120


def test_format_expire_time_is_rfc3339_utc_whole_seconds() -> None:
    assert format_expire_time(1_700_000_000) == "2023-11-14T22:13:20Z"


@pytest.mark.parametrize("ttl", ["120", 1.5, True])
def test_check_ttl_refuses_what_is_not_an_int(ttl: object) -> None:
    with pytest.raises(InvalidRequestError, match="whole number"):
        check_ttl(ttl)  # type: ignore[arg-type]
