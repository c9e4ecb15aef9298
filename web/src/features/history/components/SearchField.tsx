import { Button, Input, makeStyles, Spinner, tokens } from "@fluentui/react-components";
import { Dismiss16Regular, Search20Regular } from "@fluentui/react-icons";
import type { RefObject } from "react";

const useStyles = makeStyles({
  root: { width: "100%" },
  input: {
    // Our own clear button replaces the browser's.
    "::-webkit-search-cancel-button": { display: "none" },
  },
  after: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalXXS },
  clear: { minWidth: "24px", height: "24px" },
});

interface Props {
  inputRef: RefObject<HTMLInputElement | null>;
  value: string;
  onChange: (value: string) => void;
  busy: boolean;
  label: string;
  placeholder: string;
  clearLabel: string;
}

/** The search box: a searchbox with a real (keyboard-reachable) clear button; Esc clears too. */
export function SearchField({ inputRef, value, onChange, busy, label, placeholder, clearLabel }: Props) {
  const styles = useStyles();
  return (
    <Input
      ref={inputRef}
      className={styles.root}
      input={{ className: styles.input }}
      type="search"
      appearance="filled-darker"
      value={value}
      onChange={(_event, data) => onChange(data.value)}
      onKeyDown={(event) => {
        // With text: Esc clears it (and must not also close the phone overlay). Empty: let it through.
        if (event.key === "Escape" && value) {
          event.stopPropagation();
          event.preventDefault();
          onChange("");
        }
      }}
      aria-label={label}
      placeholder={placeholder}
      autoComplete="off"
      spellCheck={false}
      maxLength={200}
      contentBefore={<Search20Regular aria-hidden />}
      contentAfter={
        <span className={styles.after}>
          {busy && <Spinner size="extra-tiny" aria-hidden />}
          {value && (
            <Button
              className={styles.clear}
              appearance="transparent"
              size="small"
              icon={<Dismiss16Regular />}
              aria-label={clearLabel}
              onClick={() => {
                onChange("");
                inputRef.current?.focus();
              }}
            />
          )}
        </span>
      }
    />
  );
}
