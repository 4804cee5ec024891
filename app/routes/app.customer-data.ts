import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticateShop } from "../admin/context.server";
import { errorResponse, invalid } from "../http/errors";
import { exportCustomerData, parseCustomerQuery } from "../reports/customer-data.server";

/**
 * GET /app/customer-data?email=… | ?phone=… | ?customer_id=…: everything the app holds about one customer as a JSON
 * download, to answer a customers/data_request (the settings page's CustomerDataCard fetches it). Authenticated
 * with the admin session token; recorded in the audit trail.
 */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop, actor } = await authenticateShop(request);
  const url = new URL(request.url);
  const parsed = parseCustomerQuery({
    email: url.searchParams.get("email"),
    phone: url.searchParams.get("phone"),
    customer_id: url.searchParams.get("customer_id"),
  });
  if (!parsed.ok) return errorResponse(invalid(parsed.details));
  const file = await exportCustomerData(shop, parsed, actor);
  return new Response(file.json, {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${file.filename}"`,
      "Cache-Control": "no-store",
    },
  });
};
