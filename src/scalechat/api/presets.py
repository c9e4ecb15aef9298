"""/api/presets: the user's saved system prompts, parameters and models."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from scalechat.api.deps import PresetsDep, PrincipalDep
from scalechat.api.schemas import PresetCreate, PresetList, PresetRead, PresetUpdate

router = APIRouter(prefix="/api/presets", tags=["presets"])


@router.get("", operation_id="listPresets")
async def list_presets(principal: PrincipalDep, presets: PresetsDep) -> PresetList:
    return PresetList(items=[PresetRead.of(p) for p in await presets.list(principal)])


@router.post("", status_code=status.HTTP_201_CREATED, operation_id="createPreset")
async def create_preset(body: PresetCreate, principal: PrincipalDep, presets: PresetsDep) -> PresetRead:
    preset = await presets.create(
        principal,
        name=body.name,
        system_prompt=body.system_prompt,
        parameters=body.parameters,
        model=body.model,
    )
    return PresetRead.of(preset)


@router.patch("/{preset_id}", operation_id="updatePreset")
async def update_preset(preset_id: str, body: PresetUpdate, principal: PrincipalDep, presets: PresetsDep) -> PresetRead:
    preset = await presets.update(
        principal,
        preset_id,
        name=body.name,
        system_prompt=body.system_prompt,
        parameters=body.parameters,
        model=body.model,
        # An explicit null, unlike an absent field, means the default model.
        clear_model=body.model is None and "model" in body.model_fields_set,
    )
    return PresetRead.of(preset)


@router.delete("/{preset_id}", status_code=status.HTTP_204_NO_CONTENT, operation_id="deletePreset")
async def delete_preset(preset_id: str, principal: PrincipalDep, presets: PresetsDep) -> Response:
    await presets.delete(principal, preset_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
