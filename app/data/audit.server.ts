import type { Prisma } from "@prisma/client";
import { prisma } from "../db.server";

/**
 * The audit trail (ADR 008): who changed a shop's settings, created or revoked API keys, rotated tokens, exported
 * data or started an import, and when. Details name what changed (field names, key prefixes, counts), never a
 * secret's value and never a customer's email, phone or id. Erased with the rest of the shop on shop/redact.
 */
export type AuditAction =
  | "settings.update"
  | "api_key.create"
  | "api_key.revoke"
  | "ingest_token.rotate"
  | "export.report"
  | "export.customer_data"
  | "import.start"
  | (string & {});

/** The staff user who made an admin request: the session token's `sub` (a Shopify user id). */
export function staffActor(sub: string | number | null | undefined): string {
  return sub === null || sub === undefined || sub === "" ? "staff:unknown" : `staff:${String(sub)}`;
}

/** The operator CLI. */
export const CLI_ACTOR = "cli";

/** A call of the public API, by the prefix of its key (the key itself is never stored). */
export function apiKeyActor(prefix: string): string {
  return `api-key:${prefix}`;
}

export async function recordAudit(
  shopId: bigint,
  actor: string,
  action: AuditAction,
  details: Record<string, unknown> = {},
): Promise<void> {
  await prisma.auditEvent.create({
    data: { shopId, actor: actor.slice(0, 200), action, details: details as Prisma.InputJsonValue },
  });
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  details: Record<string, unknown>;
}

/** The shop's latest audit events, newest first. */
export async function listAudit(shopId: bigint, limit = 50): Promise<AuditEntry[]> {
  const rows = await prisma.auditEvent.findMany({
    where: { shopId },
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: limit,
  });
  return rows.map((r) => ({
    id: r.id.toString(),
    at: r.at.toISOString(),
    actor: r.actor,
    action: r.action,
    details: (r.details ?? {}) as Record<string, unknown>,
  }));
}
