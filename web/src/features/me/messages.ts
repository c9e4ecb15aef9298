import { defineMessages } from "../../i18n";

export const meMessages = defineMessages(
  {
    account: "Account and settings",
    // The button shows the name, so its accessible name starts with it (WCAG 2.5.3).
    accountOf: "{name}: account and settings",
    loading: "Loading…",
    theme: "Theme",
    themeSystem: "System",
    themeLight: "Light",
    themeDark: "Dark",
    language: "Language",
    languageAuto: "Automatic",
    shortcuts: "Keyboard shortcuts",
    signOut: "Sign out",
    signingOut: "Signing out…",
    signOutFailed: "Could not sign out. Try again.",
    signedInLocally: "Local account (no sign-in)",
  },
  {
    account: "アカウントと設定",
    accountOf: "{name}: アカウントと設定",
    loading: "読み込み中…",
    theme: "テーマ",
    themeSystem: "システム",
    themeLight: "ライト",
    themeDark: "ダーク",
    language: "言語",
    languageAuto: "自動",
    shortcuts: "キーボード ショートカット",
    signOut: "サインアウト",
    signingOut: "サインアウトしています…",
    signOutFailed: "サインアウトできませんでした。もう一度お試しください。",
    signedInLocally: "ローカル アカウント（サインインなし）",
  },
);
