// Small native building blocks in Fluent's look. The history sidebar is in the first load, so it
// avoids pulling Fluent's Input and Spinner (and their motion and slot code) into it for two fields
// and a busy mark.
import { makeStyles, mergeClasses, tokens } from "@fluentui/react-components";

// Griffel takes border colours side by side.
const borderColors = (sides: string, bottom: string) => ({
  borderTopColor: sides,
  borderRightColor: sides,
  borderLeftColor: sides,
  borderBottomColor: bottom,
});

export const useFieldStyles = makeStyles({
  /** A text field's frame: a filled box with Fluent's brand underline when focused. */
  frame: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalXS,
    boxSizing: "border-box",
    minHeight: "32px",
    paddingInline: tokens.spacingHorizontalS,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    borderBottomColor: tokens.colorNeutralStrokeAccessible,
    color: tokens.colorNeutralForeground1,
    ":hover": borderColors(tokens.colorNeutralStroke1Hover, tokens.colorNeutralStrokeAccessibleHover),
    ":focus-within": {
      borderBottomColor: tokens.colorCompoundBrandStroke,
      boxShadow: `inset 0 -1px 0 0 ${tokens.colorCompoundBrandStroke}`,
    },
    "@media (forced-colors: active)": { ":focus-within": { outline: "2px solid Highlight" } },
  },
  /** A frame without a border until hovered or focused (the search box on the sidebar's grey). */
  quiet: {
    ...borderColors("transparent", "transparent"),
    ":hover": borderColors(tokens.colorNeutralStroke1Hover, tokens.colorNeutralStrokeAccessibleHover),
  },
  input: {
    flexGrow: 1,
    minWidth: 0,
    alignSelf: "stretch",
    padding: 0,
    border: "none",
    outlineStyle: "none",
    backgroundColor: "transparent",
    color: "inherit",
    fontFamily: tokens.fontFamilyBase,
    fontSize: tokens.fontSizeBase300,
    lineHeight: tokens.lineHeightBase300,
    "::placeholder": { color: tokens.colorNeutralForeground4, opacity: 1 },
    // Our own clear button replaces the browser's.
    "::-webkit-search-cancel-button": { display: "none" },
  },
  icon: { flexShrink: 0, color: tokens.colorNeutralForeground3 },
});

const useSpinnerStyles = makeStyles({
  spinner: {
    display: "inline-block",
    flexShrink: 0,
    width: "14px",
    height: "14px",
    boxSizing: "border-box",
    borderRadius: "50%",
    border: `2px solid ${tokens.colorNeutralStroke2}`,
    borderTopColor: tokens.colorBrandStroke1,
    animationName: { from: { transform: "rotate(0deg)" }, to: { transform: "rotate(360deg)" } },
    animationDuration: "0.8s",
    animationTimingFunction: "linear",
    animationIterationCount: "infinite",
    "@media (prefers-reduced-motion: reduce)": { animationDuration: "2.4s" },
  },
});

/** A small busy mark; the text next to it (or a live region) says what is happening. */
export function BusyMark({ className }: { className?: string }) {
  const styles = useSpinnerStyles();
  return <span className={mergeClasses(styles.spinner, className)} aria-hidden />;
}
