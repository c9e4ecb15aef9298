// Placeholder: replaced by the settings feature (a button that lazy-loads the settings dialog).
import type { ChatSettings, ChatSettingsPatch } from "../types";

export function SettingsButton(_props: { value: ChatSettings; onChange: (patch: ChatSettingsPatch) => void; disabled?: boolean }) {
  return null;
}
