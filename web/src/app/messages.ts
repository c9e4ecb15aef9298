import { defineMessages } from "../i18n";

export const appMessages = defineMessages(
  {
    appName: "scalechat",
    openHistory: "Open chat history",
    closeHistory: "Close chat history",
    history: "Chat history",
    skipToChat: "Skip to chat",
    crashedTitle: "Something went wrong",
    crashedDetail: "The page hit an unexpected error. Your conversations are saved on the server; reloading brings them back.",
    reload: "Reload",
  },
  {
    appName: "scalechat",
    openHistory: "チャット履歴を開く",
    closeHistory: "チャット履歴を閉じる",
    history: "チャット履歴",
    skipToChat: "チャットへ移動",
    crashedTitle: "問題が発生しました",
    crashedDetail: "ページで予期しないエラーが発生しました。会話はサーバーに保存されています。再読み込みすると元に戻ります。",
    reload: "再読み込み",
  },
);
