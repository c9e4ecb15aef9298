"""Presets of one user: a system prompt, parameters and model saved under a name."""

from __future__ import annotations

from scalechat.domain import Parameters, ParametersUpdate, Preset, Principal, new_id, now
from scalechat.errors import InvalidRequest, NotFound
from scalechat.llm.catalog import ModelCatalog
from scalechat.services.text import check_system_prompt_length, check_text
from scalechat.settings import Settings
from scalechat.store.base import PresetChanges, PresetStore

MAX_NAME_CHARS = 100
MAX_PRESETS_PER_USER = 100


class PresetService:
    def __init__(self, store: PresetStore, catalog: ModelCatalog, settings: Settings) -> None:
        self._store = store
        self._catalog = catalog
        self._settings = settings

    async def list(self, principal: Principal) -> list[Preset]:
        return await self._store.list_presets(principal.user_id)

    async def create(
        self,
        principal: Principal,
        *,
        name: str,
        system_prompt: str,
        parameters: ParametersUpdate | None,
        model: str | None,
    ) -> Preset:
        clean_name = _clean_name(name)
        self._check(system_prompt=system_prompt, model=model)
        stamp = now()
        preset = Preset(
            id=new_id(),
            user_id=principal.user_id,
            name=clean_name,
            system_prompt=system_prompt,
            parameters=(parameters or ParametersUpdate()).apply_to(Parameters()),
            model=model,
            created_at=stamp,
            updated_at=stamp,
        )
        await self._store.create_preset(preset, limit=MAX_PRESETS_PER_USER)
        return preset

    async def update(
        self,
        principal: Principal,
        preset_id: str,
        *,
        name: str | None = None,
        system_prompt: str | None = None,
        parameters: ParametersUpdate | None = None,
        model: str | None = None,
        clear_model: bool = False,
    ) -> Preset:
        """Change the given fields; `clear_model` goes back to the default model."""
        clean_name = _clean_name(name) if name is not None else None
        self._check(system_prompt=system_prompt, model=model)
        parameters_now = None
        if parameters is not None:
            parameters_now = parameters.apply_to((await self._get(principal, preset_id)).parameters)
        updated = await self._store.update_preset(
            principal.user_id,
            preset_id,
            PresetChanges(
                updated_at=now(),
                name=clean_name,
                system_prompt=system_prompt,
                parameters=parameters_now,
                model=model,
                clear_model=clear_model and model is None,
            ),
        )
        if updated is None:
            raise _not_found()
        return updated

    async def delete(self, principal: Principal, preset_id: str) -> None:
        if not await self._store.delete_preset(principal.user_id, preset_id):
            raise _not_found()

    async def _get(self, principal: Principal, preset_id: str) -> Preset:
        preset = await self._store.get_preset(principal.user_id, preset_id)
        if preset is None:
            raise _not_found()
        return preset

    def _check(self, *, system_prompt: str | None, model: str | None) -> None:
        check_text("system_prompt", system_prompt)
        check_system_prompt_length(system_prompt, self._settings.max_system_prompt_chars)
        if model is not None:
            self._catalog.get(model)


def _clean_name(name: str) -> str:
    """The name as stored: without surrounding spaces, 1 to MAX_NAME_CHARS characters."""
    check_text("name", name)
    clean = name.strip()
    if not clean:
        raise InvalidRequest("The name cannot be empty.", code="name_empty")
    if len(clean) > MAX_NAME_CHARS:
        raise InvalidRequest(
            f"The name is {len(clean)} characters; the limit is {MAX_NAME_CHARS}.", code="name_too_long"
        )
    return clean


def _not_found() -> NotFound:
    return NotFound("No such preset.", code="preset_not_found")
