import { Badge, makeStyles, tokens, Tooltip } from "@fluentui/react-components";
import { Warning16Regular } from "@fluentui/react-icons";
import { useMessages } from "../../../i18n";
import { useModels } from "../api/models";
import { settingsMessages } from "../messages";

const useStyles = makeStyles({
  badge: {
    flexShrink: 0,
    cursor: "default",
    ":focus-visible": { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: "2px" },
  },
  long: { "@media (max-width: 760px)": { display: "none" } },
});

/** For the app header: says plainly when the default model is the simulator, and nothing otherwise. */
export function SimulatedNotice() {
  const styles = useStyles();
  const t = useMessages(settingsMessages);
  const { data } = useModels();
  const simulated = data?.items.find((m) => m.id === data.default)?.simulated ?? false;
  if (!simulated) return null;
  return (
    <Tooltip content={t.simulatedNoticeTip} relationship="description" withArrow>
      <Badge
        className={styles.badge}
        appearance="tint"
        color="warning"
        size="large"
        shape="rounded"
        icon={<Warning16Regular />}
        tabIndex={0}
        role="note"
      >
        {t.simulatedNotice}
        <span className={styles.long}>{t.simulatedNoticeLong}</span>
      </Badge>
    </Tooltip>
  );
}
