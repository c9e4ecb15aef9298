// Loaded on first use (React.lazy): most sessions never delete a chat.
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  makeStyles,
  Spinner,
  Text,
  tokens,
} from "@fluentui/react-components";
import { format } from "../../../i18n";
import type { HistoryStrings } from "../messages";

const useStyles = makeStyles({
  surface: { maxWidth: "440px" },
  content: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, overflowWrap: "anywhere" },
  error: { color: tokens.colorStatusDangerForeground1 },
  danger: {
    backgroundColor: tokens.colorStatusDangerBackground3,
    color: tokens.colorNeutralForegroundOnBrand,
    ":hover": { backgroundColor: tokens.colorStatusDangerBackground3Hover, color: tokens.colorNeutralForegroundOnBrand },
    ":hover:active": {
      backgroundColor: tokens.colorStatusDangerBackground3Pressed,
      color: tokens.colorNeutralForegroundOnBrand,
    },
  },
});

interface Props {
  title: string;
  open: boolean;
  busy: boolean;
  error: string | null;
  t: HistoryStrings;
  onConfirm: () => void;
  onCancel: () => void;
}

export default function DeleteDialog({ title, open, busy, error, t, onConfirm, onCancel }: Props) {
  const styles = useStyles();
  return (
    <Dialog
      open={open}
      modalType="alert"
      onOpenChange={(_event, data) => {
        if (!data.open && !busy) onCancel();
      }}
    >
      <DialogSurface className={styles.surface}>
        <DialogBody>
          <DialogTitle>{t.deleteTitle}</DialogTitle>
          <DialogContent className={styles.content}>
            <Text>{format(t.deleteBody, { title })}</Text>
            {error && (
              <Text role="alert" className={styles.error}>
                {error}
              </Text>
            )}
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={onCancel} disabled={busy}>
              {t.cancel}
            </Button>
            <Button
              appearance="primary"
              className={styles.danger}
              onClick={onConfirm}
              disabledFocusable={busy}
              icon={busy ? <Spinner size="tiny" appearance="inverted" /> : undefined}
            >
              {busy ? t.deleting : t.deleteConfirm}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
