// The two pages that stand in for the app, in one lazy chunk (AuthGate loads it).
export { default as SignInPage } from "./SignInPage";
export { default as NotAllowedPage } from "./NotAllowedPage";
