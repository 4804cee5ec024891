-- Issue 10.3: the SNS topics whose SES notifications a shop accepts (the first confirmed subscription pins its topic;
-- changeable on the settings page and through PUT /api/v1/settings providers.ses.topic_arns).
ALTER TABLE "shops" ADD COLUMN "ses_topic_arns" TEXT[] DEFAULT ARRAY[]::TEXT[];
