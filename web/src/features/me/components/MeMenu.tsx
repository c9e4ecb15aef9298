// Placeholder: replaced by the me feature.
export function MeMenu() {
  return null;
}
