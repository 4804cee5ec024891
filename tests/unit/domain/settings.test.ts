import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  applyPatch,
  defaultSettings,
  needsReattribution,
  publicSettings,
  settingsPatchSchema,
  settingsSchema,
} from "../../../app/domain/settings";
import { formatPath, parseWithDetails, zodErrorDetails } from "../../../app/domain/validation";

const SPKI =
  "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpbKS8hbZ0sR4qUEXlmFBdHaHYfl/e/mF1xLFbyFw9oAQ==";

function paths(input: unknown) {
  const r = parseWithDetails(settingsPatchSchema, input);
  return r.ok ? [] : r.details.map((d) => d.path);
}

describe("settings", () => {
  it("has the documented defaults", () => {
    const s = defaultSettings(null);
    expect(s.enabled).toBe(true);
    expect(s.currency).toBe("USD");
    expect(defaultSettings("eur").currency).toBe("EUR");
    expect(s.excluded_tags).toEqual([]);
    expect(s.ignore_machine_opens).toBe(true);
    for (const c of ["email", "sms", "push", "whatsapp", "telegram", "viber"] as const) {
      expect(s.channels[c]).toEqual({ event: "clicked", window_hours: 24 });
    }
    expect(settingsSchema.parse(s)).toEqual(s);
  });

  it("accepts any subset, including a partial channel", () => {
    const cur = defaultSettings("USD");
    const patch = settingsPatchSchema.parse({
      channels: { sms: { window_hours: 48 }, email: { event: "opened" } },
    });
    const next = applyPatch(cur, patch);
    expect(next.channels.sms).toEqual({ event: "clicked", window_hours: 48 });
    expect(next.channels.email).toEqual({ event: "opened", window_hours: 24 });
    expect(next.channels.push).toEqual({ event: "clicked", window_hours: 24 });
    expect(cur.channels.sms.window_hours).toBe(24); // not mutated
    expect(applyPatch(cur, settingsPatchSchema.parse({}))).toEqual(cur);
  });

  it("ignores unknown top-level fields (a GET body sent back) but not typos inside channels", () => {
    expect(
      paths({
        enabled: false,
        attribution: { state: "idle", version: 3 },
        ingest: {},
      }),
    ).toEqual([]);
    expect(paths({ channels: { emial: { event: "clicked" } } })).toEqual(["channels.emial"]);
    expect(paths({ channels: { email: { evnt: "clicked" } } })).toEqual(["channels.email.evnt"]);
  });

  it("names each bad field by path", () => {
    expect(paths({ channels: { email: { window_hours: 0 } } })).toEqual(["channels.email.window_hours"]);
    expect(paths({ channels: { email: { window_hours: 2161 } } })).toEqual(["channels.email.window_hours"]);
    expect(paths({ channels: { email: { window_hours: 1.5 } } })).toEqual(["channels.email.window_hours"]);
    expect(paths({ channels: { sms: { event: "bounced" } } })).toEqual(["channels.sms.event"]);
    expect(paths({ currency: "usd" })).toEqual(["currency"]);
    expect(paths({ currency: "USDT" })).toEqual(["currency"]);
    expect(paths({ excluded_tags: ["ok", 3] })).toEqual(["excluded_tags[1]"]);
    expect(paths({ enabled: "yes", ignore_machine_opens: 1 })).toEqual(["enabled", "ignore_machine_opens"]);
    expect(paths({ providers: { sendgrid: { public_key: "not base64!" } } })).toEqual([
      "providers.sendgrid.public_key",
    ]);
    expect(paths({ providers: { postmark: { username: "u" } } })).toEqual(["providers.postmark.password"]);
    expect(paths([])).toEqual([""]);
    const r = parseWithDetails(settingsPatchSchema, {
      channels: { email: { window_hours: 0 } },
    });
    expect(r.ok ? null : r.details[0]?.message).toBe("must be a whole number of hours from 1 to 2160");
  });

  it("trims excluded tags and drops case-insensitive duplicates", () => {
    const p = settingsPatchSchema.parse({
      excluded_tags: [" password-reset ", "Password-Reset", "", "Delivery"],
    });
    expect(p.excluded_tags).toEqual(["password-reset", "Delivery"]);
  });

  it("keeps provider secrets write-only", () => {
    const cur = defaultSettings("USD");
    const withKeys = applyPatch(
      cur,
      settingsPatchSchema.parse({
        providers: {
          sendgrid: {
            public_key: `-----BEGIN PUBLIC KEY-----\n${SPKI}\n-----END PUBLIC KEY-----`,
          },
          mailgun: { signing_key: "key-1" },
          postmark: { username: "u", password: "p" },
        },
      }),
    );
    expect(withKeys.providers).toEqual({
      sendgrid: { public_key: SPKI },
      mailgun: { signing_key: "key-1" },
      postmark: { username: "u", password: "p" },
    });
    expect(publicSettings(withKeys).providers).toEqual({
      sendgrid: { configured: true },
      mailgun: { configured: true },
      twilio: { configured: false },
      postmark: { configured: true },
    });
    // sending back what GET showed changes nothing; null removes
    const back = applyPatch(
      withKeys,
      settingsPatchSchema.parse({
        providers: { sendgrid: { configured: true }, mailgun: null },
      }),
    );
    expect(back.providers).toEqual({
      sendgrid: { public_key: SPKI },
      postmark: { username: "u", password: "p" },
    });
  });

  it("knows which changes need a re-attribution", () => {
    const a = defaultSettings("USD");
    expect(needsReattribution(a, applyPatch(a, { enabled: false }))).toBe(false);
    expect(needsReattribution(a, applyPatch(a, { channels: { sms: { window_hours: 25 } } }))).toBe(true);
    expect(needsReattribution(a, applyPatch(a, { excluded_tags: ["x"] }))).toBe(true);
    const b = applyPatch(a, { excluded_tags: ["X"] });
    expect(needsReattribution(b, applyPatch(a, { excluded_tags: ["x"] }))).toBe(false);
  });
});

describe("validation details", () => {
  it("formats paths with brackets for indexes", () => {
    expect(formatPath(["events", 3, "occurred_at"])).toBe("events[3].occurred_at");
    expect(formatPath(["channels", "email", "window_hours"])).toBe("channels.email.window_hours");
    expect(formatPath([0, "id"])).toBe("[0].id");
    expect(formatPath(["a b"])).toBe('["a b"]');
    expect(formatPath([])).toBe("");
  });

  it("turns any zod error into details", () => {
    const schema = z.object({
      events: z.array(z.strictObject({ occurred_at: z.iso.datetime({ offset: true }) })),
    });
    const r = schema.safeParse({
      events: [{ occurred_at: "2026-11-01T00:00:00Z" }, { occurred_at: "yesterday", x: 1 }],
    });
    expect(r.success).toBe(false);
    if (!r.success) {
      expect(zodErrorDetails(r.error).map((d) => d.path)).toEqual(["events[1].occurred_at", "events[1].x"]);
    }
  });
});
