export { MeMenu } from "./components/MeMenu";
export { AuthGate } from "./components/AuthGate";
