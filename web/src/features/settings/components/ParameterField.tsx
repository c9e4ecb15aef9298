import { Caption1, Input, Label, makeStyles, mergeClasses, Slider, tokens, useId } from "@fluentui/react-components";
import { ErrorCircle12Filled } from "@fluentui/react-icons";
import { useLocale } from "../../../i18n";
import { PARAMETER_BOUNDS, type ParameterName } from "../defaults";
import { formatNumber } from "../form";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
  top: { display: "flex", alignItems: "center", justifyContent: "space-between", gap: tokens.spacingHorizontalS },
  number: { width: "104px", flexShrink: 0 },
  withUnit: { width: "136px" },
  unit: { color: tokens.colorNeutralForeground3, whiteSpace: "nowrap" },
  slider: { marginInline: `calc(-1 * ${tokens.spacingHorizontalS})` },
  // Step marks help with a few steps (temperature) and turn into noise with many (tokens).
  noMarks: { "::before": { backgroundImage: "none" } },
  hint: { color: tokens.colorNeutralForeground3 },
  error: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalXS,
    color: tokens.colorPaletteRedForeground1,
  },
});

export interface ParameterFieldProps {
  name: ParameterName;
  label: string;
  hint: string;
  /** Shown after the number, e.g. "tokens". */
  unit?: string;
  text: string;
  error: string | null;
  onText: (text: string) => void;
}

/** One parameter: a slider and a number box kept in step, a help text and an inline error. */
export function ParameterField({ name, label, hint, unit, text, error, onText }: ParameterFieldProps) {
  const styles = useStyles();
  const { locale } = useLocale();
  const id = useId("parameter-" + name);
  const bounds = PARAMETER_BOUNDS[name];
  const typed = Number(text.trim());
  const sliderValue = text.trim() !== "" && Number.isFinite(typed) ? Math.min(bounds.max, Math.max(bounds.min, typed)) : bounds.min;
  const describedBy = `${id}-hint` + (error ? ` ${id}-error` : "");

  return (
    <div className={styles.root}>
      <div className={styles.top}>
        <Label id={`${id}-label`} htmlFor={`${id}-number`} weight="semibold">
          {label}
        </Label>
        <Input
          id={`${id}-number`}
          className={mergeClasses(styles.number, unit && styles.withUnit)}
          size="small"
          type="number"
          inputMode={bounds.integer ? "numeric" : "decimal"}
          min={bounds.min}
          max={bounds.max}
          step={bounds.integer ? 1 : bounds.step}
          value={text}
          onChange={(_, data) => onText(data.value)}
          aria-describedby={describedBy}
          aria-invalid={error ? true : undefined}
          contentAfter={unit ? <Caption1 className={styles.unit}>{unit}</Caption1> : undefined}
        />
      </div>
      <Slider
        className={styles.slider}
        rail={{ className: (bounds.max - bounds.min) / bounds.step > 20 ? styles.noMarks : undefined }}
        min={bounds.min}
        max={bounds.max}
        step={bounds.step}
        value={sliderValue}
        onChange={(_, data) => onText(formatNumber(data.value))}
        aria-labelledby={`${id}-label`}
        aria-valuetext={unit ? `${sliderValue.toLocaleString(locale)} ${unit}` : undefined}
        aria-describedby={`${id}-hint`}
      />
      <Caption1 id={`${id}-hint`} className={styles.hint}>
        {hint}
      </Caption1>
      {error && (
        <Caption1 id={`${id}-error`} className={styles.error} role="alert">
          <ErrorCircle12Filled aria-hidden />
          {error}
        </Caption1>
      )}
    </div>
  );
}
