import { makeStyles, tokens } from "@fluentui/react-components";

const MONO = tokens.fontFamilyMonospace;

/** Rendered markdown: sized for a chat column, not a document page. */
export const useMarkdownStyles = makeStyles({
  root: {
    minWidth: 0,
    maxWidth: "100%",
    lineHeight: "1.6",
    overflowWrap: "anywhere",
    color: "inherit",
    // Each top-level block is a wrapper div: its own first and last children set no outer margin.
    "& > :first-child > :first-child": { marginTop: 0 },
    "& > :last-child > :last-child": { marginBottom: 0 },
    "& > :last-child": { marginBottom: 0 },

    "& p": { margin: "0 0 0.75em" },
    "& h1, & h2, & h3, & h4, & h5, & h6": {
      margin: "1.1em 0 0.5em",
      fontWeight: tokens.fontWeightSemibold,
      lineHeight: "1.35",
    },
    "& h1": { fontSize: "1.35em" },
    "& h2": { fontSize: "1.2em" },
    "& h3": { fontSize: "1.08em" },
    "& h4, & h5, & h6": { fontSize: "1em" },

    "& ul, & ol": { margin: "0 0 0.75em", paddingLeft: "1.6em" },
    "& li": { margin: "0.2em 0" },
    "& li > p": { margin: "0.25em 0" },
    "& li > ul, & li > ol": { margin: "0.2em 0" },
    "& li > input[type=checkbox]": { margin: "0 0.45em 0 0", verticalAlign: "middle" },
    "& ul:has(> li > input[type=checkbox])": { listStyleType: "none", paddingLeft: "0.4em" },

    "& blockquote": {
      margin: "0 0 0.75em",
      padding: "0.1em 0 0.1em 0.9em",
      borderLeft: `3px solid ${tokens.colorNeutralStroke1}`,
      color: tokens.colorNeutralForeground2,
    },
    "& blockquote > :last-child": { marginBottom: 0 },

    "& a": { color: tokens.colorBrandForegroundLink, textDecorationLine: "underline" },
    "& a:hover": { color: tokens.colorBrandForegroundLinkHover },
    "& a:not([href])": { color: "inherit", textDecorationLine: "none" },

    "& code": {
      fontFamily: MONO,
      fontSize: "0.9em",
      padding: "0.1em 0.35em",
      borderRadius: tokens.borderRadiusSmall,
      backgroundColor: tokens.colorNeutralBackground3,
    },
    // Code blocks: undo the inline-code look.
    "& pre code": {
      fontFamily: "inherit",
      fontSize: "inherit",
      padding: 0,
      borderRadius: 0,
      backgroundColor: "transparent",
    },

    "& hr": {
      border: "none",
      borderTop: `1px solid ${tokens.colorNeutralStroke2}`,
      margin: "1em 0",
    },

    "& .md-table": { overflowX: "auto", margin: "0 0 0.75em", maxWidth: "100%" },
    "& table": { borderCollapse: "collapse", fontSize: "0.95em" },
    "& th, & td": {
      border: `1px solid ${tokens.colorNeutralStroke2}`,
      padding: "0.35em 0.75em",
      textAlign: "left",
      verticalAlign: "top",
      overflowWrap: "normal",
    },
    "& th": { backgroundColor: tokens.colorNeutralBackground3, fontWeight: tokens.fontWeightSemibold },
    "& th[align=center], & td[align=center]": { textAlign: "center" },
    "& th[align=right], & td[align=right]": { textAlign: "right" },

    // Raw HTML, shown as the text it is.
    "& .md-raw": { whiteSpace: "pre-wrap" },
  },
});

/** A code block: a header with the language and a copy button, then the code scrolling sideways. */
export const useCodeStyles = makeStyles({
  root: {
    margin: "0 0 0.75em",
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground2,
    overflow: "hidden",
    maxWidth: "100%",
    minWidth: 0,
  },
  header: {
    display: "flex",
    alignItems: "center",
    justifyContent: "space-between",
    gap: tokens.spacingHorizontalS,
    padding: `2px ${tokens.spacingHorizontalXS} 2px ${tokens.spacingHorizontalM}`,
    backgroundColor: tokens.colorNeutralBackground3,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
    minHeight: "32px",
  },
  language: {
    fontFamily: MONO,
    fontSize: tokens.fontSizeBase200,
    color: tokens.colorNeutralForeground2,
    overflow: "hidden",
    textOverflow: "ellipsis",
    whiteSpace: "nowrap",
  },
  copy: {
    color: tokens.colorNeutralForeground2,
    minWidth: "auto",
  },
  pre: {
    margin: 0,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalM}`,
    overflowX: "auto",
    fontFamily: MONO,
    fontSize: "0.875em",
    lineHeight: "1.5",
    tabSize: 4,
    whiteSpace: "pre",
    overflowWrap: "normal",
    color: tokens.colorNeutralForeground1,
    ":focus-visible": {
      outline: `2px solid ${tokens.colorStrokeFocus2}`,
      outlineOffset: "-2px",
    },
  },
  status: {
    position: "absolute",
    width: "1px",
    height: "1px",
    overflow: "hidden",
    clip: "rect(0 0 0 0)",
    whiteSpace: "nowrap",
  },
});
