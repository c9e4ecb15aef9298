import { defineMessages } from "../../../i18n";

export const markdownMessages = defineMessages(
  {
    copyCode: "Copy code",
    copy: "Copy",
    copied: "Copied",
    copyFailed: "Couldn't copy",
    plainText: "text",
  },
  {
    copyCode: "コードをコピー",
    copy: "コピー",
    copied: "コピーしました",
    copyFailed: "コピーできませんでした",
    plainText: "テキスト",
  },
);
