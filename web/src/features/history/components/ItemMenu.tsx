// A chat's "More options" menu. Loaded after the list first shows (React.lazy): Fluent's Menu and its
// positioning are the largest part of the sidebar, and nothing needs them before the first click.
import {
  Button,
  makeStyles,
  Menu,
  MenuDivider,
  MenuItem,
  MenuItemLink,
  MenuList,
  MenuPopover,
  MenuTrigger,
  tokens,
  type ButtonProps,
} from "@fluentui/react-components";
import { Code20Regular, Delete20Regular, DocumentText20Regular, Edit20Regular } from "@fluentui/react-icons";
import { exportHref } from "../api/conversations";
import type { HistoryStrings } from "../messages";

const useStyles = makeStyles({
  danger: {
    color: tokens.colorStatusDangerForeground1,
    ":hover": { color: tokens.colorStatusDangerForeground1 },
    "& .fui-MenuItem__icon": { color: tokens.colorStatusDangerForeground1 },
    ":hover .fui-MenuItem__icon": { color: tokens.colorStatusDangerForeground1 },
  },
});

interface Props {
  id: string;
  t: HistoryStrings;
  /** The look of the button, shared with the stand-in shown while this module loads. */
  button: ButtonProps;
  defaultOpen: boolean;
  onOpen: () => void;
  onRename: () => void;
  onDelete: () => void;
}

export default function ItemMenu({ id, t, button, defaultOpen, onOpen, onRename, onDelete }: Props) {
  const styles = useStyles();
  return (
    <Menu
      positioning={{ position: "below", align: "end" }}
      defaultOpen={defaultOpen}
      onOpenChange={(_event, data) => data.open && onOpen()}
    >
      <MenuTrigger>
        <Button {...button} />
      </MenuTrigger>
      <MenuPopover>
        <MenuList>
          <MenuItem icon={<Edit20Regular />} onClick={onRename}>
            {t.rename}
          </MenuItem>
          <MenuItemLink icon={<DocumentText20Regular />} href={exportHref(id, "markdown")} download="">
            {t.exportMarkdown}
          </MenuItemLink>
          <MenuItemLink icon={<Code20Regular />} href={exportHref(id, "json")} download="">
            {t.exportJson}
          </MenuItemLink>
          <MenuDivider />
          <MenuItem className={styles.danger} icon={<Delete20Regular />} onClick={onDelete}>
            {t.delete}
          </MenuItem>
        </MenuList>
      </MenuPopover>
    </Menu>
  );
}
