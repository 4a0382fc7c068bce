from pathlib import Path

import pytest

from tests.conftest import write
from workerskv.component import load_component, load_components
from workerskv.config import Config, Mode
from workerskv.errors import ConfigError

UPSTREAM_STYLE = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: statestore
spec:
  type: state.cloudflare.workerskv
  version: v1
  # Raise the init timeout when the Worker is deployed for you
  initTimeout: "120s"
  metadata:
    # ID of the Workers KV namespace (required)
    - name: kvNamespaceID
      value: "0f2ac74b498b48028cb68387c421e279"
    # Name of the Worker (required)
    - name: workerName
      value: "mydaprkv"
    # PEM-encoded private Ed25519 key (required)
    - name: key
      value: |
{key}
    # Cloudflare account ID (required to have Dapr manage the Worker)
    - name: cfAccountID
      value: ""
    # API token for Cloudflare (required to have Dapr manage the Worker)
    - name: cfAPIToken
      value: ""
    # URL of the Worker (required if the Worker has been pre-created outside of Dapr)
    - name: workerUrl
      value: "https://mydaprkv.example.workers.dev"
"""


def _yaml(private_pem: str) -> str:
    indented = "\n".join("        " + line for line in private_pem.splitlines())
    return UPSTREAM_STYLE.format(key=indented)


def test_upstream_style_component_yaml_loads_as_is(
    tmp_path: Path, private_pem: str
) -> None:
    component = load_component(write(tmp_path / "c.yaml", _yaml(private_pem)))
    config = component.config()

    assert component.name == "statestore"
    assert component.type == "state.cloudflare.workerskv"
    assert component.init_timeout == "120s"
    assert config.mode is Mode.PRE_PROVISIONED
    assert config.worker_url == "https://mydaprkv.example.workers.dev/"
    assert config.namespace_id == "0f2ac74b498b48028cb68387c421e279"
    assert config.account_id is None


def test_metadata_names_match_case_insensitively(metadata: dict[str, str]) -> None:
    folded = {name.upper(): value for name, value in metadata.items()}

    assert Config.from_metadata(folded).worker_name == "worker-test"


def test_a_field_given_twice_in_two_cases_is_refused(metadata: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match="workerName"):
        Config.from_metadata({**metadata, "WORKERNAME": "other"})


@pytest.mark.parametrize("field", ["kvNamespaceID", "workerName", "key"])
def test_missing_required_field_is_named(metadata: dict[str, str], field: str) -> None:
    del metadata[field]

    with pytest.raises(ConfigError, match=field) as caught:
        Config.from_metadata(metadata)

    assert caught.value.field == field


def test_no_url_and_no_account_asks_for_either(metadata: dict[str, str]) -> None:
    del metadata["workerUrl"]

    with pytest.raises(ConfigError, match=r"cfAccountID.*cfAPIToken"):
        Config.from_metadata(metadata)


def test_account_without_token_names_the_token(metadata: dict[str, str]) -> None:
    del metadata["workerUrl"]

    with pytest.raises(ConfigError, match="cfAPIToken") as caught:
        Config.from_metadata({**metadata, "cfAccountID": "abc"})

    assert caught.value.field == "cfAPIToken"


def test_managed_mode_when_account_and_token_are_given(
    metadata: dict[str, str],
) -> None:
    del metadata["workerUrl"]

    config = Config.from_metadata({**metadata, "cfAccountID": "a", "cfAPIToken": "t"})

    assert config.mode is Mode.MANAGED


def test_managed_mode_checks_the_worker_name_is_a_host_label(
    metadata: dict[str, str],
) -> None:
    del metadata["workerUrl"]
    managed = {**metadata, "cfAccountID": "a", "cfAPIToken": "t"}

    with pytest.raises(ConfigError, match="workerName"):
        Config.from_metadata({**managed, "workerName": "Not A Label"})


@pytest.mark.parametrize(
    "token", ["SECRET-TOKEN\nPART-2", "SECRET TOKEN", "SECRET-TØKEN"]
)
def test_api_token_that_cannot_travel_in_a_header_is_refused_unquoted(
    metadata: dict[str, str], token: str
) -> None:
    del metadata["workerUrl"]
    managed = {**metadata, "cfAccountID": "a", "cfAPIToken": token}

    with pytest.raises(
        ConfigError, match=r"'cfAPIToken'.*copy the token again"
    ) as caught:
        Config.from_metadata(managed)

    assert "SECRET" not in str(caught.value)


@pytest.mark.parametrize("namespace", ["my namespace", "ns/1", "ns?"])
def test_namespace_id_with_other_characters_is_refused(
    metadata: dict[str, str], namespace: str
) -> None:
    with pytest.raises(ConfigError, match="kvNamespaceID"):
        Config.from_metadata({**metadata, "kvNamespaceID": namespace})


@pytest.mark.parametrize(
    "url", ["ftp://host/", "not a url", "http:///path", "http://h/?q=1"]
)
def test_worker_url_must_be_http_with_a_host(
    metadata: dict[str, str], url: str
) -> None:
    with pytest.raises(ConfigError, match="workerUrl"):
        Config.from_metadata({**metadata, "workerUrl": url})


def test_worker_url_gains_a_trailing_slash(metadata: dict[str, str]) -> None:
    config = Config.from_metadata({**metadata, "workerUrl": "http://h:1/base"})

    assert config.worker_url == "http://h:1/base/"


@pytest.mark.parametrize(("raw", "seconds"), [(None, 20.0), ("5", 5.0), ("2.5", 2.5)])
def test_timeout_in_seconds(
    metadata: dict[str, str], raw: str | None, seconds: float
) -> None:
    if raw is not None:
        metadata["timeoutInSeconds"] = raw

    assert Config.from_metadata(metadata).timeout == seconds


@pytest.mark.parametrize("raw", ["0", "-1", "abc", "inf", "nan"])
def test_bad_timeout_is_named(metadata: dict[str, str], raw: str) -> None:
    with pytest.raises(ConfigError, match="timeoutInSeconds"):
        Config.from_metadata({**metadata, "timeoutInSeconds": raw})


def test_secrets_stay_out_of_repr(metadata: dict[str, str]) -> None:
    del metadata["workerUrl"]
    config = Config.from_metadata(
        {**metadata, "cfAccountID": "a", "cfAPIToken": "tok-123"}
    )

    assert "tok-123" not in repr(config)
    assert "PRIVATE" not in repr(config)


def test_env_ref_reads_the_environment(
    tmp_path: Path, private_pem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKER_URL_FOR_TEST", "http://127.0.0.1:1")
    text = _yaml(private_pem).replace(
        'value: "https://mydaprkv.example.workers.dev"', "envRef: WORKER_URL_FOR_TEST"
    )

    config = load_component(write(tmp_path / "c.yaml", text)).config()

    assert config.worker_url == "http://127.0.0.1:1/"


def test_secret_key_ref_explains_daprd_resolves_it(
    tmp_path: Path, private_pem: str
) -> None:
    text = _yaml(private_pem).replace(
        'value: "https://mydaprkv.example.workers.dev"',
        "secretKeyRef: {name: s, key: url}",
    )

    with pytest.raises(ConfigError, match="secretKeyRef is resolved by daprd"):
        load_component(write(tmp_path / "c.yaml", text))


def test_several_documents_load_in_order(tmp_path: Path, private_pem: str) -> None:
    second = _yaml(private_pem).replace("name: statestore", "name: other")
    path = write(tmp_path / "c.yaml", _yaml(private_pem) + "---\n" + second)

    assert [c.name for c in load_components(path)] == ["statestore", "other"]
    with pytest.raises(ConfigError, match="several components"):
        load_component(path)


def test_a_file_without_components_says_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no document of kind 'Component'"):
        load_components(write(tmp_path / "c.yaml", "kind: Configuration\n"))


def test_a_private_key_given_as_another_field_is_never_echoed(
    metadata: dict[str, str], private_pem: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_metadata({**metadata, "workerUrl": private_pem})

    assert "PRIVATE KEY" not in str(caught.value)
    assert private_pem.splitlines()[1] not in str(caught.value)


def test_long_values_are_shortened_in_errors(metadata: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_metadata({**metadata, "kvNamespaceID": "x y" * 2000})

    assert len(str(caught.value)) < 300


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("- a\n- b\n", "no document of kind 'Component'"),
        ("just text\n", "no document of kind 'Component'"),
        ("kind: Component\nmetadata: foo\n", "metadata: .*must be a mapping"),
        (
            "kind: Component\nmetadata: {name: x}\nspec: [1, 2]\n",
            "spec: .*must be a mapping",
        ),
        ("kind: Component\nmetadata: {name: x}\nspec: {metadata: 5}\n", "name/value"),
        (
            "kind: Component\nmetadata: {name: x}\nspec: {metadata: [5]}\n",
            "needs a 'name'",
        ),
        ("kind: [\n", "not valid YAML"),
    ],
)
def test_malformed_component_files_are_one_clear_error(
    tmp_path: Path, text: str, says: str
) -> None:
    with pytest.raises(ConfigError, match=says) as caught:
        load_components(write(tmp_path / "c.yaml", text))

    assert not str(caught.value).startswith("metadata 'file'")


def test_a_component_file_that_is_not_utf8_says_so(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_bytes(b"kind: Component\nmetadata: {name: \xff\xfe}\n")

    with pytest.raises(ConfigError, match="not UTF-8"):
        load_components(path)


def test_yaml_errors_never_quote_the_offending_line(tmp_path: Path) -> None:
    text = (
        "kind: Component\nspec:\n  metadata:\n"
        '    - name: cfAPIToken\n      value: "tok-SECRET\n'
    )

    with pytest.raises(
        ConfigError, match=r"not valid YAML: .* at line \d+, column \d+"
    ) as caught:
        load_components(write(tmp_path / "c.yaml", text))

    assert "SECRET" not in str(caught.value)
