export { HistorySidebar } from "./components/HistorySidebar";
