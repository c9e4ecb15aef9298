// A new chat before its first question: a greeting, the saved presets, example prompts.
import { makeStyles, tokens } from "@fluentui/react-components";
import { Sparkle24Filled } from "@fluentui/react-icons";
import type { Schemas } from "../../../api/client";
import { useMessages } from "../../../i18n";
import { PresetPicker } from "../../settings";
import { chatMessages } from "../messages";

const useStyles = makeStyles({
  root: {
    flexGrow: 1,
    display: "flex",
    flexDirection: "column",
    alignItems: "center",
    justifyContent: "center",
    gap: tokens.spacingVerticalL,
    paddingBlock: tokens.spacingVerticalXXL,
    textAlign: "center",
  },
  logo: {
    width: "48px",
    height: "48px",
    borderRadius: tokens.borderRadiusCircular,
    display: "flex",
    alignItems: "center",
    justifyContent: "center",
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
    boxShadow: tokens.shadow8,
  },
  title: {
    margin: 0,
    fontSize: tokens.fontSizeBase600,
    lineHeight: tokens.lineHeightBase600,
    fontWeight: tokens.fontWeightSemibold,
    color: tokens.colorNeutralForeground1,
  },
  subtitle: { margin: 0, color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase300 },
  examples: {
    display: "grid",
    gridTemplateColumns: "repeat(2, minmax(0, 1fr))",
    gap: tokens.spacingHorizontalM,
    width: "100%",
    maxWidth: "640px",
    marginTop: tokens.spacingVerticalS,
    padding: 0,
    listStyleType: "none",
    "@media (max-width: 560px)": { gridTemplateColumns: "minmax(0, 1fr)" },
  },
  example: {
    width: "100%",
    height: "100%",
    display: "flex",
    flexDirection: "column",
    gap: "2px",
    textAlign: "start",
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalL}`,
    borderRadius: tokens.borderRadiusXLarge,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground1,
    color: tokens.colorNeutralForeground1,
    fontFamily: tokens.fontFamilyBase,
    cursor: "pointer",
    transitionProperty: "background-color, border-color",
    transitionDuration: tokens.durationFaster,
    ":hover": { backgroundColor: tokens.colorNeutralBackground1Hover, border: `1px solid ${tokens.colorNeutralStroke1Hover}` },
    ":active": { backgroundColor: tokens.colorNeutralBackground1Pressed },
    ":focus-visible": { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: "2px" },
  },
  exampleTitle: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase300 },
  exampleDetail: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
});

export function EmptyState(props: {
  onPickPreset: (preset: Schemas["PresetRead"]) => void;
  onExample: (prompt: string) => void;
}) {
  const t = useMessages(chatMessages);
  const styles = useStyles();
  const examples = [
    [t.example1Title, t.example1Detail, t.example1Prompt],
    [t.example2Title, t.example2Detail, t.example2Prompt],
    [t.example3Title, t.example3Detail, t.example3Prompt],
    [t.example4Title, t.example4Detail, t.example4Prompt],
  ] as const;
  return (
    <div className={styles.root}>
      <div className={styles.logo} aria-hidden>
        <Sparkle24Filled />
      </div>
      <h2 className={styles.title}>{t.emptyTitle}</h2>
      <p className={styles.subtitle}>{t.emptySubtitle}</p>
      <PresetPicker onPick={props.onPickPreset} />
      <ul className={styles.examples} aria-label={t.examples}>
        {examples.map(([title, detail, prompt]) => (
          <li key={title}>
            <button type="button" className={styles.example} onClick={() => props.onExample(prompt)}>
              <span className={styles.exampleTitle}>{title}</span>
              <span className={styles.exampleDetail}>{detail}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
