import { Button, makeStyles, tokens, Tooltip } from "@fluentui/react-components";
import { Broom20Regular, Compose20Regular } from "@fluentui/react-icons";
import { memo } from "react";
import { useMessages } from "../../../i18n";
import { ModelPicker, SettingsButton, type ChatSettings, type ChatSettingsPatch } from "../../settings";
import { chatMessages } from "../messages";
import { visuallyHidden } from "../../../components/visuallyHidden";

const PHONE = "@media (max-width: 760px)";

const useStyles = makeStyles({
  root: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalXS,
    minHeight: "48px",
    flexShrink: 0,
    paddingInline: tokens.spacingHorizontalL,
    borderBottom: `1px solid ${tokens.colorNeutralStroke3}`,
    backgroundColor: tokens.colorNeutralBackground1,
    [PHONE]: { paddingInline: tokens.spacingHorizontalS },
  },
  title: {
    flexGrow: 1,
    minWidth: 0,
    margin: 0,
    marginInlineEnd: tokens.spacingHorizontalS,
    overflow: "hidden",
    textOverflow: "ellipsis",
    whiteSpace: "nowrap",
    fontSize: tokens.fontSizeBase400,
    fontWeight: tokens.fontWeightSemibold,
    color: tokens.colorNeutralForeground1,
    // A phone has no room for both: the model picker matters more (the history shows titles).
    [PHONE]: visuallyHidden,
  },
  picker: {
    display: "flex",
    alignItems: "center",
    minWidth: 0,
    [PHONE]: { flexGrow: 1 },
  },
  label: { [PHONE]: { display: "none" } },
  clear: { [PHONE]: { minWidth: "32px", paddingInline: "6px" } },
});

export const ChatHeader = memo(function ChatHeader(props: {
  title: string;
  settings: ChatSettings;
  onSettingsChange: (patch: ChatSettingsPatch) => void;
  canClear: boolean;
  onClear: () => void;
  onNewChat: () => void;
}) {
  const t = useMessages(chatMessages);
  const styles = useStyles();
  const { onSettingsChange } = props;
  return (
    <div className={styles.root}>
      <h2 className={styles.title} title={props.title}>
        {props.title}
      </h2>
      <div className={styles.picker}>
        <ModelPicker value={props.settings.model} onChange={(model) => onSettingsChange({ model })} />
      </div>
      <SettingsButton value={props.settings} onChange={onSettingsChange} />
      <Tooltip content={t.clearChatHint} relationship="description" withArrow>
        <Button
          className={styles.clear}
          appearance="subtle"
          icon={<Broom20Regular />}
          aria-label={t.clearChat}
          disabled={!props.canClear}
          onClick={props.onClear}
        >
          <span className={styles.label}>{t.clearChat}</span>
        </Button>
      </Tooltip>
      <Tooltip content={t.newChat} relationship="label" withArrow>
        <Button appearance="subtle" icon={<Compose20Regular />} aria-label={t.newChat} onClick={props.onNewChat} />
      </Tooltip>
    </div>
  );
});
