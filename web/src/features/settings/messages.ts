import { defineMessages } from "../../i18n";

/** Strings of the parts every chat shows (the dialog's own are in dialogMessages.ts, loaded with it). */
export const settingsMessages = defineMessages(
  {
    chatSettings: "Chat settings",
    model: "Model",
    modelsLoading: "Loading models…",
    modelsFailed: "Models unavailable",
    unknownModel: "{id} (unavailable)",
    simulated: "Simulated",
    simulatedOption: "Simulated: answers come from the built-in simulator, not a real AI.",
    contextWindow: "{tokens} tokens of context",
    defaultSuffix: "default",
    simulatedNotice: "Simulated model",
    simulatedNoticeLong: "— answers are not from a real AI",
    simulatedNoticeTip:
      "This server has no AI model configured: answers are produced by a built-in simulator for demos and tests. Ask your administrator to connect Azure OpenAI.",
    startFromPreset: "Start from a preset",
    presetModelDefault: "Default model",
    noSystemPrompt: "No system prompt",
  },
  {
    chatSettings: "チャットの設定",
    model: "モデル",
    modelsLoading: "モデルを読み込み中…",
    modelsFailed: "モデルを取得できません",
    unknownModel: "{id}（利用不可）",
    simulated: "シミュレーション",
    simulatedOption: "シミュレーション: 回答は実際の AI ではなく、組み込みのシミュレーターが生成します。",
    contextWindow: "コンテキスト {tokens} トークン",
    defaultSuffix: "既定",
    simulatedNotice: "シミュレーション モデル",
    simulatedNoticeLong: "— 回答は実際の AI によるものではありません",
    simulatedNoticeTip:
      "このサーバーには AI モデルが設定されていません。回答はデモとテスト用の組み込みシミュレーターが生成しています。Azure OpenAI への接続は管理者にお問い合わせください。",
    startFromPreset: "プリセットから始める",
    presetModelDefault: "既定のモデル",
    noSystemPrompt: "システム プロンプトなし",
  },
);
