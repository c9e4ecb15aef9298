import { Button, makeStyles, mergeClasses } from "@fluentui/react-components";
import { Dismiss16Regular, Search20Regular } from "@fluentui/react-icons";
import type { RefObject } from "react";
import { BusyMark, useFieldStyles } from "./fields";

const useStyles = makeStyles({
  clear: { minWidth: "24px", width: "24px", height: "24px" },
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
  const field = useFieldStyles();
  const styles = useStyles();
  return (
    <div className={mergeClasses(field.frame, field.quiet)}>
      <Search20Regular className={field.icon} aria-hidden />
      <input
        ref={inputRef}
        className={field.input}
        type="search"
        value={value}
        onChange={(event) => onChange(event.target.value)}
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
      />
      {busy && <BusyMark />}
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
    </div>
  );
}
