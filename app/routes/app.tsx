import type { HeadersFunction, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useLocation, useNavigation, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import { Frame, Loading } from "@shopify/polaris";
import polarisStyles from "@shopify/polaris/build/esm/styles.css";
import { env } from "../env.server";
import { authenticate } from "../shopify.server";
import { SkeletonFor } from "../components/skeletons";
import { WebVitalsReporter } from "../components/WebVitalsReporter";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  const config = env();
  return { apiKey: config.SHOPIFY_API_KEY, appBridgeUrl: config.APP_BRIDGE_URL ?? null };
};

export default function AppLayout() {
  const { apiKey, appBridgeUrl } = useLoaderData<typeof loader>();
  const navigation = useNavigation();
  const location = useLocation();
  // Going to another page: its skeleton while its loader runs. Same page (new period, sort): keep it, with the bar.
  const toOtherPage = navigation.state === "loading" && navigation.location.pathname !== location.pathname;
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey} {...(appBridgeUrl ? { __APP_BRIDGE_URL: appBridgeUrl } : {})}>
      <NavMenu>
        <Link to="/app" rel="home">
          Campaign revenue
        </Link>
        <Link to="/app">Reports</Link>
        <Link to="/app/settings">Settings</Link>
      </NavMenu>
      <WebVitalsReporter />
      <Frame>
        {navigation.state === "loading" ? <Loading /> : null}
        {toOtherPage ? <SkeletonFor pathname={navigation.location.pathname} /> : <Outlet />}
      </Frame>
    </AppProvider>
  );
}

// Shopify needs Remix to catch some thrown responses, so that their headers are included in the response.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
