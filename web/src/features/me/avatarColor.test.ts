import { describe, expect, it } from "vitest";
import { AVATAR_COLORS, avatarColor } from "./avatarColor";

describe("avatarColor", () => {
  it("gives a user the same colour every time, from the palette", () => {
    expect(avatarColor("local-user")).toBe(avatarColor("local-user"));
    for (const id of ["", "a", "local-user", "00000000-0000-0000-0000-000000000000", "ユーザー"]) {
      expect(AVATAR_COLORS).toContain(avatarColor(id));
    }
  });

  it("spreads users over the palette", () => {
    const seen = new Set(Array.from({ length: 200 }, (_, i) => avatarColor(`user-${i}`)));
    expect(seen.size).toBe(AVATAR_COLORS.length);
  });
});
