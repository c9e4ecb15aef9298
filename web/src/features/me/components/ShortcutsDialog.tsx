// The keyboard shortcuts dialog, loaded on first use (React.lazy in MeMenu).
import {
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Dismiss24Regular } from "@fluentui/react-icons";
import { Fragment, useMemo } from "react";
import { useMessages } from "../../../i18n";
import { shortcutMessages } from "../shortcutMessages";
import { isApplePlatform, shortcutList } from "../shortcuts";
import { visuallyHidden } from "../../../components/visuallyHidden";

const useStyles = makeStyles({
  surface: { maxWidth: "min(480px, calc(100vw - 32px))" },
  table: { width: "100%", borderCollapse: "collapse" },
  head: visuallyHidden,
  row: { ":not(:last-child)": { borderBottom: `1px solid ${tokens.colorNeutralStroke2}` } },
  action: { paddingBlock: tokens.spacingVerticalS, paddingInlineEnd: tokens.spacingHorizontalL, textAlign: "start", fontWeight: tokens.fontWeightRegular },
  keys: { paddingBlock: tokens.spacingVerticalS, textAlign: "end", whiteSpace: "nowrap" },
  kbd: {
    display: "inline-block",
    minWidth: "1.6em",
    padding: `1px ${tokens.spacingHorizontalXS}`,
    fontFamily: tokens.fontFamilyBase,
    fontSize: tokens.fontSizeBase200,
    lineHeight: tokens.lineHeightBase200,
    textAlign: "center",
    color: tokens.colorNeutralForeground1,
    backgroundColor: tokens.colorNeutralBackground3,
    border: `1px solid ${tokens.colorNeutralStroke1}`,
    borderBottomWidth: "2px",
    borderRadius: tokens.borderRadiusMedium,
  },
  plus: { color: tokens.colorNeutralForeground3, paddingInline: "3px" },
  note: { display: "block", marginTop: tokens.spacingVerticalM, color: tokens.colorNeutralForeground3 },
});

export default function ShortcutsDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const styles = useStyles();
  const t = useMessages(shortcutMessages);
  const shortcuts = useMemo(() => shortcutList(isApplePlatform()), []);
  return (
    <Dialog open={open} onOpenChange={(_, data) => onOpenChange(data.open)}>
      <DialogSurface className={styles.surface}>
        <DialogBody>
          <DialogTitle
            action={<Button appearance="subtle" aria-label={t.close} icon={<Dismiss24Regular />} onClick={() => onOpenChange(false)} />}
          >
            {t.title}
          </DialogTitle>
          <DialogContent>
            <table className={styles.table}>
              <thead className={styles.head}>
                <tr>
                  <th scope="col">{t.action}</th>
                  <th scope="col">{t.keys}</th>
                </tr>
              </thead>
              <tbody>
                {shortcuts.map((shortcut) => (
                  <tr key={shortcut.action} className={styles.row}>
                    <th scope="row" className={styles.action}>
                      {t[shortcut.action]}
                    </th>
                    <td className={styles.keys}>
                      {shortcut.keys.map((combo, i) => (
                        <Fragment key={i}>
                          {i > 0 && ` ${t.or} `}
                          {combo.map((key, j) => (
                            <Fragment key={key}>
                              {j > 0 && (
                                <span className={styles.plus} aria-hidden>
                                  +
                                </span>
                              )}
                              <kbd className={styles.kbd}>{key}</kbd>
                            </Fragment>
                          ))}
                        </Fragment>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Caption1 className={styles.note}>{t.imeNote}</Caption1>
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={() => onOpenChange(false)}>
              {t.close}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
