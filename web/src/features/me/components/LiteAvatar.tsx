// The header's avatar: Fluent Avatar's look (initials or photo on a per-user colour) without its
// code, which the initial bundle would otherwise carry; the account menu shows the Fluent Avatar.
import { makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import { Person20Regular } from "@fluentui/react-icons";
import { avatarColor, type AvatarColor } from "../avatarColor";
import type { MeRead } from "../types";

const usePalette = makeStyles<AvatarColor>({
  "light-teal": { color: tokens.colorPaletteLightTealForeground2, backgroundColor: tokens.colorPaletteLightTealBackground2 },
  "royal-blue": { color: tokens.colorPaletteRoyalBlueForeground2, backgroundColor: tokens.colorPaletteRoyalBlueBackground2 },
  purple: { color: tokens.colorPalettePurpleForeground2, backgroundColor: tokens.colorPalettePurpleBackground2 },
  seafoam: { color: tokens.colorPaletteSeafoamForeground2, backgroundColor: tokens.colorPaletteSeafoamBackground2 },
  cranberry: { color: tokens.colorPaletteCranberryForeground2, backgroundColor: tokens.colorPaletteCranberryBackground2 },
  marigold: { color: tokens.colorPaletteMarigoldForeground2, backgroundColor: tokens.colorPaletteMarigoldBackground2 },
  grape: { color: tokens.colorPaletteGrapeForeground2, backgroundColor: tokens.colorPaletteGrapeBackground2 },
  steel: { color: tokens.colorPaletteSteelForeground2, backgroundColor: tokens.colorPaletteSteelBackground2 },
});

const useStyles = makeStyles({
  root: {
    display: "inline-flex",
    alignItems: "center",
    justifyContent: "center",
    flexShrink: 0,
    width: "28px",
    height: "28px",
    borderRadius: tokens.borderRadiusCircular,
    overflow: "hidden",
    fontFamily: tokens.fontFamilyBase,
    fontSize: tokens.fontSizeBase200,
    fontWeight: tokens.fontWeightSemibold,
    lineHeight: 1,
    userSelect: "none",
  },
  // The initials are drawn, not written: they stay out of the button's text, whose accessible
  // name must contain its visible text (WCAG 2.5.3) and need not spell out "LU".
  initials: { "::before": { content: "attr(data-initials)" } },
  neutral: { color: tokens.colorNeutralForeground3, backgroundColor: tokens.colorNeutralBackground6 },
  image: { width: "100%", height: "100%", objectFit: "cover" },
});

export interface LiteAvatarProps {
  me: MeRead | undefined;
  /** The photo to show (null: the initials); MeMenu drops one that failed to load. */
  photo: string | null;
  onPhotoError: () => void;
}

export function LiteAvatar({ me, photo, onPhotoError }: LiteAvatarProps) {
  const styles = useStyles();
  const palette = usePalette();
  const initials = me && !photo;
  return (
    <span
      className={mergeClasses(styles.root, me ? palette[avatarColor(me.id)] : styles.neutral, initials && styles.initials)}
      data-initials={initials ? me.initials : undefined}
      aria-hidden
    >
      {me && photo ? (
        <img className={styles.image} src={photo} alt={me.name} onError={onPhotoError} />
      ) : me ? null : (
        <Person20Regular />
      )}
    </span>
  );
}
