// The settings dialog, loaded on first use (React.lazy in SettingsButton): its code and strings
// stay out of the initial bundle.
import {
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Divider,
  Label,
  makeStyles,
  Menu,
  MenuButton,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Subtitle2,
  Textarea,
  tokens,
} from "@fluentui/react-components";
import { ArrowReset20Regular, Dismiss24Regular, TextBulletListSquare20Regular } from "@fluentui/react-icons";
import { useMemo, useState } from "react";
import { format, useLocale, useMessages } from "../../../i18n";
import { effectiveModel, useModels } from "../api/models";
import { useChatDefaults } from "../api/config";
import { PARAMETER_BOUNDS, PARAMETER_NAMES, type ParameterName } from "../defaults";
import { dialogMessages } from "../dialogMessages";
import { EXAMPLE_PROMPTS } from "../examples";
import { diffSettings, isEmptyPatch, parseDraft, settingsOfPreset, toDraft, validateDraft, type DraftError, type SettingsDraft } from "../form";
import type { ChatSettings, ChatSettingsPatch } from "../types";
import { ModelDropdown } from "./ModelDropdown";
import { ParameterField } from "./ParameterField";
import { PresetsSection } from "./PresetsSection";

type T = (typeof dialogMessages)["en"];

const useStyles = makeStyles({
  surface: { maxWidth: "min(680px, calc(100vw - 32px))", width: "100%" },
  content: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, paddingBlock: tokens.spacingVerticalXS },
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  heading: { margin: 0 },
  hint: { color: tokens.colorNeutralForeground3 },
  warning: { color: tokens.colorPaletteDarkOrangeForeground1 },
  promptTop: { display: "flex", alignItems: "center", justifyContent: "space-between", gap: tokens.spacingHorizontalS },
  textarea: { width: "100%" },
  promptBottom: { display: "flex", justifyContent: "space-between", gap: tokens.spacingHorizontalS },
  error: { color: tokens.colorPaletteRedForeground1 },
  parameters: {
    display: "grid",
    gridTemplateColumns: "repeat(2, minmax(0, 1fr))",
    columnGap: tokens.spacingHorizontalXXL,
    rowGap: tokens.spacingVerticalL,
    "@media (max-width: 600px)": { gridTemplateColumns: "minmax(0, 1fr)" },
  },
  actions: { flexWrap: "wrap" },
});

function errorText(t: T, name: ParameterName, error: DraftError | undefined, locale: string): string | null {
  if (!error) return null;
  const bounds = PARAMETER_BOUNDS[name];
  switch (error) {
    case "required":
      return t.errorRequired;
    case "not_a_number":
      return t.errorNotNumber;
    case "not_whole":
      return t.errorNotWhole;
    default:
      return format(t.errorRange, { min: bounds.min.toLocaleString(locale), max: bounds.max.toLocaleString(locale) });
  }
}

function ExamplesMenu({ t, onPick }: { t: T; onPick: (prompt: string) => void }) {
  const { locale } = useLocale();
  return (
    <Menu>
      <MenuTrigger disableButtonEnhancement>
        <MenuButton size="small" appearance="subtle" icon={<TextBulletListSquare20Regular />} aria-label={t.examplesLabel}>
          {t.examples}
        </MenuButton>
      </MenuTrigger>
      <MenuPopover>
        <MenuList>
          {EXAMPLE_PROMPTS.map((example) => (
            <MenuItem key={example.id} onClick={() => onPick(example.prompt[locale])}>
              {example.name[locale]}
            </MenuItem>
          ))}
        </MenuList>
      </MenuPopover>
    </Menu>
  );
}

function SettingsForm({ value, onSave, onClose }: { value: ChatSettings; onSave: (patch: ChatSettingsPatch) => void; onClose: () => void }) {
  const styles = useStyles();
  const t = useMessages(dialogMessages);
  const { locale } = useLocale();
  const [draft, setDraft] = useState<SettingsDraft>(() => toDraft(value));
  const [showErrors, setShowErrors] = useState(false);
  const defaults = useChatDefaults();
  const errors = useMemo(() => validateDraft(draft, defaults.maxSystemPromptChars), [draft, defaults.maxSystemPromptChars]);
  const parsed = useMemo(() => parseDraft(draft, defaults.maxSystemPromptChars), [draft, defaults.maxSystemPromptChars]);
  const models = useModels();
  const model = effectiveModel(models.data, draft.model);

  const setParameter = (name: ParameterName, text: string) =>
    setDraft((d) => ({ ...d, parameters: { ...d.parameters, [name]: text } }));
  const apply = (settings: ChatSettings) => setDraft(toDraft(settings));

  const save = () => {
    if (!parsed) {
      setShowErrors(true);
      return;
    }
    const patch = diffSettings(value, parsed);
    if (!isEmptyPatch(patch)) onSave(patch);
    onClose();
  };

  // A field shows its error once it is touched (its text differs from what it was) or after Save.
  const initial = useMemo(() => toDraft(value), [value]);
  const visible = (name: ParameterName) => (showErrors || draft.parameters[name] !== initial.parameters[name] ? errors[name] : undefined);
  const promptTooLong = errors.system_prompt === "too_long";

  return (
    <DialogBody>
      <DialogTitle
        action={<Button appearance="subtle" aria-label={t.close} icon={<Dismiss24Regular />} onClick={onClose} />}
      >
        {t.title}
      </DialogTitle>
      <DialogContent className={styles.content}>
        <section className={styles.section} aria-labelledby="settings-model-label">
          <Label id="settings-model-label" weight="semibold">
            {t.modelSection}
          </Label>
          <ModelDropdown
            labelledBy="settings-model-label"
            value={draft.model}
            onChange={(id) =>
              // Picking the default for a chat that follows the default keeps it following.
              setDraft((d) => ({ ...d, model: value.model === null && id === models.data?.default ? null : id }))
            }
          />
          <Caption1 className={model?.simulated ? styles.warning : styles.hint}>{model?.simulated ? t.simulatedHint : t.modelHint}</Caption1>
        </section>

        <section className={styles.section}>
          <div className={styles.promptTop}>
            <Label htmlFor="settings-system-prompt" weight="semibold">
              {t.systemPrompt}
            </Label>
            <ExamplesMenu t={t} onPick={(prompt) => setDraft((d) => ({ ...d, system_prompt: prompt }))} />
          </div>
          <Textarea
            id="settings-system-prompt"
            className={styles.textarea}
            resize="vertical"
            rows={5}
            value={draft.system_prompt}
            placeholder={t.systemPromptPlaceholder}
            aria-describedby="settings-system-prompt-hint"
            aria-invalid={promptTooLong || undefined}
            onChange={(_, data) => setDraft((d) => ({ ...d, system_prompt: data.value }))}
          />
          <div className={styles.promptBottom}>
            <Caption1 id="settings-system-prompt-hint" className={promptTooLong ? styles.error : styles.hint} role={promptTooLong ? "alert" : undefined}>
              {promptTooLong
                ? format(t.errorTooLong, { count: draft.system_prompt.length.toLocaleString(locale), max: defaults.maxSystemPromptChars.toLocaleString(locale) })
                : t.systemPromptHint}
            </Caption1>
            <Caption1 className={styles.hint} aria-hidden>
              {format(t.characters, { count: draft.system_prompt.length.toLocaleString(locale), max: defaults.maxSystemPromptChars.toLocaleString(locale) })}
            </Caption1>
          </div>
        </section>

        <section className={styles.section} aria-labelledby="settings-parameters-heading">
          <Subtitle2 as="h3" id="settings-parameters-heading" className={styles.heading}>
            {t.parameters}
          </Subtitle2>
          <div className={styles.parameters}>
            {PARAMETER_NAMES.map((name) => (
              <ParameterField
                key={name}
                name={name}
                label={t[name]}
                hint={t[`${name}Hint`]}
                unit={name === "max_tokens" ? t.max_tokensUnit : undefined}
                text={draft.parameters[name]}
                error={errorText(t, name, visible(name), locale)}
                onText={(text) => setParameter(name, text)}
              />
            ))}
          </div>
        </section>

        <Divider />
        <PresetsSection t={t} current={parsed} onApply={(preset) => apply(settingsOfPreset(preset))} />
      </DialogContent>
      <DialogActions position="start" className={styles.actions}>
        <Button
          appearance="subtle"
          icon={<ArrowReset20Regular />}
          onClick={() => apply({ ...defaults.settings, parameters: { ...defaults.settings.parameters } })}
        >
          {t.resetDefaults}
        </Button>
      </DialogActions>
      <DialogActions position="end">
        <Button onClick={onClose}>{t.cancel}</Button>
        <Button appearance="primary" onClick={save} disabled={showErrors && !parsed}>
          {t.save}
        </Button>
      </DialogActions>
    </DialogBody>
  );
}

export interface SettingsDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  value: ChatSettings;
  onChange: (patch: ChatSettingsPatch) => void;
}

export default function SettingsDialog({ open, onOpenChange, value, onChange }: SettingsDialogProps) {
  const styles = useStyles();
  return (
    <Dialog open={open} onOpenChange={(_, data) => onOpenChange(data.open)}>
      <DialogSurface className={styles.surface} aria-describedby={undefined}>
        <SettingsForm value={value} onSave={onChange} onClose={() => onOpenChange(false)} />
      </DialogSurface>
    </Dialog>
  );
}
