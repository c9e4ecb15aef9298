// Test helpers: mount <Markdown> in jsdom with the providers it needs.
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { LocaleProvider } from "../../../i18n";
import { Markdown } from "./Markdown";
import { pacingClock } from "./pacing";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
// Every update shown at once, whatever jsdom's speed: tests of pacing set their own clock.
pacingClock.now = () => 0;

export interface Mounted {
  container: HTMLElement;
  update(text: string, streaming?: boolean): void;
  unmount(): void;
}

export function mountMarkdown(text: string, streaming = false): Mounted {
  const container = document.createElement("div");
  document.body.appendChild(container);
  let root: Root | null = null;
  const render = (value: string, isStreaming: boolean) => {
    act(() => {
      root ??= createRoot(container);
      root.render(
        <LocaleProvider>
          <FluentProvider theme={webLightTheme}>
            <Markdown text={value} streaming={isStreaming} />
          </FluentProvider>
        </LocaleProvider>,
      );
    });
  };
  render(text, streaming);
  return {
    container,
    update: (value, isStreaming = false) => render(value, isStreaming),
    unmount: () => {
      act(() => root?.unmount());
      container.remove();
    },
  };
}
