/** The settings page's form parsing (app/settings/form.ts): form fields -> settings patch, or field errors. */
import { describe, expect, it } from "vitest";
import {
  enabledForm,
  fieldErrors,
  formField,
  providerFieldErrors,
  providerSecretForm,
  rulesForm,
} from "~/settings/form";
import { CHANNELS } from "~/domain/types";

const fields = (values: Record<string, string>) => formField(toForm(values));

function toForm(values: Record<string, string>): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(values)) form.append(k, v);
  return form;
}

/** Every channel at 48 hours after a click, except email (120 h after a click) and sms (24 h after sending). */
const goodRules: Record<string, string> = {
  ...Object.fromEntries(
    CHANNELS.flatMap((c) => [
      [`${c}.event`, "clicked"],
      [`${c}.window_hours`, "48"],
    ]),
  ),
  "email.window_hours": "120",
  "sms.event": "sent",
  "sms.window_hours": " 24 ",
  excluded_tags: '["password-reset"]',
  ignore_machine_opens: "true",
};
const goodChannels = {
  ...Object.fromEntries(CHANNELS.map((c) => [c, { event: "clicked", window_hours: 48 }])),
  email: { event: "clicked", window_hours: 120 },
  sms: { event: "sent", window_hours: 24 },
};

describe("settings form", () => {
  it("reads a missing field or a file as empty text", () => {
    const form = toForm({ a: "x" });
    form.append("file", new Blob(["data"]), "f.txt");
    const field = formField(form);
    expect([field("a"), field("missing"), field("file")]).toEqual(["x", "", ""]);
  });

  it("turns the switch on only for enabled=true", () => {
    expect(enabledForm(fields({ enabled: "true" }))).toEqual({ enabled: true });
    expect(enabledForm(fields({ enabled: "false" }))).toEqual({ enabled: false });
    expect(enabledForm(fields({}))).toEqual({ enabled: false });
  });

  it("builds the rules patch: hours as whole numbers, tags from their JSON list, the machine-opens box", () => {
    expect(rulesForm(fields(goodRules))).toEqual({
      ok: true,
      patch: {
        channels: goodChannels,
        excluded_tags: ["password-reset"],
        ignore_machine_opens: true,
      },
    });
    const noTags = rulesForm(fields({ ...goodRules, excluded_tags: "", ignore_machine_opens: "" }));
    expect(noTags.ok && noTags.patch).toMatchObject({ excluded_tags: [], ignore_machine_opens: false });
  });

  it("names each channel whose hours are not a whole number, and a tag list that is not JSON", () => {
    expect(rulesForm(fields({ ...goodRules, "email.window_hours": "1.5", "sms.window_hours": "" }))).toEqual({
      ok: false,
      errors: {
        "channels.email.window_hours": "must be a whole number of hours from 1 to 2160",
        "channels.sms.window_hours": "must be a whole number of hours from 1 to 2160",
      },
    });
    expect(rulesForm(fields({ ...goodRules, excluded_tags: "[oops" }))).toEqual({
      ok: false,
      errors: { excluded_tags: "must be a list of tags" },
    });
  });

  it("reads a provider's secret from its own field names only", () => {
    const field = fields({ public_key: "MFkw", other: "ignored" });
    expect(providerSecretForm(field, ["public_key"])).toEqual({ public_key: "MFkw" });
  });

  it("shows schema errors by path, and a provider's errors on the form's own field names", () => {
    expect(fieldErrors([{ path: "currency", message: "must be an ISO 4217 currency code" }])).toEqual({
      currency: "must be an ISO 4217 currency code",
    });
    expect(
      providerFieldErrors({ "providers.mailgun.signing_key": "must not be empty", intent: "x" }, "mailgun"),
    ).toEqual({ signing_key: "must not be empty", intent: "x" });
  });
});
