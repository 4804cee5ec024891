import {
  BlockStack,
  Card,
  InlineGrid,
  Layout,
  SkeletonBodyText,
  SkeletonDisplayText,
  SkeletonPage,
} from "@shopify/polaris";

function SummarySkeleton() {
  return (
    <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
      {[0, 1, 2, 3].map((i) => (
        <Card key={i}>
          <BlockStack gap="300">
            <SkeletonBodyText lines={1} />
            <SkeletonDisplayText size="medium" />
          </BlockStack>
        </Card>
      ))}
    </InlineGrid>
  );
}

export function ReportSkeleton() {
  return (
    <SkeletonPage title="Campaign revenue" primaryAction>
      <BlockStack gap="400">
        <SummarySkeleton />
        <Card>
          <SkeletonBodyText lines={8} />
        </Card>
        <Card>
          <SkeletonBodyText lines={10} />
        </Card>
      </BlockStack>
    </SkeletonPage>
  );
}

export function CampaignSkeleton() {
  return (
    <SkeletonPage title="Campaign" backAction>
      <BlockStack gap="400">
        <SummarySkeleton />
        <Card>
          <SkeletonBodyText lines={4} />
        </Card>
        <Card>
          <SkeletonBodyText lines={8} />
        </Card>
      </BlockStack>
    </SkeletonPage>
  );
}

export function SettingsSkeleton() {
  return (
    <SkeletonPage title="Settings" backAction>
      <Layout>
        {[3, 6, 2, 5].map((lines, i) => (
          <Layout.AnnotatedSection
            key={i}
            title={<SkeletonDisplayText size="small" />}
            description={<SkeletonBodyText lines={2} />}
          >
            <Card>
              <SkeletonBodyText lines={lines} />
            </Card>
          </Layout.AnnotatedSection>
        ))}
      </Layout>
    </SkeletonPage>
  );
}

/** The skeleton of the page a navigation is going to (shown while its loader runs). */
export function SkeletonFor({ pathname }: { pathname: string }) {
  if (pathname.startsWith("/app/settings")) return <SettingsSkeleton />;
  if (pathname.startsWith("/app/campaigns/")) return <CampaignSkeleton />;
  return <ReportSkeleton />;
}
