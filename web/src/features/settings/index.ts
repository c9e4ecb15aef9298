export type { ChatSettings, ChatSettingsPatch } from "./types";
export { SettingsButton } from "./components/SettingsButton";
export { ModelPicker } from "./components/ModelPicker";
export { PresetPicker } from "./components/PresetPicker";
export { SimulatedNotice } from "./components/SimulatedNotice";
export { useChatDefaults, type ChatDefaults } from "./api/config";
