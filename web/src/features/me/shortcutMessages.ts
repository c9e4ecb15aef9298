import { defineMessages } from "../../i18n";

/** The keyboard shortcuts dialog's strings (a lazy chunk: they load with it). */
export const shortcutMessages = defineMessages(
  {
    title: "Keyboard shortcuts",
    close: "Close",
    action: "Action",
    keys: "Keys",
    send: "Send the message",
    newLine: "New line in the message",
    newChat: "New chat",
    focusInput: "Go to the message box",
    stop: "Stop the answer being written",
    or: "or",
    imeNote: "Enter that confirms a Japanese (IME) conversion never sends.",
  },
  {
    title: "キーボード ショートカット",
    close: "閉じる",
    action: "操作",
    keys: "キー",
    send: "メッセージを送信",
    newLine: "メッセージ内で改行",
    newChat: "新しいチャット",
    focusInput: "メッセージ入力欄へ移動",
    stop: "作成中の回答を停止",
    or: "または",
    imeNote: "日本語入力（IME）の変換を確定する Enter では送信されません。",
  },
);
