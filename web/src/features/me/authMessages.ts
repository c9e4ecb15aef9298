import { defineMessages } from "../../i18n";

/** The sign-in and not-allowed pages' strings (a lazy chunk: they load with the pages). */
export const authMessages = defineMessages(
  {
    productName: "scalechat",
    tagline: "Chat with your organization's AI models. Sign in with your work account to continue.",
    sessionEnded: "Your session has ended. Sign in again to carry on; your unsent message is kept.",
    signIn: "Sign in with Microsoft",
    signingIn: "Going to Microsoft sign-in…",
    authErrorTitle: "Sign-in did not complete",
    authErrorGeneric: "Something went wrong while signing you in. Try again; if it keeps happening, tell your administrator.",
    access_denied: "The sign-in was cancelled, or permission was refused. Try again; if it keeps happening, tell your administrator.",
    state_mismatch: "The sign-in took too long or was started in another tab. Try again.",
    errorCode: "Error code: {code}",
    notAllowedTitle: "No access to scalechat",
    notAllowedAs: "You are signed in as {name} but do not have access to scalechat.",
    notAllowedAnonymous: "You are signed in but do not have access to scalechat.",
    missing: "What is missing",
    askAdmin: "Ask your administrator for access, or sign out and sign in with another account.",
    signOut: "Sign out",
    signingOut: "Signing out…",
    signOutFailed: "Could not sign out. Try again.",
    networkError: "The server could not be reached.",
  },
  {
    productName: "scalechat",
    tagline: "組織の AI モデルとチャットできます。続行するには職場のアカウントでサインインしてください。",
    sessionEnded: "セッションが終了しました。続けるにはもう一度サインインしてください。送信前のメッセージは保持されています。",
    signIn: "Microsoft でサインイン",
    signingIn: "Microsoft のサインインに移動しています…",
    authErrorTitle: "サインインが完了しませんでした",
    authErrorGeneric: "サインイン中に問題が発生しました。もう一度お試しください。繰り返し発生する場合は管理者に連絡してください。",
    access_denied: "サインインがキャンセルされたか、許可が拒否されました。もう一度お試しください。繰り返し発生する場合は管理者に連絡してください。",
    state_mismatch: "サインインに時間がかかりすぎたか、別のタブで開始されました。もう一度お試しください。",
    errorCode: "エラー コード: {code}",
    notAllowedTitle: "scalechat へのアクセス権がありません",
    notAllowedAs: "{name} としてサインインしていますが、scalechat へのアクセス権がありません。",
    notAllowedAnonymous: "サインインしていますが、scalechat へのアクセス権がありません。",
    missing: "不足しているもの",
    askAdmin: "管理者にアクセス権を依頼するか、サインアウトして別のアカウントでサインインしてください。",
    signOut: "サインアウト",
    signingOut: "サインアウトしています…",
    signOutFailed: "サインアウトできませんでした。もう一度お試しください。",
    networkError: "サーバーに接続できませんでした。",
  },
);

type AuthErrorWithText = "access_denied" | "state_mismatch";
const WITH_TEXT: readonly string[] = ["access_denied", "state_mismatch"] satisfies AuthErrorWithText[];

/** The sentence for a failed sign-in's code: a specific one for a few, else the generic one. */
export function authErrorText(t: (typeof authMessages)["en"], code: string): string {
  return WITH_TEXT.includes(code) ? t[code as AuthErrorWithText] : t.authErrorGeneric;
}
