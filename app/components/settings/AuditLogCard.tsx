import { BlockStack, Card, DataTable, Text } from "@shopify/polaris";
import { formatDateTime } from "../format";

export interface AuditRow {
  id: string;
  at: string;
  actor: string;
  action: string;
  details: Record<string, unknown>;
}

const ACTIONS: Record<string, string> = {
  "settings.update": "Changed settings",
  "api_key.create": "Created an API key",
  "api_key.revoke": "Revoked an API key",
  "ingest_token.rotate": "Rotated the ingest URLs",
  "export.report": "Exported the campaign report",
  "export.customer_data": "Downloaded a customer's data",
  "import.start": "Started an order import",
};

/** Who: a staff user (Shopify user id), the operator CLI, or an API key (by prefix). */
export function actorLabel(actor: string): string {
  if (actor === "cli") return "Operator (CLI)";
  if (actor.startsWith("staff:")) return `Staff user ${actor.slice("staff:".length)}`;
  if (actor.startsWith("api-key:")) return `API key ${actor.slice("api-key:".length)}…`;
  return actor;
}

function what(row: AuditRow): string {
  const label = ACTIONS[row.action] ?? row.action;
  const d = row.details;
  if (Array.isArray(d.fields) && d.fields.length) return `${label}: ${d.fields.join(", ")}`;
  if (typeof d.prefix === "string") return `${label} ${d.prefix}…`;
  if (Array.isArray(d.prefixes) && d.prefixes.length) return `${label} ${d.prefixes.join(", ")}`;
  return label;
}

/** The audit trail on the settings page: the latest changes to settings, keys and tokens, exports and imports. */
export function AuditLogCard({ rows, timezone }: { rows: AuditRow[]; timezone: string }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h3" variant="headingSm">
          Activity
        </Text>
        {rows.length === 0 ? (
          <Text as="p" tone="subdued">
            Nothing yet. Changes to settings, API keys and ingest URLs, exports and imports appear here.
          </Text>
        ) : (
          <DataTable
            columnContentTypes={["text", "text", "text"]}
            headings={["When", "Who", "What"]}
            rows={rows.map((r) => [formatDateTime(r.at, timezone), actorLabel(r.actor), what(r)])}
          />
        )}
      </BlockStack>
    </Card>
  );
}
