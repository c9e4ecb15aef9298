"""The Azure Cosmos DB client as scalechat opens it, and the containers it needs.

`open_client(settings)` builds one async `CosmosClient` for the process (the conversation store and
the prompt log share it). It signs in with `AZURE_COSMOSDB_KEY`, or without a key through Entra ID
(`DefaultAzureCredential`: managed identity in Azure, `az login` on a laptop). `await client.close()`
closes the credential it made, too.

429 (throttled) is retried by the SDK itself, which waits what `x-ms-retry-after-ms` says. We only
cap that wait at `AZURE_COSMOSDB_MAX_RETRY_WAIT_SECONDS` in total, so a chat request does not hang for
the SDK's default 30 s. A 429 that outlasts the cap becomes `StorageBusy` (503 with Retry-After) in
`errors.py`, the one place that maps SDK errors.

`ensure_containers` creates the database and containers when allowed (a key, or a control-plane
role). Otherwise it only reads them and raises one `CosmosSetupError` that names everything that is
missing or differs (Entra ID data-plane roles cannot create containers).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from azure.core.credentials_async import AsyncTokenCredential
from azure.core.exceptions import AzureError
from azure.cosmos import PartitionKey
from azure.cosmos._retry_options import RetryOptions  # the type of ConnectionPolicy.RetryOptions
from azure.cosmos.aio import ContainerProxy, CosmosClient, DatabaseProxy
from azure.cosmos.documents import ConnectionPolicy
from azure.cosmos.exceptions import CosmosHttpResponseError, CosmosResourceNotFoundError

from scalechat.settings import Settings, SettingsError, is_loopback

# The wait cap decides when the SDK gives up on 429s; this only stops a server that answers 429
# without a retry-after header from being asked without pause for ever.
MAX_THROTTLE_RETRIES = 100


class CosmosSetupError(SettingsError):
    """The database or a container is missing, differs from what scalechat needs, or cannot be
    reached at start-up. One line, naming what to do; never the key."""


class CosmosUnreachable(CosmosSetupError):
    """The account could not be reached at all (network, DNS, TLS): maybe a passing outage,
    unlike a container that is missing or has the wrong partition key."""


class _ScalechatCosmosClient(CosmosClient):
    """A `CosmosClient` that also closes the Entra ID credential made for it."""

    def __init__(self, url: str, credential: str | AsyncTokenCredential, **kwargs: Any) -> None:
        super().__init__(url, credential, **kwargs)
        self._owned_credential = credential if not isinstance(credential, str) else None

    async def __aexit__(self, *args: Any) -> None:
        try:
            await super().__aexit__(*args)
        finally:
            if self._owned_credential is not None:
                await self._owned_credential.close()
                self._owned_credential = None


def _throttle_policy(max_wait_seconds: float) -> ConnectionPolicy:
    # Through a ConnectionPolicy, not the `retry_throttle_*` keywords: those treat 0 as "not given"
    # and fall back to the SDK's 9 retries and 30 s.
    policy = ConnectionPolicy()
    policy.RetryOptions = RetryOptions(
        max_retry_attempt_count=MAX_THROTTLE_RETRIES if max_wait_seconds > 0 else 0,
        max_wait_time_in_seconds=max_wait_seconds,  # type: ignore[arg-type]  # used as a number of seconds
    )
    return policy


def open_client(settings: Settings) -> CosmosClient:
    """The process's Cosmos DB client (not connected yet: the first request connects)."""
    cosmos = settings.cosmos
    if not cosmos.endpoint:
        raise CosmosSetupError("the Cosmos DB backend needs AZURE_COSMOSDB_ENDPOINT")
    parts = urlsplit(cosmos.endpoint)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise CosmosSetupError("AZURE_COSMOSDB_ENDPOINT must look like https://<account>.documents.azure.com:443/")
    plain_http = parts.scheme == "http"
    if plain_http and not is_loopback(parts.hostname):
        raise CosmosSetupError(
            "AZURE_COSMOSDB_ENDPOINT must use https:// (plain http:// only for an emulator on loopback)"
        )
    options: dict[str, Any] = {"connection_policy": _throttle_policy(cosmos.max_retry_wait_seconds)}
    if cosmos.ca_certificate_path is not None:
        if not cosmos.ca_certificate_path.is_file():
            raise CosmosSetupError(
                f"AZURE_COSMOSDB_CA_CERTIFICATE_PATH: no such file {str(cosmos.ca_certificate_path)!r}"
            )
        options["connection_verify"] = str(cosmos.ca_certificate_path)
    if plain_http:
        # Endpoint discovery would send us to the https:// address the account document names.
        options["enable_endpoint_discovery"] = False
    credential: str | AsyncTokenCredential
    if cosmos.key is not None:
        credential = cosmos.key.get_secret_value()
    else:
        from azure.identity.aio import DefaultAzureCredential

        credential = DefaultAzureCredential(managed_identity_client_id=settings.managed_identity_client_id)
    return _ScalechatCosmosClient(cosmos.endpoint, credential, **options)


@dataclass(frozen=True)
class ContainerSpec:
    """A container as scalechat needs it. `composite_indexes` holds indexes of (path, "ascending" |
    "descending") pairs, each index in the order its ORDER BY names them."""

    name: str
    partition_key_path: str
    default_ttl: int | None = None  # seconds; -1: on, but only items with their own `ttl` expire
    unique_keys: tuple[str, ...] = ()  # each path unique within a partition
    composite_indexes: tuple[tuple[tuple[str, str], ...], ...] = ()

    def create_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"partition_key": PartitionKey(path=self.partition_key_path)}
        if self.default_ttl is not None:
            options["default_ttl"] = self.default_ttl
        if self.unique_keys:
            options["unique_key_policy"] = {"uniqueKeys": [{"paths": [path]} for path in self.unique_keys]}
        if self.composite_indexes:
            options["indexing_policy"] = {
                "indexingMode": "consistent",
                "automatic": True,
                "includedPaths": [{"path": "/*"}],
                "excludedPaths": [{"path": '/"_etag"/?'}],
                "compositeIndexes": [
                    [{"path": path, "order": order} for path, order in index] for index in self.composite_indexes
                ],
            }
        return options

    def differences(self, properties: dict[str, Any]) -> list[str]:
        """What in a container's properties differs from this spec, as phrases; empty if nothing."""
        found: list[str] = []
        paths = properties.get("partitionKey", {}).get("paths", [])
        if paths != [self.partition_key_path]:
            found.append(f"partition key {'/'.join(paths) or 'none'} instead of {self.partition_key_path}")
        unique = {tuple(key.get("paths", [])) for key in properties.get("uniqueKeyPolicy", {}).get("uniqueKeys", [])}
        for path in self.unique_keys:
            if (path,) not in unique:
                found.append(f"no unique key {path}")
        composites = {
            tuple((entry["path"], entry.get("order", "ascending")) for entry in index)
            for index in properties.get("indexingPolicy", {}).get("compositeIndexes", [])
        }
        for index in self.composite_indexes:
            if index not in composites:
                found.append("no composite index (" + ", ".join(f"{p} {o}" for p, o in index) + ")")
        return found


async def ensure_containers(
    client: CosmosClient, database_name: str, specs: Iterable[ContainerSpec], *, create: bool
) -> dict[str, ContainerProxy]:
    """The containers by name, created first if `create` and missing.

    Raises `CosmosSetupError` naming every container that is missing or differs from its spec.
    """
    specs = list(specs)
    try:
        if create:
            return await _create(client, database_name, specs)
        return await _check(client, database_name, specs)
    except CosmosSetupError:
        raise
    except CosmosHttpResponseError as exc:
        if exc.status_code in (401, 403):
            hint = (
                "; creating containers needs a key or a control-plane role: create them beforehand and "
                "set AZURE_COSMOSDB_CREATE_CONTAINERS=false"
                if create
                else ""
            )
            raise CosmosSetupError(
                f"Cosmos DB refused our credentials for database {database_name!r} ({exc.status_code}){hint}"
            ) from None
        raise CosmosSetupError(
            f"Cosmos DB answered {exc.status_code} while preparing database {database_name!r}"
        ) from None
    except AzureError as exc:
        raise CosmosUnreachable(f"cannot reach Cosmos DB at AZURE_COSMOSDB_ENDPOINT: {type(exc).__name__}") from None


async def _create(client: CosmosClient, database_name: str, specs: list[ContainerSpec]) -> dict[str, ContainerProxy]:
    database = await client.create_database_if_not_exists(database_name)
    containers: dict[str, ContainerProxy] = {}
    problems: list[str] = []
    for spec in specs:
        # An existing container is returned as it is, whatever its partition key: compare it.
        container = await database.create_container_if_not_exists(spec.name, **spec.create_options())
        problems += [f"container {spec.name!r} has {d}" for d in spec.differences(await container.read())]
        containers[spec.name] = container
    _raise_if_any(database_name, problems)
    return containers


async def _check(client: CosmosClient, database_name: str, specs: list[ContainerSpec]) -> dict[str, ContainerProxy]:
    database: DatabaseProxy = client.get_database_client(database_name)
    try:
        await database.read()
    except CosmosResourceNotFoundError:
        names = ", ".join(f"{s.name} ({s.partition_key_path})" for s in specs)
        raise CosmosSetupError(
            f"Cosmos DB database {database_name!r} does not exist (AZURE_COSMOSDB_CREATE_CONTAINERS=false): "
            f"create it with the containers {names}, or allow scalechat to create them"
        ) from None
    containers: dict[str, ContainerProxy] = {}
    problems: list[str] = []
    for spec in specs:
        container = database.get_container_client(spec.name)
        try:
            properties = await container.read()
        except CosmosResourceNotFoundError:
            problems.append(f"container {spec.name!r} is missing (partition key {spec.partition_key_path})")
            continue
        problems += [f"container {spec.name!r} has {d}" for d in spec.differences(properties)]
        containers[spec.name] = container
    _raise_if_any(database_name, problems, created=False)
    return containers


def _raise_if_any(database_name: str, problems: list[str], *, created: bool = True) -> None:
    if not problems:
        return
    advice = (
        "delete or rename it so scalechat can create it anew"
        if created
        else "create or fix it, or set AZURE_COSMOSDB_CREATE_CONTAINERS=true"
    )
    raise CosmosSetupError(f"Cosmos DB database {database_name!r}: {'; '.join(problems)} ({advice})")
