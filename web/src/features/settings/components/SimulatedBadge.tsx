// A badge in Fluent's "tint warning" look, without Fluent's Badge (which the initial bundle
// would otherwise carry just for this word).
import { makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import type { HTMLAttributes } from "react";
import { useMessages } from "../../../i18n";
import { settingsMessages } from "../messages";

export const useBadgeStyles = makeStyles({
  badge: {
    display: "inline-flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalXXS,
    flexShrink: 0,
    boxSizing: "border-box",
    height: "16px",
    paddingInline: tokens.spacingHorizontalXS,
    borderRadius: tokens.borderRadiusSmall,
    border: `1px solid ${tokens.colorPaletteYellowBorder1}`,
    backgroundColor: tokens.colorPaletteYellowBackground1,
    color: tokens.colorPaletteYellowForeground1,
    fontFamily: tokens.fontFamilyBase,
    fontSize: tokens.fontSizeBase100,
    fontWeight: tokens.fontWeightSemibold,
    lineHeight: tokens.lineHeightBase100,
    whiteSpace: "nowrap",
  },
  large: {
    height: "24px",
    paddingInline: tokens.spacingHorizontalS,
    borderRadius: tokens.borderRadiusMedium,
    fontSize: tokens.fontSizeBase200,
    lineHeight: tokens.lineHeightBase200,
  },
});

/** "Simulated", so nobody mistakes the simulator for a real model. */
export function SimulatedBadge({ className, ...rest }: HTMLAttributes<HTMLSpanElement>) {
  const styles = useBadgeStyles();
  const t = useMessages(settingsMessages);
  return (
    <span className={mergeClasses(styles.badge, className)} {...rest}>
      {t.simulated}
    </span>
  );
}
