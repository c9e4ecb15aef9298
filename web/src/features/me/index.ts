export { MeMenu } from "./components/MeMenu";
