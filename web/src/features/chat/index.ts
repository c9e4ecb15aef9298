export { ChatView } from "./components/ChatView";
export { CHAT_INPUT_ID, focusChatInput } from "./input";
