import { Button, Tooltip } from "@fluentui/react-components";
import { Settings20Regular } from "@fluentui/react-icons";
import { lazy, Suspense, useState } from "react";
import { QuietBoundary } from "../../../components/QuietBoundary";
import { useMessages } from "../../../i18n";
import { settingsMessages } from "../messages";
import type { ChatSettings, ChatSettingsPatch } from "../types";

const loadDialog = () => import("./SettingsDialog");
const SettingsDialog = lazy(loadDialog);

/** Opens the chat's settings dialog (model, system prompt, parameters, presets). */
export function SettingsButton({ value, onChange, disabled }: { value: ChatSettings; onChange: (patch: ChatSettingsPatch) => void; disabled?: boolean }) {
  const t = useMessages(settingsMessages);
  const [open, setOpen] = useState(false);
  // Mounted from the first open on, so closing can animate; the form inside resets on each open.
  const [mounted, setMounted] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const preload = () => void loadDialog().catch(() => undefined);

  return (
    <>
      <Tooltip content={t.chatSettings} relationship="label">
        <Button
          appearance="subtle"
          icon={<Settings20Regular />}
          disabled={disabled}
          aria-haspopup="dialog"
          onPointerEnter={preload}
          onFocus={preload}
          onClick={() => {
            setMounted(true);
            setOpen(true);
          }}
        />
      </Tooltip>
      {mounted && (
        <QuietBoundary
          key={attempt}
          onError={() => {
            setOpen(false);
            setMounted(false);
            setAttempt((n) => n + 1);
          }}
        >
          <Suspense fallback={null}>
            <SettingsDialog open={open} onOpenChange={setOpen} value={value} onChange={onChange} />
          </Suspense>
        </QuietBoundary>
      )}
    </>
  );
}
