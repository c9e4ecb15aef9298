// The chat header's model picker: a native select (Fluent's Select), light enough for the
// initial bundle; the settings dialog has the richer ModelDropdown.
import { makeStyles, Select, tokens, useId } from "@fluentui/react-components";
import { format, useMessages } from "../../../i18n";
import { effectiveModel, useModels } from "../api/models";
import { settingsMessages } from "../messages";
import { SimulatedBadge } from "./SimulatedBadge";

const useStyles = makeStyles({
  root: { display: "inline-flex", alignItems: "center", gap: tokens.spacingHorizontalXS, minWidth: 0 },
  select: { width: "auto", minWidth: 0, maxWidth: "min(280px, 45vw)" },
});

/** Pick the chat's model from GET /api/models; `null` is the default model. */
export function ModelPicker({ value, onChange, disabled }: { value: string | null; onChange: (model: string) => void; disabled?: boolean }) {
  const styles = useStyles();
  const t = useMessages(settingsMessages);
  const badgeId = useId("model-simulated");
  const { data, isPending, isError } = useModels();
  const current = effectiveModel(data, value);
  // A model the server no longer offers still shows as what the chat has.
  const missing = data && value !== null && !current ? value : null;

  return (
    <span className={styles.root}>
      <Select
        className={styles.select}
        size="small"
        appearance="filled-lighter"
        aria-label={t.model}
        aria-describedby={current?.simulated ? badgeId : undefined}
        disabled={disabled || isPending || isError}
        value={current?.id ?? missing ?? ""}
        onChange={(_, select) => {
          if (select.value && select.value !== current?.id) onChange(select.value);
        }}
      >
        {!data && <option value="">{isError ? t.modelsFailed : t.modelsLoading}</option>}
        {missing && (
          <option value={missing} disabled>
            {format(t.unknownModel, { id: missing })}
          </option>
        )}
        {data?.items.map((model) => (
          <option key={model.id} value={model.id}>
            {model.label}
          </option>
        ))}
      </Select>
      {current?.simulated && <SimulatedBadge id={badgeId} />}
    </span>
  );
}
