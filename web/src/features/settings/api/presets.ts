import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, dataOf, type Schemas } from "../../../api/client";
import { queryKeys } from "../../../api/keys";

type Preset = Schemas["PresetRead"];

/** The user's presets, by name (GET /api/presets). */
export function usePresets() {
  return useQuery({
    queryKey: queryKeys.presets,
    queryFn: async ({ signal }) => dataOf(await api.GET("/api/presets", { signal })).items,
  });
}

function byName(a: Preset, b: Preset): number {
  return a.name.localeCompare(b.name, undefined, { sensitivity: "base" });
}

/** Put a preset the server returned into the cached list, then refetch to be sure. */
function useStorePreset() {
  const client = useQueryClient();
  return {
    store(preset: Preset) {
      client.setQueryData<Preset[]>(queryKeys.presets, (list) =>
        [...(list ?? []).filter((p) => p.id !== preset.id), preset].sort(byName),
      );
      void client.invalidateQueries({ queryKey: queryKeys.presets });
    },
    remove(id: string) {
      client.setQueryData<Preset[]>(queryKeys.presets, (list) => list?.filter((p) => p.id !== id));
      void client.invalidateQueries({ queryKey: queryKeys.presets });
    },
  };
}

export function useCreatePreset() {
  const cache = useStorePreset();
  return useMutation({
    mutationFn: async (body: Schemas["PresetCreate"]) => dataOf(await api.POST("/api/presets", { body })),
    onSuccess: (preset) => cache.store(preset),
  });
}

export function useRenamePreset() {
  const cache = useStorePreset();
  return useMutation({
    mutationFn: async ({ id, name }: { id: string; name: string }) =>
      dataOf(await api.PATCH("/api/presets/{preset_id}", { params: { path: { preset_id: id } }, body: { name } })),
    onSuccess: (preset) => cache.store(preset),
  });
}

export function useDeletePreset() {
  const cache = useStorePreset();
  return useMutation({
    mutationFn: async (id: string) => {
      await api.DELETE("/api/presets/{preset_id}", { params: { path: { preset_id: id } } });
      return id;
    },
    onSuccess: (id) => cache.remove(id),
  });
}
