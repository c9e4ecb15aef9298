// What a failure says to the user. The server's `detail` is English and often specific
// ("Try again in 30 seconds"); in another language the stable `code` picks a translated
// sentence instead, and the English detail is kept only for codes without one.
import { ApiError } from "../../api/client";
import { defineMessages, type Locale } from "../../i18n";

export const errorMessages = defineMessages(
  {
    rate_limited: "The model is busy right now. Try again in a little while.",
    upstream_unavailable: "The model could not be reached. Try again in a little while.",
    content_filtered: "The answer was blocked by the content filter.",
    context_too_long: "The conversation is too long for this model. Start a new chat or send fewer past messages.",
    prompt_too_long: "The question is too long for this model.",
    model_credentials: "The server could not sign in to the model. Tell your administrator.",
    model_rejected: "The model refused this request.",
    model_error: "The model failed to answer.",
    interrupted: "The server stopped before this answer was finished.",
    internal_error: "Something went wrong on the server.",
    content_too_large: "The text is too long.",
    conversation_changed: "The conversation changed in another window. Reload it and send again.",
    answer_in_progress: "An answer is still being written. Wait for it or stop it first.",
    shutting_down: "The server is restarting. Try again in a moment.",
    not_ready: "The server is not ready yet. Try again in a moment.",
  },
  {
    rate_limited: "モデルが混み合っています。しばらくしてからもう一度お試しください。",
    upstream_unavailable: "モデルに接続できませんでした。しばらくしてからもう一度お試しください。",
    content_filtered: "回答はコンテンツ フィルターによりブロックされました。",
    context_too_long: "会話がこのモデルには長すぎます。新しいチャットを始めるか、送信する過去のメッセージ数を減らしてください。",
    prompt_too_long: "質問がこのモデルには長すぎます。",
    model_credentials: "サーバーがモデルにサインインできませんでした。管理者に連絡してください。",
    model_rejected: "モデルがこのリクエストを拒否しました。",
    model_error: "モデルが回答できませんでした。",
    interrupted: "回答の途中でサーバーが停止しました。",
    internal_error: "サーバーで問題が発生しました。",
    content_too_large: "テキストが長すぎます。",
    conversation_changed: "別のウィンドウで会話が変更されました。再読み込みしてから送信してください。",
    answer_in_progress: "回答を作成中です。完了するまで待つか、停止してください。",
    shutting_down: "サーバーを再起動しています。しばらくしてからもう一度お試しください。",
    not_ready: "サーバーの準備ができていません。しばらくしてからもう一度お試しください。",
  },
);

type Known = keyof typeof errorMessages.en;

/** The sentence to show for a failure with this code and server detail, in this language. */
export function errorText(locale: Locale, code: string | null | undefined, detail: string | null | undefined): string | null {
  if (locale !== "en" && code && code in errorMessages[locale]) return errorMessages[locale][code as Known];
  return detail ?? (code && code in errorMessages.en ? errorMessages.en[code as Known] : (code ?? null));
}

/** What a failed request says: the API's error in words, or `networkError` when it never got an answer. */
export function describeError(error: unknown, locale: Locale, networkError: string): string {
  return error instanceof ApiError ? (errorText(locale, error.code, error.message) ?? error.message) : networkError;
}
