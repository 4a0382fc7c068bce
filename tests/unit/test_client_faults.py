"""How the client reads the Worker's answers: statuses, 404s and error bodies."""

from collections.abc import Awaitable, Callable

import httpx
import pytest

from tests.unit.client_harness import client_for
from workerskv.client import WorkerClient, Write
from workerskv.errors import (
    AuthRefusedError,
    InvalidRequestError,
    NamespaceNotBoundError,
    UnexpectedResponseError,
)


async def test_errors_name_the_key_as_written_not_as_stored(
    metadata: dict[str, str],
) -> None:
    refusal = {"error": {"code": "bad_request", "message": "refused"}}
    client, _ = client_for(metadata, lambda r: httpx.Response(400, json=refusal))

    with pytest.raises(InvalidRequestError) as caught:
        await client.put(Write("app%7C%7Ca%2Fb%20c", b"v"))

    assert "writing key 'app||a/b c'" in str(caught.value)


async def test_401_is_auth_refused_and_leaks_no_token(metadata: dict[str, str]) -> None:
    client, transport = client_for(metadata, lambda r: httpx.Response(401))

    with pytest.raises(AuthRefusedError) as caught:
        await client.get("k")

    token = transport.requests[0].headers["Authorization"].removeprefix("Bearer ")
    assert token not in str(caught.value)
    assert "PRIVATE KEY" not in str(caught.value)
    assert len(transport.requests) == 1


@pytest.mark.parametrize("part", ["whole", "signature", "payload"])
async def test_401_names_the_workers_reason_without_an_echoed_token(
    metadata: dict[str, str], part: str
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        token = request.headers["Authorization"].removeprefix("Bearer ")
        _, payload, signature = token.split(".")
        echoed = {"whole": token, "signature": signature, "payload": payload}[part]
        message = f'token claim "aud" is not accepted: {echoed}'
        return httpx.Response(401, json={"error": {"code": "x", "message": message}})

    client, transport = client_for(metadata, refuse)

    with pytest.raises(AuthRefusedError) as caught:
        await client.get("k")

    token = transport.requests[0].headers["Authorization"].removeprefix("Bearer ")
    _, payload, signature = token.split(".")
    assert 'token claim "aud" is not accepted: (our token)' in str(caught.value)
    assert payload not in str(caught.value)
    assert signature not in str(caught.value)


async def test_412_is_namespace_not_bound(metadata: dict[str, str]) -> None:
    client, _ = client_for(metadata, lambda r: httpx.Response(412))

    with pytest.raises(NamespaceNotBoundError, match="ns-test"):
        await client.put(Write("k", b"v"))


ROUTING_404S = {
    "our Worker's unknown route": httpx.Response(
        404, json={"error": {"code": "not_found", "message": "no route for GET /x"}}
    ),
    "the upstream Worker's unknown route": httpx.Response(404, text="Not found"),
    "a proxy's web page": httpx.Response(
        404,
        text="<!DOCTYPE html><html><body>Not Found</body></html>",
        headers={"Content-Type": "text/html"},
    ),
    "a deleted Worker on workers.dev": httpx.Response(
        404, text="There is nothing here yet"
    ),
}


@pytest.mark.parametrize("answer", ROUTING_404S.values(), ids=ROUTING_404S.keys())
async def test_a_404_with_any_other_body_never_reads_as_a_missing_key(
    metadata: dict[str, str], answer: httpx.Response
) -> None:
    client, _ = client_for(metadata, lambda r: answer)

    with pytest.raises(UnexpectedResponseError, match="404") as caught:
        await client.get("k")

    assert "does not lead to a Dapr KV Worker" in str(caught.value)
    assert "check workerUrl (the Worker's base URL)" in str(caught.value)
    assert caught.value.status == 404


@pytest.mark.parametrize(
    "call",
    [
        lambda client: client.put(Write("k", b"v")),
        lambda client: client.delete("k"),
        lambda client: client.get_batch(["k"]),
    ],
    ids=["put", "delete", "batch"],
)
async def test_a_404_to_any_call_says_the_url_leads_nowhere(
    metadata: dict[str, str], call: Callable[[WorkerClient], Awaitable[object]]
) -> None:
    client, _ = client_for(metadata, lambda r: httpx.Response(404, text="Not found"))

    with pytest.raises(UnexpectedResponseError, match="not lead to a Dapr KV Worker"):
        await call(client)


async def test_our_workers_key_not_found_is_missing(metadata: dict[str, str]) -> None:
    missing = {"error": {"code": "key_not_found", "message": "no value"}}
    client, _ = client_for(metadata, lambda r: httpx.Response(404, json=missing))

    assert await client.get("k") is None


async def test_the_upstream_workers_empty_404_is_missing(
    metadata: dict[str, str],
) -> None:
    # The upstream Worker answers an absent key with 404 and no body at all.
    empty = httpx.Response(404, headers={"Content-Type": "text/plain;charset=UTF-8"})
    client, _ = client_for(metadata, lambda r: empty)

    assert await client.get("k") is None


async def test_info_404_says_the_url_is_not_a_dapr_worker(
    metadata: dict[str, str],
) -> None:
    client, _ = client_for(metadata, lambda r: httpx.Response(404, text="Not found"))

    with pytest.raises(UnexpectedResponseError) as caught:
        await client.info()

    assert str(caught.value) == (
        "http://worker.test/ does not lead to a Dapr KV Worker: the info endpoint "
        "was answered with HTTP 404 (Not found); check workerUrl (the Worker's "
        "base URL) and that the Worker is deployed"
    )


async def test_info_404_of_a_managed_worker_suggests_deploying_it(
    metadata: dict[str, str],
) -> None:
    del metadata["workerUrl"]
    managed = {**metadata, "cfAccountID": "a", "cfAPIToken": "t"}
    client, _ = client_for(managed, lambda r: httpx.Response(404, text="Not found"))

    with pytest.raises(UnexpectedResponseError, match="`workerskv worker deploy`"):
        await client.info()


async def test_info_that_is_not_json_is_unexpected(metadata: dict[str, str]) -> None:
    client, _ = client_for(metadata, lambda r: httpx.Response(200, text="<html>"))

    with pytest.raises(UnexpectedResponseError, match="not a JSON object"):
        await client.info()


async def test_400_from_the_worker_is_invalid_request(metadata: dict[str, str]) -> None:
    body = {"error": {"code": "bad_ttl", "message": "ttl must be at least 60"}}
    client, _ = client_for(metadata, lambda r: httpx.Response(400, json=body))

    with pytest.raises(InvalidRequestError, match="at least 60"):
        await client.put(Write("k", b"v", ttl=30))


async def test_413_from_the_worker_is_invalid_request(metadata: dict[str, str]) -> None:
    body = {"error": {"code": "too_large", "message": "value is too large"}}
    client, _ = client_for(metadata, lambda r: httpx.Response(413, json=body))

    with pytest.raises(InvalidRequestError, match="too large") as caught:
        await client.put(Write("k", b"v"))

    assert caught.value.status == 413


async def test_a_web_page_answering_404_is_summarised_not_quoted(
    metadata: dict[str, str],
) -> None:
    page = "<!DOCTYPE html>\n<html><body>" + "x" * 5000 + "</body></html>"
    headers = {"Content-Type": "text/html; charset=utf-8"}
    client, _ = client_for(
        metadata, lambda r: httpx.Response(404, text=page, headers=headers)
    )

    with pytest.raises(UnexpectedResponseError) as caught:
        await client.info()

    assert "text/html body of" in str(caught.value)
    assert "<html>" not in str(caught.value)
