/**
 * The settings page's form fields -> a settings patch (PUT /api/v1/settings shape), before the schema checks it.
 * Pure: the page's action (app/routes/app.settings/route.tsx) reads the form and hands the fields here.
 */
import { MAX_WINDOW_HOURS } from "../domain/settings";
import { CHANNELS } from "../domain/types";
import type { ErrorDetail } from "../domain/validation";

/** A form field's text ("" when absent or a file). */
export type FormField = (name: string) => string;

export function formField(form: FormData): FormField {
  return (name) => {
    const v = form.get(name);
    return typeof v === "string" ? v : "";
  };
}

/** Field errors as the page shows them: path -> message. */
export type FieldErrors = Record<string, string>;

export type FormPatch = { ok: true; patch: Record<string, unknown> } | { ok: false; errors: FieldErrors };

/** The on/off switch: `enabled=true` turns it on, anything else off. */
export function enabledForm(field: FormField): { enabled: boolean } {
  return { enabled: field("enabled") === "true" };
}

/**
 * The rules card: `<channel>.event`, `<channel>.window_hours` (whole hours), `excluded_tags` (a JSON list) and
 * `ignore_machine_opens` (`true`). Hours that are not a whole number are refused here (the schema would see NaN).
 */
export function rulesForm(field: FormField): FormPatch {
  const channels: Record<string, { event: string; window_hours: number }> = {};
  const errors: FieldErrors = {};
  for (const c of CHANNELS) {
    const raw = field(`${c}.window_hours`).trim();
    const hours = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(hours))
      errors[`channels.${c}.window_hours`] = `must be a whole number of hours from 1 to ${MAX_WINDOW_HOURS}`;
    channels[c] = { event: field(`${c}.event`), window_hours: hours };
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  let tags: unknown;
  try {
    tags = JSON.parse(field("excluded_tags") || "[]");
  } catch {
    return { ok: false, errors: { excluded_tags: "must be a list of tags" } };
  }
  return {
    ok: true,
    patch: { channels, excluded_tags: tags, ignore_machine_opens: field("ignore_machine_opens") === "true" },
  };
}

/** A provider card's secret: its own field names, read as given (the schema trims and checks them). */
export function providerSecretForm(field: FormField, fieldNames: readonly string[]): Record<string, string> {
  return Object.fromEntries(fieldNames.map((name) => [name, field(name)]));
}

/** Schema details as page field errors (`channels.email.window_hours` -> message). */
export function fieldErrors(details: readonly ErrorDetail[]): FieldErrors {
  return Object.fromEntries(details.map((d) => [d.path, d.message]));
}

/** A provider's errors come back as `providers.<name>.<field>`: shown on the form's own field names. */
export function providerFieldErrors(errors: FieldErrors, provider: string): FieldErrors {
  return Object.fromEntries(
    Object.entries(errors).map(([path, message]) => [path.replace(`providers.${provider}.`, ""), message]),
  );
}
