import { Component, type ReactNode } from "react";

/**
 * Renders nothing instead of its children once they throw. For optional, lazily loaded parts
 * (a dialog, a popover): a chunk that fails to load, say after a deploy replaced it, must not
 * take the chat down with it.
 */
export class QuietBoundary extends Component<{ children: ReactNode; onError?: () => void }, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  componentDidCatch() {
    this.props.onError?.();
  }

  render() {
    return this.state.failed ? null : this.props.children;
  }
}
