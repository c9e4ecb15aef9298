// The settings dialog's model picker: a Fluent Dropdown showing each model's details. It loads
// with the dialog; the chat header has the lighter ModelPicker.
import { Caption1, Dropdown, makeStyles, Option, tokens } from "@fluentui/react-components";
import { format, useLocale, useMessages } from "../../../i18n";
import { effectiveModel, useModels } from "../api/models";
import { settingsMessages } from "../messages";
import { SimulatedBadge } from "./SimulatedBadge";

const useStyles = makeStyles({
  root: { width: "100%" },
  value: { display: "inline-flex", alignItems: "center", gap: tokens.spacingHorizontalS, minWidth: 0 },
  label: { overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" },
  option: { display: "flex", flexDirection: "column", gap: "2px", paddingBlock: tokens.spacingVerticalXXS },
  optionTop: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS },
  secondary: { color: tokens.colorNeutralForeground3 },
});

export function ModelDropdown({ value, onChange, labelledBy }: { value: string | null; onChange: (model: string) => void; labelledBy: string }) {
  const styles = useStyles();
  const t = useMessages(settingsMessages);
  const { locale } = useLocale();
  const { data, isPending, isError } = useModels();
  const current = effectiveModel(data, value);
  const selectedId = current?.id ?? value ?? undefined;
  const shown = current?.label ?? (value ? format(t.unknownModel, { id: value }) : isError ? t.modelsFailed : t.modelsLoading);

  return (
    <Dropdown
      aria-labelledby={labelledBy}
      className={styles.root}
      disabled={isPending || isError}
      value={shown}
      selectedOptions={selectedId ? [selectedId] : []}
      onOptionSelect={(_, option) => {
        if (option.optionValue && option.optionValue !== selectedId) onChange(option.optionValue);
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
