import { defineMessages } from "../i18n";

export const appMessages = defineMessages(
  {
    appName: "scalechat",
    openHistory: "Open chat history",
    closeHistory: "Close chat history",
    history: "Chat history",
    skipToChat: "Skip to chat",
  },
  {
    appName: "scalechat",
    openHistory: "チャット履歴を開く",
    closeHistory: "チャット履歴を閉じる",
    history: "チャット履歴",
    skipToChat: "チャットへ移動",
  },
);
