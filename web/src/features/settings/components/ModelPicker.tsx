import { Badge, Caption1, Dropdown, makeStyles, mergeClasses, Option, tokens } from "@fluentui/react-components";
import { format, useLocale, useMessages } from "../../../i18n";
import { effectiveModel, useModels } from "../api/models";
import { settingsMessages } from "../messages";

const useStyles = makeStyles({
  compact: { minWidth: "0", maxWidth: "min(320px, 60vw)" },
  full: { width: "100%" },
  value: { display: "inline-flex", alignItems: "center", gap: tokens.spacingHorizontalXS, minWidth: 0 },
  label: { overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" },
  listbox: { minWidth: "260px" },
  option: { display: "flex", flexDirection: "column", gap: "2px", paddingBlock: tokens.spacingVerticalXXS },
  optionTop: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS },
  secondary: { color: tokens.colorNeutralForeground3 },
});

export interface ModelDropdownProps {
  value: string | null;
  onChange: (model: string) => void;
  disabled?: boolean;
  /** The chat header's small variant; the settings dialog takes the full width. */
  compact?: boolean;
}

/** The badge that tells a simulated model from a real one. */
export function SimulatedBadge() {
  const t = useMessages(settingsMessages);
  return (
    <Badge appearance="tint" color="warning" size="small" shape="rounded">
      {t.simulated}
    </Badge>
  );
}

export function ModelDropdown({ value, onChange, disabled, compact = false }: ModelDropdownProps) {
  const styles = useStyles();
  const t = useMessages(settingsMessages);
  const { locale } = useLocale();
  const { data, isPending, isError } = useModels();
  const current = effectiveModel(data, value);
  const selectedId = current?.id ?? value ?? undefined;
  const shown = current?.label ?? (value ? format(t.unknownModel, { id: value }) : isError ? t.modelsFailed : t.modelsLoading);

  return (
    <Dropdown
      aria-label={t.model}
      size={compact ? "small" : "medium"}
      appearance={compact ? "filled-lighter" : "outline"}
      className={mergeClasses(compact ? styles.compact : styles.full)}
      listbox={{ className: styles.listbox }}
      disabled={disabled || isPending || isError}
      value={shown}
      selectedOptions={selectedId ? [selectedId] : []}
      onOptionSelect={(_, data) => {
        if (data.optionValue && data.optionValue !== selectedId) onChange(data.optionValue);
      }}
      button={{
        children: (
          <span className={styles.value}>
            <span className={styles.label}>{shown}</span>
            {current?.simulated && <SimulatedBadge />}
          </span>
        ),
      }}
    >
      {data?.items.map((model) => (
        <Option key={model.id} value={model.id} text={model.label}>
          <span className={styles.option}>
            <span className={styles.optionTop}>
              <span>{model.label}</span>
              {model.simulated && <SimulatedBadge />}
            </span>
            <Caption1 className={styles.secondary}>
              {format(t.contextWindow, { tokens: model.context_window.toLocaleString(locale) })}
              {model.id === data.default ? ` · ${t.defaultSuffix}` : ""}
            </Caption1>
          </span>
        </Option>
      ))}
    </Dropdown>
  );
}

/** The chat header's model picker (GET /api/models); `null` is the default model. */
export function ModelPicker(props: { value: string | null; onChange: (model: string) => void; disabled?: boolean }) {
  return <ModelDropdown {...props} compact />;
}
