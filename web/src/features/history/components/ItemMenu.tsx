// A chat's "More options" menu. Loaded after the list first shows (React.lazy), and mounted for an item
// only once its menu is first opened: Fluent's Menu and its positioning are the largest part of the
// sidebar, and a long list needs none of them until a click. The button that opens it belongs to the
// item and stays the same element throughout, so focus on it is never lost to the code arriving.
import {
  makeStyles,
  Menu,
  MenuDivider,
  MenuItem,
  MenuItemLink,
  MenuList,
  MenuPopover,
  tokens,
  type MenuOpenChangeData,
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

export interface ItemMenuProps {
  id: string;
  t: HistoryStrings;
  open: boolean;
  /** The item's "More options" button: the menu sits below it. */
  target: HTMLElement | null;
  onOpenChange: (data: MenuOpenChangeData) => void;
  onRename: () => void;
  onDelete: () => void;
}

export default function ItemMenu({ id, t, open, target, onOpenChange, onRename, onDelete }: ItemMenuProps) {
  const styles = useStyles();
  return (
    <Menu
      open={open}
      onOpenChange={(_event, data) => onOpenChange(data)}
      positioning={{ target, position: "below", align: "end" }}
    >
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
