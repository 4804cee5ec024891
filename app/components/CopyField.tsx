import { useCallback, useState } from "react";
import { Button, TextField } from "@shopify/polaris";
import { copyText } from "./clipboard";

/** A read-only text field with a Copy button; announces the result to screen readers through the button label. */
export function CopyField({ label, value, helpText }: { label: string; value: string; helpText?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const onCopy = useCallback(async () => {
    setState((await copyText(value)) ? "copied" : "failed");
    setTimeout(() => setState("idle"), 2000);
  }, [value]);
  return (
    <TextField
      label={label}
      value={value}
      readOnly
      autoComplete="off"
      helpText={helpText}
      onFocus={(event) => (event?.target as HTMLInputElement | undefined)?.select?.()}
      connectedRight={
        <Button onClick={onCopy} accessibilityLabel={`Copy ${label}`}>
          {state === "copied" ? "Copied" : state === "failed" ? "Copy failed" : "Copy"}
        </Button>
      }
    />
  );
}
