import { makeStyles, mergeClasses, tokens, Tooltip } from "@fluentui/react-components";
import { Warning16Regular } from "@fluentui/react-icons";
import { useMessages } from "../../../i18n";
import { useModels } from "../api/models";
import { settingsMessages } from "../messages";
import { useBadgeStyles } from "./SimulatedBadge";

const useStyles = makeStyles({
  notice: {
    cursor: "default",
    ":focus-visible": { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: "2px" },
  },
  long: { marginInlineStart: "0.15em", "@media (max-width: 760px)": { display: "none" } },
});

/** For the app header: says plainly when the default model is the simulator, and nothing otherwise. */
export function SimulatedNotice() {
  const styles = useStyles();
  const badge = useBadgeStyles();
  const t = useMessages(settingsMessages);
  const { data } = useModels();
  const simulated = data?.items.find((m) => m.id === data.default)?.simulated ?? false;
  if (!simulated) return null;
  return (
    <Tooltip content={t.simulatedNoticeTip} relationship="description" withArrow>
      <span className={mergeClasses(badge.badge, badge.large, styles.notice)} role="note" tabIndex={0}>
        <Warning16Regular aria-hidden />
        {t.simulatedNotice}
        <span className={styles.long}>{t.simulatedNoticeLong}</span>
      </span>
    </Tooltip>
  );
}
