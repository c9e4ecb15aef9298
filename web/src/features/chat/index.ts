export { ChatView } from "./components/ChatView";
