import { Caption1, makeStyles, shorthands, Subtitle2, Text, tokens } from "@fluentui/react-components";
import { Sparkle20Regular } from "@fluentui/react-icons";
import type { Schemas } from "../../../api/client";
import { useMessages } from "../../../i18n";
import { effectiveModel, useModels } from "../api/models";
import { usePresets } from "../api/presets";
import { settingsMessages } from "../messages";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, width: "100%" },
  heading: {
    margin: 0,
    display: "flex",
    alignItems: "center",
    justifyContent: "center",
    gap: tokens.spacingHorizontalXS,
    color: tokens.colorNeutralForeground2,
  },
  list: {
    listStyle: "none",
    margin: 0,
    padding: 0,
    display: "grid",
    gridTemplateColumns: "repeat(auto-fill, minmax(200px, 1fr))",
    gap: tokens.spacingHorizontalS,
  },
  card: {
    margin: 0,
    fontFamily: "inherit",
    fontSize: "inherit",
    boxSizing: "border-box",
    width: "100%",
    height: "100%",
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXXS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusLarge,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground1,
    color: tokens.colorNeutralForeground1,
    cursor: "pointer",
    textAlign: "start",
    transitionProperty: "background-color, border-color",
    transitionDuration: tokens.durationFaster,
    ":hover": { backgroundColor: tokens.colorNeutralBackground1Hover, ...shorthands.borderColor(tokens.colorNeutralStroke1Hover) },
    ":active": { backgroundColor: tokens.colorNeutralBackground1Pressed },
    ":focus-visible": { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: "1px" },
  },
  name: { fontWeight: tokens.fontWeightSemibold, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" },
  prompt: {
    color: tokens.colorNeutralForeground2,
    display: "-webkit-box",
    WebkitLineClamp: "2",
    WebkitBoxOrient: "vertical",
    overflow: "hidden",
    overflowWrap: "anywhere",
  },
  meta: { color: tokens.colorNeutralForeground3 },
});

/** For the new-chat screen: the user's presets to start from; nothing when there are none. */
export function PresetPicker({ onPick }: { onPick: (preset: Schemas["PresetRead"]) => void }) {
  const styles = useStyles();
  const t = useMessages(settingsMessages);
  const { data: presets } = usePresets();
  const { data: models } = useModels();
  if (!presets || presets.length === 0) return null;
  return (
    <section className={styles.root} aria-labelledby="preset-picker-heading">
      <Subtitle2 as="h2" id="preset-picker-heading" className={styles.heading}>
        <Sparkle20Regular aria-hidden />
        {t.startFromPreset}
      </Subtitle2>
      <ul className={styles.list}>
        {presets.map((preset) => (
          <li key={preset.id}>
            <button type="button" className={styles.card} onClick={() => onPick(preset)}>
              <Text className={styles.name}>{preset.name}</Text>
              <Caption1 className={styles.prompt}>{preset.system_prompt.trim() || t.noSystemPrompt}</Caption1>
              <Caption1 className={styles.meta}>
                {preset.model === null ? t.presetModelDefault : (effectiveModel(models, preset.model)?.label ?? preset.model)}
              </Caption1>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
