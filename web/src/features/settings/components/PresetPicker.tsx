// Placeholder: replaced by the settings feature (start a new chat from a saved preset).
import type { Schemas } from "../../../api/client";

export function PresetPicker(_props: { onPick: (preset: Schemas["PresetRead"]) => void }) {
  return null;
}
