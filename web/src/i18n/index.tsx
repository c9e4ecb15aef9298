// UI language: English or Japanese, following the browser unless the user picks one.
// Each feature keeps its own strings next to its code (`messages.ts`, made with
// defineMessages); Japanese must have every key English has (the type checks it).
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";

export type Locale = "en" | "ja";
export type LocalePreference = Locale | "auto";
export const LOCALES: readonly Locale[] = ["en", "ja"];

type Strings = Record<string, string>;
export interface Messages<T extends Strings> {
  en: T;
  ja: { [K in keyof T]: string };
}

export function defineMessages<T extends Strings>(en: T, ja: { [K in keyof T]: string }): Messages<T> {
  return { en, ja };
}

/** Replace `{name}` placeholders. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

export function browserLocale(languages: readonly string[] = navigator.languages): Locale {
  for (const tag of languages) {
    const base = tag.toLowerCase().split("-")[0];
    if (base === "ja") return "ja";
    if (base === "en") return "en";
  }
  return "en";
}

const STORAGE_KEY = "scalechat.locale";

interface LocaleState {
  locale: Locale;
  preference: LocalePreference;
  setPreference: (preference: LocalePreference) => void;
}

const LocaleContext = createContext<LocaleState | null>(null);

function storedPreference(): LocalePreference {
  const value = localStorage.getItem(STORAGE_KEY);
  return value === "en" || value === "ja" ? value : "auto";
}

export function LocaleProvider({ children }: { children: ReactNode }) {
  const [preference, setPreferenceState] = useState<LocalePreference>(storedPreference);
  const [browser, setBrowser] = useState<Locale>(() => browserLocale());
  useEffect(() => {
    const onChange = () => setBrowser(browserLocale());
    window.addEventListener("languagechange", onChange);
    return () => window.removeEventListener("languagechange", onChange);
  }, []);
  const locale = preference === "auto" ? browser : preference;
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const setPreference = useCallback((next: LocalePreference) => {
    if (next === "auto") localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, next);
    setPreferenceState(next);
  }, []);
  const value = useMemo(() => ({ locale, preference, setPreference }), [locale, preference, setPreference]);
  return <LocaleContext.Provider value={value}>{children}</LocaleContext.Provider>;
}

export function useLocale(): LocaleState {
  const state = useContext(LocaleContext);
  if (!state) throw new Error("useLocale outside LocaleProvider");
  return state;
}

/** The strings of one feature in the current language. */
export function useMessages<T extends Strings>(messages: Messages<T>): T {
  return messages[useLocale().locale] as T;
}
