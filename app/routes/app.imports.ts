import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { authenticateShop } from "../admin/context.server";
import { ApiError } from "../http/errors";
import { importStatus, parseImportRequest, requestImport } from "../imports/service.server";

/**
 * The admin pages' import resource (session-token authenticated like every /app route): GET the latest history
 * import and reconciliation (polled while an import runs), POST `since` (YYYY-MM-DD, optional) to start an import.
 */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await authenticateShop(request);
  return importStatus(shop.id, shop.domain);
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, actor } = await authenticateShop(request);
  const form = await request.formData();
  const since = String(form.get("since") ?? "").trim();
  try {
    await requestImport(shop.id, parseImportRequest(since ? { since } : {}), "settings", actor);
    return { ok: true as const, message: "Import started", errors: {} as Record<string, string> };
  } catch (error) {
    if (error instanceof ApiError) {
      return {
        ok: false as const,
        message: error.message,
        errors: Object.fromEntries(error.details.map((d) => [d.path, d.message])) as Record<string, string>,
      };
    }
    throw error;
  }
};
