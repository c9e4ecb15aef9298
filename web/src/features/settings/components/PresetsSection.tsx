import {
  Button,
  Caption1,
  Field,
  Input,
  makeStyles,
  Spinner,
  Subtitle2,
  Text,
  tokens,
  Tooltip,
} from "@fluentui/react-components";
import { Checkmark16Regular, Delete16Regular, Edit16Regular, Save16Regular } from "@fluentui/react-icons";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { ApiError, type Schemas } from "../../../api/client";
import { format } from "../../../i18n";
import { usePresets, useCreatePreset, useDeletePreset, useRenamePreset } from "../api/presets";
import { MAX_PRESET_NAME_CHARS } from "../defaults";
import { dialogMessages } from "../dialogMessages";
import { presetNameError } from "../form";
import type { ChatSettings } from "../types";

type Preset = Schemas["PresetRead"];
type T = (typeof dialogMessages)["en"];

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  header: { display: "flex", alignItems: "center", justifyContent: "space-between", gap: tokens.spacingHorizontalS },
  heading: { margin: 0 },
  hint: { color: tokens.colorNeutralForeground3 },
  form: { display: "flex", alignItems: "flex-start", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
  nameField: { flexGrow: 1, minWidth: "200px" },
  formButtons: { display: "flex", gap: tokens.spacingHorizontalS, paddingTop: "26px" },
  list: {
    listStyle: "none",
    margin: 0,
    padding: 0,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  item: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    ":not(:last-child)": { borderBottom: `1px solid ${tokens.colorNeutralStroke2}` },
  },
  itemText: { display: "flex", flexDirection: "column", minWidth: 0, flexGrow: 1 },
  itemName: { fontWeight: tokens.fontWeightSemibold, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" },
  itemPrompt: { color: tokens.colorNeutralForeground3, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" },
  actions: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalXXS, flexShrink: 0 },
  status: { color: tokens.colorNeutralForeground2, minHeight: "16px" },
  empty: { color: tokens.colorNeutralForeground3 },
});

function nameMessage(t: T, error: "required" | "too_long" | null): string | null {
  if (error === "required") return t.presetNameRequired;
  if (error === "too_long") return format(t.presetNameTooLong, { max: MAX_PRESET_NAME_CHARS });
  return null;
}

function serverMessage(t: T, error: unknown, name: string): string {
  if (error instanceof ApiError && error.code === "preset_name_taken") return format(t.presetNameTaken, { name: name.trim() });
  return format(t.presetFailed, { detail: error instanceof Error ? error.message : String(error) });
}

/** A name box with its own validation, for saving a new preset and for renaming one. */
function NameForm(props: {
  t: T;
  initial: string;
  submitLabel: string;
  busy: boolean;
  serverError: string | null;
  onSubmit: (name: string) => void;
  onCancel: () => void;
  disabledReason?: string | null;
}) {
  const { t } = props;
  const styles = useStyles();
  const [name, setName] = useState(props.initial);
  const [touched, setTouched] = useState(false);
  const error = nameMessage(t, presetNameError(name, MAX_PRESET_NAME_CHARS));
  const shown = (touched && error) || props.serverError || props.disabledReason || null;
  // The form (and its message) may open below the dialog's fold: bring it into view.
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    // Braces: scrollIntoView returns a promise in newer browsers, which must not become the cleanup.
    void form.current?.scrollIntoView({ block: "nearest" });
  }, [shown]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!error && !props.disabledReason) props.onSubmit(name.trim());
  };
  return (
    <form ref={form} className={styles.form} onSubmit={submit} noValidate>
      <Field
        className={styles.nameField}
        label={t.presetName}
        validationState={shown ? "error" : "none"}
        validationMessage={shown ?? undefined}
      >
        <Input
          value={name}
          autoFocus
          maxLength={MAX_PRESET_NAME_CHARS + 20}
          onChange={(_, data) => {
            setName(data.value);
            setTouched(true);
          }}
          onKeyDown={(event) => {
            // Esc leaves this box, not the whole dialog.
            if (event.key === "Escape") {
              event.stopPropagation();
              props.onCancel();
            }
          }}
        />
      </Field>
      <div className={styles.formButtons}>
        <Button type="submit" appearance="primary" disabled={props.busy} icon={props.busy ? <Spinner size="extra-tiny" /> : undefined}>
          {props.submitLabel}
        </Button>
        <Button type="button" onClick={props.onCancel}>
          {t.cancel}
        </Button>
      </div>
    </form>
  );
}

function PresetRow({ t, preset, onApply, onStatus }: { t: T; preset: Preset; onApply: (p: Preset) => void; onStatus: (s: string) => void }) {
  const styles = useStyles();
  const rename = useRenamePreset();
  const remove = useDeletePreset();
  const [mode, setMode] = useState<"view" | "rename" | "delete">("view");
  const [renameError, setRenameError] = useState<{ name: string; error: unknown } | null>(null);

  if (mode === "rename") {
    return (
      <li className={styles.item}>
        <NameForm
          t={t}
          initial={preset.name}
          submitLabel={t.rename}
          busy={rename.isPending}
          serverError={renameError ? serverMessage(t, renameError.error, renameError.name) : null}
          onCancel={() => setMode("view")}
          onSubmit={(name) => {
            if (name === preset.name) return setMode("view");
            setRenameError(null);
            rename.mutate(
              { id: preset.id, name },
              { onSuccess: () => setMode("view"), onError: (error) => setRenameError({ name, error }) },
            );
          }}
        />
      </li>
    );
  }

  return (
    <li className={styles.item}>
      <div className={styles.itemText}>
        <Text className={styles.itemName}>{mode === "delete" ? format(t.confirmDelete, { name: preset.name }) : preset.name}</Text>
        {mode === "view" && <Caption1 className={styles.itemPrompt}>{preset.system_prompt.trim() || t.noSystemPrompt}</Caption1>}
      </div>
      {mode === "delete" ? (
        <div className={styles.actions}>
          <Button
            appearance="primary"
            size="small"
            disabled={remove.isPending}
            aria-label={format(t.deleteLabel, { name: preset.name })}
            onClick={() =>
              remove.mutate(preset.id, {
                onSuccess: () => onStatus(format(t.deleted, { name: preset.name })),
                onError: (error) => {
                  setMode("view");
                  onStatus(serverMessage(t, error, preset.name));
                },
              })
            }
          >
            {t.delete}
          </Button>
          <Button size="small" onClick={() => setMode("view")}>
            {t.cancel}
          </Button>
        </div>
      ) : (
        <div className={styles.actions}>
          <Button size="small" icon={<Checkmark16Regular />} aria-label={format(t.applyLabel, { name: preset.name })} onClick={() => onApply(preset)}>
            {t.apply}
          </Button>
          <Tooltip content={t.rename} relationship="description">
            <Button
              size="small"
              appearance="subtle"
              icon={<Edit16Regular />}
              aria-label={format(t.renameLabel, { name: preset.name })}
              onClick={() => {
                setRenameError(null);
                setMode("rename");
              }}
            />
          </Tooltip>
          <Tooltip content={t.delete} relationship="description">
            <Button
              size="small"
              appearance="subtle"
              icon={<Delete16Regular />}
              aria-label={format(t.deleteLabel, { name: preset.name })}
              onClick={() => setMode("delete")}
            />
          </Tooltip>
        </div>
      )}
    </li>
  );
}

/** The dialog's presets: save the form's settings under a name; apply, rename or delete saved ones. */
export function PresetsSection({
  t,
  current,
  onApply,
}: {
  t: T;
  /** The form's settings, or null while a field is invalid. */
  current: ChatSettings | null;
  onApply: (preset: Preset) => void;
}) {
  const styles = useStyles();
  const presets = usePresets();
  const create = useCreatePreset();
  const [adding, setAdding] = useState(false);
  const [createError, setCreateError] = useState<{ name: string; error: unknown } | null>(null);
  const [status, setStatus] = useState("");

  const save = (name: string) => {
    if (!current) return;
    setCreateError(null);
    create.mutate(
      { name, system_prompt: current.system_prompt, parameters: current.parameters, model: current.model },
      {
        onSuccess: (preset) => {
          setAdding(false);
          setStatus(format(t.saved, { name: preset.name }));
        },
        onError: (error) => setCreateError({ name, error }),
      },
    );
  };

  return (
    <section className={styles.root} aria-labelledby="settings-presets-heading">
      <div className={styles.header}>
        <Subtitle2 as="h3" id="settings-presets-heading" className={styles.heading}>
          {t.presets}
        </Subtitle2>
        {!adding && (
          <Button
            size="small"
            icon={<Save16Regular />}
            onClick={() => {
              setCreateError(null);
              setStatus("");
              setAdding(true);
            }}
          >
            {t.saveAsPreset}
          </Button>
        )}
      </div>
      <Caption1 className={styles.hint}>{t.presetsHint}</Caption1>
      {adding && (
        <NameForm
          t={t}
          initial=""
          submitLabel={t.savePreset}
          busy={create.isPending}
          serverError={createError ? serverMessage(t, createError.error, createError.name) : null}
          disabledReason={current ? null : t.fixErrors}
          onSubmit={save}
          onCancel={() => setAdding(false)}
        />
      )}
      {presets.isPending ? (
        <Caption1 className={styles.empty}>{t.presetsLoading}</Caption1>
      ) : presets.isError ? (
        <Caption1 className={styles.empty}>{t.presetsFailed}</Caption1>
      ) : presets.data.length === 0 ? (
        <Caption1 className={styles.empty}>{t.noPresets}</Caption1>
      ) : (
        <ul className={styles.list} aria-labelledby="settings-presets-heading">
          {presets.data.map((preset) => (
            <PresetRow
              key={preset.id}
              t={t}
              preset={preset}
              onStatus={setStatus}
              onApply={(p) => {
                onApply(p);
                setStatus(format(t.applied, { name: p.name }));
              }}
            />
          ))}
        </ul>
      )}
      <Caption1 className={styles.status} role="status">
        {status}
      </Caption1>
    </section>
  );
}
