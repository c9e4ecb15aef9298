// One colour per user for the avatar, the same in the header and in the menu (a few of Fluent
// Avatar's named colours, chosen for contrast in both themes).
export const AVATAR_COLORS = ["light-teal", "royal-blue", "purple", "seafoam", "cranberry", "marigold", "grape", "steel"] as const;
export type AvatarColor = (typeof AVATAR_COLORS)[number];

export function avatarColor(id: string): AvatarColor {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) | 0;
  return AVATAR_COLORS[Math.abs(hash) % AVATAR_COLORS.length]!;
}
